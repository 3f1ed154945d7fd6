package tokenomics_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/simtime"
	"github.com/depinsim/depinsim/tokenomics"
)

func TestDefaultStakingParams(t *testing.T) {
	p := tokenomics.DefaultStakingParams()
	require.NoError(t, p.Validate())
	assert.Equal(t, tokenomics.StakingParams{
		BondedRatio: 0.578, OutsideYield: 0.15, Speed: 1, Unbonding: simtime.Duration(21 * simtime.Day),
	}, p)
	// 0.578 · 230,816,799 AKT = 133,412,109.822 AKT (the report: "about 133.49 M").
	assert.Equal(t, int64(133_412_109_822_000), p.InitialBonded(akt2024Supply))
	assert.Equal(t, int64(0), p.InitialBonded(0))
}

func TestStakingParamsTOML(t *testing.T) {
	var p tokenomics.StakingParams
	_, err := toml.Decode("bonded_ratio = 0.3\noutside_yield = 0.08\nspeed = 2\nunbonding = \"14d\"\n", &p)
	require.NoError(t, err)
	assert.Equal(t, tokenomics.StakingParams{BondedRatio: 0.3, OutsideYield: 0.08, Speed: 2, Unbonding: simtime.Duration(14 * simtime.Day)}, p)
}

func TestStakingParamsValidate(t *testing.T) {
	cases := []struct {
		name string
		edit func(*tokenomics.StakingParams)
		want string
	}{
		{"bonded ratio", func(p *tokenomics.StakingParams) { p.BondedRatio = 1.1 }, "tokenomics.staking.bonded_ratio: must be in [0, 1], got 1.1"},
		{"bonded ratio NaN", func(p *tokenomics.StakingParams) { p.BondedRatio = math.NaN() }, "tokenomics.staking.bonded_ratio: must be in [0, 1], got NaN"},
		{"outside yield", func(p *tokenomics.StakingParams) { p.OutsideYield = -2 }, "tokenomics.staking.outside_yield: must be in [-1, 10], got -2"},
		{"speed", func(p *tokenomics.StakingParams) { p.Speed = -1 }, "tokenomics.staking.speed: must be in [0, 100], got -1"},
		{"unbonding negative", func(p *tokenomics.StakingParams) { p.Unbonding = -1 }, "tokenomics.staking.unbonding: must be in [0s, 10y], got -1ns"},
		{"unbonding long", func(p *tokenomics.StakingParams) { p.Unbonding = simtime.Duration(11 * simtime.Year) }, "tokenomics.staking.unbonding: must be in [0s, 10y], got 11y"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := tokenomics.DefaultStakingParams()
			c.edit(&p)
			assert.EqualError(t, p.Validate(), c.want)
		})
	}
	p := tokenomics.StakingParams{BondedRatio: 1, OutsideYield: -1, Speed: 0, Unbonding: 0}
	assert.NoError(t, p.Validate())
}

