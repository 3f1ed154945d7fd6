package tokenomics

import (
	"fmt"
	"math"
)

// Role is a party of a settlement, which the caller maps to its ledger
// accounts.
type Role uint8

// The parties of a withdrawal's settlement.
const (
	// RoleEscrow is the escrow module's account holding the lease's
	// payments.
	RoleEscrow Role = iota
	// RolePool is the community pool (take fees; Render's operator fee
	// account).
	RolePool
	// RoleHolders are the token holders outside the model: the market
	// that buy-backs buy the staking token from.
	RoleHolders
	// RoleProvider is the lease's provider.
	RoleProvider
)

// PostingKind says what a posting does.
type PostingKind uint8

// The posting kinds.
const (
	// PostTransfer moves Amount of Denom from From to To.
	PostTransfer PostingKind = iota
	// PostBurn burns Amount of Denom held by From.
	PostBurn
)

// Posting is one ledger operation of a settlement.
type Posting struct {
	// Kind is a transfer or a burn.
	Kind PostingKind
	// From pays (or burns); To receives (transfers only).
	From, To Role
	// Denom and Amount (base units) are what moves.
	Denom  Denom
	Amount int64
	// BuyUSD is the buy flow of the staking token at market the posting
	// makes, in USD: positive for a buy-back, negative for a provider
	// selling its income (read by the endogenous price process).
	BuyUSD float64
}

// Withdrawal is a provider's withdrawal of a lease's accrued payments
// from escrow, as the escrow module settles it (akash.md §2-§3).
type Withdrawal struct {
	// Amount is what is withdrawn, in base units of Denom.
	Amount int64
	// Denom is the lease's denomination.
	Denom Denom
	// Settlement is the era: SettlementTake, SettlementBME or
	// SettlementBurnMint.
	Settlement string
	// TakeBPS is the take rate of Denom, in basis points.
	TakeBPS int64
	// FeeBurnShare is the fraction of the take fee bought back and
	// burned, in [0, 1] (Params.FeeBurnShare).
	FeeBurnShare float64
	// PriceUSD is Denom's price and TokenPriceUSD the staking token's, in
	// USD per whole token.
	PriceUSD, TokenPriceUSD float64
	// HoldersTokens is the staking token (base units) the holders hold:
	// a buy-back buys at most that much.
	HoldersTokens int64
}

// maxPostings is the most postings one settlement makes: the take, the
// fee's buy-back (transfer and burn), and the earnings (transfer, or a
// burn-mint buy-back's transfer and burn).
const maxPostings = 5

// Settlement is how a withdrawal is settled: the ledger postings, in the
// order they apply, and what the metrics count.
type Settlement struct {
	// Fee is the take fee and Earnings the rest, in base units of the
	// withdrawal's denomination.
	Fee, Earnings int64
	// FeeUSD is the fee at the withdrawal's price.
	FeeUSD float64
	// FeeTokens is the fee in base units of the staking token (fees in
	// other denominations converted at the current prices, truncated, at
	// most math.MaxInt64).
	FeeTokens int64
	// Paid tells that the provider received the earnings (not so in the
	// burn-mint era, where they are burned); IncomeUSD is then their
	// value.
	Paid      bool
	IncomeUSD float64
	// Redeem is the ACT (base units) the provider redeems through the
	// BME for the staking token, which it sells: an ACT lease's earnings
	// in the burn-mint equilibrium (akash.md §7).
	Redeem int64
	// Postings holds the ledger operations, Postings[:N] in order.
	Postings [maxPostings]Posting
	N        int
}

// post appends a posting (to is 0 for a burn, as in a Posting literal
// that leaves it out). It clears the posting's slot (a reused Settlement
// holds older postings) and writes it field by field: a Posting literal
// is built on the stack in narrow stores and copied in 16 bytes at a
// time, which cannot be forwarded from them and stalls.
func (s *Settlement) post(kind PostingKind, from, to Role, d Denom, amount int64, buyUSD float64) {
	p := &s.Postings[s.N]
	*p = Posting{}
	p.Kind, p.From, p.To, p.Denom, p.Amount, p.BuyUSD = kind, from, to, d, amount, buyUSD
	s.N++
}

// Settle settles a withdrawal. The take fee (floor(amount x take rate),
// Take) goes to the community pool; FeeBurnShare of it is burned: from
// the pool when it is in the staking token, else it buys the staking token
// from holders at the current price and that is burned (io.net's and
// Gensyn's buy-back-and-burn, competitors.md §1.3, §3.3; not for ACT).
// The earnings go to the provider, who sells staking-token income at
// market and redeems ACT through the BME; in the burn-mint era (Render,
// competitors.md §2.3) they are burned instead, in tokens bought at
// market when paid in another denomination, and the provider is paid by
// the emission schedule. A buy-back buys at most what holders hold. Every
// amount is exact integer arithmetic or a float64 conversion saturated to
// [0, math.MaxInt64] (FeeTokens, and a buy-back then capped by the
// holders' tokens), so no amount wraps at any price.
func Settle(w Withdrawal) (s Settlement) {
	SettleInto(&s, &w)
	return s
}

