package tokenomics

import (
	"fmt"
	"strings"

	"github.com/depinsim/depinsim/simtime"
	"math"
	"math/bits"
	"sort"
)

// Params configure the money layer.
type Params struct {
	// Token is the staking token's ticker, for labels ("AKT").
	Token string `toml:"token"`
	// TokenPriceUSD is the token's price in USD (constant for now).
	// akash-2024: about $5 (docs/model/calibration-akash-2024q1.md).
	TokenPriceUSD float64 `toml:"token_price_usd"`
	// BlockSeconds is the block time in seconds, used to convert hourly
	// prices to per-block rates; 6.1 s per docs/model/akash.md
	// "Model spec" §A (sources vary between 6.0 and 6.5).
	BlockSeconds float64 `toml:"block_seconds"`
	// TakeRate is the fraction of each provider withdrawal sent to the
	// community pool, by denomination ("akt", "usdc"). On chain in 2024:
	// akt 0.02, usdc 0.20; the March-2024 report used akt 0.04
	// (docs/model/akash.md §3).
	TakeRate map[string]float64 `toml:"take_rate"`
	// DeploymentMinDeposit is the smallest escrow deposit, in whole tokens
	// of the deployment's denomination (0.5, akash.md §1).
	DeploymentMinDeposit float64 `toml:"deployment_min_deposit"`
	// BidMinDeposit is the deposit a provider locks per bid, in whole AKT
	// (0.5, akash.md §1).
	BidMinDeposit float64 `toml:"bid_min_deposit"`
	// CirculatingSupplyAKT is the AKT held outside the simulated agents at
	// the start, in whole AKT (230,816,799 in March 2024).
	CirculatingSupplyAKT float64 `toml:"circulating_supply_akt"`
	// CommunityPoolAKT is the community pool's AKT at the start (part of
	// the supply above).
	CommunityPoolAKT float64 `toml:"community_pool_akt"`
	// TreasuryAKT is the treasury's AKT at the start (part of the supply
	// above): it funds incentive programs with funding = "treasury" and
	// airdrop seasons.
	TreasuryAKT float64 `toml:"treasury_akt"`
	// Settlement is how leases are paid: "take" (the take-rate era: AKT or
	// USDC, a take rate at withdrawal), "bme" (the burn-mint era: ACT
	// credits minted by burning AKT into the BME vault, providers redeem
	// ACT for AKT; akash.md §7) or "burn-mint" (Render's BME: the payment
	// less the take is burned, and providers are paid by the emission
	// schedule instead; competitors.md §2.3). Governance can switch
	// between "take" and "bme" during a run.
	Settlement string `toml:"settlement"`
	// FeeBurnShare is the fraction of take fees bought back and burned
	// each withdrawal, in [0, 1] (0 by default; io.net burns from revenue
	// at an unpublished share, competitors.md §1.3 [U]; Gensyn's
	// BuybackVault burns 70% of the 99% left after the executor's 1%,
	// §3.3).
	FeeBurnShare float64 `toml:"fee_burn_share"`
	// Epoch is the interval of the tokenomics epoch (mint, emissions,
	// subsidies, staking, price), from the start.
	Epoch simtime.Duration `toml:"epoch"`
	// Inflation is the Cosmos x/mint module ([tokenomics.inflation]).
	Inflation MintParams `toml:"inflation"`
	// Staking is the holders' bonding behaviour ([tokenomics.staking]).
	Staking StakingParams `toml:"staking"`
	// Emission is an emission schedule paying providers
	// ([tokenomics.emission]; pro rata to listed GPUs).
	Emission EmissionParams `toml:"emission"`
	// BME is the burn-mint equilibrium ([tokenomics.bme]), used when
	// Settlement is "bme".
	BME BMEParams `toml:"bme"`
	// Price is the token price process ([tokenomics.price]); it starts at
	// TokenPriceUSD.
	Price PriceParams `toml:"price"`
	// Incentives are provider incentive programs ([[tokenomics.incentives]]).
	Incentives []IncentiveProgram `toml:"incentives"`
	// Seasons are airdrop points seasons ([[tokenomics.seasons]]).
	Seasons []Season `toml:"seasons"`
	// Governance is the schedule of parameter changes
	// ([[tokenomics.governance]]); keys: GovernanceKeys (the table of
	// governable keys, Governable).
	Governance []GovernanceChange `toml:"governance"`
}

// Settlement eras.
const (
	SettlementTake     = "take"
	SettlementBME      = "bme"
	SettlementBurnMint = "burn-mint"
)

// DefaultParams returns the take-era defaults (on-chain take rates).
func DefaultParams() Params {
	return Params{
		Token:                "AKT",
		TokenPriceUSD:        5.0,
		BlockSeconds:         6.1,
		TakeRate:             map[string]float64{"akt": 0.02, "usdc": 0.20},
		DeploymentMinDeposit: 0.5,
		BidMinDeposit:        0.5,
		CirculatingSupplyAKT: 230_816_799,
		CommunityPoolAKT:     0,
		Settlement:           SettlementTake,
		Epoch:                simtime.Duration(simtime.Hour),
		Inflation:            DefaultMintParams(),
		Staking:              DefaultStakingParams(),
		Emission:             DefaultEmissionParams(),
		BME:                  DefaultBMEParams(),
		Price:                DefaultPriceParams(),
	}
}

