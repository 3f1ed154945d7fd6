package tokenomics

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Range is an interval of allowed numbers.
type Range struct {
	// Lo and Hi are the bounds; LoOpen and HiOpen exclude them.
	Lo, Hi         float64
	LoOpen, HiOpen bool
}

// Contains reports whether v lies in r.
func (r Range) Contains(v float64) bool {
	return (v > r.Lo || !r.LoOpen && v == r.Lo) && (v < r.Hi || !r.HiOpen && v == r.Hi)
}

// String formats r as "[lo, hi]", "(lo, hi]" etc.
func (r Range) String() string {
	l, h := "[", "]"
	if r.LoOpen {
		l = "("
	}
	if r.HiOpen {
		h = ")"
	}
	return fmt.Sprintf("%s%v, %v%s", l, r.Lo, r.Hi, h)
}

// Governed is the state governance changes act on: the token layer's
// parameters a [[tokenomics.governance]] change may set during a run.
type Governed struct {
	// Mint holds the x/mint parameters (inflation band, rate change, goal
	// bonded ratio, community tax, commission).
	Mint *MintParams
	// Staking is the holders' bonding rule (outside yield, speed).
	Staking *Staking
	// TakeBPS is the take rate by denomination, in basis points.
	TakeBPS *[NumDenoms]int64
	// Settlement is the settlement era of new deployments.
	Settlement *string
}

// Catchup says what the kernel must bring up to the time of a change
// under the old parameters before it applies it.
type Catchup uint8

// The catch-ups.
const (
	// CatchupNone: nothing depends on time.
	CatchupNone Catchup = iota
	// CatchupMint: mint the blocks since the last epoch under the old
	// inflation parameters first.
	CatchupMint
	// CatchupStake: mint, then run the staking rule to the change's time
	// under the old staking parameters first (the rule reads the APR).
	CatchupStake
)

// GovernableKey is one key a governance change may set: its scenario key
// path, the values it takes, what the kernel catches up before the change,
// and the typed setter that applies it. The same table validates scenario
// files and applies changes in a run.
type GovernableKey struct {
	// Key is the scenario key path ("tokenomics.inflation.min").
	Key string
	// Range is what a numeric key accepts: the range of the same key in
	// its table.
	Range Range
	// Values lists what a text key accepts (nil for a numeric key).
	Values []string
	// Catchup is what the kernel brings up to date first.
	Catchup Catchup
	// Era tells that the key switches the settlement era of new
	// deployments: a switch to "bme" starts the burn-mint equilibrium
	// (its vault is seeded once).
	Era bool
	// set applies the value (a float64, or a string for a text key).
	set func(g *Governed, f float64, s string) error
}

// governable is the table of governable keys, sorted by key.
var governable = []GovernableKey{
	{Key: "tokenomics.inflation.commission", Range: Range{Lo: 0, Hi: 1}, Catchup: CatchupMint,
		set: func(g *Governed, f float64, _ string) error { g.Mint.Commission = f; return nil }},
	{Key: "tokenomics.inflation.community_tax", Range: Range{Lo: 0, Hi: 1}, Catchup: CatchupMint,
		set: func(g *Governed, f float64, _ string) error { g.Mint.CommunityTax = f; return nil }},
	{Key: "tokenomics.inflation.goal_bonded", Range: Range{Lo: 0, Hi: 1, LoOpen: true}, Catchup: CatchupMint,
		set: func(g *Governed, f float64, _ string) error { g.Mint.GoalBonded = f; return nil }},
	{Key: "tokenomics.inflation.max", Range: Range{Lo: 0, Hi: 1}, Catchup: CatchupMint,
		set: func(g *Governed, f float64, _ string) error { g.Mint.InflationMax = f; return nil }},
	{Key: "tokenomics.inflation.min", Range: Range{Lo: 0, Hi: 1}, Catchup: CatchupMint,
		set: func(g *Governed, f float64, _ string) error { g.Mint.InflationMin = f; return nil }},
	{Key: "tokenomics.inflation.rate_change", Range: Range{Lo: 0, Hi: 100}, Catchup: CatchupMint,
		set: func(g *Governed, f float64, _ string) error { g.Mint.RateChange = f; return nil }},
	{Key: "tokenomics.settlement", Values: []string{SettlementTake, SettlementBME}, Era: true,
		set: func(g *Governed, _ float64, s string) error { *g.Settlement = s; return nil }},
	{Key: "tokenomics.staking.outside_yield", Range: Range{Lo: -1, Hi: 10, LoOpen: true}, Catchup: CatchupStake,
		set: func(g *Governed, f float64, _ string) error { return g.Staking.Set("outside_yield", f) }},
	{Key: "tokenomics.staking.speed", Range: Range{Lo: 0, Hi: 100}, Catchup: CatchupStake,
		set: func(g *Governed, f float64, _ string) error { return g.Staking.Set("speed", f) }},
	{Key: "tokenomics.take_rate.act", Range: Range{Lo: 0, Hi: 1}, set: setTake(ACT)},
	{Key: "tokenomics.take_rate.akt", Range: Range{Lo: 0, Hi: 1}, set: setTake(AKT)},
	{Key: "tokenomics.take_rate.usdc", Range: Range{Lo: 0, Hi: 1}, set: setTake(USDC)},
}

