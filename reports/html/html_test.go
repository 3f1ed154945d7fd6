package html

import (
	"bytes"
	"encoding/json"
	"math"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const evil = "</script><script>alert(1)</script>\"'&\n\u2028x"

func evilReport() *Report {
	return &Report{Title: "t" + evil, Subtitle: evil, Sections: []Section{{ID: "s", Title: evil, Blocks: []Block{
		{Para: evil}, {Warning: evil}, {List: []string{evil}},
		{Table: &Table{Caption: evil, Header: []string{evil}, Rows: [][]Cell{{{Text: evil}}}}},
		{Chart: &Chart{ID: "c", Title: evil, YLabel: evil, Caption: evil, X: []float64{0, 3600},
			Series: []Series{{Name: evil, Values: []float64{1, math.NaN()}, Lo: []float64{0, 0}, Hi: []float64{2, 2}}}, Fallback: evil}},
	}}}}
}

// TestRenderEscapes: a name holding a script, quotes, & and line breaks
// appears only escaped, creates no element, and the inline JSON reads
// back to it exactly.
func TestRenderEscapes(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, evilReport().Render(&b))
	page := b.String()
	assert.False(t, strings.Contains(page, "<script>alert"), "no script element from a name")
	assert.Equal(t, 3, strings.Count(page, "<script"), "the chart's JSON and the page's two scripts")
	assert.Equal(t, 3, strings.Count(page, "</script>"))
	m := regexp.MustCompile(`<script type="application/json" id="c-data" data-chart="c">([^<]*)</script>`).FindStringSubmatch(page)
	require.NotNil(t, m)
	var d struct {
		YLabel string `json:"ylabel"`
		X      []float64
		Series []struct {
			Name   string
			Values []*float64
		}
	}
	require.NoError(t, json.Unmarshal([]byte(m[1]), &d))
	assert.Equal(t, evil, d.YLabel)
	assert.Equal(t, evil, d.Series[0].Name)
	assert.Nil(t, d.Series[0].Values[1], "NaN is null")
	assert.Equal(t, []float64{0, 3600}, d.X)
}

// TestRenderRejects: series of the wrong length and ids used twice are
// errors.
func TestRenderRejects(t *testing.T) {
	r := evilReport()
	r.Sections[0].Blocks[4].Chart.Series[0].Values = []float64{1}
	assert.Error(t, r.Render(&bytes.Buffer{}))
	r = evilReport()
	r.Sections = append(r.Sections, Section{ID: "c"})
	assert.Error(t, r.Render(&bytes.Buffer{}))
}

// TestInlineSVG drops the XML prologue and namespaces.
func TestInlineSVG(t *testing.T) {
	got := InlineSVG("<?xml version=\"1.0\"?>\n<!-- x -->\n<svg width=\"1\"\n\txmlns=\"http://www.w3.org/2000/svg\"\n\txmlns:xlink=\"http://www.w3.org/1999/xlink\">\n<g/></svg>")
	assert.True(t, strings.HasPrefix(got, "<svg width=\"1\""))
	assert.NotContains(t, got, "http")
	assert.Contains(t, got, "<g/></svg>")
}

