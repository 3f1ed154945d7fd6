package reports

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEncodePNGPixels: encodePNG's file decodes to the pixels
// png.Encoder's does, for a drawn chart (opaque RGBA, its fast path, where
// these are the pixels given), a sub-image of it, and images it hands to
// png.Encoder (translucent RGBA, gray).
func TestEncodePNGPixels(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, WritePlots(dir, longRun(1, 500), Options{Title: "png"}))
	f, err := os.ReadFile(filepath.Join(dir, "supply.png"))
	require.NoError(t, err)
	chart, err := png.Decode(bytes.NewReader(f))
	require.NoError(t, err)
	opaque := image.NewRGBA(chart.Bounds())
	draw.Draw(opaque, opaque.Rect, chart, chart.Bounds().Min, draw.Src)

	translucent := image.NewRGBA(image.Rect(0, 0, 7, 5))
	gray := image.NewGray(image.Rect(0, 0, 9, 4))
	for i := range 35 { // premultiplied: no channel above alpha
		a := uint8(40 + i*6)
		translucent.Set(i%7, i/7, color.RGBA{a / 2, a / 3, a, a})
	}
	for i := range gray.Pix {
		gray.Pix[i] = uint8(i * 13)
	}
	for name, img := range map[string]image.Image{
		"chart":       opaque,
		"sub-image":   opaque.SubImage(image.Rect(13, 17, 300, 211)),
		"translucent": translucent,
		"gray":        gray,
	} {
		var buf bytes.Buffer
		require.NoError(t, encodePNG(&buf, img), name)
		got, err := png.Decode(&buf)
		require.NoError(t, err, name)
		buf.Reset()
		require.NoError(t, png.Encode(&buf, img))
		want, err := png.Decode(&buf)
		require.NoError(t, err, name)
		if name == "chart" {
			want = img
		}
		b := want.Bounds()
		require.Equal(t, b.Dx(), got.Bounds().Dx(), name)
		require.Equal(t, b.Dy(), got.Bounds().Dy(), name)
		same := true
		for y := 0; y < b.Dy() && same; y++ {
			for x := 0; x < b.Dx(); x++ {
				r1, g1, b1, a1 := want.At(b.Min.X+x, b.Min.Y+y).RGBA()
				r2, g2, b2, a2 := got.At(got.Bounds().Min.X+x, got.Bounds().Min.Y+y).RGBA()
				if [4]uint32{r1, g1, b1, a1} != [4]uint32{r2, g2, b2, a2} {
					same = false
					t.Errorf("%s: pixel (%d, %d) differs", name, x, y)
					break
				}
			}
		}
	}
}

func BenchmarkEncodePNG(b *testing.B) {
	dir := b.TempDir()
	require.NoError(b, WritePlots(dir, longRun(1, 8760), Options{Title: "png"}))
	f, err := os.ReadFile(filepath.Join(dir, "supply.png"))
	require.NoError(b, err)
	chart, err := png.Decode(bytes.NewReader(f))
	require.NoError(b, err)
	img := image.NewRGBA(chart.Bounds())
	draw.Draw(img, img.Rect, chart, chart.Bounds().Min, draw.Src)
	var buf bytes.Buffer
	b.Run("encodePNG", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			buf.Reset()
			require.NoError(b, encodePNG(&buf, img))
		}
		b.ReportMetric(float64(buf.Len()), "bytes")
	})
	b.Run("png.BestSpeed", func(b *testing.B) {
		b.ReportAllocs()
		enc := png.Encoder{CompressionLevel: png.BestSpeed}
		for b.Loop() {
			buf.Reset()
			require.NoError(b, enc.Encode(&buf, img))
		}
		b.ReportMetric(float64(buf.Len()), "bytes")
	})
	assert.NotZero(b, buf.Len())
}