func TestStakingStep(t *testing.T) {
	// Speed 1, outside yield 0.10, unbonding 21 d; supply 1,000,000 base
	// units. Δb = (apr - 0.10)·dt/365 d; the amount is Δb·supply rounded.
	const d = simtime.Day
	s := tokenomics.NewStaking(tokenomics.StakingParams{Speed: 1, OutsideYield: 0.10, Unbonding: simtime.Duration(21 * d)})
	steps := []struct {
		name                  string
		now, dt               simtime.Time
		apr                   float64
		bonded, liquid        int64
		bond, unbond, release int64
		queue                 int64
		next                  simtime.Time
	}{
		{"no time passes", 0, 0, 0.30, 500_000, 500_000, 0, 0, 0, 0, simtime.Never},
		// (0.30 - 0.10)·36.5/365 = 0.02 of 1,000,000 = 20,000.
		{"APR above outside yield bonds", 36*d + 12*simtime.Hour, 36*d + 12*simtime.Hour, 0.30, 500_000, 500_000, 20_000, 0, 0, 0, simtime.Never},
		// (0.00 - 0.10)·36.5/365 = -0.01: unbond 10,000, out at 73 + 21 = 94 d.
		{"APR below outside yield unbonds", 73 * d, 36*d + 12*simtime.Hour, 0.0, 520_000, 480_000, 0, 10_000, 0, 10_000, 94 * d},
		// (0.05 - 0.10)·7.3/365 = -0.001: 1,000 more, out at 80.3 + 21 d.
		{"a second entry", 80*d + 7*simtime.Hour + 12*simtime.Minute, 7*d + 7*simtime.Hour + 12*simtime.Minute, 0.05, 510_000, 480_000, 0, 1_000, 0, 11_000, 94 * d},
		{"one nanosecond early: nothing released", 94*d - 1, 14*d - 1, 0.10, 509_000, 480_000, 0, 0, 0, 11_000, 94 * d},
		{"released exactly after the period", 94 * d, 1, 0.10, 509_000, 480_000, 0, 0, 10_000, 1_000, 101*d + 7*simtime.Hour + 12*simtime.Minute},
		// A huge APR would bond 10 % of supply, but only 5 are liquid.
		{"never bond more than liquid", 95 * d, d, 36.6, 509_000, 5, 5, 0, 0, 1_000, 101*d + 7*simtime.Hour + 12*simtime.Minute},
		// A hugely negative APR would unbond 10 %, but only 7 are bonded.
		{"never unbond more than bonded", 96 * d, d, -36.4, 7, 999_000, 0, 7, 0, 1_007, 101*d + 7*simtime.Hour + 12*simtime.Minute},
		{"later entry released", 101*d + 7*simtime.Hour + 12*simtime.Minute, 0, 0.10, 0, 999_000, 0, 0, 1_000, 7, 117 * d},
		{"everything released", 200 * d, 0, 0.10, 0, 999_993, 0, 0, 7, 0, simtime.Never},
	}
	for _, c := range steps {
		bond, unbond, release := s.Step(c.now, c.dt, c.apr, 1_000_000, c.bonded, c.liquid)
		assert.Equal(t, []int64{c.bond, c.unbond, c.release}, []int64{bond, unbond, release}, c.name)
		assert.Equal(t, c.queue, s.Unbonding(), c.name)
		assert.Equal(t, c.next, s.NextRelease(), c.name)
	}
}

func TestStakingZeroUnbondingReleasesAtNextStep(t *testing.T) {
	s := tokenomics.NewStaking(tokenomics.StakingParams{Speed: 1, OutsideYield: 0.10})
	_, unbond, release := s.Step(simtime.Year, simtime.Year, 0, 1_000, 500, 500)
	assert.Equal(t, int64(100), unbond)
	assert.Equal(t, int64(0), release, "an entry is never released by the call that queues it")
	assert.Equal(t, simtime.Year, s.NextRelease())
	_, _, release = s.Step(simtime.Year, 0, 0.10, 1_000, 400, 500)
	assert.Equal(t, int64(100), release)
	assert.Equal(t, int64(0), s.Unbonding())
}

func TestStakingQueueEdges(t *testing.T) {
	s := tokenomics.NewStaking(tokenomics.StakingParams{Speed: 1, OutsideYield: 0.10, Unbonding: simtime.Duration(21 * simtime.Day)})
	// Two unbondings at the same instant share one entry.
	_, u1, _ := s.Step(simtime.Year, simtime.Year, 0, 1_000, 500, 500)
	_, u2, _ := s.Step(simtime.Year, simtime.Year/2, 0, 1_000, 400, 500)
	assert.Equal(t, []int64{100, 50}, []int64{u1, u2})
	assert.Equal(t, int64(150), s.Unbonding())
	_, _, release := s.Step(simtime.Year+21*simtime.Day, 0, 0.10, 1_000, 350, 500)
	assert.Equal(t, int64(150), release)
	// A release time beyond the end of time is never reached.
	end := simtime.Never - simtime.Day
	_, unbond, _ := s.Step(end, simtime.Year, 0, 1_000, 350, 650)
	assert.Equal(t, int64(100), unbond)
	assert.Equal(t, simtime.Never, s.NextRelease())
	assert.Equal(t, int64(100), s.Unbonding())
}

