package sim

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/market"
)

// Unit tests of the CPU-only share of GPU nodes
// (agents.ProviderCohort.CPUOnlyShare) on hand-built providers: the fit
// rule, the ask indexes and take/give.

// cpuOnlySet builds a provider set of two active providers: a GPU node
// (32 cores, 256 GB, 4 H100s) of a cohort with CPU-only share share, and a
// CPU-only node (16 cores, 64 GB) of a cohort with the same share.
func cpuOnlySet(t *testing.T, share float64) *providerSet {
	t.Helper()
	cat, err := agents.NewCatalog(agents.ResourcesParams{ReferenceUSDHour: map[string]float64{"cpu": 0.04, "memory_gb": 0.005, "h100": 2.5}})
	require.NoError(t, err)
	h100, _ := cat.Index("h100")
	gpu := agents.DefaultProviderCohort()
	gpu.CPUCores, gpu.MemoryGB, gpu.GPUs, gpu.CPUOnlyShare = 32, 256, map[string]int{"h100": 4}, share
	cpu := agents.DefaultProviderCohort()
	cpu.CPUCores, cpu.MemoryGB, cpu.CPUOnlyShare = 16, 64, share
	cfg := &Config{Catalog: cat, Providers: []agents.ProviderCohort{gpu, cpu}}
	ps := &providerSet{
		cat: cat, byResource: make([][]int32, cat.NumResources()), maxUnits: make([]int32, cat.NumResources()),
		capTotal: make([]int64, cat.NumResources()), indexes: make([]*market.AskIndex, cat.NumResources()),
		indexOK: make([]bool, cat.NumResources()), cohorts: make([]providerCohort, 2),
	}
	for ci := range cfg.Providers {
		c := &cfg.Providers[ci]
		prof := agents.Profile{Cohort: ci, Capacity: make([]int32, cat.NumResources()), Ask: []float64{0.002, 0.001, 1.8}, Cost: make([]float64, cat.NumResources())}
		prof.Capacity[agents.ResCPU], prof.Capacity[agents.ResMemory] = int32(c.CPUCores), int32(c.MemoryGB)
		prof.Capacity[h100] = int32(c.GPUs["h100"])
		p := provider{prof: prof, active: true, free: append([]int32(nil), prof.Capacity...)}
		for i, r := range [...]int{agents.ResCPU, agents.ResMemory} {
			p.cpuOnlyLimit[i] = c.CPUOnlyLimit(&prof, prof.Capacity[r])
			p.limitCPUOnly = p.limitCPUOnly || p.cpuOnlyLimit[i] < prof.Capacity[r]
		}
		ps.p = append(ps.p, p)
		ps.list(int32(ci))
	}
	return ps
}

// TestCPUOnlyFitRule: a CPU-only request fits a GPU node only within
// floor(share x capacity) less what CPU-only work holds, for cores and for
// memory; GPU requests and CPU-only nodes are not limited.
func TestCPUOnlyFitRule(t *testing.T) {
	h100 := agents.ResGPU0
	cases := []struct {
		share      float64
		held       [2]int32 // CPU-only cores and GB already on the GPU node
		q          agents.Request
		gpuNode    bool // fits the GPU node
		cpuOnlyFit bool // fits the CPU-only node
	}{
		{1, [2]int32{}, agents.Request{CPU: 16, MemoryGB: 64}, true, true},
		{1, [2]int32{}, agents.Request{CPU: 32, MemoryGB: 256}, true, false},
		{0, [2]int32{}, agents.Request{CPU: 1}, false, true},
		{0, [2]int32{}, agents.Request{MemoryGB: 1}, false, true},
		{0, [2]int32{}, agents.Request{CPU: 32, MemoryGB: 256, GPUs: 4, GPUModel: h100}, true, false},
		{0.25, [2]int32{}, agents.Request{CPU: 8, MemoryGB: 64}, true, true},   // exactly the share: 8 of 32, 64 of 256
		{0.25, [2]int32{}, agents.Request{CPU: 9, MemoryGB: 8}, false, true},   // one core over
		{0.25, [2]int32{}, agents.Request{CPU: 1, MemoryGB: 65}, false, false}, // one GB over (and over the CPU node's 64)
		{0.25, [2]int32{6, 0}, agents.Request{CPU: 2, MemoryGB: 8}, true, true},
		{0.25, [2]int32{6, 0}, agents.Request{CPU: 3, MemoryGB: 8}, false, true},
		{0.25, [2]int32{0, 60}, agents.Request{CPU: 1, MemoryGB: 5}, false, true},
		{0.3, [2]int32{}, agents.Request{CPU: 9, MemoryGB: 76}, true, false}, // floor(9.6) = 9 cores, floor(76.8) = 76 GB
		{0.3, [2]int32{}, agents.Request{CPU: 10, MemoryGB: 8}, false, true},
		{0.3, [2]int32{}, agents.Request{CPU: 1, MemoryGB: 77}, false, false},
	}
	for _, c := range cases {
		ps := cpuOnlySet(t, c.share)
		g := &ps.p[0]
		g.cpuOnly = c.held
		g.free[agents.ResCPU] -= c.held[0]
		g.free[agents.ResMemory] -= c.held[1]
		assert.Equal(t, c.gpuNode, g.fits(&c.q), "GPU node, share %v, held %v, %+v", c.share, c.held, c.q)
		assert.Equal(t, c.cpuOnlyFit, ps.p[1].fits(&c.q), "CPU node, share %v, %+v", c.share, c.q)
	}
}

