// Package browser checks depinsim's HTML reports in a real, headless
// Chromium through the DevTools protocol (chromedp). For each report.html
// it opens the file from a file:// URL and fails on any console error,
// uncaught exception or error log entry, on any network request other
// than the file itself (or a data:, blob: or about: URL: the report must
// be self-contained), when the page does not set
// document.body.dataset.reportReady to "1" in time, when its full-page
// screenshot is blank, and when a mouse drag across the first chart of
// window.depinsimCharts (uPlot instances) does not zoom its x scale in.
//
// It is a module of its own so that chromedp and its dependencies stay
// out of depinsim's go.mod. make e2e-browser (scripts/e2e-browser.sh)
// installs Chromium when it is missing, writes a report of each kind and
// runs the tests here on every report.html it finds; the tests are
// skipped unless DEPINSIM_E2E=1 (the harness's own tests on the pages of
// testdata/) or DEPINSIM_E2E_REPORTS (the reports to check) is set.
package browser
