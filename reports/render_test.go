package reports

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// TestImagePoolLends: get lends a buffer large enough whatever the size
// asked, with the image's bounds and stride of that size; a new buffer
// holds a chart of every common size; put keeps at most imagePoolKeep
// buffers, dropping the smallest.
func TestImagePoolLends(t *testing.T) {
	var p imagePool
	a := p.get(10, 5)
	assert.Equal(t, image.Rect(0, 0, 10, 5), a.Rect)
	assert.Equal(t, 40, a.Stride)
	assert.Len(t, a.Pix, 200)
	assert.GreaterOrEqual(t, cap(a.Pix), imageMinBytes, "a new buffer holds every common chart")
	first := &a.Pix[:1][0]
	p.put(a)
	assert.Nil(t, a.Pix, "a handed-back image lets go of its buffer")
	w, h := pixels(plotWidth), pixels(stackHeight)
	b := p.get(w, h) // the largest common chart, on the same buffer
	assert.Same(t, first, &b.Pix[:1][0])
	assert.Len(t, b.Pix, 4*w*h)
	c := p.get(w, h) // none free: a new one
	assert.NotSame(t, first, &c.Pix[:1][0])
	huge := p.get(w, 3*h) // larger than any: made to size
	assert.Equal(t, 4*w*3*h, cap(huge.Pix))
	p.put(b)
	p.put(c)
	for range imagePoolKeep {
		p.put(&image.RGBA{Pix: make([]uint8, imageMinBytes)})
	}
	require.Len(t, p.free, imagePoolKeep, "no more than imagePoolKeep are kept")
	p.put(huge)
	require.Len(t, p.free, imagePoolKeep)
	var caps []int
	for _, f := range p.free {
		caps = append(caps, cap(f))
	}
	assert.Contains(t, caps, 4*w*3*h, "the largest buffer is kept in place of a smaller one")
}

// TestImagePoolChartsAlike: a chart drawn on a lent buffer that held
// other pixels, larger than the chart, is the same PNG as one drawn on a
// new buffer.
func TestImagePoolChartsAlike(t *testing.T) {
	mk := func() *plot.Plot {
		p := plot.New()
		p.Title.Text = "utilization"
		pts := make(plotter.XYs, 300)
		for i := range pts {
			pts[i].X, pts[i].Y = float64(i), float64(i%17)/17
		}
		l, err := plotter.NewLine(pts)
		require.NoError(t, err)
		p.Add(l)
		p.Legend.Add("GPU", l)
		return p
	}
	drawPNG := func() []byte { return chartBytes(t, mk(), "png") }
	defer func(old *imagePool) { pngImages = old }(pngImages)
	pngImages = &imagePool{}
	want := drawPNG() // on a new buffer
	dirty := make([]uint8, 2*imageMinBytes)
	for i := range dirty {
		dirty[i] = uint8(i*7 + 3)
	}
	pngImages = &imagePool{free: [][]uint8{dirty}}
	got := drawPNG()
	require.NotEmpty(t, want)
	assert.True(t, bytes.Equal(want, got), "a chart drawn on a lent buffer differs")
	assert.Len(t, pngImages.free, 1, "the buffer is handed back")
}