// SettleInto is Settle writing the settlement into s (every field but the
// postings past s.N is overwritten), so that a caller can reuse one
// Settlement instead of receiving a fresh one per withdrawal.
func SettleInto(s *Settlement, w *Withdrawal) {
	s.Fee, s.Earnings, s.FeeUSD, s.FeeTokens = 0, 0, 0, 0
	s.Paid, s.IncomeUSD, s.Redeem, s.N = false, 0, 0, 0
	if w.Amount < 0 {
		panic(fmt.Sprintf("tokenomics: Settle of a negative withdrawal %d", w.Amount))
	}
	holders := w.HoldersTokens
	s.Fee, s.Earnings = Take(w.Amount, w.TakeBPS)
	s.FeeUSD = float64(s.Fee) / BaseUnits * w.PriceUSD
	if w.Denom == AKT {
		s.FeeTokens = s.Fee
	} else {
		s.FeeTokens = floatUnits(float64(s.Fee) * w.PriceUSD / w.TokenPriceUSD)
	}
	if s.Fee > 0 {
		s.post(PostTransfer, RoleEscrow, RolePool, w.Denom, s.Fee, 0)
		// float64(Fee) rounds up above 2^53: never burn more than the fee
		if b := min(floatUnits(float64(s.Fee)*w.FeeBurnShare), s.Fee); b > 0 && w.Denom != ACT {
			if w.Denom == AKT {
				s.post(PostBurn, RolePool, 0, AKT, b, 0)
			} else {
				holders = s.buyBack(w, RolePool, b, holders)
			}
		}
	}
	if w.Settlement == SettlementBurnMint && w.Denom != ACT {
		if w.Denom == AKT {
			s.post(PostBurn, RoleEscrow, 0, AKT, s.Earnings, 0)
		} else {
			s.buyBack(w, RoleEscrow, s.Earnings, holders)
		}
		return
	}
	s.Paid = true
	s.IncomeUSD = float64(s.Earnings) / BaseUnits * w.PriceUSD
	sell := 0.0
	if w.Denom == AKT {
		sell = -s.IncomeUSD // providers sell their staking-token income
	}
	s.post(PostTransfer, RoleEscrow, RoleProvider, w.Denom, s.Earnings, sell)
	if w.Denom == ACT {
		s.Redeem = s.Earnings
	}
}

// Untaxed reports whether Settle splits nothing off a withdrawal of denom
// d at take rate takeBPS in the given settlement era: no take fee, no
// burn-mint era and no ACT redemption. Such a settlement is one transfer
// of the whole amount from the escrow to the provider (BuyUSD
// -IncomeUSD when d is the staking token, else 0) with Fee, FeeTokens
// and Redeem 0, FeeUSD 0 x PriceUSD, Paid set and IncomeUSD
// float64(Amount) / BaseUnits x PriceUSD; a caller may apply that
// directly instead of calling Settle.
func Untaxed(takeBPS int64, settlement string, d Denom) bool {
	return takeBPS == 0 && settlement != SettlementBurnMint && d != ACT
}

// buyBack posts the purchase, with amt of the withdrawal's denomination
// held by from, of the staking token at market (at most the holders'
// holders tokens) and its burn; it returns what holders hold after.
func (s *Settlement) buyBack(w *Withdrawal, from Role, amt, holders int64) int64 {
	usd := float64(amt) / BaseUnits * w.PriceUSD
	tokens := min(floatUnits(usd/w.TokenPriceUSD*BaseUnits), holders)
	s.post(PostTransfer, from, RoleHolders, w.Denom, amt, 0)
	s.post(PostBurn, RoleHolders, 0, AKT, tokens, usd)
	return holders - tokens
}

// floatUnits converts a non-negative amount of base units computed in
// float64 to int64, truncating, with NaN and negatives as 0 and anything
// at or above 2^63 as math.MaxInt64: a conversion out of int64's range is
// undefined in Go (it wraps to a negative number on amd64), and at a token
// price of 1e-9 USD a fee of some thousand USD is more than 2^63 base
// units of the token.
func floatUnits(x float64) int64 {
	switch {
	case !(x > 0):
		return 0
	case x >= 0x1p63:
		return math.MaxInt64
	}
	return int64(x)
}
