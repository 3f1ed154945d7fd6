package tokenomics

import (
	"errors"
	"fmt"
	"math"
)

// Burn-Mint Equilibrium (BME), Akash v2.0.0 (2026-03-23): AEP-76 and the
// x/bme module, as summarised in docs/model/akash.md §7 "Burn-Mint
// Equilibrium" and Model spec §C (BME state), §D.14 (MintACT), §D.15
// (BurnACT) and §D.16 (status and mint epoch).

// BMEMaxPriceUSD is the highest oracle price, in USD per AKT, the BME
// accepts; a higher price is treated as a broken oracle (halt_oracle). It
// bounds the integer arithmetic, not the model.
const BMEMaxPriceUSD = 1e6

// Errors of the BME. Callers test them with errors.Is; the returned
// errors wrap them with the amounts involved.
var (
	// ErrBMEHaltCR rejects a mint while the collateral ratio is at or
	// below halt_cr (akash.md §7 "Status").
	ErrBMEHaltCR = errors.New("tokenomics: bme: mints halted (collateral ratio at or below halt_cr)")
	// ErrBMEHaltOracle rejects every request while the oracle price is
	// stale, zero, negative or above BMEMaxPriceUSD.
	ErrBMEHaltOracle = errors.New("tokenomics: bme: halted (oracle price stale, zero or out of range)")
	// ErrBMEMinMint rejects a mint whose ACT (before the spread) is
	// below min_mint_act.
	ErrBMEMinMint = errors.New("tokenomics: bme: mint below min_mint_act")
	// ErrBMEFunds rejects a request whose source account lacks the
	// amount.
	ErrBMEFunds = errors.New("tokenomics: bme: insufficient funds")
	// ErrBMEAmount rejects a non-positive amount, a result that
	// truncates to zero, one that would overflow int64, or a request
	// naming the vault itself as source or destination.
	ErrBMEAmount = errors.New("tokenomics: bme: invalid amount")
)

// BMEParams is the TOML table [tokenomics.bme]: the Burn-Mint
// Equilibrium parameters of Akash v2.0.0 (docs/model/akash.md §7).
type BMEParams struct {
	// VaultSeedAKT is the AKT, in whole AKT, moved from the community
	// pool into the vault at launch: 300,000 (v2.0.0 upgrade handler,
	// akash.md §7 "Launch parameters"). It counts toward CR but is not a
	// remint credit.
	VaultSeedAKT float64 `toml:"vault_seed_akt"`
	// MintSpreadBps is the spread, in basis points of the ACT minted,
	// kept by the vault on AKT -> ACT mints: 25 (akash.md §7).
	MintSpreadBps int64 `toml:"mint_spread_bps"`
	// SettleSpreadBps is the spread, in basis points of the AKT paid,
	// withheld on ACT -> AKT redemptions: 0 (akash.md §7).
	SettleSpreadBps int64 `toml:"settle_spread_bps"`
	// MinMintACT is the smallest mint, in whole ACT before the spread:
	// 10 (MinMint 10,000,000 uact, akash.md §7).
	MinMintACT float64 `toml:"min_mint_act"`
	// WarnCR is the collateral ratio at or below which the BME is in
	// the warning band and the mint epoch grows: 0.95 (akash.md §7).
	// Only Status and MintInterval read it: mints execute at once.
	WarnCR float64 `toml:"warn_cr"`
	// HaltCR is the collateral ratio at or below which new mints are
	// rejected: 0.90 (akash.md §7).
	HaltCR float64 `toml:"halt_cr"`
	// EpochBlocks is the mint epoch while healthy and the burn epoch,
	// in blocks: 10 (MinEpochBlocks, akash.md §7). Only MintInterval
	// reads it: mints and redemptions execute at once.
	EpochBlocks int64 `toml:"epoch_blocks"`
	// MaxEpochBlocks caps the mint epoch in the warning band, in
	// blocks: 14,400 (~1 day, akash.md §7). Only MintInterval reads it.
	MaxEpochBlocks int64 `toml:"max_epoch_blocks"`
}

// DefaultBMEParams returns the v2.0.0 launch parameters
// (docs/model/akash.md §7).
func DefaultBMEParams() BMEParams {
	return BMEParams{
		VaultSeedAKT:    300_000,
		MintSpreadBps:   25,
		SettleSpreadBps: 0,
		MinMintACT:      10,
		WarnCR:          0.95,
		HaltCR:          0.90,
		EpochBlocks:     10,
		MaxEpochBlocks:  14_400,
	}
}