func TestStakingStepPanicsOnBugs(t *testing.T) {
	s := tokenomics.NewStaking(tokenomics.DefaultStakingParams())
	s.Step(simtime.Day, simtime.Day, 0.1, 10, 5, 5)
	assert.Panics(t, func() { s.Step(simtime.Hour, 0, 0.1, 10, 5, 5) }, "time went backwards")
	assert.Panics(t, func() { s.Step(simtime.Day, -1, 0.1, 10, 5, 5) })
	assert.Panics(t, func() { s.Step(simtime.Day, 0, math.NaN(), 10, 5, 5) })
	assert.Panics(t, func() { s.Step(simtime.Day, 0, 0.1, -10, 5, 5) })
	assert.Panics(t, func() { s.Step(simtime.Day, 0, 0.1, 10, -5, 5) })
	assert.Panics(t, func() { s.Step(simtime.Day, 0, 0.1, 10, 5, -5) })
	// Infinite APRs are limits, not bugs.
	bond, _, _ := s.Step(2*simtime.Day, simtime.Day, math.Inf(1), 10, 5, 5)
	assert.Equal(t, int64(5), bond)
	_, unbond, _ := s.Step(3*simtime.Day, simtime.Day, math.Inf(-1), 10, 10, 0)
	assert.Equal(t, int64(10), unbond)
}

// TestStakingProperties drives Staking with random APR paths through a
// real Ledger: the ledger panics on any overdraft, holders + bonded +
// unbonding is conserved, the queue equals the "unbonding" account and is
// never negative, and each entry is released exactly at the first step at
// or after its start + Unbonding. Over 200 seeds (50 under -short).
func TestStakingProperties(t *testing.T) {
	seeds := uint64(200)
	if testing.Short() {
		seeds = 50
	}
	for seed := range seeds {
		rng := rand.New(rand.NewPCG(seed, 0x7374616b))
		p := tokenomics.StakingParams{
			BondedRatio:  rng.Float64(),
			OutsideYield: rng.Float64() * 0.3,
			Speed:        []float64{0, 0.5, 1, 5, 50 * rng.Float64()}[rng.IntN(5)],
			Unbonding:    simtime.Duration(simtime.Time(rng.Int64N(30)) * simtime.Day),
		}
		require.NoError(t, p.Validate())
		l := tokenomics.NewLedger()
		holders, bonded, unbonding := l.Open("holders"), l.Open("bonded"), l.Open("unbonding")
		supply := 1 + rng.Int64N(akt2024Supply)
		l.Mint(bonded, tokenomics.AKT, p.InitialBonded(supply))
		l.Mint(holders, tokenomics.AKT, supply-p.InitialBonded(supply))

		s := tokenomics.NewStaking(p)
		type entry struct {
			at  simtime.Time
			amt int64
		}
		var shadow []entry
		now := simtime.Time(0)
		apr := rng.Float64() * 0.4
		// Odd seeds step at most an hour, so the queue holds hundreds of
		// entries and is compacted while some are still pending.
		dtMax := []simtime.Time{3 * simtime.Day, simtime.Hour}[seed%2]
		for range 600 {
			dt := simtime.Time(rng.Int64N(int64(dtMax)))
			now += dt
			apr = max(-0.5, apr+rng.NormFloat64()*0.05) // random walk
			b, h := l.Balance(bonded, tokenomics.AKT), l.Balance(holders, tokenomics.AKT)
			bond, unbond, release := s.Step(now, dt, apr, l.Supply(tokenomics.AKT), b, h)

			require.True(t, bond >= 0 && unbond >= 0 && release >= 0, "seed %d", seed)
			require.True(t, bond == 0 || unbond == 0, "seed %d", seed)
			require.LessOrEqual(t, bond, h, "seed %d", seed)
			require.LessOrEqual(t, unbond, b, "seed %d", seed)
			if apr > p.OutsideYield {
				require.Zero(t, unbond, "seed %d", seed)
			}
			if apr < p.OutsideYield {
				require.Zero(t, bond, "seed %d", seed)
			}
			want := int64(0)
			for len(shadow) > 0 && shadow[0].at <= now {
				want += shadow[0].amt
				shadow = shadow[1:]
			}
			require.Equal(t, want, release, "seed %d", seed)
			if unbond > 0 {
				shadow = append(shadow, entry{now + p.Unbonding.T(), unbond})
			}

			// Apply in a random order: any order works.
			moves := []func(){
				func() { l.Transfer(holders, bonded, tokenomics.AKT, bond) },
				func() { l.Transfer(bonded, unbonding, tokenomics.AKT, unbond) },
				func() { l.Transfer(unbonding, holders, tokenomics.AKT, release) },
			}
			rng.Shuffle(len(moves), func(i, j int) { moves[i], moves[j] = moves[j], moves[i] })
			for _, m := range moves {
				m()
			}
			if rng.IntN(4) == 0 { // supply grows now and then
				l.Mint(holders, tokenomics.AKT, rng.Int64N(supply/100+1))
			}

			ok, why := l.Check()
			require.True(t, ok, "seed %d: %s", seed, why)
			require.Equal(t, l.Supply(tokenomics.AKT),
				l.Balance(holders, tokenomics.AKT)+l.Balance(bonded, tokenomics.AKT)+l.Balance(unbonding, tokenomics.AKT), "seed %d", seed)
			require.GreaterOrEqual(t, s.Unbonding(), int64(0), "seed %d", seed)
			require.Equal(t, l.Balance(unbonding, tokenomics.AKT), s.Unbonding(), "seed %d", seed)
			if len(shadow) > 0 {
				require.Equal(t, shadow[0].at, s.NextRelease(), "seed %d", seed)
			} else {
				require.Equal(t, simtime.Never, s.NextRelease(), "seed %d", seed)
			}
		}
	}
}

