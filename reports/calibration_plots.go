package reports

// The charts of a calibration (WriteCalibrationCharts): targets against
// the observed values, the objective by evaluation, the parameters within
// their bounds. The helpers they share with the sensitivity charts are in
// analysis_plots.go.

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// phaseLabel is a search phase's name in charts and tables.
func phaseLabel(phase string) string {
	if phase == "" {
		return "(no phase)"
	}
	return phase
}

// phases returns the phases of h in order of first appearance.
func phases(h []CalibrationStep) []string {
	var out []string
	for _, s := range h {
		if !slices.Contains(out, s.Phase) {
			out = append(out, s.Phase)
		}
	}
	return out
}

// targetScale returns the scale of a target's normalised error: its
// tolerance, else its Sigma; false when neither is a positive number.
func targetScale(t CalibrationTarget) (float64, bool) {
	if isFinite(t.Tolerance) && t.Tolerance > 0 {
		return t.Tolerance, true
	}
	if isFinite(t.Sigma) && t.Sigma > 0 {
		return t.Sigma, true
	}
	return 0, false
}

// norm returns (v - observed) / scale of target t (NaN without a scale).
func norm(t CalibrationTarget, v float64) float64 {
	s, ok := targetScale(t)
	if !ok {
		return math.NaN()
	}
	return (v - t.Observed) / s
}

// charts lists the calibration's charts: targets, objective history and
// parameters.
func (r *CalibrationReport) charts() []analysisChart {
	return []analysisChart{
		{File: "calibration_targets", Height: rowHeight(len(r.Targets)),
			Title:   "Targets: simulated against observed",
			Caption: "Each target's error (simulated - observed) divided by its tolerance: inside the shaded band [-1, 1] the target is met. Filled dots: the fitted parameters (mean over the check replications, fresh seeds), whiskers: its 95% confidence interval; hollow circles: the starting parameters.",
			Plot:    r.targetsPlot},
		{File: "calibration_objective", Height: plotHeight,
			Title:   "Objective by evaluation",
			Caption: "Each evaluation's objective (lower is better), its colour the search phase; the black line is the best so far. Log scale when every value is positive.",
			Plot:    r.objectivePlot},
		{File: "calibration_params", Height: rowHeight(len(r.Params)),
			Title:   "Parameters within their bounds",
			Caption: "Each parameter's position between its bounds (0: lower bound, 1: upper bound; on a log scale for a parameter searched on one). Hollow circle: start; filled dot: fitted value; whiskers: its profile interval.",
			Plot:    r.paramsPlot},
	}
}

// CalibrationPlotFiles returns the files WriteCalibrationCharts writes,
// relative to the folder: plots/calibration_targets, _objective and
// _params, each .png and .svg.
func CalibrationPlotFiles(r *CalibrationReport) []string { return chartFiles(r.charts()) }

// WriteCalibrationCharts writes the calibration's charts under dir/plots
// (CalibrationPlotFiles), each as PNG and SVG, atomically:
//
//   - calibration_targets: each target's (simulated - observed) /
//     tolerance at the fitted parameters with its 95% CI as whiskers and
//     at the start as a hollow circle, over the band [-1, 1] where a
//     target is met;
//   - calibration_objective: each evaluation's objective (log scale when
//     all are positive), coloured by search phase, and the best so far;
//   - calibration_params: each parameter's start and fitted value as a
//     position between its bounds (0 to 1), with its profile interval.
func WriteCalibrationCharts(dir string, r *CalibrationReport) error {
	return writeAnalysisCharts(dir, r.charts())
}

// hollow and filled are the glyphs of start and fitted values.
var (
	hollowGlyph = draw.GlyphStyle{Color: paletteColor(1), Radius: vg.Points(4), Shape: draw.RingGlyph{}}
	filledGlyph = draw.GlyphStyle{Color: paletteColor(0), Radius: vg.Points(3.5), Shape: draw.CircleGlyph{}}
	metColour   = withAlpha(paletteColor(2), 0x40)
	// posteriorGlyph and posteriorLine draw the approximate posterior.
	posteriorGlyph = draw.GlyphStyle{Color: paletteColor(3), Radius: vg.Points(3.5), Shape: draw.PyramidGlyph{}}
	posteriorLine  = draw.LineStyle{Color: paletteColor(3), Width: vg.Points(1)}
)

// scatterOf returns a scatter of the finite points of (xs, ys) in style,
// nil when there is none.
func scatterOf(xs, ys []float64, style draw.GlyphStyle) *plotter.Scatter {
	var xys plotter.XYs
	for i := range xs {
		if isFinite(xs[i]) && isFinite(ys[i]) {
			xys = append(xys, plotter.XY{X: xs[i], Y: ys[i]})
		}
	}
	if len(xys) == 0 {
		return nil
	}
	sc, _ := plotter.NewScatter(xys)
	sc.GlyphStyle = style
	return sc
}