// Validate checks ranges; errors name the key under [tokenomics.bme] and
// the allowed range.
func (p *BMEParams) Validate() error {
	bad := func(key string, v any, allowed string) error {
		return fmt.Errorf("tokenomics.bme.%s: must be %s, got %v", key, allowed, v)
	}
	if !(p.VaultSeedAKT >= 0 && p.VaultSeedAKT < 1e12) {
		return bad("vault_seed_akt", p.VaultSeedAKT, "in [0, 1e12) AKT")
	}
	if p.MintSpreadBps < 0 || p.MintSpreadBps >= bmeBps {
		return bad("mint_spread_bps", p.MintSpreadBps, "in [0, 10000)")
	}
	if p.SettleSpreadBps < 0 || p.SettleSpreadBps >= bmeBps {
		return bad("settle_spread_bps", p.SettleSpreadBps, "in [0, 10000)")
	}
	if !(p.MinMintACT >= 0 && p.MinMintACT < 1e12) {
		return bad("min_mint_act", p.MinMintACT, "in [0, 1e12) ACT")
	}
	if !(p.WarnCR > 0 && p.WarnCR <= 100) {
		return bad("warn_cr", p.WarnCR, "in (0, 100]")
	}
	if !(p.HaltCR > 0 && p.HaltCR < p.WarnCR && bmeRatioBps(p.HaltCR) < bmeRatioBps(p.WarnCR)) {
		return bad("halt_cr", p.HaltCR, fmt.Sprintf("> 0 and at least 0.0001 below warn_cr (%v)", p.WarnCR))
	}
	if p.EpochBlocks < 1 || p.EpochBlocks > 1_000_000 {
		return bad("epoch_blocks", p.EpochBlocks, "in [1, 1000000] blocks")
	}
	if p.MaxEpochBlocks < p.EpochBlocks || p.MaxEpochBlocks > 100_000_000 {
		return bad("max_epoch_blocks", p.MaxEpochBlocks, fmt.Sprintf("in [epoch_blocks (%d), 100000000] blocks", p.EpochBlocks))
	}
	return nil
}

// BMEStatus is the BME circuit-breaker state (akash.md §7 "Status").
// The states are ordered: a status at or above BMEHaltCR is halted.
type BMEStatus int

// The BME statuses, in order of severity.
const (
	// BMEHealthy means CR is above warn_cr; on chain, mints run every
	// epoch_blocks.
	BMEHealthy BMEStatus = iota
	// BMEWarning means CR is in (halt_cr, warn_cr]; on chain, mints run
	// on a growing epoch (MintInterval). MintACT still mints.
	BMEWarning
	// BMEHaltCR means CR is at or below halt_cr; new mints are rejected,
	// redemptions (ACT -> AKT) still run.
	BMEHaltCR
	// BMEHaltOracle means the oracle price is stale, zero or out of
	// range; mints and redemptions are blocked.
	BMEHaltOracle
)

var bmeStatusNames = [...]string{"healthy", "warning", "halt_cr", "halt_oracle"}

// String returns the on-chain status name ("healthy", "warning",
// "halt_cr", "halt_oracle").
func (s BMEStatus) String() string {
	if s >= 0 && int(s) < len(bmeStatusNames) {
		return bmeStatusNames[s]
	}
	return fmt.Sprintf("bme_status(%d)", int(s))
}

// Halted reports whether s is halt_cr or halt_oracle, the statuses in
// which MintACT rejects new mints.
func (s BMEStatus) Halted() bool { return s >= BMEHaltCR }

// BMETotals are the BME's cumulative flows, in base units, for reports
// (akash.md Model spec §F: V, R, A, net AKT burned or minted).
type BMETotals struct {
	// SeedAKT is the uakt seeded into the vault (not a remint credit).
	SeedAKT int64
	// AKTIn is the uakt taken into the vault by mints (Σq).
	AKTIn int64
	// AKTFromVault is the uakt paid out of the vault by redemptions.
	AKTFromVault int64
	// AKTMinted is the uakt newly minted for redemptions beyond the
	// remint credits (shortfall); it grows the AKT supply.
	AKTMinted int64
	// AKTSettleSpread is the uakt withheld from redeemers by
	// settle_spread_bps (never paid out nor minted).
	AKTSettleSpread int64
	// ACTMinted is the uact minted by mints, spread included.
	ACTMinted int64
	// ACTSpread is the part of ACTMinted kept by the vault.
	ACTSpread int64
	// ACTBurned is the uact burned by redemptions.
	ACTBurned int64
	// Mints and Burns count the mints and redemptions executed.
	Mints, Burns int64
}