// TestRecycledContextDrawsAsFresh: a chart drawn on a recycled context
// (its rasterizer grown by a chart of another style before it) has the
// bytes of the chart drawn on a new one, and the context is handed back.
func TestRecycledContextDrawsAsFresh(t *testing.T) {
	mk := func(n int, col color.Color, dashes bool) *plot.Plot {
		p := plot.New()
		p.Title.Text = fmt.Sprintf("%d points", n)
		pts := make(plotter.XYs, n)
		for i := range pts {
			pts[i].X, pts[i].Y = float64(i), float64((i*i)%23)/23
		}
		l, err := plotter.NewLine(pts)
		require.NoError(t, err)
		l.Color = col
		if dashes {
			l.Dashes = []vg.Length{vg.Points(3), vg.Points(2)}
			l.Width = vg.Points(3)
		}
		p.Add(l, band(plotter.XYs{{X: 0, Y: 0.2}, {X: float64(n), Y: 0.3}, {X: float64(n), Y: 0.6}, {X: 0, Y: 0.5}}, col))
		return p
	}
	drawPNG := func(p *plot.Plot) []byte { return chartBytes(t, p, "png") }
	defer func(old *contextPool) { pngContexts = old }(pngContexts)
	pngContexts = &contextPool{}
	want := drawPNG(mk(200, color.Black, false)) // on a new context
	require.Len(t, pngContexts.free, 1, "the context is handed back")
	recycled := pngContexts.free[0]
	_ = drawPNG(mk(300, color.RGBA{R: 200, A: 255}, true)) // grows its rasterizer, changes its state
	require.Len(t, pngContexts.free, 1)
	assert.Same(t, recycled, pngContexts.free[0], "a context of the same size is reused")
	// state a chart's drawing may leave that the canvas does not set again
	ctx := recycled.ctx
	ctx.Push()
	ctx.Scale(2, 0.5)
	ctx.SetDash(4, 1)
	ctx.SetFillRuleEvenOdd()
	ctx.DrawRectangle(10, 10, 50, 50)
	ctx.Clip()
	ctx.MoveTo(1, 1)
	got := drawPNG(mk(200, color.Black, false))
	require.NotEmpty(t, want)
	assert.True(t, bytes.Equal(want, got), "a chart drawn on a recycled context differs")
}

// TestContextPoolKeepsTheLast: past contextPoolKeep contexts, the one
// handed back first is dropped.
func TestContextPoolKeepsTheLast(t *testing.T) {
	var p contextPool
	var all []*pngContext
	for i := range contextPoolKeep + 2 {
		c := p.get(&image.RGBA{Rect: image.Rect(0, 0, 10+i, 10)})
		all = append(all, c)
	}
	for _, c := range all {
		p.put(c)
	}
	require.Len(t, p.free, contextPoolKeep)
	assert.Equal(t, all[2:], p.free)
	got := p.get(&image.RGBA{Rect: image.Rect(0, 0, 10+5, 10)})
	assert.Same(t, all[5], got, "the context of the size asked")
	assert.Len(t, p.free, contextPoolKeep-1)
}

// TestLineAndBandDrawAsGonum: runLine and bandPolygon draw what
// plotter.Line and plotter.Polygon draw, in PNG and SVG, for lines with
// gaps and clipped at the axes.
func TestLineAndBandDrawAsGonum(t *testing.T) {
	pts := make(plotter.XYs, 600)
	for i := range pts {
		pts[i].X, pts[i].Y = float64(i), float64((i*31)%97)/50-0.4 // beyond the axes on both sides
	}
	ring := plotter.XYs{{X: -100, Y: 0.1}, {X: 700, Y: 0.2}, {X: 700, Y: 0.9}, {X: -100, Y: 0.7}}
	mk := func(ours bool) *plot.Plot {
		p := plot.New()
		l, err := plotter.NewLine(pts)
		require.NoError(t, err)
		l.LineStyle = lineStyle(paletteColor(1))
		poly := &plotter.Polygon{XYs: []plotter.XYs{ring}, Color: paletteColor(2), LineStyle: draw.LineStyle{Width: 0}}
		if ours {
			p.Add(bandPolygon{poly}, runLine{Line: l})
		} else {
			p.Add(poly, l)
		}
		p.Y.Min, p.Y.Max = 0, 1 // after Add, which widens them to the data
		p.X.Min, p.X.Max = 0, 599
		return p
	}
	for _, format := range []string{"png", "svg"} {
		var out [2][]byte
		for k, ours := range []bool{false, true} {
			out[k] = chartBytes(t, mk(ours), format)
		}
		require.NotEmpty(t, out[0])
		assert.True(t, bytes.Equal(out[0], out[1]), format)
	}
}

// chartBytes returns plot p rendered in format ("png" or "svg"), its
// PNG canvas's image and context handed back to their pools.
func chartBytes(t *testing.T, p *plot.Plot, format string) []byte {
	t.Helper()
	c, err := render(p, format)
	require.NoError(t, err)
	var buf bytes.Buffer
	_, err = c.WriteTo(&buf)
	require.NoError(t, err)
	if f, ok := c.(fastPNG); ok {
		f.release()
	}
	return buf.Bytes()
}