// TestStakingWithMint runs a year of daily mint and staking steps at the
// akash-2024 figures through one Ledger: with the delegators' rewards
// compounding into "bonded", conservation holds every day, and since the
// starting APR (≈0.148) sits just below the 0.15 outside yield while
// inflation climbs toward 0.20, holders first unbond a little, then bond.
func TestStakingWithMint(t *testing.T) {
	mp := tokenomics.DefaultMintParams()
	sp := tokenomics.DefaultStakingParams()
	l := tokenomics.NewLedger()
	holders, bonded, unbonding, pool, validators :=
		l.Open("holders"), l.Open("bonded"), l.Open("unbonding"), l.Open("community pool"), l.Open("validators")
	l.Mint(bonded, tokenomics.AKT, sp.InitialBonded(akt2024Supply))
	l.Mint(holders, tokenomics.AKT, akt2024Supply-sp.InitialBonded(akt2024Supply))
	s := tokenomics.NewStaking(sp)
	i := mp.Initial
	var unbonded, bondedIn int64
	for day := 1; day <= 365; day++ {
		now := simtime.Time(day) * simtime.Day
		r := mp.Advance(i, l.Balance(bonded, tokenomics.AKT), l.Supply(tokenomics.AKT), blocksPerDay)
		i = r.Inflation
		l.Mint(pool, tokenomics.AKT, r.CommunityPool)
		l.Mint(validators, tokenomics.AKT, r.Validators)
		l.Mint(bonded, tokenomics.AKT, r.Delegators)

		ratio := float64(l.Balance(bonded, tokenomics.AKT)) / float64(l.Supply(tokenomics.AKT))
		bond, unbond, release := s.Step(now, simtime.Day, mp.StakingAPR(i, ratio), l.Supply(tokenomics.AKT),
			l.Balance(bonded, tokenomics.AKT), l.Balance(holders, tokenomics.AKT))
		l.Transfer(holders, bonded, tokenomics.AKT, bond)
		l.Transfer(bonded, unbonding, tokenomics.AKT, unbond)
		l.Transfer(unbonding, holders, tokenomics.AKT, release)
		unbonded += unbond
		bondedIn += bond
		ok, why := l.Check()
		require.True(t, ok, why)
		require.Equal(t, l.Balance(unbonding, tokenomics.AKT), s.Unbonding())
	}
	assert.Positive(t, unbonded)
	assert.Positive(t, bondedIn)
	assert.InDelta(t, 0.20, i, 1e-9, "below the goal, inflation reaches the max within the year")
	// The supply grew by about the real annual inflation (≈0.98·i, i
	// between 0.15 and 0.20).
	growth := float64(l.Supply(tokenomics.AKT))/akt2024Supply - 1
	assert.Greater(t, growth, 0.15*0.98)
	assert.Less(t, growth, 0.22)
	t.Logf("after a year: inflation %.4f, bonded ratio %.4f, supply growth %.4f, bonded %d, unbonded %d uakt",
		i, float64(l.Balance(bonded, tokenomics.AKT))/float64(l.Supply(tokenomics.AKT)), growth, bondedIn, unbonded)
}

