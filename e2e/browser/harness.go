package browser

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Kind names what a Problem is about.
type Kind string

// The kinds of problem Check reports.
const (
	// KindLoad: the page could not be opened.
	KindLoad Kind = "load"
	// KindConsole: a console.error or console.assert call, or a log
	// entry of level error (a failed resource, a blocked request).
	KindConsole Kind = "console"
	// KindException: an uncaught JavaScript exception.
	KindException Kind = "exception"
	// KindNetwork: a request for anything but the report's own file or a
	// data:, blob: or about: URL.
	KindNetwork Kind = "network"
	// KindNotReady: document.body.dataset.reportReady was not "1" within
	// Options.ReadyTimeout.
	KindNotReady Kind = "not-ready"
	// KindBlank: the full-page screenshot has too few non-white pixels
	// or too few distinct colours (MinNonWhite, MinColours).
	KindBlank Kind = "blank"
	// KindZoom: window.depinsimCharts[0] is missing, or a mouse drag
	// across its plotting area did not narrow its x scale.
	KindZoom Kind = "zoom"
)

// Problem is one thing wrong with a page.
type Problem struct {
	Kind   Kind
	Detail string
}

// String returns the kind and the detail.
func (p Problem) String() string { return string(p.Kind) + ": " + p.Detail }

// Thresholds of the blank-page check on the full-page screenshot.
const (
	// MinNonWhite is the smallest share of non-white pixels (a pixel is
	// white when each of its red, green and blue channels is at least
	// WhiteLevel, out of 255) of a page that is not blank.
	MinNonWhite = 0.02
	// WhiteLevel is the 8-bit channel level from which a channel counts
	// as white.
	WhiteLevel = 245
	// MinColours is the smallest number of distinct colours (8-bit RGBA)
	// of a page that is not blank: more than MinColours.
	MinColours = 16
)

// DefaultReadyTimeout is how long Check waits for
// document.body.dataset.reportReady === "1" by default.
const DefaultReadyTimeout = 20 * time.Second

// Options tune Check.
type Options struct {
	// ReadyTimeout is how long to wait for the report to set
	// document.body.dataset.reportReady to "1" (default
	// DefaultReadyTimeout).
	ReadyTimeout time.Duration
	// Screenshot is the PNG file the full-page screenshot is written to
	// (its folder is created); empty: not written.
	Screenshot string
}

// Result is what Check found on one page.
type Result struct {
	// Problems lists everything wrong, in the order found; empty when
	// the page passed.
	Problems []Problem
	// Requests lists the URL of every request the page made, its own
	// file included.
	Requests []string
	// NonWhite is the share of non-white pixels of the screenshot and
	// Colours its number of distinct colours (capped at 4096).
	NonWhite float64
	Colours  int
	// XBefore and XAfter are the x scale's [min, max] of the first chart
	// before and after the drag.
	XBefore, XAfter [2]float64
}

// Failed reports whether the page has a problem of kind k.
func (r Result) Failed(k Kind) bool {
	for _, p := range r.Problems {
		if p.Kind == k {
			return true
		}
	}
	return false
}

// FindChrome returns the Chromium or Chrome to use: $DEPINSIM_CHROME when
// set, else the first of chromium, chromium-browser, google-chrome and
// google-chrome-stable on PATH.
func FindChrome() (string, error) {
	if p := os.Getenv("DEPINSIM_CHROME"); p != "" {
		return p, nil
	}
	names := []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no browser found: none of %s is on PATH and DEPINSIM_CHROME is not set (make e2e-browser installs Debian's chromium)", strings.Join(names, ", "))
}

// Start starts one headless browser (chrome, a path from FindChrome) with
// a 1280x900 window and returns a context for Check; cancel stops the
// browser. The first tab is opened here, so a browser that cannot start
// is an error now.
func Start(chrome string) (context.Context, context.CancelFunc, error) {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome),
		chromedp.WindowSize(1280, 900),
		// no favicon, component or other background fetches
		chromedp.Flag("disable-component-update", true),
	)
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, bcancel := chromedp.NewContext(actx)
	cancel := func() { bcancel(); acancel() }
	if err := chromedp.Do(bctx); err != nil {
		cancel()
		return nil, nil, fmt.Errorf("starting %s: %w", chrome, err)
	}
	return bctx, cancel, nil
}