// NetBurnedAKT is the AKT taken out of circulation by the BME so far, in
// uakt: AKT that entered the vault through mints minus AKT paid from the
// vault or minted by redemptions (Σq − Σout, akash.md Model spec §F). It
// is negative when redemptions minted more than mints locked up. The
// vault seed is excluded.
func (t BMETotals) NetBurnedAKT() int64 { return t.AKTIn - t.AKTFromVault - t.AKTMinted }

// BME is Akash's Burn-Mint Equilibrium (AEP-76, live since v2.0.0; see
// docs/model/akash.md §7 and Model spec §C, §D.14–16). It moves
// tokens only through the Ledger:
//
//   - MintACT takes AKT from a user into the vault account (held, not
//     burned), adds it to the remint credits R and mints ACT at the
//     oracle price (1 ACT = $1). The mint spread is ACT minted to the
//     vault account: on chain the full amount is minted to the bme module
//     and the spread stays there, so it is part of the ACT supply.
//   - BurnACT burns ACT and pays AKT at the oracle price, from the vault
//     up to R and by minting new AKT for the shortfall.
//   - The vault seed (Seed) counts toward CR but is never paid out.
//
// The vault is a Ledger account the caller opens (e.g. "bme-vault"); only
// the BME should move funds in or out of it. Prices are the oracle price
// in USD per AKT, rounded to 1e-12 USD; a price that is not in
// (0, BMEMaxPriceUSD], or a stale oracle (SetOracleOK(false)), is
// halt_oracle.
//
// Timing. MintACT and BurnACT execute immediately, at the price they are
// given. On chain, x/bme queues each request and runs it at the next epoch
// (burns every EpochBlocks blocks, mints every MintInterval blocks, at most
// 50 records a block, a request cancelled after 3 failed attempts; akash.md
// §7 "Queue and epochs"). This type does not model that queue, and the
// simulation kernel does not model the epoch delay: it calls MintACT when a
// tenant needs credits and BurnACT when a provider is paid in ACT, and both
// take effect at once. Status and MintInterval report the on-chain status
// and mint epoch; nothing waits for them, but MintACT refuses a mint at
// halt_cr and both refuse at halt_oracle.
//
// A BME is not safe for concurrent use.
type BME struct {
	p        BMEParams
	l        *Ledger
	vault    Account
	warnBps  int64
	haltBps  int64
	minMint  int64 // uact
	oracleOK bool
	seeded   bool

	remint int64 // R, uakt
	totals BMETotals
}

// NewBME returns a BME over ledger l with the given vault account. It
// panics if p is invalid or the vault is not an account of l: both are
// bugs in the caller, which validates parameters when it reads them.
func NewBME(p BMEParams, l *Ledger, vault Account) *BME {
	if err := p.Validate(); err != nil {
		panic("tokenomics: NewBME: " + err.Error())
	}
	if vault < 0 || int(vault) >= l.Accounts() {
		panic(fmt.Sprintf("tokenomics: NewBME: vault account %d not in the ledger", vault))
	}
	return &BME{
		p:        p,
		l:        l,
		vault:    vault,
		warnBps:  bmeRatioBps(p.WarnCR),
		haltBps:  bmeRatioBps(p.HaltCR),
		minMint:  Tokens(p.MinMintACT),
		oracleOK: true,
	}
}

// Params returns the parameters the BME was built with.
func (b *BME) Params() BMEParams { return b.p }

// VaultAccount returns the vault's ledger account.
func (b *BME) VaultAccount() Account { return b.vault }

