// Package html builds depinsim's self-contained HTML reports: one file
// that opens anywhere, offline, with its styles, its chart library
// (uPlot, vendored in assets/ with its licence and embedded in the
// binary) and its data inline, and no reference to the network.
//
// A Report is a list of sections; a section holds blocks: paragraphs,
// lists, warnings, tables (cells may carry a #rrggbb background, for
// heatmaps), links to files next to the report (relative paths only) and
// charts: time series, or curves against a number (XLabel, optionally
// on a log axis). A series' Style fixes its colour and dash pattern, so
// that one thing keeps its look in every chart. Render writes it with
// html/template, so every name and number is escaped for the context it
// lands in; each chart's data goes into a <script type="application/json">
// block made by encoding/json (which escapes <, >, & and U+2028/2029) and
// is drawn in the page by uPlot: drag on the x axis to zoom, double-click
// to reset, hover for the values (in the legend), click a legend entry to
// hide or show a series. The page exposes the uPlot instances as
// window.depinsimCharts and sets document.body.dataset.reportReady to
// "1" once every chart is drawn. Without JavaScript, a chart shows its
// static SVG fallback when it has one.
//
// The run, compare and sweep reports (package reports: WriteRunReport,
// WriteCompareReport, WriteSweepReport) are built with it.
package html