// fileURL returns the file:// URL of the file at path.
func fileURL(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String(), nil
}

// allowed reports whether a request for u is allowed in a self-contained
// report whose own URL is own.
func allowed(u, own string) bool {
	u, _, _ = strings.Cut(u, "#")
	switch {
	case u == own:
		return true
	case strings.HasPrefix(u, "data:"), strings.HasPrefix(u, "blob:"), strings.HasPrefix(u, "about:"):
		return true
	}
	a, errA := url.PathUnescape(u)
	b, errB := url.PathUnescape(own)
	return errA == nil && errB == nil && a == b
}

// remoteText renders console call arguments as text.
func remoteText(args []*runtime.RemoteObject) string {
	var parts []string
	for _, a := range args {
		switch {
		case a == nil:
		case a.Description != "":
			parts = append(parts, a.Description)
		case len(a.Value) > 0:
			parts = append(parts, string(a.Value))
		default:
			parts = append(parts, string(a.Type))
		}
	}
	return strings.Join(parts, " ")
}

// recorder collects the events of one tab (the listener runs on
// chromedp's reading goroutine).
type recorder struct {
	mu       sync.Mutex
	own      string
	problems []Problem
	requests []string
}

func (r *recorder) add(p Problem) {
	r.mu.Lock()
	r.problems = append(r.problems, p)
	r.mu.Unlock()
}

func (r *recorder) listen(ev any) {
	switch e := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeAssert {
			r.add(Problem{KindConsole, fmt.Sprintf("console.%s: %s", e.Type, remoteText(e.Args))})
		}
	case *runtime.EventExceptionThrown:
		d := e.ExceptionDetails
		if d == nil {
			r.add(Problem{KindException, "uncaught exception (no details)"})
			return
		}
		msg := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			msg += " " + d.Exception.Description
		}
		r.add(Problem{KindException, fmt.Sprintf("%s (line %d, column %d)", msg, d.LineNumber+1, d.ColumnNumber+1)})
	case *cdplog.EventEntryAdded:
		if e.Entry != nil && e.Entry.Level == cdplog.EntryLevelError {
			r.add(Problem{KindConsole, fmt.Sprintf("log entry (%s): %s %s", e.Entry.Source, e.Entry.Text, e.Entry.URL)})
		}
	case *network.EventRequestWillBeSent:
		if e.Request == nil {
			return
		}
		u := e.Request.URL
		r.mu.Lock()
		r.requests = append(r.requests, u)
		r.mu.Unlock()
		if !allowed(u, r.own) {
			r.add(Problem{KindNetwork, fmt.Sprintf("request for %s (a report must be self-contained: only its own file and data:, blob: or about: URLs)", u)})
		}
	}
}

// blockNetwork makes the tab fail every request to the network at once
// (requests are still recorded): a report that is not self-contained is
// rejected without waiting for, or reaching, a server.
var blockNetwork = chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
	var patterns []*network.BlockPattern
	for _, scheme := range []string{"http", "https", "ws", "wss", "ftp"} {
		patterns = append(patterns, &network.BlockPattern{URLPattern: scheme + "://*:*/*", Block: true})
	}
	_, err := cdp.Call(ctx, t, network.SetBlockedURLs, network.SetBlockedURLsParams{URLPatterns: patterns})
	return err
})

