package tokenomics

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// applySettlement applies s to a ledger whose escrow holds the
// withdrawal and whose holders hold holders tokens, and returns the
// ledger and its accounts by role.
func applySettlement(t *testing.T, w Withdrawal, s Settlement) (*Ledger, map[Role]Account) {
	t.Helper()
	l := NewLedger()
	acct := map[Role]Account{RoleEscrow: l.Open("escrow"), RolePool: l.Open("pool"), RoleHolders: l.Open("holders"), RoleProvider: l.Open("provider")}
	l.Mint(acct[RoleEscrow], w.Denom, w.Amount)
	l.Mint(acct[RoleHolders], AKT, w.HoldersTokens)
	for _, p := range s.Postings[:s.N] {
		if p.Kind == PostBurn {
			l.Burn(acct[p.From], p.Denom, p.Amount)
		} else {
			l.Transfer(acct[p.From], acct[p.To], p.Denom, p.Amount)
		}
	}
	ok, why := l.Check()
	require.True(t, ok, why)
	return l, acct
}

func TestSettleTakeEra(t *testing.T) {
	w := Withdrawal{Amount: 1_000_003, Denom: AKT, Settlement: SettlementTake, TakeBPS: 400, FeeBurnShare: 0.5,
		PriceUSD: 2, TokenPriceUSD: 2, HoldersTokens: 1e12}
	s := Settle(w)
	assert.Equal(t, int64(40_000), s.Fee) // floor(1,000,003 x 4%)
	assert.Equal(t, int64(960_003), s.Earnings)
	assert.Equal(t, s.Fee, s.FeeTokens)
	assert.InDelta(t, 0.08, s.FeeUSD, 1e-12)
	assert.True(t, s.Paid)
	assert.InDelta(t, 1.920006, s.IncomeUSD, 1e-12)
	l, a := applySettlement(t, w, s)
	assert.Equal(t, int64(20_000), l.Balance(a[RolePool], AKT), "half the fee burned from the pool")
	assert.Equal(t, int64(20_000), l.Burned(AKT))
	assert.Equal(t, s.Earnings, l.Balance(a[RoleProvider], AKT))
	assert.Zero(t, l.Balance(a[RoleEscrow], AKT))
	sell := 0.0
	for _, p := range s.Postings[:s.N] {
		sell += p.BuyUSD
	}
	assert.Equal(t, -s.IncomeUSD, sell, "the provider sells its AKT income")
}

func TestSettleUSDCBuyBack(t *testing.T) {
	w := Withdrawal{Amount: 10_000_000, Denom: USDC, Settlement: SettlementTake, TakeBPS: 2000, FeeBurnShare: 1,
		PriceUSD: 1, TokenPriceUSD: 4, HoldersTokens: 1e12}
	s := Settle(w)
	assert.Equal(t, int64(2_000_000), s.Fee)
	assert.Equal(t, int64(500_000), s.FeeTokens, "2 USDC at 4 USD per token")
	l, a := applySettlement(t, w, s)
	assert.Equal(t, int64(500_000), l.Burned(AKT), "the fee buys 0.5 token at market and burns it")
	assert.Equal(t, int64(2_000_000), l.Balance(a[RoleHolders], USDC), "holders receive the USDC they sold for")
	assert.Equal(t, s.Earnings, l.Balance(a[RoleProvider], USDC))
	assert.Zero(t, s.Redeem)
}

func TestSettleBurnMint(t *testing.T) {
	for _, d := range []Denom{AKT, USDC} {
		w := Withdrawal{Amount: 5_000_000, Denom: d, Settlement: SettlementBurnMint, TakeBPS: 500, PriceUSD: 1, TokenPriceUSD: 0.5, HoldersTokens: 1e12}
		s := Settle(w)
		assert.False(t, s.Paid, d)
		assert.Zero(t, s.IncomeUSD)
		l, a := applySettlement(t, w, s)
		assert.Zero(t, l.Balance(a[RoleProvider], d), "the provider is paid by emissions, not by the lease")
		assert.Equal(t, s.Fee, l.Balance(a[RolePool], d))
		if d == AKT {
			assert.Equal(t, s.Earnings, l.Burned(AKT))
		} else {
			assert.Equal(t, int64(9_500_000), l.Burned(AKT), "4.75 USD buys 9.5 tokens at 0.5 USD")
		}
	}
}

func TestSettleACTRedeems(t *testing.T) {
	w := Withdrawal{Amount: 3_000_000, Denom: ACT, Settlement: SettlementBME, TakeBPS: 1000, FeeBurnShare: 1, PriceUSD: 1, TokenPriceUSD: 3, HoldersTokens: 1e12}
	s := Settle(w)
	assert.Equal(t, s.Earnings, s.Redeem)
	l, _ := applySettlement(t, w, s)
	assert.Zero(t, l.Burned(AKT), "ACT fees are not bought back")
}

