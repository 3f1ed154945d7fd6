package sim_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/agents"
	"github.com/depinsim/depinsim/market"
	"github.com/depinsim/depinsim/sim"
	"github.com/depinsim/depinsim/tokenomics"
)

// Tests of the token additions wired into the world: burn-mint
// settlement, the buy-back-and-burn of take fees, the emission schedule's
// job share, start and weights, device stakes, and cohorts whose arrivals
// end. Invariants (ledger conservation above all) are checked after every
// event, and the token layer's identities at every sample (runChain).

// postedTokens is tokenConfig's world under posted-price, so that no bid
// deposit moves provider tokens: a provider's AKT changes only by lease
// income, emissions and stakes.
func postedTokens(t testing.TB, days int) *sim.Config {
	cfg := tokenConfig(t, days)
	cfg.Mechanism = bound(t, cfg.Catalog, market.PostedPriceName, market.Params{
		"prices_usd_hour": map[string]any{"cpu": 0.003, "memory_gb": 0.0015, "h100": 2.0, "a100": 1.2}})
	return cfg
}

func aktOnly(cfg *sim.Config) *sim.Config {
	for i := range cfg.Tenants {
		cfg.Tenants[i].USDCFraction = 0
	}
	return cfg
}

// providerGain returns each provider's AKT above its cohort's initial
// balance.
func providerGain(cfg *sim.Config, provs []sim.ProviderView) []int64 {
	out := make([]int64, len(provs))
	for i, p := range provs {
		out[i] = p.AKT - tokenomics.Tokens(cfg.Providers[p.Cohort].BalanceAKT)
	}
	return out
}

func sum64(xs []int64) int64 {
	s := int64(0)
	for _, x := range xs {
		s += x
	}
	return s
}

// TestBurnMintSettlement: under settlement "burn-mint" each withdrawal's
// payment less the take is burned: burned_total grows by exactly what
// providers would have been paid under "take" in the same world (same
// seed, same leases), the take fees are the same, providers' lease income
// is 0 and their AKT grows by the emissions alone; the ledger is
// conserved.
func TestBurnMintSettlement(t *testing.T) {
	t.Parallel()
	mk := func(settle string) *sim.Config {
		cfg := withLinearEmission(aktOnly(postedTokens(t, 4)))
		cfg.Tokenomics.Settlement = settle
		validate(t, cfg)
		return cfg
	}
	burn, take := mk(tokenomics.SettlementBurnMint), mk(tokenomics.SettlementTake)
	price := burn.Tokenomics.TokenPriceUSD
	for seed := uint64(1); seed <= uint64(seedCount(10)); seed++ {
		b, k := mustRunChain(t, burn, seed), mustRunChain(t, take, seed)
		require.Equal(t, len(k.recs), len(b.recs))
		for i := range b.recs {
			bv, kv := b.recs[i].Values, k.recs[i].Values
			at := b.recs[i].T
			require.Equal(t, kv[sim.MLeasesStartedTotal], bv[sim.MLeasesStartedTotal], "seed %d at %v: the markets differ", seed, at)
			require.Zero(t, bv[sim.MProviderIncomeUSDTotal], "seed %d at %v", seed, at)
			require.Equal(t, kv[sim.MTakeFeesUSDTotal], bv[sim.MTakeFeesUSDTotal], "seed %d at %v", seed, at)
			require.Equal(t, kv[sim.MFeesTotal], bv[sim.MFeesTotal], "seed %d at %v", seed, at)
			require.InDelta(t, kv[sim.MProviderIncomeUSDTotal], bv[sim.MBurnedTotal]*price, 1e-9*kv[sim.MProviderIncomeUSDTotal]+1e-9,
				"seed %d at %v: burned %v AKT, the take era paid providers $%v", seed, at, bv[sim.MBurnedTotal], kv[sim.MProviderIncomeUSDTotal])
			require.Zero(t, kv[sim.MBurnedTotal], "seed %d at %v", seed, at)
			require.Equal(t, b.views[i].Emissions, sum64(providerGain(burn, b.provs[i])), "seed %d at %v: providers' AKT is not their emissions", seed, at)
		}
		l := b.last()
		assert.Greater(t, l[sim.MBurnedTotal], 0.0, "seed %d", seed)
		assert.Greater(t, l[sim.MEmissionsTotal], 0.0, "seed %d", seed)
		assert.Greater(t, l[sim.MFeesTotal], 0.0, "seed %d", seed)
	}
}