func ExampleStaking_Step() {
	// 1,000 AKT of supply, 600 bonded and 400 liquid; holders move
	// Speed·(APR - 0.10) of supply a year and unbonding takes 21 days.
	p := tokenomics.StakingParams{BondedRatio: 0.6, OutsideYield: 0.10, Speed: 1, Unbonding: simtime.Duration(21 * simtime.Day)}
	s := tokenomics.NewStaking(p)
	supply := tokenomics.Tokens(1_000)
	bonded := p.InitialBonded(supply)
	liquid := supply - bonded
	week := 7 * simtime.Day
	prev := simtime.Time(0)
	for _, st := range []struct {
		now simtime.Time
		apr float64
	}{{week, 0.20}, {2 * week, 0.05}, {5 * week, 0.10}} {
		// Day 7: (0.20 - 0.10)·7/365 of 1e9 uakt = 1,917,808.2 -> bond 1,917,808.
		// Day 14: (0.05 - 0.10)·7/365 of 1e9 = -958,904.1 -> unbond 958,904.
		// Day 35 = 14 + 21: APR = outside yield, the unbonded tokens return.
		bond, unbond, release := s.Step(st.now, st.now-prev, st.apr, supply, bonded, liquid)
		prev = st.now
		bonded += bond - unbond
		liquid += release - bond
		fmt.Printf("day %2.0f, APR %.2f: bond %d, unbond %d, release %d uakt; %d unbonding",
			st.now.Days(), st.apr, bond, unbond, release, s.Unbonding())
		if s.NextRelease() != simtime.Never {
			fmt.Printf(", next release on day %.0f", s.NextRelease().Days())
		}
		fmt.Println()
	}
	fmt.Printf("bonded %.6f AKT, liquid %.6f AKT\n", tokenomics.Whole(bonded), tokenomics.Whole(liquid))
	// Output:
	// day  7, APR 0.20: bond 1917808, unbond 0, release 0 uakt; 0 unbonding
	// day 14, APR 0.05: bond 0, unbond 958904, release 0 uakt; 958904 unbonding, next release on day 35
	// day 35, APR 0.10: bond 0, unbond 0, release 958904 uakt; 0 unbonding
	// bonded 600.958904 AKT, liquid 399.041096 AKT
}

func TestStakingSet(t *testing.T) {
	s := tokenomics.NewStaking(tokenomics.DefaultStakingParams())
	require.NoError(t, s.Set("outside_yield", 0.3))
	require.NoError(t, s.Set("speed", 2))
	for _, c := range []struct {
		name string
		v    float64
	}{{"outside_yield", 11}, {"outside_yield", -1.5}, {"speed", -1}, {"speed", 101}, {"unbonding", 1}} {
		err := s.Set(c.name, c.v)
		require.Error(t, err, "%s=%v", c.name, c.v)
		assert.Contains(t, err.Error(), "tokenomics.staking."+c.name)
	}
	// the new outside yield drives the next step: an APR below it unbonds
	const supply = 1_000_000 * tokenomics.BaseUnits
	bond, unbond, _ := s.Step(simtime.Day, simtime.Day, 0.2, supply, supply/2, supply/2)
	assert.Zero(t, bond)
	assert.Positive(t, unbond, "APR 0.2 is below the outside yield 0.3 set by governance")
}
