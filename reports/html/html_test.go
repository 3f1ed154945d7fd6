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
