package scenarios

import (
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// preparedSets are overrides that write into every part of the decoded
// tree a Prepared keeps: a new key, a table replaced whole, a new table,
// a cohort element by index and by name, a switch of mechanism (which
// drops keys), and the seed a sweep sets per point.
var preparedSets = [][]string{
	nil,
	{"sim.horizon=30d", "sim.seed=7"},
	{"tokenomics.take_rate={ akt = 0.1, usdc = 0.2 }"},
	{"providers[0].count=3", "tenants[0].arrivals_per_day=11"},
	{"market.mechanism=vickrey-reverse"},
	{"tokenomics.inflation.model=none", "sim.replications=4"},
	{"providers[0].cost_multiplier={ kind = \"uniform\", min = 0.9, max = 1.1 }"},
}

// TestPreparedParsesLikeAFreshSource checks that one Prepared gives, for
// every overrides in turn and from several goroutines at once, the
// scenario (and the error) a source decoded afresh gives: no Parse
// changes what the Prepared keeps (run under -race in make test-long).
func TestPreparedParsesLikeAFreshSource(t *testing.T) {
	for _, src := range shippedScenarios(t) {
		t.Run(src.Name, func(t *testing.T) {
			want := make([]string, len(preparedSets))
			for i, sets := range preparedSets {
				want[i] = outcome(ParseWith(src, sets, Options{}))
			}
			p := Prepare(src)
			type parsed struct {
				sets int // index in preparedSets
				out  string
			}
			var wg sync.WaitGroup
			got := make([][]parsed, 3)
			for g := range got {
				wg.Go(func() {
					for round := range 2 {
						for i := range preparedSets {
							// each goroutine visits the sets in its own order
							j := (i + g + round) % len(preparedSets)
							got[g] = append(got[g], parsed{j, outcome(p.Parse(preparedSets[j], Options{}))})
						}
					}
				})
			}
			wg.Wait()
			for g := range got {
				for _, r := range got[g] {
					assert.Equal(t, want[r.sets], r.out, "goroutine %d, sets %v", g, preparedSets[r.sets])
				}
			}
		})
	}
}

// outcome is a parse's result as text: the resolved TOML or the error.
func outcome(sc *Scenario, err error) string {
	if err != nil {
		return "error: " + err.Error()
	}
	return string(sc.TOML())
}

// TestPreparedErrors checks that a Prepared reports its source's errors
// in ParseWith's order (a --set of initial_usd before the file's own
// initial_usd; the file's decode errors before both), and that each
// caller gets an error of its own.
func TestPreparedErrors(t *testing.T) {
	bad := strings.Replace(tokenTOML, "volatility = 0.8", "volatility = 0.8\ninitial_usd = 3.0", 1)
	p := Prepare(Source{Name: "test.toml", Data: []byte(bad)})
	_, err := p.Parse([]string{"tokenomics.price.initial_usd=3"}, Options{})
	assert.EqualError(t, err, "--set: tokenomics.price.initial_usd: not used: the price process starts at tokenomics.token_price_usd; set that instead")
	_, err = p.Parse(nil, Options{})
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "tokenomics.price.initial_usd", e.Key)
	first := err.Error()
	e.Key, e.Line, e.File = "changed", 999, "changed" // a caller filling in its copy
	_, again := p.Parse(nil, Options{})
	assert.Equal(t, first, again.Error(), "a caller's change to its error reached the Prepared")

	unknown := Prepare(Source{Name: "test.toml", Data: []byte(minimalTOML + "\nnope = 1\n")})
	for _, sets := range [][]string{nil, {"tokenomics.price.initial_usd=3"}} {
		_, err := unknown.Parse(sets, Options{})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "nope", "sets %v", sets)
	}
}
