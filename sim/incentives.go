package sim

import (
	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/tokenomics"
)

// payEmissions mints the emission schedule's amount over (from, to]
// (times from the scenario start; the schedule's own clock starts at its
// Start) to active providers: the job share pro rata to the GPUs they
// have in leases now (CPU cores when no GPU is listed), the rest pro rata
// to their listed GPUs (CPU cores) times each resource's weight. Each
// share is rounded down; only what is paid is minted (a job share with no
// work in leases is not emitted).
func (w *World) payEmissions(from, to Time) {
	c := &w.chain
	ep := &w.cfg.Tokenomics.Emission
	start := ep.Start.T()
	if to <= start {
		return
	}
	amt := c.emission.Emit(max(from, start)-start, to-start, c.issued)
	if amt <= 0 {
		return
	}
	cpu := w.prov.gpuCapacity() == 0 // no GPU listed: CPU cores instead
	facts := w.provFacts()
	listed := c.poolWeights()
	for _, id := range w.prov.active {
		if cpu {
			listed[id] = float64(w.prov.p[id].prof.Capacity[agents.ResCPU]) * c.weights[agents.ResCPU]
		} else {
			listed[id] = facts[id].listed
		}
	}
	job := int64(float64(amt) * ep.JobShare)
	paid := w.payPool(amt-job, listed)
	if job > 0 {
		leased := c.poolWeights()
		for _, id := range w.prov.active { // units in active leases (not open bids)
			g := 0.0
			for _, lid := range w.prov.p[id].leases {
				q := &w.deps.d[w.leases.l[lid].dep].spec.Request
				switch {
				case cpu:
					g += float64(q.CPU)
				case q.GPUs > 0:
					g += float64(q.GPUs)
				}
			}
			leased[id] = g
		}
		paid += w.payPool(job, leased)
	}
	c.issued += paid
	c.emissions += paid
}

// payPool mints amt to active providers pro rata to their weight (by
// provider id, set for every active provider), each share rounded down,
// and returns what it minted.
func (w *World) payPool(amt int64, weight []float64) int64 {
	if amt <= 0 {
		return 0
	}
	total := 0.0
	for _, id := range w.prov.active {
		total += weight[id]
	}
	if total == 0 {
		return 0
	}
	paid := int64(0)
	for _, id := range w.sortedActive() {
		share := int64(float64(amt) * weight[id] / total)
		if share <= 0 {
			continue
		}
		p := &w.prov.p[id]
		w.chain.ledger.Mint(p.acct, tokenomics.AKT, share)
		paid += share
		w.creditIncome(p, share)
	}
	return paid
}

// provFacts is what the token layer's epoch reads of a provider's
// profile, which never changes: its cohort, its GPUs and how many GPU
// models they are, and its weight in the emission's listed pool.
type provFacts struct {
	cohort    int32
	gpuModels int32   // GPU models with a nonzero capacity
	gpus      int     // GPUs of all models
	listed    float64 // Σ GPUs × emission weight over the models, in model order
}

// provFacts returns the facts of every provider by id, computing those of
// the providers that entered since the last call.
func (w *World) provFacts() []provFacts {
	c := &w.chain
	if c.weights == nil {
		ep := &w.cfg.Tokenomics.Emission
		c.weights = make([]float64, w.nres)
		for r := range c.weights {
			c.weights[r] = 1
			if v, ok := ep.Weights[w.cat.Key(r)]; ok {
				c.weights[r] = v
			}
		}
	}
	for id := len(c.facts); id < len(w.prov.p); id++ {
		p := &w.prov.p[id]
		f := provFacts{cohort: int32(p.prof.Cohort)}
		for r := agents.ResGPU0; r < w.nres; r++ {
			k := p.prof.Capacity[r]
			f.gpus += int(k)
			if k != 0 {
				f.gpuModels++
			}
			f.listed += float64(k) * c.weights[r] // in model order, as payEmissions sums
		}
		c.facts = append(c.facts, f)
	}
	return c.facts
}

// poolWeights returns chain.poolW with room for every provider id; the
// caller sets the entries of the active providers.
func (c *chain) poolWeights() []float64 {
	n := len(c.facts)
	if cap(c.poolW) < n {
		c.poolW = make([]float64, n, n+n/4)
	}
	c.poolW = c.poolW[:n]
	return c.poolW
}