// chartBox is the first chart's plotting area and x scale.
type chartBox struct {
	Err    string  `json:"err"`
	Left   float64 `json:"left"`
	Top    float64 `json:"top"`
	Width  float64 `json:"width"`
	Height float64 `json:"height"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
}

// firstChart scrolls the first chart's .u-over into view and returns its
// box in viewport pixels and its x scale.
const firstChart = `(() => {
	const cs = window.depinsimCharts;
	if (!Array.isArray(cs) || cs.length === 0) return {err: "window.depinsimCharts is not a non-empty array"};
	const u = cs[0];
	if (!u || !u.over || !u.scales || !u.scales.x) return {err: "window.depinsimCharts[0] is not a uPlot instance (no .over or .scales.x)"};
	if (!u.over.classList.contains("u-over")) return {err: "window.depinsimCharts[0].over is not the chart's .u-over element"};
	u.over.scrollIntoView({block: "center", inline: "center"});
	const r = u.over.getBoundingClientRect();
	const x = u.scales.x;
	if (typeof x.min !== "number" || typeof x.max !== "number") return {err: "the first chart's x scale has no numeric min and max"};
	return {left: r.left, top: r.top, width: r.width, height: r.height, min: x.min, max: x.max};
})()`

// xScaleAfterFrames waits two animation frames and returns the first
// chart's x scale.
const xScaleAfterFrames = `new Promise(ok => requestAnimationFrame(() => requestAnimationFrame(() => {
	const x = window.depinsimCharts[0].scales.x;
	ok({min: x.min, max: x.max});
})))`

// leftDown sets the left button as held (buttons bit field 1).
func leftDown(p *input.DispatchMouseEventParams) {
	p.Button = input.MouseButtonLeft
	p.Buttons = 1
}

// Check opens the report at path in a new tab of the browser of bctx
// (from Start) and checks it; see the package comment. The error is for
// a failure of the harness itself (the browser died, the screenshot
// could not be written); what is wrong with the page is in
// Result.Problems.
func Check(bctx context.Context, path string, opts Options) (Result, error) {
	if opts.ReadyTimeout <= 0 {
		opts.ReadyTimeout = DefaultReadyTimeout
	}
	if _, err := os.Stat(path); err != nil {
		return Result{}, err
	}
	own, err := fileURL(path)
	if err != nil {
		return Result{}, err
	}
	tctx, cancel := chromedp.NewContext(bctx)
	defer cancel()
	rec := &recorder{own: own}
	if err := chromedp.Listen(tctx, rec.listen); err != nil {
		return Result{}, fmt.Errorf("opening a tab: %w", err)
	}
	// every step is bounded: the ready wait, plus a margin
	ctx, stop := context.WithTimeout(tctx, opts.ReadyTimeout+60*time.Second)
	defer stop()
	res, err := check(ctx, own, opts)
	// the events of the tab came before the replies to the commands
	// above, so the recorder holds every one of them
	rec.mu.Lock()
	defer rec.mu.Unlock()
	res.Problems = append(slices.Clone(rec.problems), res.Problems...)
	res.Requests = slices.Clone(rec.requests)
	return res, err
}

// check runs the steps of Check in the tab of ctx, on the page at the
// file:// URL own.
func check(ctx context.Context, own string, opts Options) (Result, error) {
	var res Result
	if err := chromedp.Do(ctx, blockNetwork); err != nil {
		return res, fmt.Errorf("blocking the network: %w", err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(own)); err != nil {
		res.Problems = append(res.Problems, Problem{KindLoad, fmt.Sprintf("opening %s: %v", own, err)})
		return res, nil
	}
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.body && document.body.dataset.reportReady === "1"`,
		chromedp.WithPollingTimeout(opts.ReadyTimeout), chromedp.WithPollingInterval(50*time.Millisecond)))
	if errors.Is(err, chromedp.ErrPollingTimeout) {
		v, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`String(document.body && document.body.dataset.reportReady)`))
		res.Problems = append(res.Problems, Problem{KindNotReady, fmt.Sprintf(
			"document.body.dataset.reportReady is %q after %v, want \"1\" (the report sets it once every chart is drawn)", v, opts.ReadyTimeout)})
		return res, nil
	} else if err != nil {
		return res, fmt.Errorf("waiting for reportReady: %w", err)
	}

	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		return res, fmt.Errorf("screenshot: %w", err)
	}
	if opts.Screenshot != "" {
		if err := os.MkdirAll(filepath.Dir(opts.Screenshot), 0o755); err != nil {
			return res, err
		}
		if err := os.WriteFile(opts.Screenshot, shot, 0o644); err != nil {
			return res, err
		}
	}
	res.NonWhite, res.Colours, err = Blankness(shot)
	if err != nil {
		return res, fmt.Errorf("screenshot: %w", err)
	}
	if res.NonWhite <= MinNonWhite || res.Colours <= MinColours {
		res.Problems = append(res.Problems, Problem{KindBlank, fmt.Sprintf(
			"the page looks blank: %.2f%% of the screenshot's pixels are non-white (want > %.0f%%) and it has %d distinct colours (want > %d)",
			100*res.NonWhite, 100*MinNonWhite, res.Colours, MinColours)})
	}

	if p := zoom(ctx, &res); p != nil {
		res.Problems = append(res.Problems, *p)
	}
	return res, nil
}

