package reports

import (
	"bytes"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/font/liberation"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
)

// TestMeasuredTextBox: measuredText's Box is text.Plain's, for texts and
// fonts of every kind a chart measures, whether measured for the first
// time, again, from goroutines at once, or after the memory was emptied.
func TestMeasuredTextBox(t *testing.T) {
	plain := text.Plain{Fonts: font.DefaultCache}
	m := &measuredText{Plain: plain}
	var fonts []font.Font
	for _, f := range []font.Font{{Typeface: "Liberation", Variant: "Sans"}, {Typeface: "Liberation", Variant: "Serif", Weight: 700}, {Typeface: "Liberation", Variant: "Mono"}} {
		for _, size := range []vg.Length{8, 10, 12.5} {
			f.Size = size
			fonts = append(fonts, f)
		}
	}
	texts := []string{"", "0", "0.25", "1e+06", "2026-03-01", "USD/GPU-hour", "utilization (%)", "Ünïcødé ✓", "a,b"}
	check := func() {
		for _, f := range fonts {
			for _, s := range texts {
				w, h, d := plain.Box(s, f)
				gw, gh, gd := m.Box(s, f)
				require.Equal(t, [3]vg.Length{w, h, d}, [3]vg.Length{gw, gh, gd}, "%q in %v", s, f)
			}
		}
	}
	check() // measured
	check() // remembered
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(check)
	}
	wg.Wait()
	// beyond the bound the memory starts again, and answers alike
	for i := range maxMeasured + 10 {
		m.Box(fmt.Sprint(i), fonts[0])
	}
	require.LessOrEqual(t, len(m.box), maxMeasured)
	check()
}

// TestMeasuredTextCharts: a chart drawn by renderSized and by
// renderStacked (whose text is measured by measuredText) is the same
// bytes, PNG and SVG, as the chart drawn with text.Plain measuring every
// time (a Plain on another font cache, which useMeasured leaves alone).
func TestMeasuredTextCharts(t *testing.T) {
	other := text.Plain{Fonts: font.NewCache(liberation.Collection())}
	mk := func(plainEveryTime bool) *plot.Plot {
		p := plot.New()
		p.Title.Text = "price of an H100-hour"
		p.X.Label.Text = "day"
		p.Y.Label.Text = "USD/GPU-hour"
		pts := make(plotter.XYs, 200)
		for i := range pts {
			pts[i].X, pts[i].Y = float64(i)/4, 1.5+float64(i%37)/20
		}
		l, err := plotter.NewLine(pts)
		require.NoError(t, err)
		p.Add(l)
		p.Legend.Add("mean", l)
		p.Legend.Add("another entry, longer", l)
		if plainEveryTime {
			for _, s := range []*text.Style{&p.Title.TextStyle, &p.X.Label.TextStyle, &p.X.Tick.Label,
				&p.Y.Label.TextStyle, &p.Y.Tick.Label, &p.Legend.TextStyle} {
				s.Handler = other
			}
		}
		return p
	}
	draw := func(plainEveryTime bool, format string, stacked bool) []byte {
		var c io.WriterTo
		var err error
		if stacked {
			c, err = renderStacked("", []*plot.Plot{mk(plainEveryTime), mk(plainEveryTime)}, format)
		} else {
			c, err = render(mk(plainEveryTime), format)
		}
		require.NoError(t, err)
		var buf bytes.Buffer
		_, err = c.WriteTo(&buf)
		require.NoError(t, err)
		return buf.Bytes()
	}
	for _, format := range []string{"png", "svg"} {
		for _, stacked := range []bool{false, true} {
			want := draw(true, format, stacked)
			got := draw(false, format, stacked)
			require.NotEmpty(t, want)
			require.True(t, bytes.Equal(want, got), "%s, stacked %v: the chart differs when its text is measured once", format, stacked)
		}
	}
}