// Validate checks ranges; errors name the key under [tokenomics].
func (p *Params) Validate() error {
	bad := func(key string, v any, allowed string) error {
		return fmt.Errorf("tokenomics.%s: must be %s, got %v", key, allowed, v)
	}
	if !(p.TokenPriceUSD > 0) || math.IsInf(p.TokenPriceUSD, 0) {
		return bad("token_price_usd", p.TokenPriceUSD, "> 0")
	}
	if !(p.BlockSeconds >= 0.1 && p.BlockSeconds <= 600) {
		return bad("block_seconds", p.BlockSeconds, "in [0.1, 600]")
	}
	keys := make([]string, 0, len(p.TakeRate))
	for k := range p.TakeRate {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if _, err := ParseDenom(k); err != nil {
			return fmt.Errorf("tokenomics.take_rate.%s: %v", k, err)
		}
		if v := p.TakeRate[k]; !(v >= 0 && v <= 1) {
			return bad("take_rate."+k, v, "a fraction in [0, 1]")
		}
	}
	// a deposit is minted (USDC bridged in) or bought at every deployment
	// and bid: a million tokens each keeps the ledger's int64 base units
	// (9.2e12 tokens) out of reach of any run the event cap allows
	for _, c := range []struct {
		key string
		v   float64
	}{{"deployment_min_deposit", p.DeploymentMinDeposit}, {"bid_min_deposit", p.BidMinDeposit}} {
		if !(c.v >= 0 && c.v <= 1e6) {
			return bad(c.key, c.v, "in [0, 1e6] tokens")
		}
	}
	for _, c := range []struct {
		key string
		v   float64
	}{{"circulating_supply_akt", p.CirculatingSupplyAKT}, {"community_pool_akt", p.CommunityPoolAKT}, {"treasury_akt", p.TreasuryAKT}} {
		if !(c.v >= 0 && c.v < 1e12) {
			return bad(c.key, c.v, "in [0, 1e12)")
		}
	}
	if p.CommunityPoolAKT+p.TreasuryAKT > p.CirculatingSupplyAKT {
		return bad("community_pool_akt", p.CommunityPoolAKT, fmt.Sprintf("at most circulating_supply_akt - treasury_akt (%v)", p.CirculatingSupplyAKT-p.TreasuryAKT))
	}
	if p.Settlement != SettlementTake && p.Settlement != SettlementBME && p.Settlement != SettlementBurnMint {
		return bad("settlement", fmt.Sprintf("%q", p.Settlement), `"take", "bme" or "burn-mint"`)
	}
	if !(p.FeeBurnShare >= 0 && p.FeeBurnShare <= 1) {
		return bad("fee_burn_share", p.FeeBurnShare, "a fraction in [0, 1]")
	}
	if p.Epoch.T() < simtime.Minute || p.Epoch.T() > 30*simtime.Day {
		return bad("epoch", p.Epoch.T(), "in [1m, 30d]")
	}
	for _, v := range []interface{ Validate() error }{&p.Inflation, &p.Staking, &p.Emission, &p.BME, &p.Price} {
		if err := v.Validate(); err != nil {
			return err
		}
	}
	for i := range p.Incentives {
		if err := p.Incentives[i].Validate(); err != nil {
			return prefixed(fmt.Sprintf("tokenomics.incentives[%d]", i), err)
		}
	}
	for i := range p.Seasons {
		if err := p.Seasons[i].Validate(); err != nil {
			return prefixed(fmt.Sprintf("tokenomics.seasons[%d]", i), err)
		}
	}
	return ValidateSchedule(p.Governance, GovernanceKeys)
}

// prefixed puts key in front of an error that does not already name a
// key path under it.
func prefixed(key string, err error) error {
	msg := err.Error()
	if strings.HasPrefix(msg, key) || strings.HasPrefix(msg, "tokenomics.") {
		return err
	}
	return fmt.Errorf("%s.%s", key, msg)
}

// TakeBasisPoints returns the take rate of d in basis points (1/10,000),
// the integer form the fee arithmetic uses.
func (p *Params) TakeBasisPoints(d Denom) int64 {
	return BasisPoints(p.TakeRate[d.String()])
}

// Tokens converts whole tokens to base units, rounding to nearest.
func Tokens(x float64) int64 { return int64(math.Round(x * BaseUnits)) }

// Whole converts base units to whole tokens.
func Whole(x int64) float64 { return float64(x) / BaseUnits }

// Take splits a withdrawal of amount base units into the fee
// floor(amount*bps/10000) and the provider's earnings amount - fee, as
// Akash's x/take SubtractFees does with integer percent rates
// (docs/model/akash.md §3).
func Take(amount, bps int64) (fee, earnings int64) {
	if amount < 0 || bps < 0 || bps > 10_000 {
		panic(fmt.Sprintf("tokenomics: Take(%d, %d) out of range", amount, bps))
	}
	// amount·bps < 2^63·10^4 needs 128 bits; its quotient by 10^4 is at
	// most amount, so hi < 10^4 and Div64 cannot overflow.
	hi, lo := bits.Mul64(uint64(amount), uint64(bps))
	q, _ := bits.Div64(hi, lo, 10_000)
	fee = int64(q)
	return fee, amount - fee
}
