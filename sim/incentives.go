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
	lo, hi := agents.ResGPU0, w.nres
	if w.prov.gpuCapacity() == 0 {
		lo, hi = agents.ResCPU, agents.ResCPU+1
	}
	if c.weights == nil {
		c.weights = make([]float64, w.nres)
		for r := range c.weights {
			c.weights[r] = 1
			if v, ok := ep.Weights[w.cat.Key(r)]; ok {
				c.weights[r] = v
			}
		}
	}
	listed := func(p *provider) float64 {
		g := 0.0
		for r := lo; r < hi; r++ {
			g += float64(p.prof.Capacity[r]) * c.weights[r]
		}
		return g
	}
	leased := func(p *provider) float64 { // units in active leases (not open bids)
		g := 0.0
		for _, lid := range p.leases {
			q := &w.deps.d[w.leases.l[lid].dep].spec.Request
			switch {
			case lo == agents.ResCPU:
				g += float64(q.CPU)
			case q.GPUs > 0:
				g += float64(q.GPUs)
			}
		}
		return g
	}
	job := int64(float64(amt) * ep.JobShare)
	paid := w.payPool(amt-job, listed) + w.payPool(job, leased)
	c.issued += paid
	c.emissions += paid
}

// payPool mints amt to active providers pro rata to weight, each share
// rounded down, and returns what it minted.
func (w *World) payPool(amt int64, weight func(p *provider) float64) int64 {
	if amt <= 0 {
		return 0
	}
	total := 0.0
	for _, id := range w.prov.active {
		total += weight(&w.prov.p[id])
	}
	if total == 0 {
		return 0
	}
	paid := int64(0)
	for _, id := range w.prov.sortedActive() {
		p := &w.prov.p[id]
		share := int64(float64(amt) * weight(p) / total)
		if share <= 0 {
			continue
		}
		w.chain.ledger.Mint(p.acct, tokenomics.AKT, share)
		paid += share
		w.creditIncome(p, share)
	}
	return paid
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
			active = w.prov.sortedActive()
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
		for _, id := range w.prov.active {
			if from >= ss.s.End.T() || to <= ss.s.Start.T() {
				break // the epoch is outside the season: no points for anyone
			}
			p := &w.prov.p[id]
			gpus := 0
			for r := agents.ResGPU0; r < w.nres; r++ {
				gpus += int(p.prof.Capacity[r])
			}
			ss.points[id] += ss.s.Points(from, to, gpus)
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