// TestFeeBurnShare: with fee_burn_share s, s of every take fee is bought
// back and burned: AKT fees are burned from the community pool; USDC fees
// go to holders for AKT at the current price, which is burned. So
// burned_total is s x fees_total (fees in AKT-equivalent) within rounding,
// and 0 with s = 0.
func TestFeeBurnShare(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name  string
		usdc  float64
		share float64
	}{{"akt", 0, 0.5}, {"usdc", 1, 0.5}, {"akt none", 0, 0}, {"mixed", 0.3, 0.25}} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			cfg := postedTokens(t, 4)
			for i := range cfg.Tenants {
				cfg.Tenants[i].USDCFraction = c.usdc
			}
			cfg.Tokenomics.FeeBurnShare = c.share
			validate(t, cfg)
			price := cfg.Tokenomics.TokenPriceUSD
			for seed := uint64(1); seed <= uint64(seedCount(10)); seed++ {
				r := mustRunChain(t, cfg, seed)
				// each withdrawal rounds down: at most one base unit per
				// withdrawal (a few hundred in a run)
				tol := 1e-3
				for _, rec := range r.recs {
					v := rec.Values
					require.InDelta(t, c.share*v[sim.MFeesTotal], v[sim.MBurnedTotal], tol, "seed %d at %v", seed, rec.T)
					require.InDelta(t, c.share*v[sim.MTakeFeesUSDTotal], v[sim.MBurnedTotal]*price, tol*price, "seed %d at %v", seed, rec.T)
				}
				l := r.last()
				if c.share == 0 {
					assert.Zero(t, l[sim.MBurnedTotal])
					continue
				}
				assert.Greater(t, l[sim.MBurnedTotal], 0.0, "seed %d", seed)
				if c.usdc == 1 {
					// the bought-back USDC is with the holders, the rest in the pool
					led := r.w.Ledger()
					held := led.Balance(account(t, led, "holders"), tokenomics.USDC)
					pool := led.Balance(account(t, led, "community-pool"), tokenomics.USDC)
					require.Positive(t, held, "seed %d", seed)
					assert.InDelta(t, float64(pool)*c.share/(1-c.share), float64(held), 1000, "seed %d", seed)
				}
			}
		})
	}
}

// emissionWorld is a posted-price world of 5 providers with 4 H100s
// each: 3 "busy" ones asking 0.8 USD per GPU-hour and 2 "idle" ones
// asking 5 (above the posted price of 2, so never allocated), GPU-only
// tenants, and a linear emission of 10,000 tokens over 10 days.
func emissionWorld(t testing.TB, days int, jobShare float64) *sim.Config {
	cfg := postedTokens(t, days)
	cfg.Providers = []agents.ProviderCohort{h100Providers("busy", 3, 4, 0.8), h100Providers("idle", 2, 4, 5)}
	cfg.Tenants = []agents.TenantCohort{h100Tenants("gpu", 30, 1)}
	withLinearEmission(cfg)
	cfg.Tokenomics.Emission.JobShare = jobShare
	return cfg
}

