package scenarios

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/agents"
)

// warnBaseTOML is a plausible scenario: it gives no warning. The tests
// below change one thing each.
const warnBaseTOML = `name = "w"

[resources]
reference_usd_hour = { cpu = 0.04, memory_gb = 0.005, h100 = 2.0 }

[[providers]]
name = "cpu"
count = 10
cpu_cores = 64
memory_gb = 256
price_list_usd_hour = { cpu = 0.01, memory_gb = 0.001 }

[[providers]]
name = "gpu"
count = 2
cpu_cores = 64
memory_gb = 512
gpus = { h100 = 8 }
price_list_usd_hour = { cpu = 0.01, memory_gb = 0.001, h100 = 1.5 }

[[tenants]]
name = "web"
arrivals_per_day = 100.0
cpu_cores = { kind = "const", value = 2 }
memory_gb = { kind = "const", value = 4 }
lifetime_hours = { kind = "exponential", mean = 24.0 }

[[tenants]]
name = "ai"
arrivals_per_day = 2.0
gpu_models = { h100 = 1.0 }
lifetime_hours = { kind = "exponential", mean = 24.0 }
`

func warnEdit(t *testing.T, pairs ...string) string {
	t.Helper()
	text := warnBaseTOML
	for i := 0; i+1 < len(pairs); i += 2 {
		require.Contains(t, text, pairs[i])
		text = strings.Replace(text, pairs[i], pairs[i+1], 1)
	}
	return text
}

func TestWarnBaseHasNoWarning(t *testing.T) {
	assert.Empty(t, mustParse(t, warnBaseTOML).Warnings())
}

