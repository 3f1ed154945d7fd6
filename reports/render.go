package reports

// Rendering a chart to its PNG and SVG files: the canvases (PNG drawn on
// a recycled image and written by encodePNG), the stacked panels, and
// the file writing shared by every chart.

import (
	"fmt"
	"image"
	"image/color"
	"io"
	"sync"

	"git.sr.ht/~sbinet/gg"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// saveStacked writes the stacked panels of a chart (title and panels
// from panels) to base+".png" and base+".svg".
func saveStacked(base string, panels func(*ChartData, Options) (string, []*plot.Plot), d *ChartData, opt Options) error {
	title, ps := panels(d, opt)
	return saveChart(base, func(format string) (io.WriterTo, error) {
		return renderStacked(title, ps, format)
	})
}

// savePlot writes p to base+".png" and base+".svg".
func savePlot(p *plot.Plot, base string) error {
	return saveChart(base, func(format string) (io.WriterTo, error) { return render(p, format) })
}

// newCanvas returns a canvas of the given size and format ("png",
// "svg"); a PNG is written by encodePNG (PngCanvas's default
// compresses hard, which costs more than drawing the chart).
func newCanvas(w, h vg.Length, format string) (vg.CanvasWriterTo, error) {
	if format == "png" {
		if c, ok := newPNGCanvas(w, h); ok {
			return c, nil
		}
	}
	vc, err := draw.NewFormattedCanvas(w, h, format)
	if err != nil {
		return nil, err
	}
	if pc, ok := vc.(vgimg.PngCanvas); ok {
		return fastPNG{PngCanvas: pc}, nil
	}
	return vc, nil
}

// newPNGCanvas returns the canvas vgimg.New(w, h) returns, but drawing on
// an image of pngImages and without vgimg.New's copy of it, when the
// canvas's size in pixels at vgimg's default resolution is whole, so
// that the canvas vgimg derives from the image's size is w by h exactly;
// otherwise it returns false.
func newPNGCanvas(w, h vg.Length) (fastPNG, bool) {
	const dpi = vgimg.DefaultDPI
	wpx, hpx := pixels(w), pixels(h)
	if wpx <= 0 || hpx <= 0 || vg.Length(float64(wpx)/dpi)*vg.Inch != w || vg.Length(float64(hpx)/dpi)*vg.Inch != h {
		return fastPNG{}, false
	}
	pc := pngContexts.get(pngImages.get(wpx, hpx))
	img, ctx := pc.img, pc.ctx
	// as vgimg.NewWith sets up the context it makes itself
	ctx.SetLineCapButt()
	ctx.InvertY()
	c := vgimg.NewWith(vgimg.UseImageWithContext(img, ctx)) // fills img white
	// black: the colour vgimg starts with
	text := &pngText{ctx: ctx, img: img, colors: []color.Color{color.Black}}
	return fastPNG{PngCanvas: vgimg.PngCanvas{Canvas: c}, img: img, ctx: pc, text: text}, true
}

// contextPool recycles the drawing contexts of PNG canvases. A context
// made by gg.NewContextForRGBA has a fresh rasterizer, whose buffer of
// cells starts at 256 and grows by copying during the chart's first long
// stroke, every chart again (about 12 ms of copying for the six charts
// of a run sampled hourly). A recycled context keeps its rasterizer,
// grown, and is otherwise set back to the state gg.NewContextForRGBA made
// it in: the rasterizer depends only on the image's size, which a
// recycled context keeps, and gg clears it before every stroke and fill,
// so every pixel drawn is the one a fresh context draws.
type contextPool struct {
	mu   sync.Mutex
	free []*pngContext // at most contextPoolKeep, the last handed back last
}

// pngContext is a context of contextPool and the image it draws on. The
// image's pixels are lent by pngImages for each chart; its size stays.
type pngContext struct {
	img   *image.RGBA
	ctx   *gg.Context
	fresh gg.Context // *ctx as gg.NewContextForRGBA made it
}

// pngContexts holds the contexts of PNG canvases drawn and written.
var pngContexts = &contextPool{}

// get returns a context drawing on an image of img's size and pixels:
// a recycled one of that size, set back to its fresh state, or a new one.
func (p *contextPool) get(img *image.RGBA) *pngContext {
	size := img.Rect.Size()
	p.mu.Lock()
	for i, c := range p.free {
		if c.img.Rect.Size() == size {
			last := len(p.free) - 1
			p.free[i] = p.free[last]
			p.free[last] = nil
			p.free = p.free[:last]
			p.mu.Unlock()
			*c.img = *img
			*c.ctx = c.fresh
			return c
		}
	}
	p.mu.Unlock()
	c := &pngContext{img: img, ctx: gg.NewContextForRGBA(img)}
	c.fresh = *c.ctx
	return c
}

// contextPoolKeep bounds the contexts a contextPool keeps: those of the
// charts drawn at once, for a few sizes.
const contextPoolKeep = 8

// put hands c back for reuse; past contextPoolKeep contexts the one
// handed back first is dropped.
func (p *contextPool) put(c *pngContext) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.free) == contextPoolKeep {
		copy(p.free, p.free[1:])
		p.free = p.free[:contextPoolKeep-1]
	}
	p.free = append(p.free, c)
}