// Seed moves the vault seed (VaultSeedAKT) from account from (the
// community pool) into the vault. The seed counts toward CR but is not a
// remint credit. It returns an error, moving nothing, if from lacks the
// seed or the vault was already seeded.
func (b *BME) Seed(from Account) error {
	if b.seeded {
		return fmt.Errorf("tokenomics: bme: vault already seeded with %d uakt", b.totals.SeedAKT)
	}
	if from == b.vault {
		return fmt.Errorf("%w: the vault cannot seed itself", ErrBMEAmount)
	}
	amt := Tokens(b.p.VaultSeedAKT)
	if have := b.l.Balance(from, AKT); have < amt {
		return fmt.Errorf("%w: seed of %d uakt from %s holding %d", ErrBMEFunds, amt, b.l.Name(from), have)
	}
	b.l.Transfer(from, b.vault, AKT, amt)
	b.totals.SeedAKT += amt
	b.seeded = true
	return nil
}

// Seeded reports whether Seed has moved the vault seed (once per BME,
// however small the seed, 0 included).
func (b *BME) Seeded() bool { return b.seeded }

// SetOracleOK sets whether the oracle price is fresh; while it is not,
// the status is halt_oracle (akash.md §C: staleness > 30 s).
func (b *BME) SetOracleOK(ok bool) { b.oracleOK = ok }

// OracleOK reports the flag set by SetOracleOK (true initially).
func (b *BME) OracleOK() bool { return b.oracleOK }

// Vault returns the vault's AKT balance in uakt (V, akash.md §C): the
// seed and the remint credits.
func (b *BME) Vault() int64 { return b.l.Balance(b.vault, AKT) }

// RemintCredits returns R in uakt: AKT taken in by mints and not yet paid
// out by redemptions.
func (b *BME) RemintCredits() int64 { return b.remint }

// Totals returns the cumulative flows.
func (b *BME) Totals() BMETotals { return b.totals }

// NetBurnedAKT returns the net AKT burned so far in uakt
// (BMETotals.NetBurnedAKT).
func (b *BME) NetBurnedAKT() int64 { return b.totals.NetBurnedAKT() }

// MintedAKT returns the uakt minted so far by redemptions beyond the
// remint credits.
func (b *BME) MintedAKT() int64 { return b.totals.AKTMinted }

// CollateralRatio is vault AKT · priceUSD / ACT supply (akash.md §7 "CR
// formula"), with priceUSD in USD per AKT; it is +Inf when no ACT exists.
// The ACT supply includes the spread held by the vault, as the chain's
// bank total supply does. Status compares the exact value truncated to
// basis points.
func (b *BME) CollateralRatio(priceUSD float64) float64 {
	a := b.l.Supply(ACT)
	if a == 0 {
		return math.Inf(1)
	}
	return float64(b.Vault()) * priceUSD / float64(a)
}

// CRBps returns the collateral ratio in basis points truncated toward
// zero, the value Status compares with the thresholds (warn_cr 0.95 is
// 9500); math.MaxInt64 when no ACT exists, -1 when the price is not a
// usable oracle price.
func (b *BME) CRBps(priceUSD float64) int64 {
	p, ok := bmePrice(priceUSD)
	if !ok {
		return -1
	}
	return b.crBps(p)
}

// Status is healthy while CR is above WarnCR, warning in (HaltCR, WarnCR],
// halt_cr at or below HaltCR, and halt_oracle when priceUSD (USD per AKT)
// is not in (0, BMEMaxPriceUSD] or the oracle is stale (SetOracleOK).
// As on chain, CR is truncated to whole basis points before the
// comparison, so CR = 0.95004 is warning (akash.md §7 "Status", §D.16).
func (b *BME) Status(priceUSD float64) BMEStatus {
	p, ok := bmePrice(priceUSD)
	if !ok || !b.oracleOK {
		return BMEHaltOracle
	}
	return b.statusAt(p)
}

func (b *BME) statusAt(p uint64) BMEStatus {
	cr := b.crBps(p)
	switch {
	case cr > b.warnBps:
		return BMEHealthy
	case cr > b.haltBps:
		return BMEWarning
	default:
		return BMEHaltCR
	}
}

