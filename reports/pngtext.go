package reports

// Text on a chart's PNG canvas. vgimg draws a string by making a new font
// face, rasterizing each glyph anew and compositing it through
// x/image/draw's generic (interface-per-pixel) bilinear transform, which
// together cost more than the rest of a chart's text handling. Upright
// text (the canvas's transform, once vgimg flips y for text, is the
// identity) is drawn here instead with the same pixels: glyph masks come
// from a cache shared by every chart, keyed by the glyph's sub-pixel
// position (a face rasterizes a glyph the same way at any whole-pixel
// offset), and are composited with the arithmetic the transform does for
// a whole-pixel translation (one source pixel of weight 1 per
// destination pixel). Rotated text (the y axis's label) goes through
// vgimg as before.

import (
	"image"
	"image/color"
	"math"
	"sync"

	"git.sr.ht/~sbinet/gg"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"

	xfont "golang.org/x/image/font"
)

// pngText is the state a PNG canvas keeps to draw text itself: its gg
// context and image, and its colour stack (vgimg's own is not visible),
// kept in step by fastPNG's SetColor, Push and Pop.
type pngText struct {
	ctx    *gg.Context
	img    *image.RGBA
	colors []color.Color
	placed []placedGlyph // scratch of fillString
	drawn  int           // strings drawn here, not by vgimg
}

// placedGlyph is a glyph of a string and the whole pixel its dot is in.
type placedGlyph struct {
	g      *cachedGlyph
	px, py int
}

// SetColor sets the colour of what is drawn next.
func (c fastPNG) SetColor(clr color.Color) {
	c.PngCanvas.SetColor(clr)
	if t := c.text; t != nil {
		if clr == nil {
			clr = color.Black // as vgimg does
		}
		t.colors[len(t.colors)-1] = clr
	}
}

// Push saves the canvas's state (Pop restores it).
func (c fastPNG) Push() {
	c.PngCanvas.Push()
	if t := c.text; t != nil {
		t.colors = append(t.colors, t.colors[len(t.colors)-1])
	}
}

// Pop restores the state saved by the last Push.
func (c fastPNG) Pop() {
	c.PngCanvas.Pop()
	if t := c.text; t != nil {
		t.colors = t.colors[:len(t.colors)-1]
	}
}

// FillString draws str with its baseline starting at pt, in the current
// colour: the pixels vgimg's FillString draws.
func (c fastPNG) FillString(f font.Face, pt vg.Point, str string) {
	t := c.text
	if t == nil || f.Font.Size == 0 || f.Face == nil || !t.upright() {
		c.PngCanvas.FillString(f, pt, str)
		return
	}
	// as vgimg: the baseline point in pixels, y from the top
	dpi := c.DPI()
	_, h := c.Size()
	x, y := pt.X.Dots(dpi), h.Dots(dpi)-pt.Y.Dots(dpi)
	if !t.fillString(f, dpi, x, y, str) {
		c.PngCanvas.FillString(f, pt, str)
	}
}

// upright reports whether the transform vgimg draws text with (the
// context's, with y flipped) is the identity, so that a glyph lands on
// the pixels its mask covers, shifted by whole pixels.
func (t *pngText) upright() bool {
	t.ctx.Push()
	t.ctx.InvertY()
	ok := true
	for _, p := range [3][2]float64{{0, 0}, {1, 0}, {0, 1}} {
		if x, y := t.ctx.TransformPoint(p[0], p[1]); x != p[0] || y != p[1] {
			ok = false
		}
	}
	t.ctx.Pop()
	return ok
}

// fillString draws str from the baseline point (x, y) in pixels, as gg's
// DrawString does under an identity transform, and reports whether it
// could (false: a glyph is not an alpha mask; nothing is drawn then).
func (t *pngText) fillString(f font.Face, dpi, x, y float64, str string) bool {
	t.placed = t.placed[:0]
	ok := glyphs.place(f, dpi, fixedPoint(x, y), str, func(g *cachedGlyph, dot fixed.Point26_6) {
		t.placed = append(t.placed, placedGlyph{g: g, px: int(dot.X >> 6), py: int(dot.Y >> 6)})
	})
	if !ok {
		return false
	}
	sr, sg, sb, sa := t.colors[len(t.colors)-1].RGBA()
	for _, p := range t.placed {
		p.g.draw(t.img, p.px, p.py, sr, sg, sb, sa)
	}
	t.drawn++
	return true
}

// fixedPoint is gg's conversion of a point in pixels to 26.6 fixed point.
func fixedPoint(x, y float64) fixed.Point26_6 {
	return fixed.Point26_6{X: fixed.Int26_6(math.Round(x * 64)), Y: fixed.Int26_6(math.Round(y * 64))}
}

// cachedGlyph is a glyph rasterized at one sub-pixel position.
type cachedGlyph struct {
	// dr is the glyph's pixels relative to the whole pixel of the dot.
	dr image.Rectangle
	// mask holds dr's coverage, row by row (dr.Dx() per row).
	mask []uint8
	// advance moves the dot to the next glyph.
	advance fixed.Int26_6
	// ok is false for a glyph the face has none for (the face's
	// notdef): gg skips it and does not kern against it.
	ok bool
}