// TestEmissionJobShare follows every epoch: a provider's AKT grows at an
// epoch by its emission alone (lease income arrives at withdrawals); the
// availability share is the same for providers listing the same GPUs, and
// the job share is pro rata to the GPUs each has in leases at the epoch
// (each share rounded down), so an idle provider gets no job reward; the
// job share is job_share / (1 - job_share) times the availability share
// when any GPU is leased, and is not minted when none is.
func TestEmissionJobShare(t *testing.T) {
	t.Parallel()
	for _, js := range []float64{0.6, 1} {
		t.Run(fmt.Sprint(js), func(t *testing.T) {
			t.Parallel()
			cfg := emissionWorld(t, 3, js)
			validate(t, cfg)
			const idle = 3 // the first idle provider
			epochs, withJobs, withoutJobs := 0, 0, 0
			for seed := uint64(1); seed <= uint64(seedCount(10)); seed++ {
				var prev []sim.ProviderView
				var prevIssued int64
				mustWatch(t, cfg, seed, func(w *sim.World, kind string, _ []sim.StartedLease) string {
					defer func() { prev, prevIssued = w.ProviderViews(), w.Chain().Emissions }()
					if kind != "tokenomics-epoch" || prev == nil {
						return ""
					}
					now := w.ProviderViews()
					delta := make([]int64, len(now))
					leased := 0
					for i := range now {
						delta[i] = now[i].AKT - prev[i].AKT
						leased += prev[i].LeasedGPUs
						if now[i].Cohort == 1 && prev[i].LeasedGPUs > 0 {
							return fmt.Sprintf("idle provider %d leased", i)
						}
					}
					if got := sum64(delta); got != w.Chain().Emissions-prevIssued {
						return fmt.Sprintf("providers got %d, the schedule emitted %d", got, w.Chain().Emissions-prevIssued)
					}
					avail := delta[idle] // every provider lists 4 GPUs: the same availability share
					if delta[idle+1] != avail {
						return fmt.Sprintf("idle providers got %d and %d", avail, delta[idle+1])
					}
					if js == 1 && avail != 0 {
						return fmt.Sprintf("an idle provider got %d with job_share 1", avail)
					}
					jobs := int64(0)
					perGPU := math.NaN()
					for i := range now {
						job := delta[i] - avail
						jobs += job
						if prev[i].LeasedGPUs == 0 {
							if job != 0 {
								return fmt.Sprintf("provider %d with no GPU leased got a job reward of %d", i, job)
							}
							continue
						}
						x := float64(job) / float64(prev[i].LeasedGPUs)
						if math.IsNaN(perGPU) {
							perGPU = x
						} else if math.Abs(x-perGPU) > 1 {
							return fmt.Sprintf("job rewards per leased GPU differ: %v and %v", perGPU, x)
						}
					}
					epochs++
					if leased == 0 {
						withoutJobs++
						return ""
					}
					withJobs++
					if js < 1 {
						availAll := float64(avail * int64(len(now)))
						if want := js / (1 - js) * availAll; math.Abs(float64(jobs)-want) > 1e-6*want+20 {
							return fmt.Sprintf("job share %d, availability share %v: want %v", jobs, availAll, want)
						}
					}
					return ""
				})
			}
			assert.Greater(t, withJobs, epochs/2)
			assert.Positive(t, epochs)
		})
	}
	t.Run("no work, no job reward", func(t *testing.T) {
		t.Parallel()
		cfg := emissionWorld(t, 2, 1)
		cfg.Tenants = []agents.TenantCohort{gpuTenants("gpu", 0)}
		validate(t, cfg)
		r := mustRunChain(t, cfg, 1)
		assert.Zero(t, r.last()[sim.MEmissionsTotal])
		assert.Zero(t, r.views[len(r.views)-1].Issued)
		for _, g := range providerGain(cfg, r.provs[len(r.provs)-1]) {
			assert.Zero(t, g)
		}
	})
}

// TestEmissionStart: the schedule starts exactly at its start: nothing is
// emitted before it, the epoch that straddles it pays only the part after
// it, and a start on the epoch grid shifts the whole series of emissions
// exactly (same amounts, same rounding).
func TestEmissionStart(t *testing.T) {
	t.Parallel()
	mk := func(start sim.Time) *sim.Config {
		cfg := withLinearEmission(tokenConfig(t, 4))
		cfg.Tenants = []agents.TenantCohort{gpuTenants("gpu", 0)}
		cfg.Tokenomics.Emission.Start = dur(start)
		validate(t, cfg)
		return cfg
	}
	// 10,000 tokens over 240 h
	const perHour = 10_000.0 / 240
	t.Run("between epochs", func(t *testing.T) {
		t.Parallel()
		start := 90 * sim.Minute
		r := mustRunChain(t, mk(start), 1)
		for i, rec := range r.recs {
			want := perHour * math.Max(0, (rec.T-start).Hours())
			if rec.T <= start {
				require.Zero(t, rec.Values[sim.MEmissionsTotal], "at %v", rec.T)
			}
			// each epoch's shares round down: under 10 base units each
			require.InDelta(t, want, rec.Values[sim.MEmissionsTotal], float64(i+1)*1e-5, "at %v", rec.T)
		}
	})
	t.Run("on the grid", func(t *testing.T) {
		t.Parallel()
		start := 36 * sim.Hour
		a, b := mustRunChain(t, mk(0), 1), mustRunChain(t, mk(start), 1)
		shift := int(start / sim.Hour)
		for i, rec := range b.recs {
			got := rec.Values[sim.MEmissionsTotal]
			if i < shift {
				require.Zero(t, got, "at %v", rec.T)
				continue
			}
			require.Equal(t, a.recs[i-shift].Values[sim.MEmissionsTotal], got, "at %v", rec.T)
		}
		assert.Greater(t, b.last()[sim.MEmissionsTotal], 0.0)
	})
}