// MintInterval is the mint epoch, in blocks, that x/bme would use at
// priceUSD (USD per AKT): EpochBlocks while healthy, else
// min(MaxEpochBlocks, floor(EpochBlocks·1.1^steps)) with steps =
// floor((WarnCR − CR)·1000), one step per 0.001 of CR (10 bps) below
// WarnCR (akash.md §D.16; x/bme calculateBlocksDiff, with CR in truncated
// basis points and exact arithmetic). While the oracle is halted CR is
// unknown and it returns EpochBlocks, the cadence at which x/bme tries
// again. It only reports the on-chain epoch: MintACT executes at once
// (see BME).
func (b *BME) MintInterval(priceUSD float64) int64 {
	p, ok := bmePrice(priceUSD)
	if !ok || !b.oracleOK {
		return b.p.EpochBlocks
	}
	return b.mintIntervalAt(p)
}

func (b *BME) mintIntervalAt(p uint64) int64 {
	cr := b.crBps(p)
	if cr >= b.warnBps {
		return b.p.EpochBlocks
	}
	return bmeBackoff(b.p.EpochBlocks, b.p.MaxEpochBlocks, (b.warnBps-cr)/bmeBackoffStepBps)
}

// checkAccounts rejects requests from or to the vault itself.
func (b *BME) checkAccounts(from, to Account) error {
	if from == b.vault || to == b.vault {
		return fmt.Errorf("%w: the vault cannot mint or redeem for itself", ErrBMEAmount)
	}
	return nil
}

// MintACT mints ACT against AKT (MsgMintACT, akash.md §D.14), executed
// immediately (see BME: there is no mint epoch). It takes aktIn uakt from
// account from into the vault, adds aktIn to the remint credits, and mints
// floor(aktIn·priceUSD) uact (priceUSD in USD per AKT, 1 ACT = $1): the
// spread, floor of MintSpreadBps of the exact amount, is minted to the
// vault account, where it stays (on chain the module keeps it), and
// actOut, the rest, to account to. It returns an error and moves nothing
// when the status is halt_cr (ErrBMEHaltCR) or halt_oracle
// (ErrBMEHaltOracle), the ACT minted before the spread is below MinMintACT
// (ErrBMEMinMint), from lacks aktIn (ErrBMEFunds), or the amount is
// invalid (ErrBMEAmount).
func (b *BME) MintACT(from, to Account, aktIn int64, priceUSD float64) (actOut int64, err error) {
	if err := b.checkAccounts(from, to); err != nil {
		return 0, err
	}
	p, ok := bmePrice(priceUSD)
	if !ok || !b.oracleOK {
		return 0, fmt.Errorf("%w: price %v USD/AKT, oracle fresh %v", ErrBMEHaltOracle, priceUSD, b.oracleOK)
	}
	if b.statusAt(p) == BMEHaltCR {
		return 0, fmt.Errorf("%w: CR %d bps <= %d bps", ErrBMEHaltCR, b.crBps(p), b.haltBps)
	}
	gross, spread, err := b.quoteMint(aktIn, p)
	if err != nil {
		return 0, err
	}
	if gross < b.minMint {
		return 0, fmt.Errorf("%w: %d uakt at %v USD/AKT mints %d uact < %d", ErrBMEMinMint, aktIn, priceUSD, gross, b.minMint)
	}
	if have := b.l.Balance(from, AKT); have < aktIn {
		return 0, fmt.Errorf("%w: mint of %d uakt from %s holding %d", ErrBMEFunds, aktIn, b.l.Name(from), have)
	}

	actOut = gross - spread
	b.l.Transfer(from, b.vault, AKT, aktIn)
	b.remint += aktIn
	b.l.Mint(to, ACT, actOut)
	b.l.Mint(b.vault, ACT, spread)
	b.totals.AKTIn += aktIn
	b.totals.ACTMinted += gross
	b.totals.ACTSpread += spread
	b.totals.Mints++
	return actOut, nil
}

