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
  /// its lines (one style per series name, the same in every panel) with point markers,
  /// and one shared legend.
  ///
  /// Axis ticks are "nice" (1, 2, 2.5 or 5 × 10ⁿ apart, 4 to 6 per axis where the range allows, with one number of
  /// decimals per axis). The y axis of each panel spans its ticks, which cover its data (bands included); a
  /// constant series gets a small range around its value. When every x is an integer (epochs),
  /// x ticks fall on integers only. Points with a NaN or infinite x or y are skipped, leaving a gap in the line.
  ///
  /// Colours come from a colour-blind-friendly palette of twelve (``palette``), one per *family*
  /// (``PlotSeries/family``, the base loss): a family's variants share its hue and differ by dash pattern and marker
  /// shape. With more than twelve families hues repeat (the legend says so) and each repeat starts with another
  /// dash and marker. The legend sits in the grid's empty panel cells when there are any, else right of the
  /// panels, one entry per line.
  ///
  /// - Parameters:
  ///   - title: The chart's title, drawn at the top and stored as the document's `<title>`.
  ///   - subtitle: A line below the title, for example the number of seeds; `nil` or empty for none.
  ///   - xLabel: The x axis label of every panel; default `"epoch"`.
  ///   - panels: The panels, drawn left to right, top to bottom, three per row; may be empty.
  ///   - bands: Whether to draw the ± spread bands (light, under the lines); default `true`. Without them the y
  ///     axes span the lines only.
  /// - Returns: The SVG document as UTF-8 text, starting with an XML declaration and ending with a newline.
  public static func render(
    title: String, subtitle: String? = nil, xLabel: String = "epoch", panels: [PlotPanel], bands: Bool = true
  ) -> String {
    Layout(title: title, subtitle: subtitle, xLabel: xLabel, panels: panels, bands: bands).document()
  }
}

// MARK: - Styles

extension SVGPlot {
  /// The shape of a series' point markers (and of its legend sample).
  enum MarkerShape: Sendable, Equatable, CaseIterable {
    case circle, square, triangle, diamond, triangleDown
  }

  /// The colour, dash pattern and marker of one series name.
  struct SeriesStyle: Sendable, Equatable {
    /// A `#rrggbb` colour: the hue of the series' family.
    var color: String
    /// An SVG `stroke-dasharray`, or `nil` for a solid line.
    var dash: String?
    /// The marker drawn at every point.
    var marker: MarkerShape = .circle
    /// The series' place in its family (0 for the first, plain one); lines are drawn in rank order, so a
    /// dashed variant lies over its solid base and lets it show through its gaps.
    var rank: Int = 0
  }

  /// Twelve hues for lines on white, one per family (base loss), ordered so that the first few are the most
  /// distinct: the Okabe–Ito colours (Okabe & Ito, *Color Universal Design*, 2008) without the pale yellow, then
  /// wine, sky blue, dark green, purple, rose and crimson. No pair is closer than a CIEDE2000 difference of about 15
  /// for normal vision or about 9 under a simulated full protanopia or deuteranopia (Machado et al. 2009); the
  /// sky blue, closest to the blue, comes eighth, so it only appears with eight or more families.
  static let palette = [
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#000000",
    "#882255", "#56B4E9", "#225522", "#542788", "#EE6677", "#D41159",
  ]

  /// The dash patterns by rank within a family: solid first, then dashed, dotted, dash-dot, dash-dot-dot.
  static let dashPatterns: [String?] = [nil, "7 4", "2 3", "10 3 2 3", "4 2 1 2 1 2"]

  /// The marker shapes by rank within a family, one per dash pattern.
  static let markerShapes: [MarkerShape] = [.circle, .square, .triangle, .diamond, .triangleDown]

  /// The styles of a chart's series.
  struct StyleAssignment: Sendable {
    /// The series names in legend order: families in order of first appearance, each family's plain series
    /// first, then its variants, each in order of first appearance.
    var names: [String]
    /// Each name's style.
    var styles: [String: SeriesStyle]
    /// The number of families (distinct hues wanted); above ``SVGPlot/palette``'s count, hues repeat.
    var familyCount: Int

    /// Whether some families share a hue (more families than the palette has colours).
    var huesRepeat: Bool { familyCount > SVGPlot.palette.count }
  }

  /// The style of every series name of `panels`: the `f`th family (in order of first appearance) gets colour
  /// `f mod 12`; its series of rank `r` (plain series first) get dash pattern and marker `(r + f / 12) mod 5`, so
  /// that a family whose hue repeats an earlier one's starts with another dash and marker.
  static func seriesStyles(for panels: [PlotPanel]) -> StyleAssignment {
    var order: [String] = []
    var first: [String: PlotSeries] = [:]
    for panel in panels {
      for series in panel.series where first[series.name] == nil {
        first[series.name] = series
        order.append(series.name)
      }
    }
    var families: [String] = []
    var members: [String: [String]] = [:]
    for name in order {
      let key = first[name]?.familyKey ?? name
      if members[key] == nil { families.append(key) }
      members[key, default: []].append(name)
    }
    var names: [String] = []
    var styles: [String: SeriesStyle] = [:]
    for (f, key) in families.enumerated() {
      let family = members[key] ?? []
      let ranked = family.filter { first[$0]?.isVariant != true } + family.filter { first[$0]?.isVariant == true }
      for (rank, name) in ranked.enumerated() {
        let k = (rank + f / palette.count) % dashPatterns.count
        styles[name] = SeriesStyle(
          color: palette[f % palette.count], dash: dashPatterns[k], marker: markerShapes[k % markerShapes.count],
          rank: rank)
        names.append(name)
      }
    }
    return StyleAssignment(names: names, styles: styles, familyCount: families.count)
  }
}