// sortedActive returns the active providers in id order, as
// w.prov.sortedActive does, without sorting: providers are only ever
// appended (with ascending ids) and unlisted, never listed again, so the
// list of the last call stays sorted once the providers that left are
// dropped and those that entered since are appended. When no provider
// entered and the active list has the same length, nothing changed. The
// slice is reused by the next call.
func (w *World) sortedActive() []int32 {
	c := &w.chain
	ps := &w.prov
	if c.sortedUpTo == len(ps.p) && len(c.sorted) == len(ps.active) {
		return c.sorted
	}
	k := 0
	for _, id := range c.sorted {
		if ps.p[id].active {
			c.sorted[k] = id
			k++
		}
	}
	c.sorted = c.sorted[:k]
	for id := c.sortedUpTo; id < len(ps.p); id++ {
		if ps.p[id].active {
			c.sorted = append(c.sorted, int32(id))
		}
	}
	c.sortedUpTo = len(ps.p)
	return c.sorted
}

// paySubsidies pays every incentive program's providers for (from, to].
func (w *World) paySubsidies(from, to Time) {
	c := &w.chain
	price := c.priceUSD[tokenomics.AKT]
	var active []int32 // sorted once, for every running program
	for i := range c.programs {
		ps := &c.programs[i]
		if ps.p.End() <= from || ps.p.Start.T() >= to {
			continue
		}
		if active == nil {
			active = w.sortedActive()
		}
		for _, id := range active {
			p := &w.prov.p[id]
			if !ps.cohorts[p.prof.Cohort] {
				continue
			}
			gpus, leased, ask := 0, 0, 0.0
			for r := agents.ResGPU0; r < w.nres; r++ {
				k := int(p.prof.Capacity[r])
				gpus += k
				leased += k - int(p.free[r])
				ask += float64(k) * p.prof.Ask[r]
			}
			if gpus == 0 {
				continue
			}
			util := float64(leased) / float64(gpus)
			usd := ps.p.Cap(ps.p.Payout(from, to, gpus, util, ask/float64(gpus)), ps.paidUSD)
			tokens := min(int64(usd/price*tokenomics.BaseUnits), c.ledger.Balance(ps.funding, tokenomics.AKT))
			if tokens <= 0 {
				continue
			}
			c.ledger.Transfer(ps.funding, ps.acct, tokenomics.AKT, tokens)
			c.ledger.Transfer(ps.acct, p.acct, tokenomics.AKT, tokens)
			ps.paidUSD += float64(tokens) / tokenomics.BaseUnits * price
			c.subsidies += tokens
			w.creditIncome(p, tokens)
		}
	}
}

// runSeasons accrues points for listed GPUs, takes each season's snapshot
// at its end and pays its claims, from the treasury, at its claim time.
func (w *World) runSeasons(from, to Time) {
	c := &w.chain
	for i := range c.seasons {
		ss := &c.seasons[i]
		if len(ss.points) < len(w.prov.p) {
			ss.points = append(ss.points, make([]float64, len(w.prov.p)-len(ss.points))...)
		}
		if from < ss.s.End.T() && to > ss.s.Start.T() { // else no points for anyone
			facts := w.provFacts()
			for _, id := range w.prov.active {
				ss.points[id] += ss.s.Points(from, to, facts[id].gpus)
			}
		}
		if !ss.snapped && to >= ss.s.End.T() {
			ss.alloc = ss.s.Allocate(ss.points)
			ss.snapped = true
		}
		if ss.snapped && !ss.claimed && to >= ss.s.ClaimAt.T() {
			ss.claimed = true
			for id, amt := range ss.alloc {
				amt = min(amt, c.ledger.Balance(c.treasury, tokenomics.AKT))
				if amt <= 0 {
					continue
				}
				p := &w.prov.p[id]
				c.ledger.Transfer(c.treasury, p.acct, tokenomics.AKT, amt)
				c.airdrops += amt
				w.creditIncome(p, amt)
			}
		}
	}
}

// creditIncome adds a token income of amt base units to provider p's
// income at the current price; the provider sells it (sell flow).
func (w *World) creditIncome(p *provider, amt int64) {
	c := &w.chain
	usd := float64(amt) / tokenomics.BaseUnits * c.priceUSD[tokenomics.AKT]
	w.prov.credit(p, usd)
	c.epochTokenUSD[p.prof.Cohort] += usd
	c.revenueUSD += usd
	c.netBuyUSD -= usd
}
