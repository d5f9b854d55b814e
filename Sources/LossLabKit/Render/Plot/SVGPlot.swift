/// Draws line charts as self-contained SVG 1.1 documents, with no dependency beyond the standard library.
///
/// `losslab train --plot out.svg` uses it to draw each ranking metric per training epoch, one line per loss
/// variant:
///
/// ```swift
/// let svg = SVGPlot.render(
///   title: "movielens-small", subtitle: "mean ± sd over 5 seeds",
///   panels: [
///     PlotPanel(title: "NDCG@10", series: [
///       PlotSeries(name: "bpr", points: [PlotPoint(x: 1, y: 0.31, spread: 0.01), PlotPoint(x: 2, y: 0.35)]),
///     ])
///   ])
/// ```
///
/// The output is deterministic (the same input gives the same bytes), escapes all text, and never traps:
/// empty input, empty panels, single points, constant values and NaN or infinite values all draw something.
public enum SVGPlot {
  /// A self-contained SVG document: a title, panels in a grid (up to 3 per row), each with axes, ticks, grid lines,
  /// its lines (one colour per series name, the same colour for the same name in every panel) with point markers,
  /// and one shared legend.
  ///
  /// Axis ticks are "nice" (1, 2, 2.5 or 5 × 10ⁿ apart). The y axis of each panel spans its data, bands included,
  /// plus a margin; a constant series gets a small range around its value. When every x is an integer (epochs),
  /// x ticks fall on integers only. Points with a NaN or infinite x or y are skipped, leaving a gap in the line.
  ///
  /// Colours come from the Okabe–Ito colour-blind-safe palette, assigned to series names in order of first
  /// appearance; after the seven colours, the cycle repeats with a dash pattern.
  ///
  /// - Parameters:
  ///   - title: The chart's title, drawn at the top and stored as the document's `<title>`.
  ///   - subtitle: A line below the title, for example the number of seeds; `nil` or empty for none.
  ///   - xLabel: The x axis label of every panel; default `"epoch"`.
  ///   - panels: The panels, drawn left to right, top to bottom, three per row; may be empty.
  /// - Returns: The SVG document as UTF-8 text, starting with an XML declaration and ending with a newline.
  public static func render(
    title: String, subtitle: String? = nil, xLabel: String = "epoch", panels: [PlotPanel]
  ) -> String {
    Layout(title: title, subtitle: subtitle, xLabel: xLabel, panels: panels).document()
  }
}

// MARK: - Styles

extension SVGPlot {
  /// The colour and dash pattern of one series name.
  struct SeriesStyle: Sendable, Equatable {
    /// A `#rrggbb` colour.
    var color: String
    /// An SVG `stroke-dasharray`, or `nil` for a solid line.
    var dash: String?
  }

  /// The Okabe–Ito palette (Okabe & Ito, *Color Universal Design*, 2008) without its yellow, which is too pale
  /// for a line on white: blue, orange, bluish green, vermillion, reddish purple, sky blue, black.
  static let palette = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000"]

  /// The dash patterns, one per cycle through ``palette``: solid first.
  static let dashPatterns: [String?] = [nil, "7 4", "2 3", "10 3 2 3", "4 2 1 2 1 2"]

  /// The series names of `panels` in order of first appearance, each with its style: the `i`th name gets
  /// colour `i mod 7` and dash pattern `(i / 7) mod 5`.
  static func seriesStyles(for panels: [PlotPanel]) -> (names: [String], styles: [String: SeriesStyle]) {
    var names: [String] = []
    var styles: [String: SeriesStyle] = [:]
    for panel in panels {
      for series in panel.series where styles[series.name] == nil {
        let index = names.count
        styles[series.name] = SeriesStyle(
          color: palette[index % palette.count],
          dash: dashPatterns[(index / palette.count) % dashPatterns.count])
        names.append(series.name)
      }
    }
    return (names, styles)
  }
}
