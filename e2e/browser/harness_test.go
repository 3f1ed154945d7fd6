package browser

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The environment that turns the browser tests on (package comment).
const (
	// envSelf = "1" runs the harness's own tests on testdata/.
	envSelf = "DEPINSIM_E2E"
	// envReports lists the report.html files TestReports checks,
	// separated as in PATH (':' on Unix).
	envReports = "DEPINSIM_E2E_REPORTS"
	// envShots is the folder the screenshots of the reports and of the
	// good test page go to (default: a temporary folder).
	envShots = "DEPINSIM_E2E_SHOTS"
)

// the browser of the tests, started by TestMain when a browser test runs
var bctx context.Context

func TestMain(m *testing.M) {
	code := func() int {
		if os.Getenv(envSelf) != "1" && os.Getenv(envReports) == "" {
			return m.Run()
		}
		chrome, err := FindChrome()
		if err != nil {
			fmt.Fprintln(os.Stderr, "e2e/browser:", err)
			return 1
		}
		ctx, cancel, err := Start(chrome)
		if err != nil {
			fmt.Fprintln(os.Stderr, "e2e/browser:", err)
			return 1
		}
		defer cancel()
		bctx = ctx
		return m.Run()
	}()
	os.Exit(code)
}

// needBrowser skips the test unless the environment variable env turns
// browser tests on.
func needBrowser(t *testing.T, env string) {
	t.Helper()
	if os.Getenv(env) == "" || bctx == nil {
		t.Skipf("browser test: set %s (make e2e-browser does)", env)
	}
}

// shotDir is where screenshots worth keeping go.
func shotDir(t *testing.T) string {
	if d := os.Getenv(envShots); d != "" {
		return d
	}
	return t.TempDir()
}

// shotName names the screenshot of a page: report.html files by their
// folder (relative to dir when inside it, '/' as '-'), other pages by
// their file name.
func shotName(page, dir string) string {
	base := filepath.Base(page)
	if base != "report.html" {
		return strings.TrimSuffix(base, filepath.Ext(base)) + ".png"
	}
	folder, _ := filepath.Abs(filepath.Dir(page))
	d, _ := filepath.Abs(dir)
	if rel, err := filepath.Rel(d, folder); err == nil && rel != "." && !strings.HasPrefix(rel, "..") {
		return strings.ReplaceAll(filepath.ToSlash(rel), "/", "-") + ".png"
	}
	return filepath.Base(folder) + ".png"
}

// TestReports checks every report.html listed in DEPINSIM_E2E_REPORTS.
func TestReports(t *testing.T) {
	needBrowser(t, envReports)
	dir := shotDir(t)
	for _, page := range filepath.SplitList(os.Getenv(envReports)) {
		if page == "" {
			continue
		}
		name := shotName(page, dir)
		t.Run(strings.TrimSuffix(name, ".png"), func(t *testing.T) {
			shot := filepath.Join(dir, name)
			res, err := Check(bctx, page, Options{Screenshot: shot})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range res.Problems {
				t.Errorf("%s: %s", page, p)
			}
			t.Logf("%s: %d requests, %.1f%% non-white, %d colours, x [%g, %g] -> [%g, %g] by a drag; screenshot %s",
				page, len(res.Requests), 100*res.NonWhite, res.Colours, res.XBefore[0], res.XBefore[1], res.XAfter[0], res.XAfter[1], shot)
		})
	}
}

// TestGoodPage: the test page (uPlot inline, one chart) passes every
// check, and its screenshot is written.
func TestGoodPage(t *testing.T) {
	needBrowser(t, envSelf)
	shot := filepath.Join(shotDir(t), "testdata-good.png")
	res, err := Check(bctx, filepath.Join("testdata", "good.html"), Options{Screenshot: shot})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) > 0 {
		t.Fatalf("the good test page failed: %v", res.Problems)
	}
	if _, err := os.Stat(shot); err != nil {
		t.Errorf("screenshot not written: %v", err)
	}
	if len(res.Requests) != 1 {
		t.Errorf("requests = %q, want only the page itself", res.Requests)
	}
	if !(res.XAfter[0] > res.XBefore[0] && res.XAfter[1] < res.XBefore[1]) {
		t.Errorf("x scale %v -> %v: the drag did not zoom in", res.XBefore, res.XAfter)
	}
	t.Logf("%.1f%% non-white, %d colours, x %v -> %v", 100*res.NonWhite, res.Colours, res.XBefore, res.XAfter)
}