// TestRenderLinksAndColours: a link goes only to a file next to the
// report, a cell's colours are #rrggbb, and a series' style is in the
// palette; each in the page as given.
func TestRenderLinksAndColours(t *testing.T) {
	ok := &Report{Sections: []Section{{ID: "s", Blocks: []Block{
		{Links: []Link{{Text: "a" + evil, Href: "a/report.html"}}},
		{Table: &Table{Header: []string{"x"}, Rows: [][]Cell{{{Text: "1", Background: "#440154", Foreground: "#ffffff"}}}}},
		{Chart: &Chart{ID: "c", X: []float64{1, 2}, XLabel: "k" + evil, XLog: true, Series: []Series{{Name: "n", Values: []float64{1, 2}, Style: 8, Dots: true}}}},
	}}}}
	var b bytes.Buffer
	require.NoError(t, ok.Render(&b))
	page := b.String()
	assert.Contains(t, page, `<a href="a/report.html">a&lt;/script&gt;`)
	assert.Contains(t, page, `<td style="background-color: #440154; color: #ffffff;">1</td>`)
	assert.Contains(t, page, `"xlabel":"k\u003c/script\u003e`)
	assert.Contains(t, page, `"xlog":true,"x":[1,2],"series":[{"name":"n","values":[1,2],"style":8,"dots":true}]`)
	for _, href := range []string{"https://example.org/x", "//example.org/x", "/etc/passwd", "javascript:alert(1)", `a\b`, ""} {
		r := &Report{Sections: []Section{{ID: "s", Blocks: []Block{{Links: []Link{{Text: "x", Href: href}}}}}}}
		assert.Error(t, r.Render(&bytes.Buffer{}), href)
	}
	for _, col := range []string{"red", "#12345", "#1234567", "#gggggg", "#000000;x"} {
		r := &Report{Sections: []Section{{ID: "s", Blocks: []Block{{Table: &Table{Rows: [][]Cell{{{Text: "1", Background: col}}}}}}}}}
		assert.Error(t, r.Render(&bytes.Buffer{}), col)
	}
	r := &Report{Sections: []Section{{ID: "s", Blocks: []Block{{Chart: &Chart{ID: "c", X: []float64{1}, Series: []Series{{Name: "n", Values: []float64{1}, Style: len(Palette) + 1}}}}}}}}
	assert.Error(t, r.Render(&bytes.Buffer{}), "a style beyond the palette")
}

func TestLibraryCarriesLicenceNotURL(t *testing.T) {
	var b strings.Builder
	require.NoError(t, (&Report{Title: "t"}).Render(&b))
	page := b.String()
	assert.Contains(t, page, "Permission is hereby granted, free of charge", "the MIT licence travels with every copy of the library")
	assert.Contains(t, page, "uPlot 1.6.32")
	assert.NotContains(t, page, "http://")
	assert.NotContains(t, page, "https://")
	assert.Equal(t, "/*! x\n\nL\n*/\nbody", libraryWithLicence("/*! https://example.org/x (v1) */\nbody", "x", "L\n"))
	assert.Equal(t, "/*! x\n\nL\n*/\nvar a;\nb", libraryWithLicence("var a;\nb", "x", "L"), "no banner: the source stays whole")
}

// TestFigure: a figure's PNG is inlined as a data: URL, its title and
// caption escaped; bytes that are not a PNG and an id used twice are
// errors; YLog reaches the chart's JSON.
func TestFigure(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\nrest")
	r := &Report{Title: "t", Sections: []Section{{ID: "s", Title: "s", Blocks: []Block{
		{Figure: &Figure{ID: "f", Title: evil, Caption: evil, PNG: png, Width: 768}},
		{Chart: &Chart{ID: "c", Title: "c", YLog: true, XLabel: "x", X: []float64{1, 2}, Series: []Series{{Name: "a", Values: []float64{1, 10}}}}},
	}}}}
	var b bytes.Buffer
	require.NoError(t, r.Render(&b))
	page := b.String()
	assert.Contains(t, page, `<img class="drawing" src="data:image/png;base64,iVBORw0KGgpyZXN0" alt="`)
	assert.Contains(t, page, `style="max-width: 768px"`)
	assert.NotContains(t, page, "<script>alert")
	assert.Contains(t, page, `"ylog":true`)

	r.Sections[0].Blocks[0].Figure.PNG = []byte("<svg/>")
	assert.ErrorContains(t, r.Render(&bytes.Buffer{}), "not a PNG")
	r.Sections[0].Blocks[0].Figure.PNG = png
	r.Sections[0].Blocks[0].Figure.ID = "c"
	assert.ErrorContains(t, r.Render(&bytes.Buffer{}), `id "c" used twice`)
}