// TestEmissionWeights: the availability share is pro rata to each
// provider's listed GPUs times its model's weight (H100 10, A100 5 here),
// each share rounded down at each epoch; providers with no GPU get
// nothing while GPUs are listed.
func TestEmissionWeights(t *testing.T) {
	t.Parallel()
	cfg := withLinearEmission(tokenConfig(t, 3))
	cfg.Tenants = []agents.TenantCohort{gpuTenants("gpu", 0)}
	cfg.Tokenomics.Emission.Weights = map[string]float64{"h100": 10, "a100": 5, "cpu": 100}
	validate(t, cfg)
	weight := map[string]float64{"gpu-h100": 4 * 10, "gpu-a100": 2 * 5, "cpu": 0}
	for seed := uint64(1); seed <= uint64(seedCount(5)); seed++ {
		r := mustRunChain(t, cfg, seed)
		final := r.provs[len(r.provs)-1]
		total := 0.0
		for _, p := range final {
			total += weight[cfg.Providers[p.Cohort].Name]
		}
		epochs := len(r.recs) - 1
		gain := providerGain(cfg, final)
		for i, p := range final {
			want := 1000 * float64(epochs) / 24 * weight[cfg.Providers[p.Cohort].Name] / total * tokenomics.BaseUnits
			assert.InDelta(t, want, float64(gain[i]), float64(epochs)+1, "seed %d provider %d (%s)", seed, p.ID, cfg.Providers[p.Cohort].Name)
		}
		assert.Equal(t, r.views[len(r.views)-1].Emissions, sum64(gain))
	}
}

