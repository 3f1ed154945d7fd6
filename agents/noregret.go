package agents

import (
	"math"
	"math/rand/v2"
)

// NoRegretName is the registry name of the no-regret strategy.
const NoRegretName = "no-regret"

// OutcomeObserver is implemented by strategies that learn from what their
// won bids are paid, not only from whether they won. The kernel calls
// ObserveOutcome in place of Observe for such a strategy: under a
// second-price rule the price paid is above the bid, and a learner that
// saw only "won" could not learn what the rule pays.
type OutcomeObserver interface {
	// ObserveOutcome tells the strategy one bid's outcome: whether it won
	// and, when it won, the price paid and the request's cost at the
	// provider's costs, both in USD per hour (both 0 when it lost).
	ObserveOutcome(won bool, paidUSDHour, costUSDHour float64)
}

// Randomized is implemented by strategies that draw random numbers. The
// kernel gives each provider's strategy its own stream (derived from the
// run's named streams) before the provider's first quote.
type Randomized interface {
	// SetRand makes the strategy draw from r from now on.
	SetRand(r *rand.Rand)
}

// NoRegret is an EXP3 learner (Auer, Cesa-Bianchi, Freund and Schapire
// 2002, "The nonstochastic multiarmed bandit problem") over a grid of K
// markups over cost. Arm k quotes the request's cost (req.Price(p.Cost))
// times a_k, where a_0 = 1 + min_markup, a_(K-1) = markup_max and the a_k
// are geometric in between; so no quote is below cost x (1 +
// min_markup). A request of zero cost has nothing to mark up: it is quoted
// at the provider's asks and its outcome is not learnt from.
//
// The arm played is drawn from p_k = (1 - gamma) w_k / sum(w) + gamma / K
// (gamma: exploration, the floor of every arm's probability is gamma / K)
// and kept until the bid's outcome is observed, so every quote between two
// outcomes (a platform's filter, a call market's bundle ask and its check
// of each order) uses the same arm. After the outcome the played arm I
// gets the reward x = (paid - cost) / cost / (markup_max - 1), clamped to
// [0, 1] (its profit per unit-hour of cost, normalised so the dearest arm
// winning at its bid earns 1; 0 when it lost), its weight is multiplied by
// exp(eta x / p_I) (eta: learning rate; the importance-weighted estimate
// x / p_I keeps the estimate of every arm's reward unbiased though only
// the played arm's is seen), and a new arm is drawn.
//
// Regret: against rewards in [0, 1] chosen by any oblivious environment,
// with eta <= gamma / K, the expected reward over T outcomes is at least
// the best fixed arm's minus gamma T + ln(K) / eta + (e - 2) eta K T
// (Auer et al., Theorem 3.1, with eta and gamma separate); with eta =
// gamma / K and gamma = min(1, sqrt(K ln K / ((e - 1) T))) that is at most
// 2 sqrt(e - 1) sqrt(T K ln K), about 2.63 sqrt(T K ln K).
//
// Limits: it learns only from the outcomes the kernel reports (a bid the
// bid script drops above the tenant's max price is not an outcome); a
// provider's orders of different sizes share one markup grid; and in a
// call market a provider matched to several orders in one batch observes
// each match, the first for the arm it asked at and the others for the
// arms drawn after it.
type NoRegret struct {
	arms     []float64 // the markups over cost, increasing
	logw     []float64 // log weights
	prob     []float64 // the probabilities of the arms at the last draw
	eta      float64   // learning rate
	gamma    float64   // exploration
	scale    float64   // 1 / (markup_max - 1): the reward normalisation
	arm      int       // the arm played until the next outcome
	rng      *rand.Rand
	outcomes int // outcomes learnt from
}

// NewNoRegret returns a no-regret learner with k arms (>= 1) from 1 +
// minMarkup to markupMax (>= 1 + minMarkup), learning rate eta (> 0) and
// exploration gamma (in (0, 1]), drawing from rng (the kernel gives it the
// provider's own stream through SetRand). Without a stream (rng nil) it
// plays the most probable arm, the lowest on ties. It does not check its
// arguments; ProviderCohort.Validate does.
func NewNoRegret(k int, minMarkup, markupMax, eta, gamma float64, rng *rand.Rand) *NoRegret {
	n := &NoRegret{
		arms:  make([]float64, k),
		logw:  make([]float64, k),
		prob:  make([]float64, k),
		eta:   eta,
		gamma: gamma,
		rng:   rng,
	}
	lo := 1 + minMarkup
	for i := range n.arms {
		if k == 1 {
			n.arms[i] = lo
			continue
		}
		n.arms[i] = lo * math.Pow(markupMax/lo, float64(i)/float64(k-1))
	}
	if k > 1 {
		n.arms[k-1] = markupMax // exactly, whatever the rounding of Pow
	}
	if markupMax > 1 {
		n.scale = 1 / (markupMax - 1)
	}
	n.draw()
	return n
}

