package reports

import (
	"bytes"
	"image"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
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
	drawPNG := func() []byte {
		c, err := render(mk(), "png")
		require.NoError(t, err)
		var buf bytes.Buffer
		_, err = c.WriteTo(&buf)
		require.NoError(t, err)
		c.(fastPNG).release()
		return buf.Bytes()
	}
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