// imagePool recycles the pixel buffers of the charts' PNG canvases. A
// chart's image is some megabytes, and memory a process touches for the
// first time costs a page fault per 4 KiB page (about 10 µs each on the
// virtual machines the benchmarks run on: more than drawing into it), so
// the pool keeps its buffers across garbage collections (a sync.Pool
// drops them at each) and lends any buffer large enough for a chart,
// whatever its size. A new buffer is made large enough for every chart
// of the common sizes (imageMinBytes), so that the charts drawn side by
// side need one buffer each however their sizes follow one another.
type imagePool struct {
	mu   sync.Mutex
	free [][]uint8 // at most imagePoolKeep buffers, each of capacity at least imageMinBytes
}

// imagePoolKeep bounds the buffers an imagePool keeps: the charts drawn
// at once (runJobs draws on up to GOMAXPROCS goroutines; more buffers are
// made when needed and left to the garbage collector when handed back).
const imagePoolKeep = 4

// imageMinBytes is the capacity of a new buffer at least: the pixels of
// the largest chart but the stacked ones of more than three panels
// (plotWidth by stackHeight at vgimg's resolution).
var imageMinBytes = 4 * pixels(plotWidth) * pixels(stackHeight)

// pixels is length l in pixels at vgimg's default resolution, rounded.
func pixels(l vg.Length) int { return int(l/vg.Inch*vgimg.DefaultDPI + 0.5) }

// pngImages holds the pixel buffers of PNG canvases drawn and written.
var pngImages = &imagePool{}

// get returns an RGBA image of w by h pixels on a lent buffer (its pixels
// left as they were: the canvas paints them all).
func (p *imagePool) get(w, h int) *image.RGBA {
	need := 4 * w * h
	var pix []uint8
	p.mu.Lock()
	for i, b := range p.free {
		if cap(b) >= need {
			pix = b
			last := len(p.free) - 1
			p.free[i] = p.free[last]
			p.free[last] = nil
			p.free = p.free[:last]
			break
		}
	}
	p.mu.Unlock()
	if pix == nil {
		pix = make([]uint8, max(need, imageMinBytes))
	}
	return &image.RGBA{Pix: pix[:need], Stride: 4 * w, Rect: image.Rect(0, 0, w, h)}
}

// put hands img's buffer back for reuse; img is not to be used after.
// Past imagePoolKeep buffers, the smallest is dropped.
func (p *imagePool) put(img *image.RGBA) {
	pix := img.Pix[:cap(img.Pix)]
	img.Pix = nil
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.free) < imagePoolKeep {
		p.free = append(p.free, pix)
		return
	}
	small := 0
	for i, b := range p.free {
		if cap(b) < cap(p.free[small]) {
			small = i
		}
	}
	if cap(pix) > cap(p.free[small]) {
		p.free[small] = pix
	}
}

// fastPNG is a PNG canvas written by encodePNG. img, when set, is the
// canvas's image from pngImages, which release hands back; text, when
// set, draws its upright text (pngtext.go).
type fastPNG struct {
	vgimg.PngCanvas
	img  *image.RGBA
	ctx  *pngContext // img's, from pngContexts, which release hands back
	text *pngText
}

// WriteTo writes the canvas as PNG to w.
func (c fastPNG) WriteTo(w io.Writer) (int64, error) {
	cw := &countWriter{w: w}
	err := encodePNG(cw, c.Image())
	return cw.n, err
}

// release hands the canvas's image back to pngImages; the canvas is not
// to be used after.
func (c fastPNG) release() {
	if c.img != nil {
		pngImages.put(c.img)
	}
	if c.ctx != nil {
		pngContexts.put(c.ctx)
	}
}