// Name returns "no-regret".
func (*NoRegret) Name() string { return NoRegretName }

// Arms returns the markups over cost of the arms (shared; do not modify).
func (n *NoRegret) Arms() []float64 { return n.arms }

// Arm returns the index of the arm played until the next outcome.
func (n *NoRegret) Arm() int { return n.arm }

// Outcomes returns how many outcomes the learner has learnt from.
func (n *NoRegret) Outcomes() int { return n.outcomes }

// Probabilities writes the arms' current probabilities into dst (grown as
// needed) and returns it.
func (n *NoRegret) Probabilities(dst []float64) []float64 {
	dst = append(dst[:0], make([]float64, len(n.arms))...)
	n.probabilities(dst)
	return dst
}

// SetRand makes the learner draw from r and draws the arm to play.
func (n *NoRegret) SetRand(r *rand.Rand) {
	n.rng = r
	n.draw()
}

// Quote returns the request's cost times the current arm's markup, or the
// request priced at the asks when its cost is 0.
func (n *NoRegret) Quote(p *Profile, req *Request, _ *MarketView) float64 {
	c := req.Price(p.Cost)
	if !(c > 0) {
		return req.Price(p.Ask)
	}
	return c * n.arms[n.arm]
}

// StaticAsks returns false: the quote moves with the arm played.
func (*NoRegret) StaticAsks() bool { return false }

// Observe learns from an outcome without the price: a loss is reward 0;
// a win is taken as paid at the bid (a first-price rule).
func (n *NoRegret) Observe(won bool) {
	if won {
		n.update(n.arms[n.arm] - 1)
		return
	}
	n.update(0)
}

// ObserveOutcome learns from one bid's outcome (see OutcomeObserver).
func (n *NoRegret) ObserveOutcome(won bool, paidUSDHour, costUSDHour float64) {
	switch {
	case !won:
		n.update(0)
	case costUSDHour > 0:
		n.update((paidUSDHour - costUSDHour) / costUSDHour)
	}
	// a win on a request of zero cost is not learnt from: there is no
	// markup over cost to reward
}

// update credits the played arm with profit margin m (a fraction over
// cost) and draws the next arm.
func (n *NoRegret) update(m float64) {
	x := math.Min(math.Max(m*n.scale, 0), 1)
	if x > 0 {
		n.logw[n.arm] += n.eta * x / n.prob[n.arm]
		// keep the largest log weight at 0: the probabilities are
		// unchanged and the weights never overflow
		top := math.Inf(-1)
		for _, l := range n.logw {
			top = math.Max(top, l)
		}
		for i := range n.logw {
			n.logw[i] -= top
		}
	}
	n.outcomes++
	n.draw()
}

// probabilities writes p_k = (1 - gamma) w_k / sum(w) + gamma / K into dst.
func (n *NoRegret) probabilities(dst []float64) {
	k := float64(len(n.arms))
	top := math.Inf(-1)
	for _, l := range n.logw {
		top = math.Max(top, l)
	}
	s := 0.0
	for i, l := range n.logw {
		dst[i] = math.Exp(l - top)
		s += dst[i]
	}
	for i := range dst {
		dst[i] = (1-n.gamma)*dst[i]/s + n.gamma/k
	}
}

// draw computes the probabilities and draws the arm to play.
func (n *NoRegret) draw() {
	n.probabilities(n.prob)
	if n.rng == nil {
		n.arm = 0
		for i, q := range n.prob {
			if q > n.prob[n.arm] {
				n.arm = i
			}
		}
		return
	}
	u := n.rng.Float64()
	n.arm = len(n.prob) - 1
	for i, q := range n.prob {
		if u < q {
			n.arm = i
			return
		}
		u -= q
	}
}
