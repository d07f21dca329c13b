/// The reports' one inline style sheet: a system font stack, a neutral palette, the
/// colour-blind-safe Okabe–Ito colours for categories and a single-hue blue ramp (light to
/// dark) for the heat map, so every chart also reads in greyscale; a print layout for A4
/// where every scrolling box expands (no row or check is lost on paper), the heat map's
/// tables stack, and charts, table rows and tables that fit a page do not split across
/// pages. No `@import`, no `url()`, no `<` or `&` (the sheet is XML text too).
public enum ReportStyle {
    /// The style sheet.
    public static let css = """
        :root { color-scheme: light; }
        * { box-sizing: border-box; }
        body { margin: 0 auto; max-width: 1160px; padding: 24px 20px 48px; color: #1f2328; background: #fff;
          font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
          font-size: 14px; line-height: 1.45; }
        h1 { font-size: 24px; margin: 0 0 4px; font-weight: 600; }
        h2 { font-size: 19px; margin: 36px 0 8px; padding-bottom: 4px; border-bottom: 1px solid #d0d7de; font-weight: 600; }
        h3 { font-size: 15px; margin: 22px 0 6px; font-weight: 600; }
        p { margin: 6px 0; }
        .muted, figcaption, caption { color: #59636e; }
        .empty { font-style: italic; color: #59636e; }
        .summary { display: flex; flex-wrap: wrap; gap: 8px 28px; margin: 12px 0; }
        .summary div { min-width: 150px; }
        .summary .name { display: block; font-size: 12px; color: #59636e; }
        .summary .value { font-size: 17px; font-weight: 600; }
        .badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600;
          border: 1px solid #1f2328; }
        .badge.good { background: #dcefe7; }
        .badge.warning { background: #fdf1cf; border-style: dashed; }
        .badge.critical { background: #fbe3d6; border-width: 2px; }
        .verdict-drift { font-weight: 700; }
        figure { margin: 14px 0 8px; }
        figcaption { font-size: 13px; margin: 4px 0; }
        .pair { display: grid; grid-template-columns: 564px 1fr; gap: 16px; align-items: start; }
        @media (max-width: 1000px) { .pair { grid-template-columns: 1fr; } }
        .column-block { border-top: 1px solid #eaeef2; padding-top: 8px; }
        .stats { font-size: 13px; margin: 4px 0 8px; }
        .stats span { margin-right: 14px; white-space: nowrap; }
        .table-scroll { max-height: 330px; overflow: auto; margin: 6px 0; }
        table { border-collapse: collapse; font-size: 12px; }
        caption { text-align: left; font-size: 12px; padding: 2px 0 4px; }
        th, td { border: 1px solid #d0d7de; padding: 2px 6px; text-align: right; vertical-align: top; }
        th { background: #f6f8fa; font-weight: 600; }
        th[scope=row], td:first-child, tr > th:first-child { text-align: left; }
        table.text td, table.text th { text-align: left; }
        .pair .table-scroll { max-height: 250px; }
        table.wide th, table.wide td { white-space: nowrap; }
        table.notes td:last-child, table.notes th:last-child { white-space: normal; text-align: left; min-width: 18em; }
        .table-note { font-size: 12px; color: #59636e; margin: 8px 0 0; }
        .table-chunks { display: flex; align-items: flex-start; }
        .table-chunks table + table { margin-left: -1px; }
        svg.chart { display: block; max-width: 100%; height: auto; font-family: inherit; }
        svg text { fill: #1f2328; font-size: 11px; }
        svg .tick { fill: #444c56; font-size: 11px; }
        svg .small { font-size: 10px; }
        svg .legend { font-size: 12px; }
        svg .note { font-style: italic; fill: #59636e; font-size: 12px; }
        svg .band-name { font-style: italic; font-size: 11px; }
        svg .lane-name { font-weight: 600; font-size: 12px; }
        svg .axis { stroke: #57606a; stroke-width: 1; }
        svg .lane-rule { stroke: #d0d7de; stroke-width: 1; }
        svg .band-critical { fill: #fbe3d6; }
        svg .band-warning { fill: #fdf1cf; }
        svg .band-good { fill: #dcefe7; }
        svg .band-edge { stroke: #8c959f; stroke-dasharray: 2 3; }
        svg .series { fill: none; stroke: #0072b2; stroke-width: 2; stroke-linejoin: round; }
        svg .marker { fill: #0072b2; stroke: #fff; stroke-width: 0.8; }
        svg .series-second { fill: none; stroke: #d55e00; stroke-width: 2; stroke-dasharray: 2 3; }
        svg .marker-second { fill: #d55e00; stroke: #fff; stroke-width: 0.8; }
        svg .interval { fill: #56b4e9; fill-opacity: 0.3; stroke: none; }
        svg .baseline { fill: none; stroke: #1f2328; stroke-width: 1.5; stroke-dasharray: 6 4; }
        svg .whisker { stroke: #0072b2; stroke-width: 1.5; }
        svg .cell, svg .swatch { stroke: #fff; stroke-width: 0.5; }
        svg .swatch { stroke: #1f2328; }
        svg [data-level=l0] { fill: #eef3f8; }
        svg [data-level=l1] { fill: #c6dbef; }
        svg [data-level=l2] { fill: #6baed6; }
        svg [data-level=l3] { fill: #2171b5; }
        svg [data-level=l4] { fill: #08306b; }
        svg [data-level=na] { fill: #fff; stroke: #8c959f; stroke-dasharray: 2 2; }
        svg [data-drift=yes] { stroke: #d55e00; stroke-width: 1.5; stroke-dasharray: none; }
        svg .current { fill: #e69f00; fill-opacity: 0.75; stroke: #8a5f00; stroke-width: 0.8; }
        svg .reference, svg .reference-line { fill: none; stroke: #1f2328; stroke-width: 1.6; stroke-dasharray: 4 2; }
        svg .new-label { fill: #b34700; font-weight: 700; font-size: 11px; }
        svg .row-label { font-size: 11px; }
        svg .row-label.other { font-style: italic; }
        svg .alert-bar { stroke: #1f2328; stroke-width: 0.6; }
        svg .alert-bar.open { stroke-dasharray: 3 2; fill-opacity: 0.6; }
        svg .severity-critical .alert-bar { fill: #d55e00; }
        svg .severity-warning .alert-bar { fill: #e69f00; }
        svg .severity-info .alert-bar { fill: #56b4e9; }
        svg .alert-open { fill: #fff; stroke: #1f2328; stroke-width: 1.5; }
        svg .alert-update { stroke: #1f2328; stroke-width: 1.5; }
        svg .alert-ack { fill: #1f2328; }
        svg .alert-resolved { fill: #009e73; stroke: #1f2328; stroke-width: 1; }
        svg .mark-label { font-size: 11px; }
        svg .mark-label.forced { fill: #b34700; font-weight: 700; }
        svg .version-shape.solid { fill: #0072b2; stroke: #1f2328; stroke-width: 0.8; }
        svg .version-shape.hollow { fill: #fff; stroke: #0072b2; stroke-width: 1.5; }
        svg .run-bar { fill: #009e73; stroke: #1f2328; stroke-width: 0.6; }
        svg .state-failed .run-bar { fill: #fff; stroke: #d55e00; stroke-width: 2; stroke-dasharray: 3 2; }
        svg .state-cancelled .run-bar, svg .state-interrupted .run-bar { fill: #fff; stroke: #57606a; stroke-width: 1.5;
          stroke-dasharray: 1 2; }
        svg .state-running .run-bar, svg .state-queued .run-bar { fill: #56b4e9; }
        svg .run-wait { stroke: #57606a; stroke-width: 1; stroke-dasharray: 2 2; }
        svg .stage { stroke: #fff; stroke-width: 1; }
        svg .stage-1 { fill: #e69f00; }
        svg .stage-2 { fill: #56b4e9; }
        svg .stage-3 { fill: #009e73; }
        svg .stage-4 { fill: #f0e442; }
        svg .stage-5 { fill: #0072b2; }
        svg .stage-6 { fill: #d55e00; }
        svg .stage-7 { fill: #cc79a7; }
        svg .stage-8 { fill: #999; }
        svg .stage-number { font-size: 10px; font-weight: 700; }
        footer { margin-top: 40px; font-size: 12px; color: #59636e; }
        @media print {
          @page { size: A4; margin: 12mm; }
          body { max-width: none; padding: 0; font-size: 10pt; }
          .pair { grid-template-columns: minmax(0, 1fr) auto; gap: 10px; }
          .table-scroll, .pair .table-scroll { max-height: none; overflow: visible; }
          .table-chunks { display: block; }
          .table-chunks table + table { margin: 8px 0 0; }
          table { font-size: 8pt; line-height: 1.25; }
          th, td { padding: 1px 4px; }
          table.wide th, table.wide td { white-space: normal; }
          table.text th, table.text td:not(:last-child) { white-space: nowrap; }
          figure, svg.chart, table.keep, tr, .column-block, .summary { break-inside: avoid; page-break-inside: avoid; }
          h2, h3, figcaption, caption, .table-note { break-after: avoid; page-break-after: avoid; }
        }
        """
}
