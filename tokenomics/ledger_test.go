package tokenomics_test

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/tokenomics"
)

func TestLedgerArithmetic(t *testing.T) {
	l := tokenomics.NewLedger()
	a := l.Open("alice")
	b := l.Open("bob")
	assert.Equal(t, 2, l.Accounts())
	assert.Equal(t, "bob", l.Name(b))
	assert.Equal(t, int64(0), l.Balance(a, tokenomics.AKT))

	l.Mint(a, tokenomics.AKT, 1_000)
	l.Mint(b, tokenomics.USDC, 500)
	l.Transfer(a, b, tokenomics.AKT, 300)
	l.Burn(b, tokenomics.AKT, 100)
	l.Transfer(b, a, tokenomics.USDC, 500) // a transfer of the whole balance is fine
	l.Transfer(a, b, tokenomics.AKT, 0)    // and so is a zero transfer

	assert.Equal(t, int64(700), l.Balance(a, tokenomics.AKT))
	assert.Equal(t, int64(200), l.Balance(b, tokenomics.AKT))
	assert.Equal(t, int64(500), l.Balance(a, tokenomics.USDC))
	assert.Equal(t, int64(0), l.Balance(b, tokenomics.USDC))
	assert.Equal(t, int64(900), l.Supply(tokenomics.AKT))
	assert.Equal(t, int64(1000), l.Minted(tokenomics.AKT))
	assert.Equal(t, int64(100), l.Burned(tokenomics.AKT))
	assert.Equal(t, int64(500), l.Supply(tokenomics.USDC))
	ok, why := l.Check()
	assert.True(t, ok, why)
	assert.Empty(t, why)
}

func TestLedgerRejectsOverdraftsWithoutChange(t *testing.T) {
	l := tokenomics.NewLedger()
	a := l.Open("a")
	b := l.Open("b")
	l.Mint(a, tokenomics.AKT, 100)
	snapshot := func() [6]int64 {
		return [6]int64{l.Balance(a, tokenomics.AKT), l.Balance(b, tokenomics.AKT), l.Supply(tokenomics.AKT),
			l.Minted(tokenomics.AKT), l.Burned(tokenomics.AKT), l.Balance(a, tokenomics.USDC)}
	}
	before := snapshot()
	assert.PanicsWithValue(t, "tokenomics: transfer of 101 akt from a holding 100", func() { l.Transfer(a, b, tokenomics.AKT, 101) })
	assert.Panics(t, func() { l.Transfer(b, a, tokenomics.AKT, 1) })
	assert.Panics(t, func() { l.Transfer(a, b, tokenomics.USDC, 1) }, "balances are per denomination")
	assert.Panics(t, func() { l.Transfer(a, b, tokenomics.AKT, -1) }, "a negative transfer would move money backwards")
	assert.PanicsWithValue(t, "tokenomics: burn of 101 akt from a holding 100", func() { l.Burn(a, tokenomics.AKT, 101) })
	assert.Panics(t, func() { l.Burn(a, tokenomics.AKT, -5) })
	assert.Panics(t, func() { l.Mint(a, tokenomics.AKT, -5) })
	l.Mint(b, tokenomics.USDC, math.MaxInt64)
	assert.Panics(t, func() { l.Mint(a, tokenomics.USDC, 1) }, "supply overflow")
	after := snapshot()
	assert.Equal(t, before, after, "a rejected operation changes nothing")
	ok, why := l.Check()
	assert.True(t, ok, why)
}