// countWriter counts the bytes written through it.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// saveChart writes the chart drawn by render to base+".png" and
// base+".svg".
func saveChart(base string, render func(format string) (io.WriterTo, error)) error {
	for _, format := range []string{"png", "svg"} {
		wt, err := render(format)
		if err != nil {
			return fmt.Errorf("render %s.%s: %w", base, format, err)
		}
		err = WriteFileAtomic(base+"."+format, func(w io.Writer) error {
			_, err := wt.WriteTo(w)
			return err
		})
		if c, ok := wt.(fastPNG); ok {
			c.release()
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// render draws p in the given format ("png", "svg") with a margin and
// its legend to the right of the data area, where it cannot hide data.
func render(p *plot.Plot, format string) (io.WriterTo, error) {
	return renderSized(p, format, plotWidth, plotHeight)
}

// renderSized is render on a canvas of width w and height h.
func renderSized(p *plot.Plot, format string, w, h vg.Length) (io.WriterTo, error) {
	useMeasured(p)
	vc, err := newCanvas(w, h, format)
	if err != nil {
		return nil, err
	}
	const margin = chartMargin
	c := draw.Crop(draw.New(vc), margin, -margin, margin, -margin)

	legend := p.Legend
	p.Legend = plot.NewLegend() // no entries: Draw draws no legend
	defer func() { p.Legend = legend }()
	defer onWhite(format, p)()
	p.Draw(draw.Crop(c, 0, -(legend.Rectangle(c).Size().X + 2*margin), 0, 0))

	if p.Title.Text != "" {
		c = draw.Crop(c, 0, 0, 0, -(p.Title.TextStyle.Rectangle(p.Title.Text).Size().Y + p.Title.Padding + margin))
	}
	legend.Top, legend.Left = true, false
	legend.Draw(c)
	return vc, nil
}

// renderStacked draws panels (at least one) one above the other in the
// given format, under one title, with their data areas aligned (so that
// panels with equal x ranges share their time axis) and each panel's
// legend to the right of its data area, as render does.
func renderStacked(title string, panels []*plot.Plot, format string) (io.WriterTo, error) {
	for _, p := range panels {
		useMeasured(p)
	}
	height := max(stackHeight, vg.Length(len(panels))*panelHeight)
	vc, err := newCanvas(plotWidth, height, format)
	if err != nil {
		return nil, err
	}
	const margin = chartMargin
	c := draw.Crop(draw.New(vc), margin, -margin, margin, -margin)
	if format != "png" { // a PNG canvas starts white
		c.SetColor(color.White)
		c.Fill(c.Rectangle.Path())
	}

	if title != "" {
		ts := plot.New().Title.TextStyle
		useMeasuredStyle(&ts)
		c.FillText(ts, vg.Point{X: c.Center().X, Y: c.Max.Y + ts.FontExtents().Descent}, title)
		c = draw.Crop(c, 0, 0, 0, -(ts.Rectangle(title).Size().Y + margin))
	}

	legends := make([]plot.Legend, len(panels))
	var legendWidth vg.Length
	for i, p := range panels {
		legends[i] = p.Legend
		legendWidth = max(legendWidth, p.Legend.Rectangle(c).Size().X)
		p.Legend = plot.NewLegend() // no entries: Draw draws no legend
	}
	defer func() {
		for i, p := range panels {
			p.Legend = legends[i]
		}
	}()
	grid := make([][]*plot.Plot, len(panels))
	for i, p := range panels {
		grid[i] = []*plot.Plot{p}
		defer onWhite(format, p)()
	}
	data := draw.Crop(c, 0, -(legendWidth + 2*margin), 0, 0)
	tiles := plot.Align(grid, draw.Tiles{Rows: len(panels), Cols: 1, PadY: margin}, data)
	for i, p := range panels {
		tile := tiles[i][0]
		p.Draw(tile)
		lc := c
		lc.Min.Y, lc.Max.Y = tile.Min.Y, tile.Max.Y
		legends[i].Top, legends[i].Left = true, false
		legends[i].Draw(lc)
	}
	return vc, nil
}

// onWhite readies p to be drawn on a canvas of the given format: a PNG
// canvas starts white (vgimg fills it), so painting p's white background
// again through the antialiasing rasterizer would change no pixel and
// cost as much as drawing its lines; onWhite drops it then. It returns
// the function that restores p.
func onWhite(format string, p *plot.Plot) (restore func()) {
	bg := p.BackgroundColor
	if format != "png" || bg == nil {
		return func() {}
	}
	if r, g, b, a := bg.RGBA(); r != 0xffff || g != 0xffff || b != 0xffff || a != 0xffff {
		return func() {}
	}
	p.BackgroundColor = nil
	return func() { p.BackgroundColor = bg }
}