// TestChartDataMatchesMarshal: Chart.Data writes what json.Marshal writes
// for the chart's fields, for labels needing escapes, every optional
// field set or not, bands, styles, dots, gaps, infinities, flat runs and
// no series.
func TestChartDataMatchesMarshal(t *testing.T) {
	type chartJSON struct {
		YLabel string         `json:"ylabel"`
		XLabel string         `json:"xlabel,omitempty"`
		XLog   bool           `json:"xlog,omitempty"`
		YLog   bool           `json:"ylog,omitempty"`
		Span   bool           `json:"span,omitempty"`
		X      json.Marshaler `json:"x"`
		Series []seriesJSON   `json:"series"`
	}
	marshal := func(c *Chart) string {
		d := chartJSON{YLabel: c.YLabel, XLabel: c.XLabel, XLog: c.XLog, YLog: c.YLog, Span: c.SpanGaps, X: xNumbers(c.X)}
		if c.XLabel != "" {
			d.X = numbers(c.X)
		}
		for _, s := range c.Series {
			d.Series = append(d.Series, seriesJSON{Name: s.Name, Values: s.Values, Lo: s.Lo, Hi: s.Hi, Style: s.Style, Dots: s.Dots})
		}
		b, err := json.Marshal(d)
		require.NoError(t, err)
		return string(b)
	}
	x := []float64{0, 3600.4, 7200, 1e7 + 0.5, -0.2}
	wide := []float64{1e15 - 1, 1e15, -1e15 + 1, -1e15, 1e22, -7.5}
	vals := []float64{1, 1, math.NaN(), math.NaN(), math.Inf(1)}
	flat := []float64{0.123456789, 0.123456789, 0.123456789, math.Copysign(0, -1), math.Copysign(0, -1)}
	mixed := []float64{1e-7, 123456789, math.Copysign(0, -1), 0, math.Inf(-1)}
	charts := []*Chart{
		{ID: "a", YLabel: evil, X: x},
		{ID: "b", YLabel: "y", XLabel: "x " + evil, XLog: true, YLog: true, SpanGaps: true, X: x, Series: []Series{{Name: evil, Values: vals}}},
		{ID: "c", YLabel: "y", X: x, Series: []Series{
			{Name: "band", Values: flat, Lo: mixed, Hi: vals, Style: 3},
			{Name: "dots", Values: mixed, Dots: true},
			{Name: "zeros", Values: nil},
		}},
		{ID: "d", YLabel: "", X: nil, Series: []Series{}},
		{ID: "wide", YLabel: "y", X: wide},
		{ID: "e", YLabel: "y", XLabel: "rank", X: flat, Series: []Series{{Name: "ünï", Values: flat, Style: 8}}},
	}
	for _, c := range charts {
		if c.ID == "c" {
			c.Series[2].Values = make([]float64, len(c.X))
		}
		got, err := c.Data()
		require.NoError(t, err, c.ID)
		assert.Equal(t, marshal(c), string(got), c.ID)
	}
	_, err := (&Chart{ID: "nan", X: []float64{0, math.NaN()}}).Data()
	assert.ErrorContains(t, err, "chart nan: time NaN is not a number")
}

// BenchmarkChartData writes the inline JSON of a chart of an hourly year:
// three lines with bands, flat for a day at a time.
func BenchmarkChartData(b *testing.B) {
	const n = 8760
	c := &Chart{ID: "bench", YLabel: "y", X: make([]float64, n)}
	for i := range n {
		c.X[i] = float64(i) * 3600
	}
	for k := range 3 {
		s := Series{Name: "s", Values: make([]float64, n), Lo: make([]float64, n), Hi: make([]float64, n)}
		for i := range n {
			v := float64(k+1) * (1 + math.Sin(float64(i/24)))
			s.Values[i], s.Lo[i], s.Hi[i] = v, v*0.9, v*1.1
		}
		c.Series = append(c.Series, s)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Data(); err != nil {
			b.Fatal(err)
		}
	}
}
