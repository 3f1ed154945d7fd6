package html

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"
	"strings"
)

//go:embed assets/uPlot.iife.min.js
var uplotJS string

//go:embed assets/uPlot.min.css
var uplotCSS string

//go:embed report.js
var reportJS string

//go:embed report.css
var reportCSS string

// Report is a whole HTML report.
type Report struct {
	// Title is the page's title and top heading.
	Title string
	// Subtitle is a line under the heading (may be empty).
	Subtitle string
	// Sections are the report's sections, in order; the page opens with
	// a table of contents linking to each.
	Sections []Section
}

// Section is one section of a Report: a heading and its blocks.
type Section struct {
	// ID is the section's HTML id (the anchor of its link in the
	// table of contents); unique in the report.
	ID string
	// Title is its heading.
	Title string
	// Blocks are its contents, in order.
	Blocks []Block
}

// Block is one piece of a section: exactly one of its fields is set.
type Block struct {
	// Para is a paragraph of text.
	Para string
	// Warning is a paragraph shown as a warning.
	Warning string
	// List is a bulleted list.
	List []string
	// Table is a table.
	Table *Table
	// Chart is a time-series chart.
	Chart *Chart
}

// Table is a table with a header row.
type Table struct {
	// ID is the table's HTML id (may be empty).
	ID string
	// Caption says what the table holds (may be empty).
	Caption string
	// Header names the columns.
	Header []string
	// Rows are the table's rows, each with one cell per column.
	Rows [][]Cell
}

// Cell is one cell of a Table.
type Cell struct {
	// Text is the cell's text.
	Text string
	// Class is a CSS class: "num" (right-aligned figures), "warn",
	// "pass", "fail", "skip" or empty.
	Class string
}

// Chart is a time-series chart drawn by uPlot from inline JSON.
type Chart struct {
	// ID is the chart's HTML id, unique in the report.
	ID string
	// Title is the chart's heading.
	Title string
	// YLabel labels the y axis, with its unit ("GPU utilization
	// (fraction)").
	YLabel string
	// Caption describes the chart in words: its figcaption and the alt
	// text of its canvas.
	Caption string
	// X is the time axis: seconds since 1970-01-01 UTC, increasing.
	X []float64
	// Series are the chart's lines, each with one value per X (NaN: no
	// value).
	Series []Series
	// FallbackSVG is a static SVG drawing of the same data, shown when
	// JavaScript is off; it must come from a trusted renderer (it is
	// inlined as is). Empty for none.
	FallbackSVG string
	// Fallback is the text shown without JavaScript when there is no
	// FallbackSVG.
	Fallback string
}

// Series is one line of a Chart, with an optional band.
type Series struct {
	// Name is the series' name in the legend.
	Name string
	// Values holds one value per X of its chart; NaN leaves a gap.
	Values []float64
	// Lo and Hi, when not nil, are the band around the line (one value
	// per X each).
	Lo, Hi []float64
}

// Palette is the Okabe-Ito colour-blind-safe palette the charts use, in
// order; series beyond the third are also dashed (report.js), so that no
// information is in colour alone.
var Palette = []string{"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"}

// numbers is a series marshalled as a JSON array with 6 significant
// digits, NaN and infinities as null.
type numbers []float64

// MarshalJSON writes the numbers.
func (ns numbers) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 2+len(ns)*8)
	b = append(b, '[')
	for i, v := range ns {
		if i > 0 {
			b = append(b, ',')
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			b = append(b, "null"...)
			continue
		}
		b = strconv.AppendFloat(b, v, 'g', 6, 64)
	}
	return append(b, ']'), nil
}

type seriesJSON struct {
	Name   string  `json:"name"`
	Values numbers `json:"values"`
	Lo     numbers `json:"lo,omitempty"`
	Hi     numbers `json:"hi,omitempty"`
}

// xNumbers writes the time axis: whole seconds.
type xNumbers []float64

// MarshalJSON writes the times.
func (xs xNumbers) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 2+len(xs)*11)
	b = append(b, '[')
	for i, v := range xs {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendFloat(b, math.Round(v), 'f', -1, 64)
	}
	return append(b, ']'), nil
}

// Data returns the chart's inline JSON: what the page parses.
func (c *Chart) Data() ([]byte, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	d := struct {
		YLabel string       `json:"ylabel"`
		X      xNumbers     `json:"x"`
		Series []seriesJSON `json:"series"`
	}{YLabel: c.YLabel, X: c.X}
	for _, s := range c.Series {
		d.Series = append(d.Series, seriesJSON{Name: s.Name, Values: s.Values, Lo: s.Lo, Hi: s.Hi})
	}
	return json.Marshal(d)
}

// check checks that every series has one value per X.
func (c *Chart) check() error {
	for _, s := range c.Series {
		if len(s.Values) != len(c.X) {
			return fmt.Errorf("html: chart %s, series %q: %d values for %d times", c.ID, s.Name, len(s.Values), len(c.X))
		}
		if (s.Lo == nil) != (s.Hi == nil) || s.Lo != nil && (len(s.Lo) != len(c.X) || len(s.Hi) != len(c.X)) {
			return fmt.Errorf("html: chart %s, series %q: band of %d and %d values for %d times", c.ID, s.Name, len(s.Lo), len(s.Hi), len(c.X))
		}
	}
	return nil
}

// page is what the template renders.
type page struct {
	*Report
	UplotCSS, ReportCSS template.CSS
	UplotJS, ReportJS   template.JS
	Charts              map[string]template.JS   // chart ID -> its JSON
	SVGs                map[string]template.HTML // chart ID -> its fallback
}

// Render writes the report as one HTML page to w. It fails on a chart
// whose series do not match its time axis and on a section or chart ID
// used twice.
func (r *Report) Render(w io.Writer) error {
	p := page{Report: r, UplotCSS: template.CSS(uplotCSS), ReportCSS: template.CSS(reportCSS),
		UplotJS: template.JS(uplotJS), ReportJS: template.JS(reportJS),
		Charts: map[string]template.JS{}, SVGs: map[string]template.HTML{}}
	ids := map[string]bool{}
	for _, s := range r.Sections {
		if ids[s.ID] {
			return fmt.Errorf("html: id %q used twice", s.ID)
		}
		ids[s.ID] = true
		for _, b := range s.Blocks {
			c := b.Chart
			if c == nil {
				continue
			}
			if ids[c.ID] {
				return fmt.Errorf("html: id %q used twice", c.ID)
			}
			ids[c.ID] = true
			data, err := c.Data()
			if err != nil {
				return err
			}
			p.Charts[c.ID] = template.JS(data) // encoding/json escaped <, >, &, U+2028/2029
			if c.FallbackSVG != "" {
				p.SVGs[c.ID] = template.HTML(InlineSVG(c.FallbackSVG))
			}
		}
	}
	return pageTemplate.Execute(w, p)
}

// InlineSVG prepares an SVG file's text for inlining in HTML: without
// its XML declaration, comments before the <svg> element and namespace
// declarations (HTML gives the namespace).
func InlineSVG(svg string) string {
	if i := strings.Index(svg, "<svg"); i >= 0 {
		svg = svg[i:]
	}
	end := strings.IndexByte(svg, '>')
	if end < 0 {
		return svg
	}
	head := svg[:end]
	for _, attr := range []string{`xmlns="http://www.w3.org/2000/svg"`, `xmlns:xlink="http://www.w3.org/1999/xlink"`} {
		head = strings.Replace(head, attr, "", 1)
	}
	return head + svg[end:]
}

var pageTemplate = template.Must(template.New("report").Parse(pageHTML))
