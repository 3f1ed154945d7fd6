package html

import (
	"bytes"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"
	"strings"
)

//go:embed assets/uPlot.iife.min.js
var uplotSource string

//go:embed assets/LICENSE
var uplotLicence string

// uplotJS is the chart library as every page carries it: its licence (the
// MIT licence asks that every copy carry it) in place of the source's
// one-line banner, which holds the project's web address (a page holds
// no URL).
var uplotJS = libraryWithLicence(uplotSource, "uPlot 1.6.32", uplotLicence)

// libraryWithLicence returns src without its first line when that is a
// "/*! ... */" banner, preceded by a comment holding name and licence.
func libraryWithLicence(src, name, licence string) string {
	if first, rest, ok := strings.Cut(src, "\n"); ok && strings.HasPrefix(first, "/*!") && strings.HasSuffix(first, "*/") {
		src = rest
	}
	licence = strings.ReplaceAll(licence, "*/", "* /")
	return "/*! " + name + "\n\n" + strings.TrimSpace(licence) + "\n*/\n" + src
}

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
	// Chart is a time-series chart (or, with XLabel, a chart against a
	// number).
	Chart *Chart
	// Links is a bulleted list of links to files next to the report
	// (relative paths only: Render rejects any other).
	Links []Link
	// Figure is a static chart drawn as an image (bars, dots with
	// labels: what the interactive charts do not draw).
	Figure *Figure
}

// Figure is a static chart: a PNG image inlined in the page as a data:
// URL (the page's only kind of image; an inline SVG would draw its text
// in the browser's fonts, whose widths differ from the renderer's), with
// a heading and a caption.
type Figure struct {
	// ID is the figure's HTML id, unique in the report.
	ID string
	// Title is the figure's heading.
	Title string
	// Caption describes the figure in words: its figcaption and the
	// image's alt text.
	Caption string
	// PNG is the image, a PNG file's bytes; Width its width in CSS
	// pixels (the image is shown at most that wide).
	PNG   []byte
	Width int
}

// Link is a link to a file next to the report.
type Link struct {
	// Text is the link's text.
	Text string
	// Href is the file's path relative to the report ("a/report.html");
	// a URL with a scheme, a host or an absolute path is an error.
	Href string
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
	// Background and Foreground are the cell's background and text
	// colours, "#rrggbb" or empty (a heatmap's cells); Render rejects
	// any other value.
	Background, Foreground string
}

// Chart is a time-series chart drawn by uPlot from inline JSON; with
// XLabel, a chart against a number (a sweep's response curve).
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
	// X is the time axis: seconds since 1970-01-01 UTC, increasing. With
	// XLabel, X holds the numbers of the x axis, increasing.
	X []float64
	// XLabel, when not empty, makes the x axis a number axis with this
	// label (with its unit) instead of dates.
	XLabel string
	// XLog asks for a logarithmic x axis (with XLabel; X > 0).
	XLog bool
	// YLog asks for a logarithmic y axis (every value > 0 or NaN).
	YLog bool
	// SpanGaps joins a line across its missing values (NaN) instead of
	// breaking it: for series on different sample times merged onto
	// one axis.
	SpanGaps bool
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
	// Style, when not 0, is the series' colour and dash pattern: Palette
	// entry Style-1 (and its dashes); 0 takes the series' position in
	// its chart. A report gives a thing (a compared scenario) the same
	// Style in every chart.
	Style int
	// Dots draws the values as dots, not joined by a line (points
	// that are not a curve, e.g. a sampled design's).
	Dots bool
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
	return ns.appendJSON(make([]byte, 0, 2+len(ns)*8)), nil
}

// appendJSON appends the numbers' JSON array to b. A value equal to the
// one before (a series that stays flat) takes a copy of its text.
func (ns numbers) appendJSON(b []byte) []byte {
	b = append(b, '[')
	var prev uint64
	prevStart, prevEnd := 0, 0
	for i, v := range ns {
		if i > 0 {
			b = append(b, ',')
		}
		bits := math.Float64bits(v)
		if prevEnd > 0 && bits == prev {
			b = append(b, b[prevStart:prevEnd]...)
			continue
		}
		start := len(b)
		if math.IsNaN(v) || math.IsInf(v, 0) {
			b = append(b, "null"...)
		} else {
			b = strconv.AppendFloat(b, v, 'g', 6, 64)
		}
		prev, prevStart, prevEnd = bits, start, len(b)
	}
	return append(b, ']')
}

type seriesJSON struct {
	Name   string  `json:"name"`
	Values numbers `json:"values"`
	Lo     numbers `json:"lo,omitempty"`
	Hi     numbers `json:"hi,omitempty"`
	Style  int     `json:"style,omitempty"`
	Dots   bool    `json:"dots,omitempty"`
}

// xNumbers writes the time axis: whole seconds.
type xNumbers []float64

// MarshalJSON writes the times.
func (xs xNumbers) MarshalJSON() ([]byte, error) {
	return xs.appendJSON(make([]byte, 0, 2+len(xs)*11)), nil
}

// appendJSON appends the times' JSON array to b.
func (xs xNumbers) appendJSON(b []byte) []byte {
	b = append(b, '[')
	for i, v := range xs {
		if i > 0 {
			b = append(b, ',')
		}
		r := math.Round(v)
		if r > -1e15 && r < 1e15 && (r != 0 || !math.Signbit(r)) {
			b = strconv.AppendInt(b, int64(r), 10) // what 'f' writes for a whole number
			continue
		}
		b = strconv.AppendFloat(b, r, 'f', -1, 64)
	}
	return append(b, ']')
}

