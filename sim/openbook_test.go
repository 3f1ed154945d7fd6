package sim_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/market"
	"github.com/depinsim/depinsim/sim"
)

// bookConfig is baseConfig's mixed world (GPU and CPU orders, AKT and
// USDC, audited-only orders, a 60 s selection window for the GPU
// tenants, none for the CPU ones) with the auction's open_orders set to
// open, no warmup and no restarts, so that every deployment gets at most
// one lease.
func bookConfig(t testing.TB, days int, open string) *sim.Config {
	cfg := baseConfig(t, days)
	cfg.Sim.Warmup = 0
	cfg.Mechanism = mechanism(t, market.Params{"max_bids": int64(20), "tie_break": "random", "open_orders": open})
	for i := range cfg.Tenants {
		cfg.Tenants[i].RestartProb = 0
	}
	cfg.Tenants[1].SelectionWindow = 0
	return cfg
}

// TestOpenOrdersWaitProperties: with open_orders = "wait", over many
// seeds, the invariants hold after every event (open-order-book among
// them); no order waits past its patience and none is ever retried; every
// attempt is an order's first post or a post from the book; every lease
// served its order at once or from the book, and never more of them from
// the book than orders waited there; and every order is accounted for:
// unfunded + abandoned + leased + still open = orders.
func TestOpenOrdersWaitProperties(t *testing.T) {
	t.Parallel()
	cfg := bookConfig(t, 3, market.OpenWait)
	var queued, fromBook float64
	watchSeeds(t, 30, cfg, func(w *sim.World, kind string, _ []sim.StartedLease) string {
		if kind == "retry" {
			return "an order was retried"
		}
		if n := w.QueuedPastDeadline(); n > 0 {
			return fmt.Sprintf("%d orders wait past their patience", n)
		}
		return ""
	}, func(seed uint64, r watched) {
		w := r.w
		b, ok := w.Book()
		require.True(t, ok)
		c := func(m int) int64 { return int64(w.Counter(m)) }
		orders, unfunded, unserved, leases := c(sim.MOrdersTotal), c(sim.MOrdersUnfundedTotal), c(sim.MOrdersUnservedTotal), c(sim.MLeasesStartedTotal)
		assert.Equal(t, orders-unfunded+b.Reposts, c(sim.MOrderAttemptsTotal), "seed %d: attempts are first posts and posts from the book", seed)
		assert.Equal(t, leases, b.AtOnce+b.FromBook, "seed %d: every lease served at once or from the book", seed)
		assert.LessOrEqual(t, b.FromBook, c(sim.MOrdersQueuedTotal), "seed %d", seed)
		assert.LessOrEqual(t, b.FromBook, b.Reposts, "seed %d", seed)
		assert.Equal(t, orders, unfunded+unserved+leases+int64(w.OpenUnleased()), "seed %d: orders = unfunded + abandoned + leased + still open", seed)
		assert.LessOrEqual(t, int64(b.Waiting), int64(w.OpenUnleased()), "seed %d", seed)
		queued += w.Counter(sim.MOrdersQueuedTotal)
		fromBook += float64(b.FromBook)
	})
	assert.Greater(t, queued, 0.0, "no order ever waited: the test does not exercise the book")
	assert.Greater(t, fromBook, 0.0, "no order was served from the book")
}

// TestOpenOrdersRetryHasNoBook: the default keeps today's retries: no
// book, no order queued.
func TestOpenOrdersRetryHasNoBook(t *testing.T) {
	t.Parallel()
	cfg := bookConfig(t, 1, market.OpenRetry)
	r := mustWatch(t, cfg, 1, nil)
	_, ok := r.w.Book()
	assert.False(t, ok)
	assert.Zero(t, r.w.Counter(sim.MOrdersQueuedTotal))
	assert.Greater(t, r.w.Counter(sim.MOrderAttemptsTotal), r.w.Counter(sim.MOrdersTotal), "orders were retried")
}

