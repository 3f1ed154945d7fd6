package tokenomics

import (
	"errors"
	"math"
	"math/big"
	"testing"

	"github.com/depinsim/depinsim/simtime"
)

// The fuzz targets of this package (docs/architecture.md, "Fuzzing"):
// FuzzLedger runs random operation sequences on a Ledger (and the staking
// rule's transfers) against an exact model; FuzzSettle settles random
// withdrawals and FuzzBME runs random BME operations, both at prices from
// MinPriceUSD to MaxPriceUSD and amounts up to math.MaxInt64. `make fuzz`
// runs them; testdata/fuzz/<Name>/ holds their seed corpora, which `go
// test` runs as ordinary tests.

// fuzzBytes decodes values from fuzz bytes; past the end it reads zeros.
type fuzzBytes struct{ b []byte }

func (r *fuzzBytes) u8() uint8 {
	if len(r.b) == 0 {
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

func (r *fuzzBytes) u64() uint64 {
	var v uint64
	for range 8 {
		v = v<<8 | uint64(r.u8())
	}
	return v
}

func (r *fuzzBytes) more() bool { return len(r.b) > 0 }

// amount reads an amount in base units: small, a fraction of ref (a
// balance, so that operations often just fit), near math.MaxInt64, any
// int64 (negatives included), or ref itself and one more.
func (r *fuzzBytes) amount(ref int64) int64 {
	switch c := r.u8(); {
	case c < 100:
		return int64(c) * 1_000
	case c < 170:
		return int64(float64(ref) * float64(c-100) / 69)
	case c < 190:
		return math.MaxInt64 - int64(c-170)
	case c < 220:
		return int64(r.u64())
	case c < 240:
		return ref
	default:
		return ref + 1
	}
}

// price reads a price log-uniformly in [MinPriceUSD, MaxPriceUSD] (both
// ends exact), or one of a few special values when special is set.
func (r *fuzzBytes) price(special bool) float64 {
	c := r.u8()
	if special && c >= 250 {
		return []float64{BMEMaxPriceUSD, math.Nextafter(BMEMaxPriceUSD, math.Inf(1)), 1, 0, math.NaN(), -1}[c-250]
	}
	u := uint16(r.u8())<<8 | uint16(r.u8())
	switch u {
	case 0:
		return MinPriceUSD
	case math.MaxUint16:
		return MaxPriceUSD
	}
	e := math.Log10(MinPriceUSD) + float64(u)/math.MaxUint16*(math.Log10(MaxPriceUSD)-math.Log10(MinPriceUSD))
	return min(max(math.Pow(10, e), MinPriceUSD), MaxPriceUSD)
}

// ledgerModel is an exact (big-integer) model of a Ledger.
type ledgerModel struct {
	bal            [][NumDenoms]*big.Int
	minted, burned [NumDenoms]*big.Int
}

func newLedgerModel() *ledgerModel {
	m := &ledgerModel{}
	for d := range NumDenoms {
		m.minted[d], m.burned[d] = new(big.Int), new(big.Int)
	}
	return m
}

func (m *ledgerModel) open() {
	var b [NumDenoms]*big.Int
	for d := range b {
		b[d] = new(big.Int)
	}
	m.bal = append(m.bal, b)
}

// agree fails t unless l holds what m does, no balance is negative, and
// l.Check passes.
func (m *ledgerModel) agree(t *testing.T, l *Ledger, step int) {
	t.Helper()
	if ok, why := l.Check(); !ok {
		t.Fatalf("step %d: ledger check: %s", step, why)
	}
	for d := range NumDenoms {
		sum := new(big.Int)
		for a := range m.bal {
			if got := l.Balance(Account(a), d); !m.bal[a][d].IsInt64() || got != m.bal[a][d].Int64() || got < 0 {
				t.Fatalf("step %d: %s holds %d %s, the model %v", step, l.Name(Account(a)), got, d, m.bal[a][d])
			}
			sum.Add(sum, m.bal[a][d])
		}
		if l.Minted(d) != m.minted[d].Int64() || l.Burned(d) != m.burned[d].Int64() || !m.minted[d].IsInt64() {
			t.Fatalf("step %d: %s minted %d burned %d, the model %v and %v", step, d, l.Minted(d), l.Burned(d), m.minted[d], m.burned[d])
		}
		if want := new(big.Int).Sub(m.minted[d], m.burned[d]); sum.Cmp(want) != 0 || l.Supply(d) != sum.Int64() {
			t.Fatalf("step %d: %s supply %d, balances sum %v, minted - burned %v", step, d, l.Supply(d), sum, want)
		}
	}
}

// mustPanic reports whether f panics.
func mustPanic(f func()) (panicked bool) {
	defer func() { panicked = recover() != nil }()
	f()
	return false
}

// FuzzLedger applies a random sequence of Open, Mint, Burn and Transfer
// (any amounts, negatives and int64's extremes included) and of staking
// steps (Staking.Step's bond, unbond and release, applied as the kernel
// applies them) to a Ledger, and checks after every operation against an
// exact big-integer model: the sum of balances equals minted - burned and
// the supply for every denomination, no balance is negative, the totals
// never wrap; a valid operation never panics and an invalid one (a
// negative amount, more than the account holds, a minted total beyond
// int64) panics and changes nothing. The staking rule never bonds more
// than the holders' liquid tokens, unbonds more than is bonded or
// releases more than is unbonding, and its queue total equals the
// unbonding account's balance.
func FuzzLedger(f *testing.F) {
	f.Add([]byte{1, 0, 0, 10, 1, 1, 1, 50, 3, 0, 1, 0, 120, 2, 1, 0, 239, 4, 30, 200, 4, 90, 10})
	f.Add([]byte{1, 2, 2, 175, 1, 2, 2, 0, 2, 2, 2, 239, 1, 2, 2, 5, 3, 2, 0, 2, 240})
	f.Add([]byte{4, 200, 255, 4, 0, 0, 4, 255, 3, 4, 128, 128, 1, 0, 0, 200})
	f.Fuzz(func(t *testing.T, data []byte) {
		r := &fuzzBytes{b: data}
		l, m := NewLedger(), newLedgerModel()
		// holders, bonded and unbonding, as the kernel opens them
		holders, bonded, unbonding := l.Open("holders"), l.Open("bonded"), l.Open("unbonding")
		m.open()
		m.open()
		m.open()
		st := NewStaking(StakingParams{Speed: 1, OutsideYield: 0.1, Unbonding: simtime.Duration(21 * simtime.Day)})
		now := simtime.Time(0)
		for step := 0; r.more() && step < 200; step++ {
			op := r.u8() % 5
			// only the staking rule moves the unbonding account (as in
			// the kernel): its balance is the queue's total
			acct := func() Account {
				if a := Account(int(r.u8()) % l.Accounts()); a != unbonding {
					return a
				}
				return holders
			}
			a := acct()
			d := Denom(r.u8() % uint8(NumDenoms))
			switch op {
			case 0:
				if l.Accounts() < 8 {
					l.Open("acct")
					m.open()
				}
			case 1:
				amt := r.amount(math.MaxInt64 - l.Minted(d))
				sum := new(big.Int).Add(m.minted[d], big.NewInt(amt))
				ok := amt >= 0 && sum.IsInt64()
				if p := mustPanic(func() { l.Mint(a, d, amt) }); p == ok {
					t.Fatalf("step %d: Mint(%d %s) over minted %d: panicked %v, valid %v", step, amt, d, l.Minted(d), p, ok)
				}
				if ok {
					m.bal[a][d].Add(m.bal[a][d], big.NewInt(amt))
					m.minted[d].Add(m.minted[d], big.NewInt(amt))
				}
			case 2:
				amt := r.amount(l.Balance(a, d))
				ok := amt >= 0 && amt <= l.Balance(a, d)
				if p := mustPanic(func() { l.Burn(a, d, amt) }); p == ok {
					t.Fatalf("step %d: Burn(%d %s) from %d: panicked %v, valid %v", step, amt, d, l.Balance(a, d), p, ok)
				}
				if ok {
					m.bal[a][d].Sub(m.bal[a][d], big.NewInt(amt))
					m.burned[d].Add(m.burned[d], big.NewInt(amt))
				}
			case 3:
				to := acct()
				amt := r.amount(l.Balance(a, d))
				ok := amt >= 0 && amt <= l.Balance(a, d)
				if p := mustPanic(func() { l.Transfer(a, to, d, amt) }); p == ok {
					t.Fatalf("step %d: Transfer(%d %s) from %d: panicked %v, valid %v", step, amt, d, l.Balance(a, d), p, ok)
				}
				if ok {
					m.bal[a][d].Sub(m.bal[a][d], big.NewInt(amt))
					m.bal[to][d].Add(m.bal[to][d], big.NewInt(amt))
				}
			case 4:
				dt := simtime.Time(r.u8()) * simtime.Time(simtime.Day)
				apr := float64(int8(r.u8())) / 16 // [-8, 8): both directions, strongly
				now += dt
				liquid, bond0 := l.Balance(holders, AKT), l.Balance(bonded, AKT)
				bond, unbond, release := st.Step(now, dt, apr, l.Supply(AKT), bond0, liquid)
				if bond < 0 || unbond < 0 || release < 0 || bond > liquid || unbond > bond0 || release > l.Balance(unbonding, AKT) {
					t.Fatalf("step %d: staking bonds %d of %d liquid, unbonds %d of %d bonded, releases %d of %d unbonding",
						step, bond, liquid, unbond, bond0, release, l.Balance(unbonding, AKT))
				}
				l.Transfer(unbonding, holders, AKT, release)
				l.Transfer(holders, bonded, AKT, bond)
				l.Transfer(bonded, unbonding, AKT, unbond)
				for _, mv := range [][3]int64{{int64(unbonding), int64(holders), release}, {int64(holders), int64(bonded), bond}, {int64(bonded), int64(unbonding), unbond}} {
					m.bal[mv[0]][AKT].Sub(m.bal[mv[0]][AKT], big.NewInt(mv[2]))
					m.bal[mv[1]][AKT].Add(m.bal[mv[1]][AKT], big.NewInt(mv[2]))
				}
				if st.Unbonding() != l.Balance(unbonding, AKT) {
					t.Fatalf("step %d: staking queue holds %d, the unbonding account %d", step, st.Unbonding(), l.Balance(unbonding, AKT))
				}
			}
			m.agree(t, l, step)
		}
	})
}

// FuzzSettle settles a random withdrawal (any amount up to
// math.MaxInt64, any denomination and era, take rate in [0, 10000] bps,
// burn share in [0, 1], prices in [MinPriceUSD, MaxPriceUSD], holders'
// tokens up to math.MaxInt64) and checks: no panic; fee + earnings =
// amount with the fee floor(amount x bps / 10^4) exactly; no negative
// amount, FeeTokens included; finite, non-negative USD values; the
// postings applied to a ledger conserve every denomination, empty the
// escrow, and buy back at most what the holders hold.
func FuzzSettle(f *testing.F) {
	f.Add(int64(1_000_003), int64(1e12), uint8(0), uint8(0), uint16(400), uint8(128), []byte{0, 100, 0, 0, 100, 0})
	f.Add(int64(math.MaxInt64), int64(math.MaxInt64), uint8(1), uint8(0), uint16(10_000), uint8(255), []byte{0, 255, 255, 0, 0, 0})
	f.Add(int64(10_000_000_000), int64(1e15), uint8(1), uint8(2), uint16(2_000), uint8(255), []byte{0, 120, 0, 0, 0, 0})
	f.Add(int64(7e15), int64(0), uint8(2), uint8(1), uint16(9_999), uint8(0), []byte{0, 0, 0, 0, 255, 255})
	f.Fuzz(func(t *testing.T, amount, holders int64, denom, era uint8, bps uint16, share uint8, prices []byte) {
		r := &fuzzBytes{b: prices}
		w := Withdrawal{
			Amount:        amount & math.MaxInt64,
			Denom:         Denom(denom % uint8(NumDenoms)),
			Settlement:    []string{SettlementTake, SettlementBME, SettlementBurnMint}[era%3],
			TakeBPS:       int64(bps % 10_001),
			FeeBurnShare:  float64(share) / 255,
			PriceUSD:      r.price(false),
			TokenPriceUSD: r.price(false),
			HoldersTokens: holders & math.MaxInt64,
		}
		if w.Denom == AKT {
			w.PriceUSD = w.TokenPriceUSD
			w.HoldersTokens = min(w.HoldersTokens, math.MaxInt64-w.Amount) // one supply
		}
		s := Settle(w)
		fee := new(big.Int).Mul(big.NewInt(w.Amount), big.NewInt(w.TakeBPS))
		fee.Quo(fee, big.NewInt(10_000))
		if s.Fee != fee.Int64() || s.Fee+s.Earnings != w.Amount || s.Earnings < 0 {
			t.Fatalf("fee %d + earnings %d, want fee %v of %d", s.Fee, s.Earnings, fee, w.Amount)
		}
		if s.FeeTokens < 0 || s.Redeem < 0 {
			t.Fatalf("negative fee tokens %d or redemption %d", s.FeeTokens, s.Redeem)
		}
		for _, x := range []float64{s.FeeUSD, s.IncomeUSD} {
			if math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
				t.Fatalf("USD value %g", x)
			}
		}
		if paid := w.Settlement != SettlementBurnMint || w.Denom == ACT; s.Paid != paid {
			t.Fatalf("paid %v, want %v", s.Paid, paid)
		}
		l := NewLedger()
		acct := [...]Account{RoleEscrow: l.Open("escrow"), RolePool: l.Open("pool"), RoleHolders: l.Open("holders"), RoleProvider: l.Open("provider")}
		l.Mint(acct[RoleEscrow], w.Denom, w.Amount)
		l.Mint(acct[RoleHolders], AKT, w.HoldersTokens)
		for i, p := range s.Postings[:s.N] {
			if p.Amount < 0 || math.IsNaN(p.BuyUSD) || math.IsInf(p.BuyUSD, 0) {
				t.Fatalf("posting %d: %+v", i, p)
			}
			if mustPanic(func() {
				if p.Kind == PostBurn {
					l.Burn(acct[p.From], p.Denom, p.Amount)
				} else {
					l.Transfer(acct[p.From], acct[p.To], p.Denom, p.Amount)
				}
			}) {
				t.Fatalf("posting %d %+v cannot apply (%+v)", i, p, w)
			}
		}
		if ok, why := l.Check(); !ok {
			t.Fatal(why)
		}
		if e := l.Balance(acct[RoleEscrow], w.Denom); e != 0 {
			t.Fatalf("escrow keeps %d of the withdrawal", e)
		}
	})
}

// FuzzBME runs a random sequence of MintACT, BurnACT, BuyACT, the quotes
// and oracle outages on a seeded BME (spreads and minimum from the fuzz
// bytes) at prices from MinPriceUSD to MaxPriceUSD (and a few invalid
// ones) with amounts up to math.MaxInt64, and checks after every
// operation: no panic; AKTForACT is the least uakt that mints the ACT
// asked (in few steps: at 1e-9 USD one uact is 1e9 uakt); the ledger conserves every denomination and the
// BME's own invariants hold; a refused request returns one of the BME's
// errors and moves nothing; an accepted one returns non-negative amounts
// (aktOut = fromVault + minted, ACT to the user = the quote); BuyACT
// returns at most what was asked; the status, CR and mint interval are
// within their ranges.
func FuzzBME(f *testing.F) {
	f.Add([]byte{0, 25, 0, 10, 0, 0, 10, 128, 0, 1, 60, 128, 0, 2, 30, 128, 0, 3, 2})
	f.Add([]byte{2, 0, 100, 0, 0, 200, 0, 0, 0, 2, 180, 0, 0, 0, 1, 185, 0, 0, 0})
	f.Add([]byte{1, 255, 0, 1, 2, 230, 0, 0, 0, 0, 120, 255, 255, 1, 175, 252, 4, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		r := &fuzzBytes{b: data}
		p := DefaultBMEParams()
		p.MintSpreadBps = int64(r.u8()) * 4 % bmeBps
		p.SettleSpreadBps = int64(r.u8()) * 4 % bmeBps
		p.MinMintACT = []float64{10, 0, 1e-6, 1e6}[r.u8()%4]
		l := NewLedger()
		holders, pool, vault := l.Open("holders"), l.Open("pool"), l.Open("bme-vault")
		users := [2]Account{l.Open("user-a"), l.Open("user-b")}
		l.Mint(holders, AKT, []int64{Tokens(1e8), math.MaxInt64 / 2, Tokens(1e12)}[r.u8()%3])
		l.Mint(pool, AKT, Tokens(p.VaultSeedAKT))
		b := NewBME(p, l, vault)
		if err := b.Seed(pool); err != nil {
			t.Fatal(err)
		}
		type state struct {
			bal            [5][NumDenoms]int64
			minted, burned [NumDenoms]int64
			totals         BMETotals
			remint         int64
		}
		snap := func() (s state) {
			for a := range s.bal {
				for d := range NumDenoms {
					s.bal[a][d] = l.Balance(Account(a), d)
				}
			}
			for d := range NumDenoms {
				s.minted[d], s.burned[d] = l.Minted(d), l.Burned(d)
			}
			s.totals, s.remint = b.Totals(), b.RemintCredits()
			return s
		}
		bmeErr := func(err error) bool {
			for _, e := range []error{ErrBMEHaltCR, ErrBMEHaltOracle, ErrBMEMinMint, ErrBMEFunds, ErrBMEAmount} {
				if errors.Is(err, e) {
					return true
				}
			}
			return false
		}
		for step := 0; r.more() && step < 100; step++ {
			op, u := r.u8()%6, users[r.u8()%2]
			price := r.price(true)
			before := snap()
			switch op {
			case 0: // mint ACT with the user's AKT (first bought from holders)
				amt := r.amount(l.Balance(holders, AKT))
				if amt > 0 && amt <= l.Balance(holders, AKT) {
					l.Transfer(holders, u, AKT, amt)
					before = snap()
				}
				quote, qspread, qerr := b.QuoteMint(amt, price)
				out, err := b.MintACT(u, u, amt, price)
				if err != nil {
					if !bmeErr(err) || snap() != before {
						t.Fatalf("step %d: MintACT(%d at %g): %v; state changed %v", step, amt, price, err, snap() != before)
					}
					break
				}
				if qerr != nil || out != quote || out < 0 || qspread < 0 {
					t.Fatalf("step %d: MintACT(%d at %g) = %d, quote %d + %d (%v)", step, amt, price, out, quote, qspread, qerr)
				}
			case 1: // redeem ACT
				amt := r.amount(l.Balance(u, ACT))
				quote, qerr := b.QuoteBurn(amt, price)
				out, fromVault, minted, err := b.BurnACT(u, u, amt, price)
				if err != nil {
					if !bmeErr(err) || snap() != before {
						t.Fatalf("step %d: BurnACT(%d at %g): %v; state changed %v", step, amt, price, err, snap() != before)
					}
					break
				}
				if qerr != nil || out != quote || out <= 0 || fromVault < 0 || minted < 0 || fromVault+minted != out {
					t.Fatalf("step %d: BurnACT(%d at %g) = %d (%d from the vault, %d minted), quote %d (%v)", step, amt, price, out, fromVault, minted, quote, qerr)
				}
			case 2: // a tenant buys credits for a deposit
				amt := r.amount(math.MaxInt64 / 4)
				held := l.Balance(u, ACT)
				act, usd, short := b.BuyACT(holders, u, amt, price)
				if act < 0 || act > max(amt, 0) || act > l.Balance(u, ACT) || math.IsNaN(usd) || math.IsInf(usd, 0) || usd < 0 {
					t.Fatalf("step %d: BuyACT(%d at %g) = %d uact for %g USD (wallet %d)", step, amt, price, act, usd, l.Balance(u, ACT))
				}
				if short && (usd != 0 || l.Balance(u, ACT) != held) {
					t.Fatalf("step %d: BuyACT(%d at %g) reports a short float yet bought %g USD (wallet %d -> %d)", step, amt, price, usd, held, l.Balance(u, ACT))
				}
			case 3: // what a deposit of amt uact needs
				amt := r.amount(Tokens(1e6))
				if a, err := b.AKTForACT(amt, price); err == nil {
					if q, _, qerr := b.QuoteMint(a, price); a <= 0 || (qerr == nil && q < amt) {
						t.Fatalf("step %d: AKTForACT(%d at %g) = %d, which mints %d (%v)", step, amt, price, a, q, qerr)
					}
					if q, _, qerr := b.QuoteMint(a-1, price); a > 1 && qerr == nil && q >= amt {
						t.Fatalf("step %d: AKTForACT(%d at %g) = %d, but %d uakt mint %d", step, amt, price, a, a-1, q)
					}
				} else if !bmeErr(err) {
					t.Fatalf("step %d: AKTForACT: %v", step, err)
				}
			case 4:
				b.SetOracleOK(!b.OracleOK())
			case 5:
				b.SetOracleOK(true)
			}
			if op >= 3 && snap() != before {
				t.Fatalf("step %d: a query changed the state", step)
			}
			if ok, why := l.Check(); !ok {
				t.Fatalf("step %d: ledger: %s", step, why)
			}
			if ok, why := b.Check(); !ok {
				t.Fatalf("step %d: %s", step, why)
			}
			if s := b.Status(price); s < BMEHealthy || s > BMEHaltOracle {
				t.Fatalf("step %d: status %d", step, s)
			}
			if cr := b.CRBps(price); cr < -1 {
				t.Fatalf("step %d: CR %d bps", step, cr)
			}
			if mi := b.MintInterval(price); mi < p.EpochBlocks || mi > p.MaxEpochBlocks {
				t.Fatalf("step %d: mint interval %d outside [%d, %d]", step, mi, p.EpochBlocks, p.MaxEpochBlocks)
			}
		}
	})
}