// TestDeviceStakes: a provider cohort with stake_per_gpu locks that stake
// per listed GPU in the device-stakes account while it is listed (also
// for providers that enter later), gets it back when it leaves (mercenary
// exits), and loses it when its fake capacity is detected: the stake is
// burned and counted in slashed_total (here the only burn). The ledger is
// conserved after every event.
func TestDeviceStakes(t *testing.T) {
	t.Parallel()
	cfg := tokenConfig(t, 6)
	h := gpuProviders("h100", 3, "h100", 4, 1.8, 0.4)
	h.StakePerGPU = 200
	h.EntriesPerDay = 2
	h.EntryThreshold = 0
	h.MaxProviders = 6
	merc := gpuProviders("mercenary", 4, "a100", 2, 1.1, 0.25)
	merc.Kind = agents.KindMercenary
	merc.StakePerGPU = 100
	merc.LeaveAfter = dur(2 * sim.Day)
	merc.LeaveHazard = 0.5
	merc.ReviewEvery = dur(12 * sim.Hour)
	merc.ReviewWindow = dur(12 * sim.Hour)
	fake := gpuProviders("fake", 4, "h100", 4, 0.5, 0.1)
	fake.Kind = agents.KindFake
	fake.StakePerGPU = 200
	fake.DetectionProb = 0.3
	fake.ReviewEvery = dur(12 * sim.Hour)
	fake.ReviewWindow = dur(12 * sim.Hour)
	cpu := cpuProviders("cpu", 4)
	cpu.StakePerGPU = 50 // no GPU: no stake
	cfg.Providers = []agents.ProviderCohort{h, merc, fake, cpu}
	validate(t, cfg)
	stakeOf := func(p sim.ProviderView) int64 {
		return tokenomics.Tokens(cfg.Providers[p.Cohort].StakePerGPU * float64(p.GPUs))
	}
	exits := map[string]int{}
	entered := 0.0
	for seed := uint64(1); seed <= uint64(seedCount(20)); seed++ {
		r := mustWatch(t, cfg, seed, func(w *sim.World, kind string, _ []sim.StartedLease) string {
			led := w.Ledger()
			locked, slashed := int64(0), int64(0)
			for _, p := range w.ProviderViews() {
				if p.Active {
					locked += stakeOf(p)
				} else if p.Fake {
					slashed += stakeOf(p)
				}
			}
			if have := led.Balance(account(t, led, "device-stakes"), tokenomics.AKT); have != locked || w.DeviceStakes() != locked {
				return fmt.Sprintf("device stakes hold %d (providers' %d), want %d", have, w.DeviceStakes(), locked)
			}
			if got := w.Counter(sim.MSlashedTotal); got != whole(slashed) {
				return fmt.Sprintf("slashed_total %v, detected fake stakes %v", got, whole(slashed))
			}
			if c := w.Chain(); c.Burned != slashed {
				return fmt.Sprintf("burned %d, slashed %d", c.Burned, slashed)
			}
			return ""
		})
		for _, p := range r.w.ProviderViews() {
			if !p.Active {
				exits[cfg.Providers[p.Cohort].Name]++
			}
		}
		entered += r.last()[sim.MProvidersEnteredTotal]
		assert.Equal(t, r.last()[sim.MBurnedTotal], r.last()[sim.MSlashedTotal], "seed %d", seed)
	}
	assert.Positive(t, exits["fake"], "no fake capacity detected")
	assert.Positive(t, exits["mercenary"], "no mercenary left")
	assert.Zero(t, exits["h100"]+exits["cpu"])
	assert.Positive(t, entered, "no provider entered")
}

// TestArrivalsUntil: a cohort's arrivals end arrivals_until after the
// scenario start (also after a warmup): its last arrival is before then,
// and from then on orders_total grows exactly as in the same world
// without that cohort (arrival streams are the cohort's own).
func TestArrivalsUntil(t *testing.T) {
	t.Parallel()
	for _, warmup := range []sim.Time{0, sim.Day} {
		t.Run(fmt.Sprintf("warmup=%v", warmup), func(t *testing.T) {
			t.Parallel()
			until := 2 * sim.Day
			mk := func(both bool) *sim.Config {
				cfg := baseConfig(t, 4)
				cfg.Sim.Warmup = dur(warmup)
				cfg.Tenants[0].ArrivalsUntil = dur(until)
				if !both {
					cfg.Tenants = cfg.Tenants[1:]
				}
				validate(t, cfg)
				return cfg
			}
			both, alone := mk(true), mk(false)
			for seed := uint64(1); seed <= uint64(seedCount(10)); seed++ {
				a, b := mustWatch(t, both, seed, nil), mustWatch(t, alone, seed, nil)
				require.Positive(t, a.arrivals[0], "seed %d", seed)
				require.Less(t, a.lastArrival[0], warmup+until, "seed %d: an arrival after arrivals_until", seed)
				require.GreaterOrEqual(t, a.lastArrival[1], warmup+until, "seed %d", seed)
				require.Equal(t, a.arrivals[1], b.arrivals[0], "seed %d: the other cohort's arrivals changed", seed)
				for i, rec := range a.recs {
					if rec.T < until {
						continue
					}
					k := int(until / sim.Hour)
					got := rec.Values[sim.MOrdersTotal] - a.recs[k].Values[sim.MOrdersTotal]
					want := b.recs[i].Values[sim.MOrdersTotal] - b.recs[k].Values[sim.MOrdersTotal]
					require.Equal(t, want, got, "seed %d at %v", seed, rec.T)
				}
				assert.Greater(t, a.recs[int(until/sim.Hour)].Values[sim.MOrdersTotal], b.recs[int(until/sim.Hour)].Values[sim.MOrdersTotal])
			}
		})
	}
}