func TestWarnings(t *testing.T) {
	cases := []struct {
		name string
		text string
		want []string // the warnings, exactly and in order
	}{
		{"many samples", warnEdit(t, `name = "w"`, "name = \"w\"\n[sim]\nsample_every = \"10s\""),
			[]string{"sim.sample_every: 10s gives 3,153,600 samples per replication over 1y (more than 1,000,000; outputs get large)"}},
		{"one replication", warnEdit(t, `name = "w"`, "name = \"w\"\n[sim]\nreplications = 1"),
			[]string{"sim.replications: 1 replication gives no confidence interval across replications"}},
		{"offered load", warnEdit(t, `arrivals_per_day = 100.0`, `arrivals_per_day = 10000.0`),
			[]string{
				// web: 10,000/day x 1 day x 2 cores; ai: 2/day x 1 day x 1 core (the default)
				"tenants[0], tenants[1]: offered CPU load 20,002 cores is 26x the 768 cores providers list at the start",
				"tenants[0], tenants[1]: offered memory load 40,004 GB is 11.2x the 3,584 GB providers list at the start",
			}},
		{"offered GPU load", warnEdit(t, `arrivals_per_day = 2.0`, `arrivals_per_day = 200.0`, `gpu_models = { h100 = 1.0 }`, "gpu_models = { h100 = 1.0 }\ngpus = { kind = \"const\", value = 2 }"),
			[]string{"tenants[1]: offered h100 load 400 GPUs is 25x the 16 GPUs providers list at the start"}},
		{"capped lifetime keeps the load down", warnEdit(t, `arrivals_per_day = 100.0`, `arrivals_per_day = 10000.0`,
			`lifetime_hours = { kind = "exponential", mean = 24.0 }`, `lifetime_hours = { kind = "exponential", mean = 24.0, cap = 1.0 }`), nil},
		{"no capacity", warnEdit(t, "memory_gb = 256\n", "", "memory_gb = 512\n", ""),
			[]string{"tenants[0], tenants[1]: offered memory load 404 GB, but providers list none at the start"}},
		{"GPU model no provider has", warnEdit(t, `h100 = 2.0 }`, `h100 = 2.0, a100 = 1.5 }`, `gpu_models = { h100 = 1.0 }`, `gpu_models = { h100 = 0.5, a100 = 0.5 }`),
			[]string{"tenants[1].gpu_models.a100: no provider cohort has a100 GPUs: these deployments can never be served"}},
		{"GPU model with weight 0", warnEdit(t, `h100 = 2.0 }`, `h100 = 2.0, a100 = 1.5 }`, `gpu_models = { h100 = 1.0 }`, `gpu_models = { h100 = 1.0, a100 = 0.0 }`), nil},
		{"selection window at the bid timeout", warnEdit(t, `name = "ai"`, "name = \"ai\"\nselection_window = \"5m\""),
			[]string{"tenants[1].selection_window: 5m is not shorter than the providers' 5m bid timeout: bids can expire before the tenant selects, leaving orders with no bid"}},
		{"selection window under the bid timeout", warnEdit(t, `name = "ai"`, "name = \"ai\"\nselection_window = \"299s\""), nil},
		{"patience shorter than retry_every", warnEdit(t, `name = "web"`, "name = \"web\"\npatience = \"5m\""),
			[]string{"tenants[0].patience: 5m is shorter than retry_every (10m): an order with no eligible bid is abandoned without a retry"}},
		{"patience equal to retry_every", warnEdit(t, `name = "web"`, "name = \"web\"\npatience = \"10m\""), nil},
		{"max price below every ask", warnEdit(t, `name = "ai"`, "name = \"ai\"\nmax_price_ratio = { kind = \"const\", value = 0.5 }"),
			// ask 1 core x 0.01 + 2 GB x 0.001 + 1 h100 x 1.5 = 1.512; reference 0.04 + 0.01 + 2.0 = 2.05
			[]string{"tenants[1].max_price_ratio: mean 0.5 is below 0.738, the cheapest provider cohort's (gpu) typical ask over the reference price of h100 deployments: few bids would be within the tenants' max price"}},
		{"max price ratio counts the price multiplier", warnEdit(t, `name = "ai"`, "name = \"ai\"\nmax_price_ratio = { kind = \"const\", value = 1.0 }",
			`h100 = 1.5 }`, "h100 = 1.5 }\nprice_multiplier = { kind = \"const\", value = 1.5 }"),
			[]string{"tenants[1].max_price_ratio: mean 1 is below 1.11, the cheapest provider cohort's (gpu) typical ask over the reference price of h100 deployments: few bids would be within the tenants' max price"}},
		{"max price ratio counts cost plus markup", warnEdit(t, `name = "web"`, "name = \"web\"\nmax_price_ratio = { kind = \"uniform\", min = 0.1, max = 0.3 }",
			"price_list_usd_hour = { cpu = 0.01, memory_gb = 0.001 }", "price_list_usd_hour = { cpu = 0.01, memory_gb = 0.001 }\ncost_usd_hour = { cpu = 0.1 }\nmin_markup = 0.5"),
			// the cpu cohort asks 2 x 0.15 + 4 x 0.001 (cost plus markup), the gpu
			// cohort 2 x 0.01 + 4 x 0.001 = 0.024, over a reference of 0.10
			[]string{"tenants[0].max_price_ratio: mean 0.2 is below 0.24, the cheapest provider cohort's (gpu) typical ask over the reference price of cpu-only deployments: few bids would be within the tenants' max price"}},
		{"reference price 0", warnEdit(t, `h100 = 2.0 }`, `h100 = 0.0 }`, `h100 = 1.5 }`, `h100 = 0.0 }`), nil}, // ask 0.012 over reference 0.05
		{"reference price 0 with a positive ask", warnEdit(t, `cpu = 0.04, memory_gb = 0.005, h100 = 2.0`, `cpu = 0.0, memory_gb = 0.0, h100 = 0.0`),
			[]string{
				"tenants[0].max_price_ratio: the reference price of cpu-only deployments is 0, so the tenants' max price is 0 and no provider's ask fits under it",
				"tenants[1].max_price_ratio: the reference price of h100 deployments is 0, so the tenants' max price is 0 and no provider's ask fits under it",
			}},
		{"infinite mean lifetime", warnEdit(t, `name = "ai"
arrivals_per_day = 2.0
gpu_models = { h100 = 1.0 }
lifetime_hours = { kind = "exponential", mean = 24.0 }`, `name = "ai"
arrivals_per_day = 2.0
gpu_models = { h100 = 1.0 }
lifetime_hours = { kind = "pareto", min = 1.0, alpha = 0.9 }`),
			[]string{"tenants[1].lifetime_hours: a pareto lifetime with alpha <= 1 and no cap has an infinite mean: deployments pile up over the horizon"}},
		{"pareto lifetime with a cap", warnEdit(t, `name = "ai"
arrivals_per_day = 2.0
gpu_models = { h100 = 1.0 }
lifetime_hours = { kind = "exponential", mean = 24.0 }`, `name = "ai"
arrivals_per_day = 2.0
gpu_models = { h100 = 1.0 }
lifetime_hours = { kind = "pareto", min = 1.0, alpha = 0.9, cap = 100.0 }`), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sc := mustParse(t, c.text)
			assert.Equal(t, c.want, sc.Warnings())
		})
	}
}

