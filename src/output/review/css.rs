//! The page's one style sheet, inline in `<head>`: readable on screen (pictures at most
//! [`super::embed::PAGE_WIDTH_PX`] wide, the width of the text column) and in print (A4,
//! each design's section on its own page, no picture, datasheet or table row cut in two).

/// The style sheet.
pub const CSS: &str = r#"
:root { color-scheme: light; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif;
  color: #1b1b1b; background: #fff; margin: 0 auto; max-width: 1120px; padding: 1.2em 2em; }
h1 { font-size: 1.7em; margin: 0 0 .2em; }
h2 { font-size: 1.35em; border-bottom: 2px solid #2b5d8a; padding-bottom: .15em; margin-top: 1.6em; }
h2 small { font-weight: normal; color: #555; }
h3 { font-size: 1.1em; margin: 1.2em 0 .4em; }
p.lead { color: #444; margin-top: 0; }
nav.toc { font-size: .92em; color: #444; margin: .4em 0 0; }
nav.toc a { color: #2b5d8a; margin-right: .7em; white-space: nowrap; }
table { border-collapse: collapse; margin: .5em 0 1em; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #c8ced6; padding: .22em .5em; vertical-align: top; }
th { background: #eef2f6; text-align: left; }
td.num { text-align: right; white-space: nowrap; }
td.unit { color: #555; white-space: nowrap; }
table.summary { font-size: 13px; }
table.summary th, table.summary td { padding: .2em .4em; }
table.summary td:first-child { min-width: 11em; max-width: 17em; }
table.summary th { white-space: nowrap; }
table.summary th[data-design] { white-space: normal; min-width: 4em; }
table.summary th a { color: inherit; }
table.summary td.spec { font-size: .85em; white-space: nowrap; }
.note { color: #7a4b00; font-size: .9em; }
.pass { color: #17692c; font-weight: 600; }
.fail { color: #b00020; font-weight: 700; }
.info { color: #555; }
.scroll { overflow-x: auto; }
table.front td:nth-child(-n+2) { white-space: nowrap; }
table.front th { white-space: nowrap; font-size: .9em; }
.datasheet { border: 2px solid #2b5d8a; border-radius: 6px; padding: .4em 1em .2em; background: #f8fafc;
  break-inside: avoid; page-break-inside: avoid; }
.datasheet h3 { margin-top: .4em; }
.datasheet table { width: 100%; background: #fff; }
.datasheet td:first-child { width: 17em; }
.datasheet td:nth-child(2) { width: 15em; }
.datasheet td:nth-child(3) { width: 4em; }
.advisories li { color: #7a4b00; }
figure { margin: 1em 0; break-inside: avoid; page-break-inside: avoid; }
figure img { max-width: 100%; height: auto; border: 1px solid #dde2e8; display: block; }
figcaption { color: #444; font-size: .9em; margin-top: .3em; }
pre { background: #f6f8fa; border: 1px solid #dde2e8; padding: .8em; overflow-x: auto;
  font: 12.5px/1.35 "DejaVu Sans Mono", ui-monospace, monospace; white-space: pre; }
code { font-family: "DejaVu Sans Mono", ui-monospace, monospace; font-size: .92em; word-break: break-all; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  nav.toc { display: none; }
  section.design, section.compare, section.validation, section.optimise { break-before: page; page-break-before: always; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  figure, .datasheet, tr, pre { break-inside: avoid; page-break-inside: avoid; }
  figure img { max-height: 11.5cm; width: auto; max-width: 100%; }
  pre { white-space: pre-wrap; font-size: 7.5pt; }
  .scroll { overflow: visible; }
  a { color: inherit; text-decoration: none; }
  table.summary { font-size: 6.5pt; width: 100%; }
  table.summary th, table.summary td { padding: .1em .25em; }
  table.summary td.spec { min-width: 0; }
}
@page { size: A4; margin: 12mm; }
"#;