// Data returns the chart's inline JSON: what the page parses. It is what
// json.Marshal writes for an object of the chart's fields (ylabel,
// xlabel, xlog, ylog and span omitted when empty, x as numbers or
// xNumbers, series as seriesJSON), written straight: json.Marshal would
// parse and copy again the arrays of numbers, most of the chart's bytes.
func (c *Chart) Data() ([]byte, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	size := 64 + 11*len(c.X)
	for _, s := range c.Series {
		size += 64 + 8*(len(s.Values)+len(s.Lo)+len(s.Hi))
	}
	b := make([]byte, 0, size)
	b = append(b, `{"ylabel":`...)
	b = appendJSONString(b, c.YLabel)
	if c.XLabel != "" {
		b = append(b, `,"xlabel":`...)
		b = appendJSONString(b, c.XLabel)
	}
	if c.XLog {
		b = append(b, `,"xlog":true`...)
	}
	if c.YLog {
		b = append(b, `,"ylog":true`...)
	}
	if c.SpanGaps {
		b = append(b, `,"span":true`...)
	}
	b = append(b, `,"x":`...)
	if c.XLabel != "" {
		b = numbers(c.X).appendJSON(b)
	} else {
		for _, v := range c.X {
			if math.IsNaN(v) || math.IsInf(v, 0) { // not JSON, as json.Marshal found
				return nil, fmt.Errorf("html: chart %s: time %v is not a number", c.ID, v)
			}
		}
		b = xNumbers(c.X).appendJSON(b)
	}
	b = append(b, `,"series":`...)
	if len(c.Series) == 0 {
		b = append(b, "null"...) // json.Marshal's nil slice
	} else {
		b = append(b, '[')
		for i, s := range c.Series {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"name":`...)
			b = appendJSONString(b, s.Name)
			b = append(b, `,"values":`...)
			b = numbers(s.Values).appendJSON(b)
			if len(s.Lo) > 0 {
				b = append(b, `,"lo":`...)
				b = numbers(s.Lo).appendJSON(b)
			}
			if len(s.Hi) > 0 {
				b = append(b, `,"hi":`...)
				b = numbers(s.Hi).appendJSON(b)
			}
			if s.Style != 0 {
				b = append(b, `,"style":`...)
				b = strconv.AppendInt(b, int64(s.Style), 10)
			}
			if s.Dots {
				b = append(b, `,"dots":true`...)
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, '}'), nil
}

// appendJSONString appends s as json.Marshal writes it (HTML characters
// escaped).
func appendJSONString(b []byte, s string) []byte {
	q, err := json.Marshal(s)
	if err != nil { // a string always marshals
		panic("html: " + err.Error())
	}
	return append(b, q...)
}

// check checks that every series has one value per X and a Style in
// the palette.
func (c *Chart) check() error {
	for _, s := range c.Series {
		if s.Style < 0 || s.Style > len(Palette) {
			return fmt.Errorf("html: chart %s, series %q: style %d not in [0, %d]", c.ID, s.Name, s.Style, len(Palette))
		}
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
	Figures             map[string]template.URL  // figure ID -> its PNG as a data: URL
}

// Render writes the report as one HTML page to w. It fails on a chart
// whose series do not match its time axis and on a section or chart ID
// used twice.
func (r *Report) Render(w io.Writer) error {
	p := page{Report: r, UplotCSS: template.CSS(uplotCSS), ReportCSS: template.CSS(reportCSS),
		UplotJS: template.JS(uplotJS), ReportJS: template.JS(reportJS),
		Charts: map[string]template.JS{}, SVGs: map[string]template.HTML{}, Figures: map[string]template.URL{}}
	ids := map[string]bool{}
	for _, s := range r.Sections {
		if ids[s.ID] {
			return fmt.Errorf("html: id %q used twice", s.ID)
		}
		ids[s.ID] = true
		for _, b := range s.Blocks {
			if err := b.check(); err != nil {
				return err
			}
			if f := b.Figure; f != nil {
				if ids[f.ID] {
					return fmt.Errorf("html: id %q used twice", f.ID)
				}
				ids[f.ID] = true
				if !bytes.HasPrefix(f.PNG, pngSignature) {
					return fmt.Errorf("html: figure %s: not a PNG image", f.ID)
				}
				p.Figures[f.ID] = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(f.PNG))
			}
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

// check checks a block's links and cell colours.
func (b *Block) check() error {
	for _, l := range b.Links {
		if !relativeHref(l.Href) {
			return fmt.Errorf("html: link %q: %q is not a path relative to the report", l.Text, l.Href)
		}
	}
	if b.Table != nil {
		for _, row := range b.Table.Rows {
			for _, c := range row {
				for _, col := range []string{c.Background, c.Foreground} {
					if col != "" && !hexColour(col) {
						return fmt.Errorf("html: table %s: cell %q: colour %q is not #rrggbb", b.Table.ID, c.Text, col)
					}
				}
			}
		}
	}
	return nil
}

// relativeHref reports whether href is a relative path: no scheme, no
// host, not absolute, no backslash.
func relativeHref(href string) bool {
	if href == "" || strings.HasPrefix(href, "/") || strings.ContainsAny(href, "\\:") {
		return false
	}
	return true
}

// hexColour reports whether s is "#rrggbb".
func hexColour(s string) bool {
	if len(s) != 7 || s[0] != '#' {
		return false
	}
	for _, c := range s[1:] {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
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

// pngSignature opens every PNG file.
var pngSignature = []byte("\x89PNG\r\n\x1a\n")

var pageTemplate = template.Must(template.New("report").Parse(pageHTML))