func TestWarningsOrder(t *testing.T) {
	text := warnEdit(t,
		`name = "w"`, "name = \"w\"\n[sim]\nreplications = 1\nsample_every = \"10s\"",
		`name = "web"`, "name = \"web\"\npatience = \"1m\"\nselection_window = \"10m\"",
		`arrivals_per_day = 100.0`, `arrivals_per_day = 10000.0`,
		`h100 = 2.0 }`, `h100 = 2.0, b200 = 4.0, a100 = 1.0 }`,
		`gpu_models = { h100 = 1.0 }`, `gpu_models = { h100 = 1.0, b200 = 1.0, a100 = 1.0 }`,
	)
	sc := mustParse(t, text)
	keys := func(ws []string) []string {
		var ks []string
		for _, w := range ws {
			ks = append(ks, w[:strings.Index(w, ": ")])
		}
		return ks
	}
	want := []string{
		"sim.sample_every",
		"sim.replications",
		"tenants[0].selection_window",
		"tenants[0].patience",
		"tenants[1].gpu_models.a100",
		"tenants[1].gpu_models.b200",
		"tenants[0], tenants[1]",
		"tenants[0], tenants[1]",
	}
	got := sc.Warnings()
	assert.Equal(t, want, keys(got), "%q", got)
	for range 20 {
		assert.Equal(t, got, sc.Warnings(), "same warnings every time")
	}
	assert.Contains(t, got[6], "offered CPU load")
	assert.Contains(t, got[7], "offered memory load")
}

func TestWarningsOfInvalidResources(t *testing.T) {
	sc := mustParse(t, warnBaseTOML)
	sc.Resources.ReferenceUSDHour = map[string]float64{"cpu": 1}
	assert.Nil(t, sc.Warnings())
}

// TestShippedScenariosWarnings pins the warnings of the presets and R1:
// none, except R1's single replication, which is R1's own design (one run
// of one simulated year, docs/bench/r1.md; its §4 acceptance compares
// a run's statistics, not replications).
func TestShippedScenariosWarnings(t *testing.T) {
	for _, src := range shippedScenarios(t) {
		sc, err := Parse(src, nil)
		require.NoError(t, err)
		var want []string
		if src.Name == r1Path {
			want = []string{"sim.replications: 1 replication gives no confidence interval across replications"}
		}
		assert.Equal(t, want, sc.Warnings(), src.Name)
	}
}

func TestMeanOfMatchesSampling(t *testing.T) {
	dists := []agents.Dist{
		agents.Const(3),
		{Kind: "const", Value: 3, Cap: 2},
		{Kind: "uniform", Min: 1, Max: 5},
		{Kind: "uniform", Min: 1, Max: 5, Cap: 4},
		{Kind: "uniform", Min: 1, Max: 5, Cap: 0.5},
		{Kind: "exponential", Mean: 24},
		{Kind: "exponential", Mean: 24, Cap: 12},
		{Kind: "lognormal", Median: 72, Sigma: 1.8},
		{Kind: "lognormal", Median: 72, Sigma: 1.8, Cap: 8760},
		{Kind: "lognormal", Median: 6, Sigma: 1.5, Cap: 2160},
		{Kind: "lognormal", Median: 6, Sigma: 0, Cap: 5},
		{Kind: "pareto", Min: 2, Alpha: 3},
		{Kind: "pareto", Min: 2, Alpha: 3, Cap: 3},
		{Kind: "pareto", Min: 1, Alpha: 1, Cap: 50},
		{Kind: "pareto", Min: 1, Alpha: 0.8, Cap: 50},
		{Kind: "pareto", Min: 2, Alpha: 3, Cap: 1},
		{Kind: "choice", Values: []float64{1, 2, 4, 8, 16}, Weights: []float64{0.35, 0.3, 0.2, 0.1, 0.05}},
		{Kind: "choice", Values: []float64{1, 2, 4, 8, 16}, Weights: []float64{0.35, 0.3, 0.2, 0.1, 0.05}, Cap: 4},
		{Kind: "choice", Values: []float64{1, 2, 3}, Cap: 2.5},
	}
	const n = 400_000
	rng := rand.New(rand.NewPCG(1, 2))
	for _, d := range dists {
		require.NoError(t, d.Validate())
		sum := 0.0
		for range n {
			sum += d.Sample(rng)
		}
		got, sampled := meanOf(d), sum/n
		assert.InEpsilon(t, sampled, got, 0.02, "%+v: formula %v, sampled %v", d, got, sampled)
		if d.Cap == 0 {
			assert.Equal(t, d.MeanValue(), got)
		}
	}
	assert.True(t, math.IsInf(meanOf(agents.Dist{Kind: "pareto", Min: 1, Alpha: 1}), 1))
}