// TestLedgerRandomOperations runs random mints, burns and transfers (some
// of them overdrafts, which must panic and change nothing) against a
// reference model, checking conservation after every operation.
func TestLedgerRandomOperations(t *testing.T) {
	seeds := 300
	if testing.Short() {
		seeds = 50
	}
	for seed := uint64(1); seed <= uint64(seeds); seed++ {
		rng := rand.New(rand.NewPCG(seed, 77))
		l := tokenomics.NewLedger()
		n := 2 + rng.IntN(6)
		model := make([][tokenomics.NumDenoms]int64, n)
		var minted, burned [tokenomics.NumDenoms]int64
		for i := 0; i < n; i++ {
			l.Open("acct")
		}
		for op := 0; op < 400; op++ {
			a := tokenomics.Account(rng.IntN(n))
			b := tokenomics.Account(rng.IntN(n))
			d := tokenomics.Denom(rng.IntN(int(tokenomics.NumDenoms)))
			bal := model[a][d]
			// amounts around the balance so that overdrafts are common
			amt := rng.Int64N(bal + bal/4 + 10)
			switch rng.IntN(3) {
			case 0:
				l.Mint(a, d, amt)
				model[a][d] += amt
				minted[d] += amt
			case 1:
				if amt > bal {
					require.Panics(t, func() { l.Burn(a, d, amt) })
				} else {
					l.Burn(a, d, amt)
					model[a][d] -= amt
					burned[d] += amt
				}
			default:
				if amt > bal {
					require.Panics(t, func() { l.Transfer(a, b, d, amt) })
				} else {
					l.Transfer(a, b, d, amt)
					model[a][d] -= amt
					model[b][d] += amt
				}
			}
			ok, why := l.Check()
			require.True(t, ok, "seed %d op %d: %s", seed, op, why)
		}
		for d := tokenomics.Denom(0); d < tokenomics.NumDenoms; d++ {
			var sum int64
			for a := range model {
				require.Equal(t, model[a][d], l.Balance(tokenomics.Account(a), d))
				sum += model[a][d]
			}
			require.Equal(t, sum, l.Supply(d))
			require.Equal(t, minted[d], l.Minted(d))
			require.Equal(t, burned[d], l.Burned(d))
		}
	}
}

func TestTake(t *testing.T) {
	cases := []struct {
		amount, bps   int64
		fee, earnings int64
	}{
		{1_000_000, 200, 20_000, 980_000}, // 2% of 1 AKT
		{999, 200, 19, 980},               // 19.98 truncates to 19
		{1, 10_000, 1, 0},                 // 100%
		{1, 9_999, 0, 1},                  // 0.9999 truncates to 0
		{0, 200, 0, 0},
		{12_345, 0, 0, 12_345},
		{10_000, 1, 1, 9_999},
		{9_999, 1, 0, 9_999},
		{5_000_000, 2_000, 1_000_000, 4_000_000}, // 20% USDC take
		{49, 2_000, 9, 40},                       // 9.8 truncates to 9
		{math.MaxInt64, 1, 922_337_203_685_477, math.MaxInt64 - 922_337_203_685_477},
	}
	for _, c := range cases {
		fee, earn := tokenomics.Take(c.amount, c.bps)
		assert.Equal(t, c.fee, fee, "Take(%d, %d) fee", c.amount, c.bps)
		assert.Equal(t, c.earnings, earn, "Take(%d, %d) earnings", c.amount, c.bps)
	}
	for _, bad := range [][2]int64{{-1, 200}, {100, -1}, {100, 10_001}} {
		assert.Panics(t, func() { tokenomics.Take(bad[0], bad[1]) }, "Take(%d, %d)", bad[0], bad[1])
	}
}

// TestTakeMatchesExactArithmetic compares Take with big-integer floor
// division over random amounts and rates.
func TestTakeMatchesExactArithmetic(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for i := 0; i < 100_000; i++ {
		amount := rng.Int64N(1 << uint(1+rng.IntN(49))) // up to 2^49 base units
		bps := rng.Int64N(10_001)
		fee, earn := tokenomics.Take(amount, bps)
		want := new(big.Int).Mul(big.NewInt(amount), big.NewInt(bps))
		want.Quo(want, big.NewInt(10_000))
		require.Equal(t, want.Int64(), fee, "Take(%d, %d)", amount, bps)
		require.Equal(t, amount, fee+earn)
		require.GreaterOrEqual(t, fee, int64(0))
		require.GreaterOrEqual(t, earn, int64(0))
	}
}

func TestDenoms(t *testing.T) {
	for _, n := range tokenomics.DenomNames() {
		d, err := tokenomics.ParseDenom(n)
		require.NoError(t, err)
		assert.Equal(t, n, d.String())
	}
	d, err := tokenomics.ParseDenom("usdc")
	require.NoError(t, err)
	assert.Equal(t, tokenomics.USDC, d)
	assert.Equal(t, []string{"akt", "usdc", "act"}, tokenomics.DenomNames())
	for _, bad := range []string{"AKT", "uakt", "", "eth"} {
		_, err := tokenomics.ParseDenom(bad)
		require.Error(t, err, bad)
		assert.Contains(t, err.Error(), "akt, usdc", "the error lists the known names")
	}
	assert.Equal(t, "denom(7)", tokenomics.Denom(7).String())
}