// zoom drags the mouse across the middle third of the first chart's
// plotting area and checks that its x scale narrowed to about that span.
func zoom(ctx context.Context, res *Result) *Problem {
	box, err := chromedp.Run(ctx, chromedp.Evaluate[chartBox](firstChart))
	if err != nil {
		return &Problem{KindZoom, fmt.Sprintf("reading the first chart: %v", err)}
	}
	if box.Err != "" {
		return &Problem{KindZoom, box.Err}
	}
	if box.Width < 50 || box.Height < 20 {
		return &Problem{KindZoom, fmt.Sprintf("the first chart's plotting area is %.0fx%.0f px, too small to drag across", box.Width, box.Height)}
	}
	res.XBefore = [2]float64{box.Min, box.Max}
	y := box.Top + box.Height/2
	x0, x1 := box.Left+box.Width/3, box.Left+2*box.Width/3
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.MouseEvent(chromedp.MouseMoved, x0, y),
		chromedp.MouseEvent(chromedp.MousePressed, x0, y, leftDown, chromedp.ClickCount(1)),
	}
	for i := 1; i <= 10; i++ {
		steps = append(steps, chromedp.MouseEvent(chromedp.MouseMoved, x0+(x1-x0)*float64(i)/10, y, leftDown))
	}
	steps = append(steps, chromedp.MouseEvent(chromedp.MouseReleased, x1, y, chromedp.ButtonLeft, chromedp.ClickCount(1)))
	if err := chromedp.Do(ctx, steps...); err != nil {
		return &Problem{KindZoom, fmt.Sprintf("dragging across the first chart: %v", err)}
	}
	after, err := chromedp.Run(ctx, chromedp.Evaluate[chartBox](xScaleAfterFrames, chromedp.EvalAwaitPromise))
	if err != nil {
		return &Problem{KindZoom, fmt.Sprintf("reading the first chart's x scale after the drag: %v", err)}
	}
	res.XAfter = [2]float64{after.Min, after.Max}
	before, now := box.Max-box.Min, after.Max-after.Min
	if !(after.Min >= box.Min && after.Max <= box.Max && now > 0 && now < 0.9*before) {
		return &Problem{KindZoom, fmt.Sprintf(
			"a mouse drag across the middle third of the first chart did not zoom in: its x scale went from [%g, %g] to [%g, %g]",
			box.Min, box.Max, after.Min, after.Max)}
	}
	return nil
}

// Blankness decodes a PNG and returns its share of non-white pixels and
// its number of distinct 8-bit RGBA colours (counted up to 4096).
func Blankness(pngData []byte) (nonWhite float64, colours int, err error) {
	img, err := png.Decode(bytes.NewReader(pngData))
	if err != nil {
		return 0, 0, err
	}
	b := img.Bounds()
	if b.Empty() {
		return 0, 0, errors.New("empty image")
	}
	seen := make(map[uint32]struct{})
	var dark int
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := rgba8(img, x, y)
			if r < WhiteLevel || g < WhiteLevel || bl < WhiteLevel {
				dark++
			}
			if len(seen) < 4096 {
				seen[uint32(r)<<24|uint32(g)<<16|uint32(bl)<<8|uint32(a)] = struct{}{}
			}
		}
	}
	return float64(dark) / float64(b.Dx()*b.Dy()), len(seen), nil
}

// rgba8 returns the 8-bit RGBA of a pixel (read straight from the pixel
// buffer of the NRGBA and RGBA images that PNG screenshots decode to:
// a full-page screenshot can have tens of millions of pixels).
func rgba8(img image.Image, x, y int) (r, g, b, a uint8) {
	switch m := img.(type) {
	case *image.NRGBA:
		p := m.Pix[m.PixOffset(x, y):]
		return p[0], p[1], p[2], p[3]
	case *image.RGBA:
		p := m.Pix[m.PixOffset(x, y):]
		return p[0], p[1], p[2], p[3]
	}
	R, G, B, A := img.At(x, y).RGBA()
	return uint8(R >> 8), uint8(G >> 8), uint8(B >> 8), uint8(A >> 8)
}
