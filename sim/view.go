package sim

import (
	"math"

	"github.com/depinsim/depinsim/agents"
)

// recentPrices is how many recent lease prices per resource the market
// view's medians are taken over.
const recentPrices = 64

// viewEvery is how often the market view is refreshed.
const viewEvery = Hour

// marketView is the market view that adaptive bid strategies read
// (agents.MarketView): the median price per unit-hour of the recent
// leases of each resource, refreshed every viewEvery. It is kept only
// when some strategy reads it.
type marketView struct {
	agents.MarketView
	on       bool
	recent   [][]float64 // recent lease prices per unit-hour (USD), by resource (ring)
	recentAt []int
	buf      []float64
}

// newMarketView returns the view of a world with nres resources, kept
// when on; the world schedules its refreshes.
func newMarketView(nres int, on bool) marketView {
	v := marketView{on: on, recent: make([][]float64, nres), recentAt: make([]int, nres)}
	v.MedianUnitUSD = make([]float64, nres)
	for r := range v.MedianUnitUSD {
		v.MedianUnitUSD[r] = math.NaN()
	}
	return v
}

// note records a started lease's price per unit-hour of its main
// resource.
func (v *marketView) note(q *agents.Request, usdHour float64) {
	if !v.on {
		return
	}
	r, units := class(q)
	if units <= 0 {
		return
	}
	p := usdHour / float64(units)
	if len(v.recent[r]) < recentPrices {
		v.recent[r] = append(v.recent[r], p)
		return
	}
	v.recent[r][v.recentAt[r]] = p
	v.recentAt[r] = (v.recentAt[r] + 1) % recentPrices
}

// refresh recomputes the medians.
func (v *marketView) refresh() {
	for r := range v.recent {
		v.MedianUnitUSD[r] = math.NaN()
		if len(v.recent[r]) > 0 {
			v.buf = append(v.buf[:0], v.recent[r]...)
			v.MedianUnitUSD[r] = median(v.buf)
		}
	}
}

// refreshView recomputes the market view and schedules the next refresh.
func (w *World) refreshView() {
	w.view.refresh()
	w.at(w.now+viewEvery, evView, 0, 0)
}
