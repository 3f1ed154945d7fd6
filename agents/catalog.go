package agents

import (
	"fmt"
	"math"
	"sort"

	"github.com/depinsim/depinsim/simtime"
)

// Resource indices: CPU cores, memory in GB, then one per GPU model in the
// catalog's (sorted) order.
const (
	ResCPU    = 0
	ResMemory = 1
	ResGPU0   = 2
)

// Resource keys of scenario tables ("cpu", "memory_gb"; GPU models by name).
const (
	KeyCPU    = "cpu"
	KeyMemory = "memory_gb"
)

// ResourcesParams is the [resources] table of a scenario.
type ResourcesParams struct {
	// ReferenceUSDHour is the reference cloud price per unit-hour of each
	// resource: "cpu" (per core), "memory_gb" (per GB) and every GPU model
	// of the market (per GPU). Every other key is a GPU model. Tenants'
	// maximum prices are multiples of it.
	ReferenceUSDHour map[string]float64 `toml:"reference_usd_hour"`
	// ReferenceSteps is the reference price path: a table from a time
	// after the start (a duration, "180d", or a date, "2024-09-01") to a
	// multiplier in (0, 1e4] of every reference price, from that time
	// until the next (1 before the first and in the warmup). A deployment's
	// maximum price follows the reference at its arrival, and the price
	// response of tenant cohorts compares the network's price with it.
	ReferenceSteps map[string]float64 `toml:"reference_steps"`
}

// ReferencePath resolves ReferenceSteps against the scenario's start
// date (ResolveSteps): the steps in time order, nil when there are none.
// Errors name the key path from "resources.".
func (p *ResourcesParams) ReferencePath(start simtime.Date) ([]DemandStep, error) {
	if len(p.ReferenceSteps) == 0 {
		return nil, nil
	}
	const field = "resources.reference_steps"
	if err := checkSteps(field, p.ReferenceSteps, true); err != nil {
		return nil, err
	}
	return ResolveSteps(field, p.ReferenceSteps, start)
}

// Catalog is the resolved resource list of a run.
type Catalog struct {
	// GPUModels lists the GPU models, sorted.
	GPUModels []string
	// Reference is the reference price per unit-hour, by resource index.
	Reference []float64
}

// NewCatalog builds the catalog; it checks that cpu and memory_gb have
// reference prices and every price is >= 0.
func NewCatalog(p ResourcesParams) (*Catalog, error) {
	c := &Catalog{}
	for k := range p.ReferenceUSDHour {
		if k != KeyCPU && k != KeyMemory {
			c.GPUModels = append(c.GPUModels, k)
		}
	}
	sort.Strings(c.GPUModels)
	c.Reference = make([]float64, c.NumResources())
	for r := range c.Reference {
		key := c.Key(r)
		v, ok := p.ReferenceUSDHour[key]
		if !ok {
			return nil, fmt.Errorf("resources.reference_usd_hour.%s: missing (cpu and memory_gb are required)", key)
		}
		if !(v >= 0) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("resources.reference_usd_hour.%s: must be >= 0, got %v", key, v)
		}
		c.Reference[r] = v
	}
	return c, nil
}

// NumResources returns the number of resources (2 + GPU models).
func (c *Catalog) NumResources() int { return ResGPU0 + len(c.GPUModels) }

// Key returns the scenario key of resource r ("cpu", "memory_gb", "h100").
func (c *Catalog) Key(r int) string {
	switch r {
	case ResCPU:
		return KeyCPU
	case ResMemory:
		return KeyMemory
	}
	return c.GPUModels[r-ResGPU0]
}

// Index returns the resource index of a scenario key.
func (c *Catalog) Index(key string) (int, bool) {
	switch key {
	case KeyCPU:
		return ResCPU, true
	case KeyMemory:
		return ResMemory, true
	}
	i := sort.SearchStrings(c.GPUModels, key)
	if i < len(c.GPUModels) && c.GPUModels[i] == key {
		return ResGPU0 + i, true
	}
	return 0, false
}

// vector converts a per-key table to a per-resource vector; unknown keys
// are an error naming the field and the known keys.
func (c *Catalog) vector(field string, m map[string]float64) ([]float64, error) {
	v := make([]float64, c.NumResources())
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		r, ok := c.Index(k)
		if !ok {
			return nil, fmt.Errorf("%s.%s: unknown resource (known: cpu, memory_gb, %v)", field, k, c.GPUModels)
		}
		x := m[k]
		if !(x >= 0) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("%s.%s: must be >= 0, got %v", field, k, x)
		}
		v[r] = x
	}
	return v, nil
}

// Request is what one deployment asks for.
type Request struct {
	// CPU is the number of CPU cores.
	CPU int32
	// MemoryGB is memory in GB.
	MemoryGB int32
	// GPUs is the number of GPUs (0 for a CPU-only deployment).
	GPUs int32
	// GPUModel is the resource index of the GPU model (meaningful when GPUs > 0).
	GPUModel int
}

// Amount returns the request's amount of resource r.
func (q *Request) Amount(r int) int32 {
	switch r {
	case ResCPU:
		return q.CPU
	case ResMemory:
		return q.MemoryGB
	}
	if q.GPUs > 0 && r == q.GPUModel {
		return q.GPUs
	}
	return 0
}

// Price returns the request's price per hour at the given unit prices
// (indexed by resource).
func (q *Request) Price(unit []float64) float64 {
	p := float64(q.CPU)*unit[ResCPU] + float64(q.MemoryGB)*unit[ResMemory]
	if q.GPUs > 0 {
		p += float64(q.GPUs) * unit[q.GPUModel]
	}
	return p
}

// SingleResource returns the only resource the request needs, when it
// needs exactly one (e.g. GPUs with no CPU or memory).
func (q *Request) SingleResource() (r int, amount int32, ok bool) {
	n := 0
	if q.CPU > 0 {
		r, amount, n = ResCPU, q.CPU, n+1
	}
	if q.MemoryGB > 0 {
		r, amount, n = ResMemory, q.MemoryGB, n+1
	}
	if q.GPUs > 0 {
		r, amount, n = q.GPUModel, q.GPUs, n+1
	}
	return r, amount, n == 1
}