// saturatedConfig: few H100 GPUs (4 providers of 4) and H100 orders
// arriving perDay a day, from tenants with a patience of 8 h who retry
// every 30 min (retry) or wait in the book (wait); about 40 a day fill
// them.
func saturatedConfig(t testing.TB, open string, perDay float64) *sim.Config {
	cfg := bookConfig(t, 6, open)
	cfg.Providers = []agents.ProviderCohort{h100Providers("h100", 4, 4, 1.5)}
	g := h100Tenants("h100", perDay, 1.2)
	g.Patience = dur(8 * sim.Hour)
	g.RetryEvery = dur(30 * sim.Minute)
	g.RestartProb = 0
	cfg.Tenants = []agents.TenantCohort{g}
	return cfg
}

// bookFigures are the economic figures of runs over seeds.
type bookFigures struct {
	orders, served, unserved float64 // funded orders, leases, abandoned orders
	openHours                float64 // hours orders were open without a lease (Little: the hourly samples of orders_open)
	waitHours, waited        float64 // hours from arrival to lease of the leases after a wait (over 3 min), and their number
	util                     float64 // H100 utilization, mean over the samples, summed over runs
	runs                     float64
}

func runBook(t *testing.T, open string, perDay float64, seeds int) bookFigures {
	var f bookFigures
	cfg := saturatedConfig(t, open, perDay)
	patience := cfg.Tenants[0].Patience.T()
	watchSeeds(t, seeds, cfg, nil, func(seed uint64, r watched) {
		f.runs++
		f.orders += r.w.Counter(sim.MOrdersTotal) - r.w.Counter(sim.MOrdersUnfundedTotal)
		f.served += r.w.Counter(sim.MLeasesStartedTotal)
		f.unserved += r.w.Counter(sim.MOrdersUnservedTotal)
		for _, rec := range r.recs {
			f.openHours += rec.Values[sim.MOrdersOpen]
			f.util += rec.Resources[h100].Utilization / float64(len(r.recs))
		}
		for _, l := range r.leases {
			if x := l.Start - (l.Deadline - patience); x > 3*sim.Minute {
				f.waitHours += x.Hours()
				f.waited++
			}
		}
	})
	return f
}

// TestOpenOrdersWaitFillsFreedCapacity: with the same patience, orders
// that wait in the book take capacity as soon as it frees instead of at
// their next retry. In a saturated market (60 orders a day for capacity
// of about 40) that serves a larger share of orders, abandons fewer and
// keeps the GPUs busier; in a lightly loaded one (30 a day) the orders
// that had to wait reach their lease sooner and orders spend less time
// open on average. (In the saturated market the leases start later after
// arrival on average: the book serves the oldest order first, which
// retries would often have lost to abandonment; docs/mechanisms.md.)
func TestOpenOrdersWaitFillsFreedCapacity(t *testing.T) {
	t.Parallel()
	retry, wait := runBook(t, market.OpenRetry, 60, 20), runBook(t, market.OpenWait, 60, 20)
	t.Logf("saturated: served share retry %.3f wait %.3f; abandoned %.0f %.0f; utilization %.3f %.3f",
		retry.served/retry.orders, wait.served/wait.orders, retry.unserved, wait.unserved, retry.util/retry.runs, wait.util/wait.runs)
	require.Less(t, retry.served/retry.orders, 0.9, "the market is not saturated")
	assert.Greater(t, wait.served/wait.orders, retry.served/retry.orders+0.005, "served share")
	assert.Less(t, wait.unserved/wait.orders, retry.unserved/retry.orders-0.005, "abandoned share")
	assert.Greater(t, wait.util/wait.runs, retry.util/retry.runs+0.01, "utilization")

	retry, wait = runBook(t, market.OpenRetry, 30, 20), runBook(t, market.OpenWait, 30, 20)
	t.Logf("light: hours from arrival to lease after a wait: retry %.3f wait %.3f; hours open per order: retry %.3f wait %.3f",
		retry.waitHours/retry.waited, wait.waitHours/wait.waited, retry.openHours/retry.orders, wait.openHours/wait.orders)
	assert.Less(t, wait.waitHours/wait.waited, 0.95*retry.waitHours/retry.waited, "time to lease after a wait")
	assert.Less(t, wait.openHours/wait.orders, retry.openHours/retry.orders, "time open per order")
}