func setTake(d Denom) func(g *Governed, f float64, _ string) error {
	return func(g *Governed, f float64, _ string) error { g.TakeBPS[d] = BasisPoints(f); return nil }
}

// BasisPoints converts a fraction to whole basis points (1/10,000),
// rounding to nearest: the integer form of take rates.
func BasisPoints(f float64) int64 { return int64(math.Round(f * 10_000)) }

// GovernanceKeys lists the keys a governance change may set, sorted.
var GovernanceKeys = func() []string {
	keys := make([]string, len(governable))
	for i, k := range governable {
		keys[i] = k.Key
	}
	if !slices.IsSorted(keys) {
		panic("tokenomics: the governable keys are not sorted")
	}
	return keys
}()

// Governable returns the governable key called key.
func Governable(key string) (GovernableKey, bool) {
	i, ok := slices.BinarySearchFunc(governable, key, func(k GovernableKey, key string) int { return strings.Compare(k.Key, key) })
	if !ok {
		return GovernableKey{}, false
	}
	return governable[i], true
}

// Allowed describes the values k accepts ("in [0, 1]", `"take" or "bme"`).
func (k GovernableKey) Allowed() string {
	if k.Values == nil {
		return "a number in " + k.Range.String()
	}
	q := make([]string, len(k.Values))
	for i, v := range k.Values {
		q[i] = strconv.Quote(v)
	}
	return strings.Join(q, " or ")
}

// Value checks a value as decoded from TOML (a float64 or an int64 for a
// numeric key, a string for a text key) and returns it typed. The error
// says what the key accepts.
func (k GovernableKey) Value(v any) (f float64, s string, err error) {
	if k.Values != nil {
		s, ok := v.(string)
		if !ok || !slices.Contains(k.Values, s) {
			return 0, "", fmt.Errorf("%s must be %s, got %s", k.Key, k.Allowed(), describeValue(v))
		}
		return 0, s, nil
	}
	switch x := v.(type) {
	case int64:
		f = float64(x)
	case int:
		f = float64(x)
	case float64:
		f = x
	default:
		return 0, "", fmt.Errorf("%s must be %s, got %s", k.Key, k.Allowed(), describeValue(v))
	}
	if !k.Range.Contains(f) {
		return 0, "", fmt.Errorf("%s must be in %v, got %v", k.Key, k.Range, f)
	}
	return f, "", nil
}

// Apply sets the value v (checked by Value) in g.
func (k GovernableKey) Apply(g *Governed, v any) error {
	f, s, err := k.Value(v)
	if err != nil {
		return err
	}
	return k.set(g, f, s)
}

// describeValue formats a decoded TOML value for an error message.
func describeValue(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprintf("%v", v)
}