// TestCPUOnlyFreeCapsGPUWork: GPU work on a GPU node takes cores and
// memory from the CPU-only share too (what CPU-only work can take is the
// smaller of the free units and the share's room), and the ask indexes of
// cores and memory book exactly that, while the GPU index books the free
// GPUs; take and give are symmetric.
func TestCPUOnlyFreeCapsGPUWork(t *testing.T) {
	h100 := agents.ResGPU0
	ps := cpuOnlySet(t, 0.25)
	cpuIx, memIx, gpuIx := ps.index(agents.ResCPU), ps.index(agents.ResMemory), ps.index(h100)
	g := &ps.p[0]
	booked := func(ix *market.AskIndex, k int32) bool { // the GPU node is the cheapest: is it found with k free?
		p, _, ok := ix.Cheapest(k)
		return ok && p == 0
	}
	require.Equal(t, [2]int32{8, 64}, g.cpuOnlyLimit)
	assert.True(t, booked(cpuIx, 8))
	assert.False(t, booked(cpuIx, 9))
	assert.True(t, booked(memIx, 64))
	assert.False(t, booked(memIx, 65))

	cpuWork := agents.Request{CPU: 5, MemoryGB: 40}
	gpuWork := agents.Request{CPU: 26, MemoryGB: 200, GPUs: 3, GPUModel: h100}
	ps.take(0, &cpuWork)
	assert.Equal(t, [2]int32{5, 40}, g.cpuOnly)
	assert.Equal(t, int32(3), g.cpuOnlyFree(agents.ResCPU))
	assert.Equal(t, int32(24), g.cpuOnlyFree(agents.ResMemory))
	assert.True(t, booked(cpuIx, 3))
	assert.False(t, booked(cpuIx, 4))
	ps.take(0, &gpuWork) // 1 core and 16 GB left free: less than the share's room
	assert.Equal(t, [2]int32{5, 40}, g.cpuOnly, "GPU work is not CPU-only work")
	assert.Equal(t, int32(1), g.cpuOnlyFree(agents.ResCPU))
	assert.Equal(t, int32(16), g.cpuOnlyFree(agents.ResMemory))
	assert.True(t, booked(cpuIx, 1))
	assert.False(t, booked(cpuIx, 2))
	assert.True(t, booked(memIx, 16))
	assert.False(t, booked(memIx, 17))
	assert.True(t, booked(gpuIx, 1))
	assert.False(t, booked(gpuIx, 2))
	assert.False(t, g.fits(&agents.Request{CPU: 2}))
	assert.True(t, g.fits(&agents.Request{CPU: 1, MemoryGB: 16}))

	ps.give(0, &cpuWork)
	assert.Equal(t, [2]int32{0, 0}, g.cpuOnly)
	assert.Equal(t, int32(6), g.cpuOnlyFree(agents.ResCPU), "6 cores free, all within the share")
	assert.True(t, booked(cpuIx, 6))
	ps.give(0, &gpuWork)
	assert.Equal(t, g.prof.Capacity, g.free)
	assert.True(t, booked(cpuIx, 8))
	assert.False(t, booked(cpuIx, 9))
	assert.True(t, booked(gpuIx, 4))

	// the CPU-only node is never limited, whatever its cohort's share
	c := &ps.p[1]
	assert.False(t, c.limitCPUOnly)
	assert.Equal(t, int32(16), c.cpuOnlyFree(agents.ResCPU))
}

// TestCPUOnlyShareOneIsFree: with share 1 (the default) nothing is
// limited, so every path sees the free units exactly as before.
func TestCPUOnlyShareOneIsFree(t *testing.T) {
	ps := cpuOnlySet(t, 1)
	for i := range ps.p {
		p := &ps.p[i]
		assert.False(t, p.limitCPUOnly)
		q := agents.Request{CPU: 3, MemoryGB: 7}
		ps.take(int32(i), &q)
		for _, r := range [...]int{agents.ResCPU, agents.ResMemory} {
			assert.Equal(t, p.free[r], p.askFree(r))
		}
	}
}
