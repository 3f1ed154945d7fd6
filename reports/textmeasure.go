package reports

import (
	"sync"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
)

// measuredText is gonum/plot's text.Plain handler on the default font
// cache, with the sizes its Box measures remembered by text and font.
// Laying a chart out measures each tick label, axis label and legend
// entry several times (axis sizes, alignment, the legend's width), and
// font.Face.Width allocates a glyph buffer on every call; the same labels
// recur from chart to chart. Box returns what text.Plain's returns, so
// the charts are the same bytes. The memory is shared by the charts that
// draw at once (it locks) and is emptied when it holds maxMeasured
// entries, so a long process does not grow it without end.
type measuredText struct {
	text.Plain
	mu  sync.Mutex
	box map[measureKey][3]vg.Length
}

// measureKey is a text measured in a font.
type measureKey struct {
	txt string
	fnt font.Font
}

// maxMeasured bounds measuredText's memory (entries of some 100 bytes).
const maxMeasured = 1 << 14

// measured is the handler charts measure their text with.
var measured = &measuredText{Plain: text.Plain{Fonts: font.DefaultCache}}

// Box returns text.Plain's Box of txt in fnt, measured once.
func (m *measuredText) Box(txt string, fnt font.Font) (width, height, depth vg.Length) {
	k := measureKey{txt, fnt}
	m.mu.Lock()
	b, ok := m.box[k]
	m.mu.Unlock()
	if ok {
		return b[0], b[1], b[2]
	}
	width, height, depth = m.Plain.Box(txt, fnt)
	m.mu.Lock()
	if m.box == nil || len(m.box) >= maxMeasured {
		m.box = make(map[measureKey][3]vg.Length)
	}
	m.box[k] = [3]vg.Length{width, height, depth}
	m.mu.Unlock()
	return width, height, depth
}

// useMeasured makes the text styles of p that use text.Plain on the
// default font cache (plot.New's) measure with measured.
func useMeasured(p *plot.Plot) {
	for _, s := range []*text.Style{&p.Title.TextStyle, &p.X.Label.TextStyle, &p.X.Tick.Label,
		&p.Y.Label.TextStyle, &p.Y.Tick.Label, &p.Legend.TextStyle} {
		useMeasuredStyle(s)
	}
}

// useMeasuredStyle is useMeasured for one style.
func useMeasuredStyle(s *text.Style) {
	if h, ok := s.Handler.(text.Plain); ok && h.Fonts == font.DefaultCache {
		s.Handler = measured
	}
}
