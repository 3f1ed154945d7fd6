package sim

import (
	"math"

	"github.com/depinsim/depinsim/agents"
)

// bidCounts are one provider cohort's bids over the current sample
// interval: fixed counters, so that counting a bid allocates nothing.
// doSample copies them into the cohort's CohortSample and starts them
// again.
type bidCounts struct {
	placed, won             int64
	markupSum, wonMarkupSum float64 // sums of (price - cost) / cost
	markupN, wonMarkupN     int64   // the bids in those sums (cost > 0)
}

// bidTrace is told of every bid counted, for tests (export_test.go): the
// provider, the bid's price and its cost for the request in USD per hour,
// and whether it won.
type bidTrace func(pid int32, priceUSD, costUSD float64, won bool)

// countBid counts a bid of provider pid on request q priced usdHour (USD
// per hour) that met the order's clearing, and whether it won. The bids
// of an order are counted when it clears (clear, clearFromIndex), so that
// a bid and its win fall in the same sample interval; a bid withdrawn
// before (its provider left, it timed out, the window ended past the
// horizon) is not counted. Its markup over cost, (usdHour - cost) / cost
// with cost = q.Price(the provider's costs), is averaged only over
// requests of positive cost.
func (w *World) countBid(pid int32, q *agents.Request, usdHour float64, won bool) {
	cost, cohort := w.prov.cost(pid, q)
	c := &w.stats.bids[cohort]
	c.placed++
	if won {
		c.won++
	}
	if cost > 0 {
		m := (usdHour - cost) / cost
		c.markupSum += m
		c.markupN++
		if won {
			c.wonMarkupSum += m
			c.wonMarkupN++
		}
	}
	if w.stats.traceBid != nil {
		w.stats.traceBid(pid, usdHour, cost, won)
	}
}

// sampleBids writes each cohort's bids of the interval into the sample's
// cohorts and starts the next interval.
func (w *World) sampleBids(cs []CohortSample) {
	for ci := range cs {
		c := &w.stats.bids[ci]
		s := &cs[ci]
		s.Bids, s.BidsWon = float64(c.placed), float64(c.won)
		s.WinRate = ratio(s.BidsWon, s.Bids)
		s.BidMarkup = ratio(c.markupSum, float64(c.markupN))
		s.WonMarkup = ratio(c.wonMarkupSum, float64(c.wonMarkupN))
		*c = bidCounts{}
	}
}

// LearnerSummary is the state of a provider cohort's learning bid
// strategies (no-regret, adaptive-markup) at the end of a replication,
// over the cohort's providers in the market then.
type LearnerSummary struct {
	// Cohort is the provider cohort's name; Strategy its strategy's
	// registry name.
	Cohort, Strategy string
	// Providers is the number of the cohort's providers in the market
	// whose strategies are summarised (count). With none, the averages
	// below are absent (nil or 0).
	Providers int
	// ArmMarkups (no-regret) are the arms: the markups over cost
	// (fraction: a quote of cost x (1 + markup)), increasing.
	ArmMarkups []float64
	// ArmProbabilities (no-regret) are, per arm, the mean over the
	// providers of the probability of drawing it (fraction).
	ArmProbabilities []float64
	// ArmLeaderShares (no-regret) are, per arm, the share of the
	// providers whose most likely arm it is (fraction; a tie goes to the
	// lowest arm).
	ArmLeaderShares []float64
	// Outcomes (no-regret) is the number of bid outcomes the providers
	// have learnt from, summed (count).
	Outcomes int64
	// MarkupMean, MarkupMin and MarkupMax (adaptive-markup) are the mean,
	// smallest and largest current markup m over the providers: a
	// multiple of each provider's asks (a quote of m x the ask, never
	// below the cost floor).
	MarkupMean, MarkupMin, MarkupMax float64
}

// Learners returns a LearnerSummary per provider cohort whose strategy
// learns (agents.NoRegret, agents.AdaptiveMarkup), in the scenario's
// cohort order; nil when none does. Providers are taken in id order, so
// the figures do not depend on the order of the active list.
func (w *World) Learners() []LearnerSummary {
	var out []LearnerSummary
	var probs []float64
	for ci := range w.cfg.Providers {
		ls := LearnerSummary{Cohort: w.cfg.Providers[ci].Name}
		switch s := w.prov.cohorts[ci].newStrat().(type) {
		case *agents.NoRegret:
			ls.Strategy = s.Name()
			for _, a := range s.Arms() {
				ls.ArmMarkups = append(ls.ArmMarkups, a-1)
			}
		case *agents.AdaptiveMarkup:
			ls.Strategy = s.Name()
		default:
			continue
		}
		k := len(ls.ArmMarkups)
		sum, leaders := make([]float64, k), make([]float64, k)
		lo, hi, total := math.Inf(1), math.Inf(-1), 0.0
		for id := range w.prov.p {
			p := &w.prov.p[id]
			if !p.active || p.prof.Cohort != ci {
				continue
			}
			switch s := p.strat.(type) {
			case *agents.NoRegret:
				probs = s.Probabilities(probs)
				best := 0
				for a, v := range probs {
					sum[a] += v
					if v > probs[best] {
						best = a
					}
				}
				leaders[best]++
				ls.Outcomes += int64(s.Outcomes())
			case *agents.AdaptiveMarkup:
				m := s.Markup()
				total += m
				lo, hi = min(lo, m), max(hi, m)
			default:
				continue
			}
			ls.Providers++
		}
		if n := float64(ls.Providers); n > 0 {
			if k > 0 {
				ls.ArmProbabilities, ls.ArmLeaderShares = sum, leaders
				for a := range sum {
					sum[a] /= n
					leaders[a] /= n
				}
			} else {
				ls.MarkupMean, ls.MarkupMin, ls.MarkupMax = total/n, lo, hi
			}
		}
		out = append(out, ls)
	}
	return out
}