func TestCommas(t *testing.T) {
	cases := map[float64]string{
		0: "0", 0.5: "0.5", 1.234: "1.23", 26.04: "26", 99.4: "99.4", 100: "100", 999.6: "1,000",
		1234: "1,234", 12345: "12,345", 1234567.8: "1,234,568", -1234: "-1,234", math.Inf(1): "+Inf",
	}
	for x, want := range cases {
		assert.Equal(t, want, commas(x), "%v", x)
	}
}

// TestMarketWarnings: demand a posted-price market prices at 0, and a
// selection policy the mechanism ignores, are warned about.
func TestMarketWarnings(t *testing.T) {
	sc, err := Load("ionet-2024", []string{"market.prices_usd_hour.h100=0", "tenants.inference.selection=cheapest"})
	require.NoError(t, err)
	w := sc.Warnings()
	assert.Contains(t, w, `tenants[1].selection: mechanism "posted-price" ignores tenant selection policies (only akash-reverse lets the tenant pick)`)
	assert.Contains(t, w, `tenants[1].gpu_models.h100: market "posted-price" prices h100 at 0: its orders never clear (give h100 a price)`)
	assert.Contains(t, w, `tenants[2].gpu_models.h100: market "posted-price" prices h100 at 0: its orders never clear (give h100 a price)`)
	assert.Len(t, w, 3)

	sc, err = Load("render-2024", []string{"market.work_per_unit_hour.cpu=0"})
	require.NoError(t, err)
	assert.Equal(t, []string{`tenants[1]: asks for CPU, which market "tiered-queue" prices at 0: its orders never clear (give cpu a price)`}, sc.Warnings())
}

