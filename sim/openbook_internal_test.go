package sim

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/market"
	"github.com/depinsim/depinsim/tokenomics"
)

// bookWorld is a world with an auction in open_orders = "wait" mode,
// at time 0 and never stepped: the tests put deployments in its book by
// hand.
func bookWorld(t *testing.T) (*World, *openBook) {
	t.Helper()
	cat, err := agents.NewCatalog(agents.ResourcesParams{ReferenceUSDHour: map[string]float64{"cpu": 0.04, "memory_gb": 0.005, "h100": 2.5}})
	require.NoError(t, err)
	m, err := market.New(market.AkashReverseName, market.Params{"open_orders": market.OpenWait})
	require.NoError(t, err)
	sp := DefaultParams()
	sp.Warmup = 0
	sp.Horizon = Duration(10 * Day)
	pc := agents.DefaultProviderCohort()
	pc.Name = "p"
	pc.Count = 1
	tc := agents.DefaultTenantCohort()
	tc.Name = "t"
	cfg := &Config{Sim: sp, Catalog: cat, Providers: []agents.ProviderCohort{pc}, Tenants: []agents.TenantCohort{tc},
		Mechanism: m, Tokenomics: tokenomics.DefaultParams()}
	w := NewWorld(cfg, 0, 1, nil)
	a, ok := w.clr.(*auctionClearing)
	require.True(t, ok)
	require.NotNil(t, a.book)
	return w, a.book
}

// deploy opens a deployment needing gpus H100s (0: a CPU-only one) whose
// patience ends at deadline.
func deploy(w *World, gpus int32, deadline Time) int32 {
	id := w.deps.open()
	d := &w.deps.d[id]
	d.spec.Request = agents.Request{CPU: 1, MemoryGB: 1}
	if gpus > 0 {
		r, _ := w.cat.Index("h100")
		d.spec.Request.GPUs, d.spec.Request.GPUModel = gpus, r
	}
	d.deadline, d.lease, d.state = deadline, -1, depWaiting
	return id
}

func h100Index(t *testing.T, w *World) int {
	r, ok := w.cat.Index("h100")
	require.True(t, ok)
	return r
}

// popAll pops class r's queue empty, as serve takes orders out to post
// them.
func popAll(w *World, b *openBook, r int) []int32 {
	var ids []int32
	for {
		e, ok := b.pop(w, r)
		if !ok {
			return ids
		}
		w.deps.d[e.id].state = depWaiting // taken out to be posted
		ids = append(ids, e.id)
	}
}

// TestOpenBookFIFOAndGiveUp: orders wait in their class's queue in the
// order they came; a tenant that gives up leaves its entry dead at once
// (the live count drops, the pop skips it) and is counted abandoned; an
// order counts as queued once however often it returns; an order past
// its patience is abandoned instead of queued; the invariant check holds
// throughout and sees a lost waiting deployment.
func TestOpenBookFIFOAndGiveUp(t *testing.T) {
	w, b := bookWorld(t)
	h := h100Index(t, w)
	var gpu []int32
	for i := 0; i < 5; i++ {
		id := deploy(w, 1, Hour)
		b.wait(w, id)
		gpu = append(gpu, id)
	}
	cpu := deploy(w, 0, Hour)
	b.wait(w, cpu)
	assert.Equal(t, 5, b.q[h].live)
	assert.Equal(t, 1, b.q[agents.ResCPU].live)
	assert.Equal(t, 6.0, w.stats.counters[MOrdersQueuedTotal])
	ok, why := b.check(w)
	require.True(t, ok, why)

	b.giveUp(w, gpu[1])
	assert.Equal(t, 1.0, w.stats.counters[MOrdersUnservedTotal])
	assert.Equal(t, 4, b.q[h].live)
	ok, why = b.check(w)
	require.True(t, ok, why)

	// the first comes back after a failed post: at the back, not counted again
	e, found := b.pop(w, h)
	require.True(t, found)
	assert.Equal(t, gpu[0], e.id)
	w.deps.d[e.id].state = depWaiting
	b.wait(w, e.id)
	assert.Equal(t, 6.0, w.stats.counters[MOrdersQueuedTotal])
	ok, why = b.check(w)
	require.True(t, ok, why)
	assert.Equal(t, []int32{gpu[2], gpu[3], gpu[4], gpu[0]}, popAll(w, b, h))
	assert.Equal(t, 0, b.q[h].live)
	assert.Empty(t, b.q[h].e, "an emptied queue is reset")

	// past its patience: abandoned, not queued
	late := deploy(w, 1, 0)
	b.wait(w, late)
	assert.Equal(t, 2.0, w.stats.counters[MOrdersUnservedTotal])
	assert.Equal(t, depFree, w.deps.d[late].state)
	assert.Equal(t, 0, b.q[h].live)

	// a waiting deployment the book lost is seen
	w.deps.d[deploy(w, 1, Hour)].state = depQueued
	ok, why = b.check(w)
	assert.False(t, ok)
	assert.Contains(t, why, "2 deployments wait in the book but it holds 1 live entries")
}

// TestOpenBookCompacts: when most of a queue's entries are dead (tenants
// gave up), the next order to join drops them, keeping the live ones in
// order: the queue's storage stays proportional to the orders waiting.
func TestOpenBookCompacts(t *testing.T) {
	w, b := bookWorld(t)
	h := h100Index(t, w)
	var all, keep []int32
	for i := 0; i < 300; i++ {
		id := deploy(w, 1, Hour)
		b.wait(w, id)
		all = append(all, id)
		if i%10 == 0 {
			keep = append(keep, id)
		}
	}
	for i, id := range all {
		if i%10 != 0 {
			b.giveUp(w, id)
		}
	}
	assert.Equal(t, 30, b.q[h].live)
	assert.Len(t, b.q[h].e, 300, "removal is lazy")
	last := deploy(w, 1, Hour)
	b.wait(w, last)
	assert.Len(t, b.q[h].e, 31, "dead entries dropped")
	ok, why := b.check(w)
	require.True(t, ok, why)
	assert.Equal(t, append(keep, last), popAll(w, b, h))
}

// TestOpenBookRemoveKeepsOrder: serve takes an order out of the middle
// of a queue (the orders before it were too big for the free capacity):
// the others keep their order.
func TestOpenBookRemoveKeepsOrder(t *testing.T) {
	w, b := bookWorld(t)
	h := h100Index(t, w)
	var ids []int32
	for i := 0; i < 5; i++ {
		id := deploy(w, 1, Hour)
		b.wait(w, id)
		ids = append(ids, id)
	}
	q := &b.q[h]
	b.remove(w, h, q.head+2)
	w.deps.d[ids[2]].state = depWaiting // taken out to be posted
	ok, why := b.check(w)
	require.True(t, ok, why)
	assert.Equal(t, []int32{ids[0], ids[1], ids[3], ids[4]}, popAll(w, b, h))
}