func (r *CalibrationReport) targetsPlot() *plot.Plot {
	n := len(r.Targets)
	labels := make([]string, n)
	var fit, lo, hi, start, ys []float64
	for k, t := range r.Targets {
		y := float64(n - 1 - k)
		_, scaled := targetScale(t)
		switch {
		case !scaled:
			labels[k] = t.Name + " (no tolerance)"
		case !isFinite(t.Simulated):
			labels[k] = t.Name + " (no value)"
		case t.Met:
			labels[k] = t.Name + " (met)"
		default:
			labels[k] = t.Name + " (not met)"
		}
		fit, lo, hi = append(fit, norm(t, t.Simulated)), append(lo, norm(t, t.SimLo)), append(hi, norm(t, t.SimHi))
		start, ys = append(start, norm(t, t.Start)), append(ys, y)
	}
	p := rowsPlot("Calibration targets: (simulated - observed) / tolerance\nfilled: fitted, whiskers: 95% CI over the check seeds; hollow: start;\nshaded band [-1, 1]: target met",
		"error in tolerances ((simulated - observed) / tolerance)", labels)
	top := float64(max(n, 1)) - 0.4
	p.Add(band(plotter.XYs{{X: -1, Y: -0.6}, {X: 1, Y: -0.6}, {X: 1, Y: top}, {X: -1, Y: top}}, metColour))
	p.Legend.Add("met: within the tolerance", band(nil, metColour))
	if w := whiskers(fit, lo, hi, ys, draw.LineStyle{Color: paletteColor(0), Width: vg.Points(1)}); w != nil {
		p.Add(w)
	}
	if sc := scatterOf(start, ys, hollowGlyph); sc != nil {
		p.Add(sc)
	}
	if sc := scatterOf(fit, ys, filledGlyph); sc != nil {
		p.Add(sc)
	}
	p.Legend.Add("fitted (check seeds)", &plotter.Scatter{GlyphStyle: filledGlyph})
	p.Legend.Add("start", &plotter.Scatter{GlyphStyle: hollowGlyph})
	setXRange(p, -1.5, 1.5, fit, lo, hi, start)
	addZeroLine(p)
	return p
}

func (r *CalibrationReport) objectivePlot() *plot.Plot {
	p := plot.New()
	p.X.Label.Text = "objective evaluations"
	p.Y.Label.Text = "objective (lower is better)"
	p.Add(plotter.NewGrid())
	var vals []float64
	for _, s := range r.History {
		vals = append(vals, s.Objective, s.Best)
	}
	lo, hi := finiteRange(vals)
	logY := lo <= hi && lo > 0
	scale := "log scale"
	if logY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = logTicks{}
	} else {
		scale = "linear scale (not every value is positive)"
	}
	p.Title.Text = "Calibration objective by evaluation\ndots: each evaluation (colour: search phase); black line: best so far; " + scale
	if lo > hi {
		p.Title.Text = "Calibration objective by evaluation: no evaluation has a value"
	}
	var top []plot.Plotter
	for k, ph := range phases(r.History) {
		var xs, ys []float64
		for _, s := range r.History {
			if s.Phase == ph {
				xs, ys = append(xs, float64(s.Evaluation)), append(ys, s.Objective)
			}
		}
		g := draw.GlyphStyle{Color: paletteColor(k), Radius: vg.Points(2.5), Shape: draw.CircleGlyph{}}
		if sc := scatterOf(xs, ys, g); sc != nil {
			top = append(top, sc)
		}
		p.Legend.Add(phaseLabel(ph), &plotter.Scatter{GlyphStyle: g})
	}
	var best plotter.XYs
	for _, s := range r.History {
		if isFinite(s.Best) {
			best = append(best, plotter.XY{X: float64(s.Evaluation), Y: s.Best})
		}
	}
	if len(best) > 0 {
		l, _ := plotter.NewLine(best)
		l.LineStyle = draw.LineStyle{Color: color.Black, Width: vg.Points(1.5)}
		l.StepStyle = plotter.PostStep // the best holds until a better one
		top = append(top, l)
		p.Legend.Add("best so far", l)
	}
	p.Add(top...)
	switch {
	case lo > hi:
		p.Y.Min, p.Y.Max = 0, 1
	case lo == hi && logY:
		p.Y.Min, p.Y.Max = lo/2, lo*2
	case lo == hi:
		p.Y.Min, p.Y.Max = lo-1, lo+1
	}
	fixEmptyX(p)
	if p.X.Min == p.X.Max {
		p.X.Min, p.X.Max = p.X.Min-1, p.X.Max+1
	}
	return p
}

