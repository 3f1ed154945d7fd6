package sim

import (
	"fmt"
	"slices"

	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/tokenomics"
)

// Test-only accessors of the token layer (chain.go), for chain_test.go.

// ChainView is a read-only copy of the token layer's state. Amounts are
// in base units.
type ChainView struct {
	// Inflation is the mint module's current inflation; InflationMin and
	// InflationMax its current bounds (after governance).
	Inflation, InflationMin, InflationMax float64
	// Settlement is the era of new deployments ("take" or "bme").
	Settlement string
	// PriceUSD is the staking token's price.
	PriceUSD float64
	// TakeBPS is the take rate by denomination, in basis points.
	TakeBPS [tokenomics.NumDenoms]int64
	// Supply is the staking token's supply; ACTSupply the credits'.
	Supply, ACTSupply int64
	// Balances of the chain's AKT accounts.
	Bonded, Unbonding, Treasury, Pool, Vault, Holders, BidEscrow int64
	// StakingUnbonding is the staking module's unbonding queue.
	StakingUnbonding int64
	// Minted and Burned are the ledger's AKT totals; MintedAtStart and
	// BurnedAtStart their values at the start (the end of the warmup).
	Minted, Burned, MintedAtStart, BurnedAtStart int64
	// Issued is what the emission schedule has emitted; Emissions,
	// Subsidies, Airdrops and Fees the metrics' totals.
	Issued, Emissions, Subsidies, Airdrops int64
	Fees                                   float64
	// ProgramPaidUSD is each incentive program's USD paid so far.
	ProgramPaidUSD []float64
	// BME holds the burn-mint equilibrium's cumulative flows.
	BME tokenomics.BMETotals
	// BMEStatus is the BME's status at the current price.
	BMEStatus tokenomics.BMEStatus
	// SeasonClaimed reports, by season, whether its claims were paid.
	SeasonClaimed []bool
}

// Chain returns a copy of the token layer's state.
func (w *World) Chain() ChainView {
	c := &w.chain
	l := w.chain.ledger
	v := ChainView{
		Inflation: c.inflation, InflationMin: c.mint.InflationMin, InflationMax: c.mint.InflationMax,
		Settlement: c.settle, PriceUSD: w.chain.priceUSD[tokenomics.AKT], TakeBPS: w.chain.takeBPS,
		Supply: l.Supply(tokenomics.AKT), ACTSupply: l.Supply(tokenomics.ACT),
		Bonded:           l.Balance(c.bonded, tokenomics.AKT),
		Unbonding:        l.Balance(c.unbonding, tokenomics.AKT),
		Treasury:         l.Balance(c.treasury, tokenomics.AKT),
		Pool:             l.Balance(w.chain.pool, tokenomics.AKT),
		Vault:            l.Balance(c.vault, tokenomics.AKT),
		Holders:          l.Balance(w.chain.holders, tokenomics.AKT),
		BidEscrow:        l.Balance(w.chain.bidEscrow, tokenomics.AKT),
		StakingUnbonding: c.staking.Unbonding(),
		Minted:           l.Minted(tokenomics.AKT), Burned: l.Burned(tokenomics.AKT),
		MintedAtStart: c.mintedAtStart, BurnedAtStart: c.burnedAtStart,
		Issued: c.issued, Emissions: c.emissions, Subsidies: c.subsidies, Airdrops: c.airdrops, Fees: c.fees,
		BME:       c.bme.Totals(),
		BMEStatus: c.bme.Status(w.chain.priceUSD[tokenomics.AKT]),
	}
	for _, ps := range c.programs {
		v.ProgramPaidUSD = append(v.ProgramPaidUSD, ps.paidUSD)
	}
	for _, ss := range c.seasons {
		v.SeasonClaimed = append(v.SeasonClaimed, ss.claimed)
	}
	return v
}

// ProviderView is a read-only copy of one provider.
type ProviderView struct {
	ID, Cohort int
	Active     bool
	Fake       bool
	// GPUs is the provider's listed GPUs; LeasedGPUs those in its leases.
	GPUs, LeasedGPUs int
	// Leases is the number of its active leases.
	Leases int
	// AKT and ACT are its wallet's balances in base units.
	AKT, ACT int64
	// IncomeUSD is its income so far (leases, emissions, subsidies,
	// airdrops).
	IncomeUSD float64
}

// ProviderViews returns every provider that ever entered, in id order.
func (w *World) ProviderViews() []ProviderView {
	out := make([]ProviderView, len(w.prov.p))
	for i := range w.prov.p {
		p := &w.prov.p[i]
		v := ProviderView{ID: i, Cohort: p.prof.Cohort, Active: p.active, Fake: p.fake, Leases: len(p.leases),
			AKT: w.chain.ledger.Balance(p.acct, tokenomics.AKT), ACT: w.chain.ledger.Balance(p.acct, tokenomics.ACT), IncomeUSD: p.incomeUSD}
		for r := agents.ResGPU0; r < w.nres; r++ {
			v.GPUs += int(p.prof.Capacity[r])
		}
		for _, lid := range p.leases {
			v.LeasedGPUs += int(w.deps.d[w.leases.l[lid].dep].spec.Request.GPUs)
		}
		out[i] = v
	}
	return out
}

// Events returns the number of events processed so far.
func (w *World) Events() uint64 { return w.events }

// SortedActiveAgrees reports whether the token layer's cached id-ordered
// list of active providers and its per-provider facts agree with the
// provider set (sorting the active list, summing the profiles), and if
// not, what differs.
func (w *World) SortedActiveAgrees() (bool, string) {
	got := append([]int32(nil), w.sortedActive()...)
	want := w.prov.sortedIDs(w.prov.active) // sorts a copy of the swap-removed list
	if !slices.Equal(got, want) {
		return false, fmt.Sprintf("sorted active providers %v, want %v", got, want)
	}
	for id, f := range w.provFacts() {
		p := &w.prov.p[id]
		gpus, models := 0, int32(0)
		for r := agents.ResGPU0; r < w.nres; r++ {
			gpus += int(p.prof.Capacity[r])
			if p.prof.Capacity[r] != 0 {
				models++
			}
		}
		if f.gpus != gpus || f.gpuModels != models || int(f.cohort) != p.prof.Cohort {
			return false, fmt.Sprintf("provider %d: facts %+v, profile has %d GPUs of %d models in cohort %d", id, f, gpus, models, p.prof.Cohort)
		}
	}
	return true, ""
}