// TestRejects: the harness rejects the good page with each defect of
// testdata/defects/ inserted, for the reason of that defect and no other
// check's, and rejects the blank page.
func TestRejects(t *testing.T) {
	needBrowser(t, envSelf)
	good, err := os.ReadFile(filepath.Join("testdata", "good.html"))
	if err != nil {
		t.Fatal(err)
	}
	const marker = "<!-- DEFECT -->"
	if strings.Count(string(good), marker) != 1 {
		t.Fatalf("testdata/good.html must hold %q once", marker)
	}
	cases := []struct {
		page string
		// want is the kind that must be reported, also the others that
		// may come with it (a blocked request is also an error log entry)
		want  Kind
		also  []Kind
		quick bool // shorten the ready timeout
	}{
		{page: "console-error", want: KindConsole},
		{page: "exception", want: KindException},
		{page: "network-image", want: KindNetwork, also: []Kind{KindConsole}},
		{page: "no-zoom", want: KindZoom},
		{page: "never-ready", want: KindNotReady, quick: true},
		{page: "blank", want: KindBlank, also: []Kind{KindZoom}},
	}
	dir := t.TempDir()
	for _, c := range cases {
		t.Run(c.page, func(t *testing.T) {
			page := filepath.Join("testdata", "blank.html")
			if c.page != "blank" {
				defect, err := os.ReadFile(filepath.Join("testdata", "defects", c.page+".html"))
				if err != nil {
					t.Fatal(err)
				}
				page = filepath.Join(dir, c.page+".html")
				html := strings.Replace(string(good), marker, string(defect), 1)
				if err := os.WriteFile(page, []byte(html), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			opts := Options{Screenshot: filepath.Join(dir, c.page+".png")}
			if c.quick {
				opts.ReadyTimeout = 2 * time.Second
			}
			res, err := Check(bctx, page, opts)
			if err != nil {
				t.Fatal(err)
			}
			if !res.Failed(c.want) {
				t.Errorf("%s passed the %s check: problems %v", c.page, c.want, res.Problems)
			}
			for _, p := range res.Problems {
				if p.Kind != c.want && !slices.Contains(c.also, p.Kind) {
					t.Errorf("%s: unexpected problem %s", c.page, p)
				}
			}
			t.Logf("%s: %v", c.page, res.Problems)
		})
	}
}

// TestNetworkBlocked: a page that asks a local HTTP server for an image
// and for data is rejected for both requests, and the server receives
// neither (the harness blocks the network).
func TestNetworkBlocked(t *testing.T) {
	needBrowser(t, envSelf)
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
	}))
	defer srv.Close()
	good, err := os.ReadFile(filepath.Join("testdata", "good.html"))
	if err != nil {
		t.Fatal(err)
	}
	defect := fmt.Sprintf(`<img src="%[1]s/logo.png" alt="" width="1" height="1">
<script>fetch("%[1]s/data.json").catch(function () {});</script>`, srv.URL)
	page := filepath.Join(t.TempDir(), "local-server.html")
	if err := os.WriteFile(page, []byte(strings.Replace(string(good), "<!-- DEFECT -->", defect, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := Check(bctx, page, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var network []string
	for _, p := range res.Problems {
		switch p.Kind {
		case KindNetwork:
			network = append(network, p.Detail)
		case KindConsole:
		default:
			t.Errorf("unexpected problem %s", p)
		}
	}
	if len(network) != 2 {
		t.Errorf("network problems %q, want the image's and the fetch's", network)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the server received %d requests, want none (the harness blocks the network)", n)
	}
}

// TestNotAFile: a missing page is an error of the harness, not a pass.
func TestNotAFile(t *testing.T) {
	needBrowser(t, envSelf)
	if _, err := Check(bctx, filepath.Join("testdata", "missing.html"), Options{}); err == nil {
		t.Fatal("Check of a missing file: no error")
	}
}

// pngOf encodes img.
func pngOf(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestBlankness measures a white image, a white image with a little text-
// like grey and a chart-like image with many colours.
func TestBlankness(t *testing.T) {
	white := image.NewRGBA(image.Rect(0, 0, 100, 100))
	for i := range white.Pix {
		white.Pix[i] = 255
	}
	nw, n, err := Blankness(pngOf(t, white))
	if err != nil || nw != 0 || n != 1 {
		t.Errorf("white: %v non-white, %d colours, %v; want 0, 1", nw, n, err)
	}

	// 1% of the pixels grey in 50 shades: still blank
	text := image.NewRGBA(image.Rect(0, 0, 100, 100))
	copy(text.Pix, white.Pix)
	for i := range 100 {
		text.Set(i, 0, color.Gray{Y: uint8(100 + i%50)})
	}
	nw, n, _ = Blankness(pngOf(t, text))
	if nw > MinNonWhite || n <= MinColours {
		t.Errorf("text: %v non-white, %d colours; want <= %v non-white (blank) with > %d colours", nw, n, MinNonWhite, MinColours)
	}

	// a gradient over a tenth of the image: not blank
	chart := image.NewRGBA(image.Rect(0, 0, 100, 100))
	copy(chart.Pix, white.Pix)
	for y := range 10 {
		for x := range 100 {
			chart.Set(x, y, color.RGBA{uint8(2 * x), uint8(20 * y), 128, 255})
		}
	}
	nw, n, _ = Blankness(pngOf(t, chart))
	if nw <= MinNonWhite || n <= MinColours {
		t.Errorf("chart: %v non-white, %d colours; want > %v and > %d", nw, n, MinNonWhite, MinColours)
	}
	// a grey image (decoded as image.Gray, not RGBA): not white, one colour
	grey := image.NewGray(image.Rect(0, 0, 10, 10))
	nw, n, _ = Blankness(pngOf(t, grey))
	if nw != 1 || n != 1 {
		t.Errorf("grey: %v non-white, %d colours; want 1, 1", nw, n)
	}
	if _, _, err := Blankness([]byte("not a png")); err == nil {
		t.Error("a file that is not a PNG: no error")
	}
}

// TestAllowed: only the page's own file and data:, blob: and about: URLs
// may be requested.
func TestAllowed(t *testing.T) {
	own := "file:///tmp/out/run%20a/report.html"
	for u, want := range map[string]bool{
		own:                                     true,
		own + "#charts":                         true,
		"file:///tmp/out/run a/report.html":     true,
		"data:image/png;base64,AAAA":            true,
		"blob:file:///0b2c":                     true,
		"about:blank":                           true,
		"file:///tmp/out/run%20a/other.js":      false,
		"file:///etc/passwd":                    false,
		"http://example.com/logo.png":           false,
		"https://cdn.jsdelivr.net/npm/uplot.js": false,
		"//example.com/x":                       false,
		"ws://127.0.0.1:1/":                     false,
	} {
		if got := allowed(u, own); got != want {
			t.Errorf("allowed(%q) = %v, want %v", u, got, want)
		}
	}
}

// TestShotName names screenshots after their report's folder.
func TestShotName(t *testing.T) {
	for _, c := range [][3]string{
		{"out/e2e/run/report.html", "out/e2e", "run.png"},
		{"out/e2e/compare/akash-2024/report.html", "out/e2e", "compare-akash-2024.png"},
		{"/elsewhere/sweep/report.html", "out/e2e", "sweep.png"},
		{"testdata/good.html", "out/e2e", "good.png"},
	} {
		if got := shotName(c[0], c[1]); got != c[2] {
			t.Errorf("shotName(%q, %q) = %q, want %q", c[0], c[1], got, c[2])
		}
	}
}