func TestUnits(t *testing.T) {
	assert.Equal(t, int64(500_000), tokenomics.Tokens(0.5))
	assert.Equal(t, int64(1_000_000), tokenomics.Tokens(1.0000004))
	assert.Equal(t, int64(1_000_001), tokenomics.Tokens(1.0000006))
	assert.Equal(t, int64(230_816_799_000_000), tokenomics.Tokens(230_816_799))
	assert.Equal(t, 1.5, tokenomics.Whole(1_500_000))
	p := tokenomics.DefaultParams()
	assert.Equal(t, int64(200), p.TakeBasisPoints(tokenomics.AKT))
	assert.Equal(t, int64(2000), p.TakeBasisPoints(tokenomics.USDC))
	p.TakeRate = map[string]float64{"akt": 0.04}
	assert.Equal(t, int64(400), p.TakeBasisPoints(tokenomics.AKT))
	assert.Equal(t, int64(0), p.TakeBasisPoints(tokenomics.USDC), "a denomination not listed pays no take")
	p.TakeRate = map[string]float64{"akt": 0.00018, "usdc": 0.00012}
	assert.Equal(t, int64(2), p.TakeBasisPoints(tokenomics.AKT), "1.8 bps rounds to 2")
	assert.Equal(t, int64(1), p.TakeBasisPoints(tokenomics.USDC), "1.2 bps rounds to 1")
}

func TestParamsValidate(t *testing.T) {
	def := tokenomics.DefaultParams()
	require.NoError(t, def.Validate())
	cases := []struct {
		key string
		mod func(p *tokenomics.Params)
	}{
		{"tokenomics.token_price_usd:", func(p *tokenomics.Params) { p.TokenPriceUSD = 0 }},
		{"tokenomics.token_price_usd:", func(p *tokenomics.Params) { p.TokenPriceUSD = -1 }},
		{"tokenomics.token_price_usd:", func(p *tokenomics.Params) { p.TokenPriceUSD = math.NaN() }},
		{"tokenomics.token_price_usd:", func(p *tokenomics.Params) { p.TokenPriceUSD = math.Inf(1) }},
		{"tokenomics.block_seconds:", func(p *tokenomics.Params) { p.BlockSeconds = 0.05 }},
		{"tokenomics.block_seconds:", func(p *tokenomics.Params) { p.BlockSeconds = 601 }},
		{"tokenomics.block_seconds:", func(p *tokenomics.Params) { p.BlockSeconds = math.NaN() }},
		{"tokenomics.take_rate.eth:", func(p *tokenomics.Params) { p.TakeRate = map[string]float64{"eth": 0.1} }},
		{"tokenomics.take_rate.akt:", func(p *tokenomics.Params) { p.TakeRate = map[string]float64{"akt": 1.5} }},
		{"tokenomics.take_rate.usdc:", func(p *tokenomics.Params) { p.TakeRate = map[string]float64{"usdc": -0.1} }},
		{"tokenomics.take_rate.akt:", func(p *tokenomics.Params) { p.TakeRate = map[string]float64{"akt": math.NaN()} }},
		{"tokenomics.deployment_min_deposit:", func(p *tokenomics.Params) { p.DeploymentMinDeposit = -1 }},
		{"tokenomics.bid_min_deposit:", func(p *tokenomics.Params) { p.BidMinDeposit = math.NaN() }},
		{"tokenomics.circulating_supply_akt:", func(p *tokenomics.Params) { p.CirculatingSupplyAKT = 1e15 }},
		{"tokenomics.community_pool_akt:", func(p *tokenomics.Params) { p.CommunityPoolAKT = -1 }},
	}
	for _, c := range cases {
		p := tokenomics.DefaultParams()
		c.mod(&p)
		err := p.Validate()
		require.Error(t, err, c.key)
		assert.Contains(t, err.Error(), c.key)
	}
	// the boundaries themselves are allowed
	p := tokenomics.DefaultParams()
	p.BlockSeconds = 0.1
	p.TakeRate = map[string]float64{"akt": 0, "usdc": 1}
	p.DeploymentMinDeposit, p.BidMinDeposit, p.CommunityPoolAKT = 0, 0, 0
	require.NoError(t, p.Validate())
	p.BlockSeconds = 600
	require.NoError(t, p.Validate())
}