// TestUnservableDemand warns about tenant cohorts that ask for more of a
// resource than the largest provider that could serve them holds: GPUs of
// the model asked for, and the CPU cores and memory of the providers of
// that model; bounded distributions whenever a draw does not fit,
// unbounded ones from a share of 0.1 %.
func TestUnservableDemand(t *testing.T) {
	const a100 = "reference_usd_hour = { cpu = 0.04, memory_gb = 0.005, h100 = 2.0, a100 = 1.5 }"
	const a100Cohort = "\n[[providers]]\nname = \"a100\"\ncount = 1\ncpu_cores = 256\nmemory_gb = 1024\ngpus = { a100 = 4 }\nprice_list_usd_hour = { cpu = 0.01, memory_gb = 0.001, a100 = 1.0 }\n"
	cases := []struct {
		name string
		text string
		want []string // the unservable warnings, exactly and in order
	}{
		{"9 GPUs from 8-GPU nodes", warnEdit(t, "gpu_models = { h100 = 1.0 }", "gpu_models = { h100 = 1.0 }\ngpus = { kind = \"const\", value = 9 }"),
			[]string{`tenants[1].gpus: cohort "ai" asks for at least 9 h100 GPUs per deployment (all of its h100 deployments), but the largest provider with h100 GPUs holds 8 (cohort "gpu"): those deployments can never be served`}},
		{"8 GPUs fit", warnEdit(t, "gpu_models = { h100 = 1.0 }", "gpu_models = { h100 = 1.0 }\ngpus = { kind = \"const\", value = 8 }"), nil},
		{"8.4 GPUs round to 8", warnEdit(t, "gpu_models = { h100 = 1.0 }", "gpu_models = { h100 = 1.0 }\ngpus = { kind = \"uniform\", min = 1, max = 8.4 }"), nil},
		{"129 cores from 64-core nodes", warnEdit(t, `cpu_cores = { kind = "const", value = 2 }`, `cpu_cores = { kind = "const", value = 65 }`),
			[]string{`tenants[0].cpu_cores: cohort "web" asks for at least 65 CPU cores per deployment (all of its deployments), but the largest provider holds 64 (cohort "cpu"): those deployments can never be served`}},
		{"some draws too big", warnEdit(t, `memory_gb = { kind = "const", value = 4 }`, `memory_gb = { kind = "choice", values = [4, 1024], weights = [3, 1] }`),
			[]string{`tenants[0].memory_gb: cohort "web" asks for up to 1,024 GB of memory per deployment (about 25% of its deployments), but the largest provider holds 512 (cohort "gpu"): those deployments can never be served`}},
		{"a zero-weight value is never drawn", warnEdit(t, `memory_gb = { kind = "const", value = 4 }`, `memory_gb = { kind = "choice", values = [4, 1024], weights = [1, 0] }`), nil},
		{"an unbounded tail", warnEdit(t, `cpu_cores = { kind = "const", value = 2 }`, `cpu_cores = { kind = "lognormal", median = 16, sigma = 1.5 }`),
			[]string{`tenants[0].cpu_cores: cohort "web" asks for CPU cores with no upper bound (lognormal, no cap) per deployment (about 18% of its deployments), but the largest provider holds 64 (cohort "cpu"): those deployments can never be served`}},
		{"a thin tail", warnEdit(t, `cpu_cores = { kind = "const", value = 2 }`, `cpu_cores = { kind = "lognormal", median = 2, sigma = 0.5 }`), nil},
		{"a cap that fits", warnEdit(t, `cpu_cores = { kind = "const", value = 2 }`, `cpu_cores = { kind = "lognormal", median = 16, sigma = 1.5, cap = 64 }`), nil},
		// the GPU cohort's CPU must fit a provider that has its GPU model,
		// even when a CPU node has more cores
		{"cores of the GPU model's providers", warnEdit(t, `cpu_cores = 64
memory_gb = 256`, `cpu_cores = 128
memory_gb = 256`, "gpu_models = { h100 = 1.0 }", "gpu_models = { h100 = 1.0 }\ncpu_cores = { kind = \"const\", value = 100 }"),
			[]string{`tenants[1].cpu_cores: cohort "ai" asks for at least 65 CPU cores per deployment (all of its h100 deployments), but the largest provider with h100 GPUs holds 64 (cohort "gpu"): those deployments can never be served`}},
		// a CPU-only cohort counts only the share of a GPU node's memory
		// open to CPU-only orders
		{"memory of a GPU node open to CPU-only orders", warnEdit(t, `memory_gb = { kind = "const", value = 4 }`, `memory_gb = { kind = "const", value = 300 }`), nil},
		{"memory of a GPU node kept for GPU work", warnEdit(t, `memory_gb = { kind = "const", value = 4 }`, `memory_gb = { kind = "const", value = 300 }`, "gpus = { h100 = 8 }", "gpus = { h100 = 8 }\ncpu_only_share = 0.5"),
			[]string{`tenants[0].memory_gb: cohort "web" asks for at least 257 GB of memory per deployment (all of its deployments), but the largest provider (counting a GPU node's cpu_only_share of it) holds 256 (cohort "cpu"): those deployments can never be served`}},
		// 8 GPUs fit h100 nodes, not a100 ones
		{"GPU model matching", warnEdit(t, "reference_usd_hour = { cpu = 0.04, memory_gb = 0.005, h100 = 2.0 }", a100,
			"[[tenants]]\nname = \"web\"", a100Cohort+"\n[[tenants]]\nname = \"web\"",
			"gpu_models = { h100 = 1.0 }", "gpu_models = { h100 = 1.0, a100 = 1.0 }\ngpus = { kind = \"const\", value = 8 }"),
			[]string{`tenants[1].gpus: cohort "ai" asks for at least 5 a100 GPUs per deployment (all of its a100 deployments), but the largest provider with a100 GPUs holds 4 (cohort "a100"): those deployments can never be served`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sc := mustParse(t, c.text)
			assert.Equal(t, c.want, sc.UnservableWarnings())
			for _, w := range c.want {
				assert.Contains(t, sc.Warnings(), w, "Warnings includes it")
			}
		})
	}
}