// position returns v's position within [min, max] of p: 0 at Min, 1 at
// Max, on a log scale for a Log parameter; NaN when it has none.
func (p CalibrationParam) position(v float64) float64 {
	lo, hi := p.Min, p.Max
	if p.Log {
		if !(v > 0 && lo > 0 && hi > 0) {
			return math.NaN()
		}
		v, lo, hi = math.Log(v), math.Log(lo), math.Log(hi)
	}
	if !(hi > lo) {
		return math.NaN()
	}
	return (v - lo) / (hi - lo)
}

func (r *CalibrationReport) paramsPlot() *plot.Plot {
	n := len(r.Params)
	labels := make([]string, n)
	var fit, lo, hi, start, ys []float64
	for k, pr := range r.Params {
		y := float64(n - 1 - k)
		l := fmt.Sprintf("%s [%s, %s]", pr.Key, fmtNum(pr.Min), fmtNum(pr.Max))
		if pr.Log {
			l += " log"
		}
		if pr.Fixed {
			l += " (fixed)"
		}
		labels[k] = l
		fit, lo, hi = append(fit, pr.position(pr.Fitted)), append(lo, pr.position(pr.Lo)), append(hi, pr.position(pr.Hi))
		start, ys = append(start, pr.position(pr.Start)), append(ys, y)
	}
	p := rowsPlot("Calibrated parameters within their bounds [lower, upper]\nfilled: fitted, whiskers: profile interval; hollow: start; log: on a log scale",
		"position within the bounds (0 = lower, 1 = upper)", labels)
	if w := whiskers(fit, lo, hi, ys, draw.LineStyle{Color: paletteColor(0), Width: vg.Points(1)}); w != nil {
		p.Add(w)
	}
	if sc := scatterOf(start, ys, hollowGlyph); sc != nil {
		p.Add(sc)
	}
	if sc := scatterOf(fit, ys, filledGlyph); sc != nil {
		p.Add(sc)
	}
	p.Legend.Add("fitted", &plotter.Scatter{GlyphStyle: filledGlyph})
	p.Legend.Add("start", &plotter.Scatter{GlyphStyle: hollowGlyph})
	p.Legend.Add("profile interval", &plotter.Line{LineStyle: draw.LineStyle{Color: paletteColor(0), Width: vg.Points(1)}})
	if r.ABCSamples > 0 {
		// the approximate posterior, a little below each row
		var med, plo, phi, py []float64
		for k, pr := range r.Params {
			med, plo, phi = append(med, pr.position(pr.PostMedian)), append(plo, pr.position(pr.PostLo)), append(phi, pr.position(pr.PostHi))
			py = append(py, ys[k]-0.25)
		}
		if w := whiskers(med, plo, phi, py, posteriorLine); w != nil {
			p.Add(w)
		}
		if sc := scatterOf(med, py, posteriorGlyph); sc != nil {
			p.Add(sc)
		}
		p.Legend.Add("posterior, 95% (ABC)", &plotter.Scatter{GlyphStyle: posteriorGlyph}, &plotter.Line{LineStyle: posteriorLine})
		p.Title.Text += ";\nbelow: approximate posterior median (triangle), 95% interval"
	}
	p.X.Min, p.X.Max = -0.05, 1.05
	for _, b := range []float64{0, 1} {
		l, _ := plotter.NewLine(plotter.XYs{{X: b, Y: p.Y.Min}, {X: b, Y: p.Y.Max}})
		l.LineStyle = zeroStyle
		p.Add(l)
	}
	return p
}

// logTicks labels a log axis at 1, 2 and 5 times the powers of ten
// (only the powers of ten when the range spans more than three of them),
// with unlabelled minor ticks at the other integers times a power of ten.
type logTicks struct{}

// Ticks returns the ticks between min and max (> 0).
func (logTicks) Ticks(min, max float64) []plot.Tick {
	if !(min > 0) || !(max > min) || math.IsInf(max, 0) {
		return nil
	}
	lo, hi := int(math.Floor(math.Log10(min))), int(math.Ceil(math.Log10(max)))
	few := hi-lo <= 3
	var ts []plot.Tick
	for e := lo; e <= hi; e++ {
		for m := 1; m <= 9; m++ {
			v := float64(m) * math.Pow(10, float64(e))
			if v < min*(1-1e-9) || v > max*(1+1e-9) {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || few && (m == 2 || m == 5) {
				t.Label = strconv.FormatFloat(v, 'g', -1, 64)
			}
			ts = append(ts, t)
		}
	}
	return ts
}