// draw composites the glyph, its dot in the pixel (px, py), in the
// premultiplied colour (sr, sg, sb, sa) over dst: for every pixel, the
// colour scaled by the mask's coverage over the pixel, in 16 bits, as
// x/image/draw's Kernel.Transform does (Over, uniform source, alpha
// mask) for a whole-pixel translation; a pixel of no coverage is left
// as it is, as there.
func (g *cachedGlyph) draw(dst *image.RGBA, px, py int, sr, sg, sb, sa uint32) {
	r := g.dr.Add(image.Point{X: px, Y: py})
	clip := r.Intersect(dst.Rect)
	w := g.dr.Dx()
	for y := clip.Min.Y; y < clip.Max.Y; y++ {
		mrow := g.mask[(y-r.Min.Y)*w:]
		drow := dst.Pix[dst.PixOffset(dst.Rect.Min.X, y):]
		for x := clip.Min.X; x < clip.Max.X; x++ {
			m := mrow[x-r.Min.X]
			if m == 0 {
				continue
			}
			ma := uint32(m) * 0x101
			pr, pg, pb, pa := sr*ma/0xffff, sg*ma/0xffff, sb*ma/0xffff, sa*ma/0xffff
			pr, pg, pb = min(pr, pa), min(pg, pa), min(pb, pa)
			pa1 := 0xffff - pa
			d := drow[4*(x-dst.Rect.Min.X):]
			d = d[:4]
			d[0] = uint8(uint16(uint32(d[0])*0x101*pa1/0xffff+pr) >> 8)
			d[1] = uint8(uint16(uint32(d[1])*0x101*pa1/0xffff+pg) >> 8)
			d[2] = uint8(uint16(uint32(d[2])*0x101*pa1/0xffff+pb) >> 8)
			d[3] = uint8(uint16(uint32(d[3])*0x101*pa1/0xffff+pa) >> 8)
		}
	}
}

// glyphCache holds glyphs rasterized by every chart's PNG canvas, per
// font face and resolution. It is safe for concurrent use.
type glyphCache struct {
	mu    sync.Mutex
	faces map[faceKey]*faceGlyphs
	n     int // glyphs held
}

// glyphs is the glyph cache of the charts.
var glyphs glyphCache

// maxCachedGlyphs bounds the glyphs held (about 150 bytes each; a run's
// charts draw some 1,500 distinct ones); the cache starts again empty
// beyond it.
const maxCachedGlyphs = 1 << 13

// faceKey identifies a font face at a resolution.
type faceKey struct {
	font *opentype.Font
	size vg.Length
	dpi  float64
}

// glyphKey identifies a glyph of a face at a sub-pixel position.
type glyphKey struct {
	r      rune
	fx, fy uint8 // the dot's offset in its pixel, in 64ths
}

// faceGlyphs is a face and the glyphs and kerning it gave.
type faceGlyphs struct {
	face   xfont.Face
	glyphs map[glyphKey]*cachedGlyph
	kerns  map[[2]rune]fixed.Int26_6
}

// place walks str as gg's drawString does from dot, calling fn with each
// glyph drawn and its dot, and reports whether every glyph was an alpha
// mask (false: fn may have been called for some).
func (c *glyphCache) place(f font.Face, dpi float64, dot fixed.Point26_6, str string, fn func(*cachedGlyph, fixed.Point26_6)) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := faceKey{font: f.Face, size: f.Font.Size, dpi: dpi}
	fg := c.faces[k]
	if fg == nil {
		if c.faces == nil {
			c.faces = map[faceKey]*faceGlyphs{}
		}
		fg = &faceGlyphs{face: f.FontFace(dpi), glyphs: map[glyphKey]*cachedGlyph{}, kerns: map[[2]rune]fixed.Int26_6{}}
		c.faces[k] = fg
	}
	prev := rune(-1)
	for _, r := range str {
		if prev >= 0 {
			kp := [2]rune{prev, r}
			kern, ok := fg.kerns[kp]
			if !ok {
				kern = fg.face.Kern(prev, r)
				fg.kerns[kp] = kern
			}
			dot.X += kern
		}
		gk := glyphKey{r: r, fx: uint8(dot.X & 63), fy: uint8(dot.Y & 63)}
		g := fg.glyphs[gk]
		if g == nil {
			var ok bool
			if g, ok = rasterize(fg.face, gk); !ok {
				return false
			}
			if c.n >= maxCachedGlyphs {
				for _, other := range c.faces {
					clear(other.glyphs)
				}
				c.n = 0
			}
			fg.glyphs[gk] = g
			c.n++
		}
		if !g.ok {
			continue
		}
		fn(g, dot)
		dot.X += g.advance
		prev = r
	}
	return true
}

// rasterize returns the glyph k of face, its dot in pixel (0, 0), and
// false when its mask is not an *image.Alpha.
func rasterize(face xfont.Face, k glyphKey) (*cachedGlyph, bool) {
	dot := fixed.Point26_6{X: fixed.Int26_6(k.fx), Y: fixed.Int26_6(k.fy)}
	dr, mask, maskp, advance, ok := face.Glyph(dot, k.r)
	g := &cachedGlyph{dr: dr, advance: advance, ok: ok}
	if !ok || dr.Empty() {
		g.dr = image.Rectangle{}
		return g, true
	}
	a, isAlpha := mask.(*image.Alpha)
	if !isAlpha {
		return nil, false
	}
	w, h := dr.Dx(), dr.Dy()
	g.mask = make([]uint8, w*h)
	for y := range h {
		o := a.PixOffset(maskp.X, maskp.Y+y)
		copy(g.mask[y*w:(y+1)*w], a.Pix[o:o+w])
	}
	return g, true
}