// BurnACT redeems ACT for AKT (MsgBurnACT, akash.md §D.15), executed
// immediately (see BME: there is no burn epoch). It burns actIn uact held
// by account from and pays aktOut = floor(actIn/priceUSD) uakt (priceUSD
// in USD per AKT) less the settle spread to account to: fromVault out of
// the vault, up to the remint credits, and the shortfall minted as new AKT
// (the AKT supply grows). A settle spread is simply not paid (it stays in
// the vault or is never minted). It is allowed at halt_cr; it returns an
// error and moves nothing at halt_oracle (ErrBMEHaltOracle), when from
// lacks actIn (ErrBMEFunds), or when the amount is invalid or truncates to
// zero AKT (ErrBMEAmount).
func (b *BME) BurnACT(from, to Account, actIn int64, priceUSD float64) (aktOut, fromVault, minted int64, err error) {
	if err := b.checkAccounts(from, to); err != nil {
		return 0, 0, 0, err
	}
	p, ok := bmePrice(priceUSD)
	if !ok || !b.oracleOK {
		return 0, 0, 0, fmt.Errorf("%w: price %v USD/AKT, oracle fresh %v", ErrBMEHaltOracle, priceUSD, b.oracleOK)
	}
	aktOut, spread, err := b.quoteBurn(actIn, p)
	if err != nil {
		return 0, 0, 0, err
	}
	if have := b.l.Balance(from, ACT); have < actIn {
		return 0, 0, 0, fmt.Errorf("%w: burn of %d uact from %s holding %d", ErrBMEFunds, actIn, b.l.Name(from), have)
	}

	fromVault = min(aktOut, b.remint)
	if v := b.Vault(); fromVault > v {
		panic(fmt.Sprintf("tokenomics: bme: remint credits %d exceed the vault's %d uakt", b.remint, v))
	}
	minted = aktOut - fromVault
	b.l.Burn(from, ACT, actIn)
	b.l.Transfer(b.vault, to, AKT, fromVault)
	b.l.Mint(to, AKT, minted)
	b.remint -= fromVault
	b.totals.ACTBurned += actIn
	b.totals.AKTFromVault += fromVault
	b.totals.AKTMinted += minted
	b.totals.AKTSettleSpread += spread
	b.totals.Burns++
	return aktOut, fromVault, minted, nil
}

// Check verifies the BME's own invariants against the ledger: the remint
// credits are non-negative and equal to what the flows imply, and the
// vault holds at least the remint credits. It returns (true, "") when all
// hold, else false and the first violation.
func (b *BME) Check() (bool, string) {
	t := b.totals
	switch {
	case b.remint < 0:
		return false, fmt.Sprintf("bme: remint credits %d < 0", b.remint)
	case b.remint != t.AKTIn-t.AKTFromVault:
		return false, fmt.Sprintf("bme: remint credits %d != AKT in %d - paid from vault %d", b.remint, t.AKTIn, t.AKTFromVault)
	case b.Vault() < b.remint:
		return false, fmt.Sprintf("bme: vault %d uakt < remint credits %d", b.Vault(), b.remint)
	}
	return true, ""
}

// BuyACT makes sure account wallet holds amt uact for a deposit, as a
// tenant does in the burn-mint era (akash.md §7, §D.8): when it holds
// less, it buys AKT from holders for the missing ACT (at least
// MinMintACT, the mint spread included, rounded up) at priceUSD (USD per
// AKT) and mints ACT with it; credits left over stay in the wallet for
// its next deposits. When the BME refuses the mint (halt_cr, halt_oracle,
// below the minimum) nothing is bought. When holders hold fewer AKT than
// the purchase needs (the float is short, e.g. at a very low price, where
// some thousand USD of credits need more AKT than int64 counts) nothing is
// bought and short is true. It returns the uact available for the deposit
// (at most amt) and the USD the AKT bought cost at market (0 when nothing
// was bought); 0, 0 and false for amt <= 0.
func (b *BME) BuyACT(holders, wallet Account, amt int64, priceUSD float64) (act int64, boughtUSD float64, short bool) {
	if amt <= 0 {
		return 0, 0, false
	}
	have := b.l.Balance(wallet, ACT)
	if have >= amt {
		return amt, 0, false
	}
	want := max(amt-have, Tokens(b.p.MinMintACT))
	// AKT for want uact after the mint spread, rounded up
	x := math.Ceil(float64(want) / priceUSD / (1 - float64(b.p.MintSpreadBps)/10_000))
	if !(x > 0 && x < 0x1p63) || int64(x) > b.l.Balance(holders, AKT) { // also NaN
		return have, 0, true // beyond an int64 of uakt is more than any float
	}
	akt := int64(x)
	b.l.Transfer(holders, wallet, AKT, akt)
	if _, err := b.MintACT(wallet, wallet, akt, priceUSD); err != nil {
		b.l.Transfer(wallet, holders, AKT, akt) // not bought after all
	} else {
		boughtUSD = float64(akt) / BaseUnits * priceUSD
	}
	return min(amt, b.l.Balance(wallet, ACT)), boughtUSD, false
}