// TestSettleProperties: over random withdrawals, the escrow pays exactly
// the withdrawal, fee plus earnings is the amount, the fee is the take,
// buy-backs never buy more than holders hold, nothing is negative, the
// ledger conserves every denomination, and only the burn-mint era keeps
// the provider unpaid.
func TestSettleProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 9))
	eras := []string{SettlementTake, SettlementBME, SettlementBurnMint}
	for i := 0; i < 5000; i++ {
		w := Withdrawal{
			Amount:        rng.Int64N(1e13),
			Denom:         Denom(rng.IntN(int(NumDenoms))),
			Settlement:    eras[rng.IntN(len(eras))],
			TakeBPS:       rng.Int64N(10_001),
			FeeBurnShare:  rng.Float64(),
			PriceUSD:      1,
			TokenPriceUSD: 1e-6 + rng.Float64()*100,
			HoldersTokens: rng.Int64N(1e12),
		}
		if w.Denom == AKT {
			w.PriceUSD = w.TokenPriceUSD
		}
		s := Settle(w)
		fee, earn := Take(w.Amount, w.TakeBPS)
		require.Equal(t, fee, s.Fee)
		require.Equal(t, earn, s.Earnings)
		l, a := applySettlement(t, w, s)
		require.Zero(t, l.Balance(a[RoleEscrow], w.Denom), "%+v", w)
		bought := int64(0)
		for _, p := range s.Postings[:s.N] {
			if p.Kind == PostBurn && p.From == RoleHolders {
				bought += p.Amount
			}
		}
		require.LessOrEqual(t, bought, w.HoldersTokens, "buy-backs buy at most what holders hold")
		require.Equal(t, w.Settlement != SettlementBurnMint || w.Denom == ACT, s.Paid, "%+v", w)
		if s.Paid {
			require.Equal(t, s.Earnings, l.Balance(a[RoleProvider], w.Denom))
		}
	}
}

func BenchmarkSettle(b *testing.B) {
	w := Withdrawal{Amount: 1_234_567, Denom: AKT, Settlement: SettlementTake, TakeBPS: 400, FeeBurnShare: 0, PriceUSD: 5, TokenPriceUSD: 5, HoldersTokens: 1e14}
	var sink int64
	for b.Loop() {
		s := Settle(w)
		sink += s.Earnings + int64(s.N)
	}
	_ = sink
}

// TestSettleUntaxed: whenever Untaxed holds, Settle makes exactly the
// settlement Untaxed describes (the kernel applies it without calling
// Settle), and Untaxed fails for every withdrawal that splits anything off.
func TestSettleUntaxed(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 13))
	eras := []string{SettlementTake, SettlementBME, SettlementBurnMint}
	seen := 0
	for i := 0; i < 5000; i++ {
		w := Withdrawal{
			Amount:        rng.Int64N(1e13),
			Denom:         Denom(rng.IntN(int(NumDenoms))),
			Settlement:    eras[rng.IntN(len(eras))],
			FeeBurnShare:  rng.Float64(),
			PriceUSD:      1,
			TokenPriceUSD: 1e-6 + rng.Float64()*100,
			HoldersTokens: rng.Int64N(1e12),
		}
		if rng.IntN(2) == 0 {
			w.TakeBPS = rng.Int64N(10_001)
		}
		if w.Denom == AKT {
			w.PriceUSD = w.TokenPriceUSD
		}
		s := Settle(w)
		if !Untaxed(w.TakeBPS, w.Settlement, w.Denom) {
			split := s.Fee > 0 || !s.Paid || s.Redeem > 0 || w.TakeBPS > 0
			require.True(t, split, "%+v is not untaxed but splits nothing", w)
			continue
		}
		seen++
		income := float64(w.Amount) / BaseUnits * w.PriceUSD
		sell := 0.0
		if w.Denom == AKT {
			sell = -income
		}
		want := Settlement{Earnings: w.Amount, FeeUSD: float64(int64(0)) / BaseUnits * w.PriceUSD, Paid: true, IncomeUSD: income, N: 1}
		want.Postings[0] = Posting{Kind: PostTransfer, From: RoleEscrow, To: RoleProvider, Denom: w.Denom, Amount: w.Amount, BuyUSD: sell}
		require.Equal(t, want, s, "%+v", w)
	}
	require.Greater(t, seen, 500)
}

// BenchmarkSettleInto is BenchmarkSettle into one reused Settlement.
func BenchmarkSettleInto(b *testing.B) {
	w := Withdrawal{Amount: 1_234_567, Denom: AKT, Settlement: SettlementTake, TakeBPS: 400, FeeBurnShare: 0, PriceUSD: 5, TokenPriceUSD: 5, HoldersTokens: 1e14}
	var s Settlement
	var sink int64
	for b.Loop() {
		SettleInto(&s, &w)
		sink += s.Earnings + int64(s.N)
	}
	_ = sink
}

// TestSettleIntoReused: a Settlement reused across withdrawals of every
// kind holds what a fresh Settle returns for each.
func TestSettleIntoReused(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 8))
	eras := []string{SettlementTake, SettlementBME, SettlementBurnMint}
	var s Settlement
	for i := 0; i < 3000; i++ {
		w := Withdrawal{
			Amount: rng.Int64N(1e13), Denom: Denom(rng.IntN(int(NumDenoms))), Settlement: eras[rng.IntN(len(eras))],
			TakeBPS: rng.Int64N(10_001), FeeBurnShare: rng.Float64(), PriceUSD: 1,
			TokenPriceUSD: 1e-6 + rng.Float64()*100, HoldersTokens: rng.Int64N(1e12),
		}
		SettleInto(&s, &w)
		want := Settle(w)
		got := s
		for j := got.N; j < maxPostings; j++ {
			got.Postings[j] = Posting{} // past N: left as they were
		}
		require.Equal(t, want, got, "%+v", w)
	}
}
