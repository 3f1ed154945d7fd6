package sim

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/agents"
)

// TestHotRecordMatchesProvider: through random takes and gives of CPU-only
// and GPU work, with and without ask indexes and CPU-only shares, the hot
// record's fit test and quote agree with the provider's own (fits, and
// the strategy's Quote) for every request shape, and the record take and
// give write is the one syncHot copies from the provider, as is the
// gfree byte, which never skips a provider that fits a GPU request; the
// dense cost record prices every request as the provider's costs do.
func TestHotRecordMatchesProvider(t *testing.T) {
	h100 := agents.ResGPU0
	var reqs []agents.Request
	for _, cpu := range []int32{0, 1, 3, 8, 9, 17, 33} {
		for _, mem := range []int32{0, 5, 16, 64, 65, 257} {
			reqs = append(reqs, agents.Request{CPU: cpu, MemoryGB: mem})
			for _, g := range []int32{1, 3, 4, 5} {
				reqs = append(reqs, agents.Request{CPU: cpu, MemoryGB: mem, GPUs: g, GPUModel: h100})
			}
		}
	}
	for seed := uint64(0); seed < 20; seed++ {
		rng := rand.New(rand.NewPCG(seed, 7))
		share := []float64{0, 0.25, 0.3, 1}[seed%4]
		ps := cpuOnlySet(t, share)
		for id := range ps.p {
			ps.p[id].strat = agents.CostPlus{}
			for r := range ps.p[id].prof.Cost {
				ps.p[id].prof.Cost[r] = rng.Float64() / float64(r+1)
			}
			ps.initHot(int32(id))
		}
		if seed%2 == 1 {
			ps.index(agents.ResCPU) // takes and gives go through setFree
		}
		type held struct {
			id int32
			q  agents.Request
		}
		var taken []held
		for step := 0; step < 200; step++ {
			if len(taken) > 0 && rng.IntN(3) == 0 {
				k := rng.IntN(len(taken))
				ps.give(taken[k].id, &taken[k].q)
				taken = append(taken[:k], taken[k+1:]...)
			} else {
				id := int32(rng.IntN(len(ps.p)))
				q := reqs[rng.IntN(len(reqs))]
				if ps.p[id].fits(&q) {
					ps.take(id, &q)
					taken = append(taken, held{id, q})
				}
			}
			for id := range ps.p {
				p := &ps.p[id]
				h := &ps.hot[id]
				kept, keptG := *h, ps.gfree[id] // take and give write them from the values at hand
				ps.syncHot(int32(id))
				require.Equal(t, *h, kept, "seed %d step %d provider %d: the hot record differs from its provider's", seed, step, id)
				require.Equal(t, ps.gfree[id], keptG, "seed %d step %d provider %d: gfree differs from its provider's", seed, step, id)
				for i := range reqs {
					q := &reqs[i]
					// compared with != first: require.Equal's reflection
					// over these million comparisons was most of the test
					f, hf := p.fits(q), ps.hotFits(int32(id), h, q)
					if f != hf {
						require.Equal(t, f, hf, "seed %d step %d provider %d request %+v", seed, step, id, *q)
					}
					// a scan skips a provider whose gfree byte is below a GPU
					// request: only one that cannot hold it
					if g := ps.gfree[id]; q.GPUs > 0 && f && !p.fake && int32(g) < q.GPUs && g != 255 {
						require.Fail(t, "gfree", "seed %d step %d provider %d request %+v: gfree %d skips a provider that fits", seed, step, id, *q, g)
					}
					cost, cohort := ps.cost(int32(id), q)
					if want := q.Price(p.prof.Cost); want != cost {
						require.Equal(t, want, cost, "seed %d provider %d request %+v: cost", seed, id, *q)
					}
					if int32(p.prof.Cohort) != cohort {
						require.Equal(t, int32(p.prof.Cohort), cohort)
					}
					if p.prof.Capacity[h100] > 0 || q.GPUs == 0 {
						v := &agents.MarketView{}
						if want, got := p.strat.Quote(&p.prof, q, v), ps.hotQuote(int32(id), h, q, v); want != got {
							require.Equal(t, want, got)
						}
					}
				}
			}
		}
	}
}
