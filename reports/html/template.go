package html

// pageHTML is the page's template. Everything inside it is static but the
// report's values, which html/template escapes for their context; the
// chart data (template.JS) is JSON from encoding/json and the fallback
// SVGs (template.HTML) come from a trusted renderer.
const pageHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>{{.Title}}</title>
<style>{{.UplotCSS}}</style>
<style>{{.ReportCSS}}</style>
</head>
<body>
<header>
<h1>{{.Title}}</h1>
{{with .Subtitle}}<p class="subtitle">{{.}}</p>{{end}}
<nav aria-label="Contents"><ol>{{range .Sections}}<li><a href="#{{.ID}}">{{.Title}}</a></li>{{end}}</ol></nav>
<p class="chart-help">Charts: drag across a chart to zoom in on those dates, double-click to zoom out; the legend shows the values under the cursor; click a legend entry to hide or show its line. Shaded bands are 95% confidence intervals of the mean over the replications.</p>
</header>
<main>
{{range .Sections}}<section id="{{.ID}}">
<h2>{{.Title}}</h2>
{{range .Blocks}}{{with .Para}}<p>{{.}}</p>
{{end}}{{with .Warning}}<p class="warning" role="note">{{.}}</p>
{{end}}{{with .List}}<ul>{{range .}}<li>{{.}}</li>{{end}}</ul>
{{end}}{{with .Table}}<div class="table-wrap"><table{{with .ID}} id="{{.}}"{{end}}>{{with .Caption}}<caption>{{.}}</caption>{{end}}
<thead><tr>{{range .Header}}<th scope="col">{{.}}</th>{{end}}</tr></thead>
<tbody>{{range .Rows}}<tr>{{range .}}<td{{with .Class}} class="{{.}}"{{end}}{{if or .Background .Foreground}} style="{{with .Background}}background-color: {{.}};{{end}}{{with .Foreground}} color: {{.}};{{end}}"{{end}}>{{.Text}}</td>{{end}}</tr>
{{end}}</tbody></table></div>
{{end}}{{with .Links}}<ul class="links">{{range .}}<li><a href="{{.Href}}">{{.Text}}</a></li>{{end}}</ul>
{{end}}{{with .Figure}}<figure class="chart static" id="{{.ID}}">
<h3>{{.Title}}</h3>
<img class="drawing" src="{{index $.Figures .ID}}" alt="{{.Title}}: {{.Caption}}"{{with .Width}} style="max-width: {{.}}px"{{end}}>
<figcaption>{{.Caption}}</figcaption>
</figure>
{{end}}{{with .Chart}}<figure class="chart" id="{{.ID}}">
<h3>{{.Title}}</h3>
<div class="plot" id="{{.ID}}-plot" role="img" aria-label="{{.Title}}: {{.Caption}}"></div>
<script type="application/json" id="{{.ID}}-data" data-chart="{{.ID}}">{{index $.Charts .ID}}</script>
<noscript>{{with index $.SVGs .ID}}<div class="fallback">{{.}}</div>{{else}}<p class="fallback">{{.Fallback}}</p>{{end}}</noscript>
<figcaption>{{.Caption}}</figcaption>
</figure>
{{end}}{{end}}</section>
{{end}}</main>
<script>{{.UplotJS}}</script>
<script>{{.ReportJS}}</script>
</body>
</html>
`
