package reports

import (
	"image/color"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
)

// TestPNGTextPixels: text drawn by a PNG canvas (cached glyphs, pngtext.go)
// has the pixels vgimg's FillString draws, for strings at random sub-pixel
// positions (partly off the canvas too), sizes and colours (translucent
// too) over a background of random pixels, upright, rotated (vgimg's own
// path), and inside pushed and popped states.
func TestPNGTextPixels(t *testing.T) {
	const w, h = 3 * vg.Inch, 2 * vg.Inch
	fast, ok := newPNGCanvas(w, h)
	require.True(t, ok)
	ref, ok := newPNGCanvas(w, h)
	require.True(t, ok)
	require.NotSame(t, &fast.img.Pix[0], &ref.img.Pix[0])
	rng := rand.New(rand.NewPCG(7, 8))
	for i := range fast.img.Pix {
		v := uint8(rng.UintN(256))
		if i%4 == 3 {
			v = 0xff
		}
		fast.img.Pix[i], ref.img.Pix[i] = v, v
	}
	strs := []string{"utilization (fraction)", "2024-04", "AV Wa fi ffl", "0.25", "token supply, bonded ratio\u00e9", "x\u2013y", " "}
	colors := []color.Color{color.Black, nil, Palette[1], withAlpha(Palette[0], 0x50), color.NRGBA{R: 200, G: 10, B: 90, A: 0x87}}
	for i := range 300 {
		fnt := font.DefaultCache.Lookup(plot.DefaultFont, vg.Length(6+rng.IntN(12))+vg.Length(rng.Float64()))
		pt := vg.Point{X: vg.Length(rng.Float64()*float64(w+20) - 10), Y: vg.Length(rng.Float64()*float64(h+20) - 10)}
		s := strs[i%len(strs)]
		col := colors[rng.IntN(len(colors))]
		rot := i%10 == 9
		push := rot || i%3 == 0
		for k, c := range []fastPNG{fast, ref} {
			if push {
				c.Push()
			}
			c.SetColor(col)
			at := pt
			if rot { // as an axis label is drawn
				c.Translate(pt)
				c.Rotate(math.Pi / 2)
				at = vg.Point{}
			}
			if k == 0 {
				c.FillString(fnt, at, s)
			} else {
				c.PngCanvas.FillString(fnt, at, s)
			}
			if push {
				c.Pop()
			}
		}
		if d := firstDiff(ref.img.Pix, fast.img.Pix); d >= 0 {
			t.Fatalf("string %d %q at %v (rotated %v): byte %d (pixel %d, %d) is %d, vgimg draws %d",
				i, s, pt, rot, d, d%fast.img.Stride/4, d/fast.img.Stride, fast.img.Pix[d], ref.img.Pix[d])
		}
	}
	assert.Equal(t, 270, fast.text.drawn, "upright strings drawn from the glyph cache")
}

// firstDiff returns the index of the first byte where a and b differ
// (-1: none).
func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	return -1
}
