// MARK: - Layout and drawing

extension SVGPlot {
  /// The fonts: a generic stack, no web fonts.
  static let fontFamily = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif"

  /// One series prepared for drawing: finite points sorted by x, split at NaN or infinite y.
  struct PreparedSeries {
    var name: String
    var style: SeriesStyle
    /// Runs of consecutive drawable points.
    var runs: [[PlotPoint]]
  }

  /// One panel with its axis ranges and ticks.
  struct PreparedPanel {
    var title: String
    var series: [PreparedSeries]
    var hasData: Bool
    var xIntegers: Bool
    var xRange: (low: Double, high: Double)
    var yRange: (low: Double, high: Double)
    var yTicks: TickScale
  }

  /// One column of legend entries: where it starts, how wide it may be, and its lines.
  struct LegendColumn: Sendable, Equatable {
    /// The left edge.
    var x: Double
    /// The top edge.
    var y: Double
    /// The room for an entry (sample and label).
    var width: Double
    /// The series names, one per line, in order.
    var names: [String]
    /// A remark drawn after the names (in italics), or `nil`.
    var note: String?
  }

  /// Where the legend goes.
  enum LegendPlacement: Sendable, Equatable {
    /// In the grid's empty panel cells (the last row's), one column per cell used.
    case emptyCells
    /// Right of the panels, in one column.
    case right
    /// No legend (no series).
    case none
  }

  /// Places everything and writes the document.
  struct Layout {
    let title: String
    let subtitle: String?
    let xLabel: String
    let panels: [PreparedPanel]
    let legendNames: [String]
    let styles: [String: SeriesStyle]
    /// A remark under the legend entries: hues repeat with more than twelve families.
    let legendNote: String?

    // Geometry, in pixels.
    let margin = 20.0
    let titleSize = 18.0
    let subtitleSize = 13.0
    let panelTitleSize = 14.0
    let tickSize = 11.0
    let labelSize = 12.0
    let legendSize = 12.5
    /// The height of one legend line.
    let legendLineHeight = 21.0
    let panelHeight = 280.0
    let panelGap = 18.0
    let columns: Int
    let panelWidth: Double
    let plotLeftInset: Double
    let plotRightInset = 14.0
    let plotTopInset = 30.0
    let plotBottomInset = 46.0
    let width: Double
    let height: Double
    /// The top of the first row of panels.
    let gridTop: Double
    /// Where the legend went, and its columns.
    let legendPlacement: LegendPlacement
    let legendColumns: [LegendColumn]

    init(title: String, subtitle: String?, xLabel: String, panels: [PlotPanel], bands: Bool = true) {
      self.title = title
      self.subtitle = subtitle.flatMap { $0.isEmpty ? nil : $0 }
      self.xLabel = xLabel
      let assignment = SVGPlot.seriesStyles(for: panels)
      (legendNames, styles) = (assignment.names, assignment.styles)
      legendNote =
        assignment.huesRepeat
        ? "\(assignment.familyCount) losses, \(SVGPlot.palette.count) colours: a colour's lines differ by dash and marker"
        : nil
      let styles = self.styles
      let (tickSize, panelTitleSize, legendSize) = (self.tickSize, self.panelTitleSize, self.legendSize)
      self.panels = panels.map { SVGPlot.prepare($0, styles: styles, bands: bands) }
      columns = Swift.min(3, Swift.max(1, panels.count))
      let widestTickLabel =
        self.panels.flatMap(\.yTicks.labels).map { SVGPlot.textWidth($0, size: tickSize) }
        .max() ?? 0
      plotLeftInset = Swift.max(40, widestTickLabel + 16)
      let widestTitle =
        panels.map { SVGPlot.textWidth($0.title, size: panelTitleSize, bold: true) }.max() ?? 0
      let widestXLabel = SVGPlot.textWidth(xLabel, size: labelSize)
      // Panels widen for a long title or x label, up to a limit; longer titles are shortened with an ellipsis.
      panelWidth = Swift.min(
        480, Swift.max(360, plotLeftInset + plotRightInset + Swift.max(widestTitle, widestXLabel) + 16))
      let grid = Double(columns) * panelWidth + Double(columns - 1) * panelGap
      let header = Swift.max(
        SVGPlot.textWidth(title, size: titleSize, bold: true),
        SVGPlot.textWidth(self.subtitle ?? "", size: subtitleSize))
      var top = margin + titleSize - 2
      if self.subtitle != nil { top += subtitleSize + 8 }
      gridTop = top + 18
      let panelRows = (panels.count + columns - 1) / columns
      var gridHeight = Double(panelRows) * panelHeight + Double(Swift.max(0, panelRows - 1)) * panelGap
      if panels.isEmpty { gridHeight = labelSize + 6 }

      // The legend: in the last row's empty cells when its lines fit there, else right of the grid.
      let lines = legendNames.count + (legendNote == nil ? 0 : 1)
      let emptyCells = panelRows * columns - panels.count
      let perCell = Swift.max(1, Int((panelHeight - 24) / legendLineHeight))
      var placement = LegendPlacement.none
      var legendColumns: [LegendColumn] = []
      var legendRight = 0.0
      var legendBottom = 0.0
      if lines == 0 {
        placement = .none
      } else if emptyCells > 0 && lines <= emptyCells * perCell {
        placement = .emptyCells
        let cellsUsed = (lines + perCell - 1) / perCell
        var remaining = legendNames[...]
        for cell in 0..<cellsUsed {
          let column = columns - emptyCells + cell
          let take = Swift.min(perCell, remaining.count)
          let names = Array(remaining.prefix(take))
          remaining = remaining.dropFirst(take)
          let isLast = cell == cellsUsed - 1
          legendColumns.append(
            LegendColumn(
              x: margin + Double(column) * (panelWidth + panelGap) + 24,
              y: gridTop + Double(panelRows - 1) * (panelHeight + panelGap) + plotTopInset,
              width: panelWidth - 24, names: names, note: isLast ? legendNote : nil))
        }
      } else {
        placement = .right
        let entryWidth = legendNames.map { Layout.legendItemWidth($0, size: legendSize) }.max() ?? 0
        let noteWidth = legendNote.map { SVGPlot.textWidth($0, size: legendSize - 1.5) } ?? 0
        let columnWidth = Swift.min(Layout.legendLabelLimit + 52, Swift.max(entryWidth, noteWidth))
        legendColumns = [
          LegendColumn(
            x: margin + grid + panelGap, y: gridTop + plotTopInset, width: columnWidth, names: legendNames,
            note: legendNote)
        ]
        legendRight = panelGap + columnWidth
        legendBottom = plotTopInset + Double(lines) * legendLineHeight
      }
      legendPlacement = placement
      self.legendColumns = legendColumns
      width = (Swift.max(grid + legendRight, header) + 2 * margin).rounded(.up)
      height = (gridTop + Swift.max(gridHeight, legendBottom) + margin).rounded(.up)
    }

    /// The widest a legend label is drawn; a longer name is shortened with an ellipsis.
    static let legendLabelLimit = 320.0

    /// The text shown in the legend for a series name, at most `limit` wide.
    static func legendLabel(_ name: String, size: Double, limit: Double = legendLabelLimit) -> String {
      name.isEmpty ? "(unnamed)" : SVGPlot.truncated(name, toWidth: limit, size: size)
    }

    /// The width of a legend item (sample line, label and the gap after it).
    static func legendItemWidth(_ name: String, size: Double) -> Double {
      38 + SVGPlot.textWidth(legendLabel(name, size: size), size: size) + 14
    }

    /// The legend: one entry per line (a sample of the line with its marker, and the name), column by column.
    func legend() -> String {
      guard !legendColumns.isEmpty else { return "" }
      var out = #"<g class="legend">"# + "\n"
      for column in legendColumns {
        var center = column.y + legendLineHeight / 2
        for name in column.names {
          let style = styles[name] ?? SeriesStyle(color: "#000000", dash: nil)
          let x = column.x
          let label = Layout.legendLabel(name, size: legendSize, limit: Swift.max(40, column.width - 52))
          // A shortened label keeps the full name as the item's tooltip.
          out += label == name || name.isEmpty ? "<g>\n" : "<g><title>\(SVGPlot.escaped(name))</title>\n"
          out += "<line x1=\"\(c(x))\" y1=\"\(c(center))\" x2=\"\(c(x + 32))\" y2=\"\(c(center))\""
          out += " stroke=\"\(style.color)\" stroke-width=\"2.25\"\(dashAttribute(style))/>\n"
          out += marker(
            style.marker, x: x + 16, y: center, radius: 4,
            attributes: "fill=\"\(style.color)\" stroke=\"#ffffff\" stroke-width=\"1\"", content: "")
          out += text(
            label, x: x + 38, y: center + legendSize * 0.35, size: legendSize,
            attributes: name.isEmpty ? ##"fill="#222222" font-style="italic""## : ##"fill="#222222""##)
          out += "</g>\n"
          center += legendLineHeight
        }
        if let note = column.note {
          out += text(
            SVGPlot.truncated(note, toWidth: column.width, size: legendSize - 1.5), x: column.x,
            y: center + (legendSize - 1.5) * 0.35, size: legendSize - 1.5,
            attributes: ##"fill="#555555" font-style="italic""##)
        }
      }
      out += "</g>\n"
      return out
    }

    /// A point marker of `shape` centred on (`x`, `y`), about as large as a circle of `radius`, with `content`
    /// (a tooltip) inside, or self-closing when `content` is empty.
    func marker(
      _ shape: MarkerShape, x: Double, y: Double, radius r: Double, attributes: String, content: String
    ) -> String {
      let open: String
      let element: String
      switch shape {
      case .circle:
        (element, open) = ("circle", "<circle cx=\"\(c(x))\" cy=\"\(c(y))\" r=\"\(c(r))\"")
      case .square:
        let h = r * 0.9
        (element, open) = (
          "path", "<path d=\"M\(c(x - h)) \(c(y - h))H\(c(x + h))V\(c(y + h))H\(c(x - h))Z\""
        )
      case .triangle:
        let h = r * 1.3
        (element, open) = (
          "path",
          "<path d=\"M\(c(x)) \(c(y - h))L\(c(x + h * 0.866)) \(c(y + h / 2))L\(c(x - h * 0.866)) \(c(y + h / 2))Z\""
        )
      case .triangleDown:
        let h = r * 1.3
        (element, open) = (
          "path",
          "<path d=\"M\(c(x)) \(c(y + h))L\(c(x + h * 0.866)) \(c(y - h / 2))L\(c(x - h * 0.866)) \(c(y - h / 2))Z\""
        )
      case .diamond:
        let h = r * 1.25
        (element, open) = (
          "path", "<path d=\"M\(c(x)) \(c(y - h))L\(c(x + h)) \(c(y))L\(c(x)) \(c(y + h))L\(c(x - h)) \(c(y))Z\""
        )
      }
      return content.isEmpty ? "\(open) \(attributes)/>\n" : "\(open) \(attributes)>\(content)</\(element)>\n"
    }

    func document() -> String {
      var body = ""
      var defs = ""
      // Header.
      var y = margin + titleSize - 2
      body += text(
        title, x: margin, y: y, size: titleSize, attributes: ##"font-weight="bold" fill="#222222""##)
      if let subtitle {
        y += subtitleSize + 8
        body += text(subtitle, x: margin, y: y, size: subtitleSize, attributes: ##"fill="#555555""##)
      }
      // Panels.
      for (index, panel) in panels.enumerated() {
        let left = margin + Double(index % columns) * (panelWidth + panelGap)
        let top = gridTop + Double(index / columns) * (panelHeight + panelGap)
        let (panelBody, clip) = draw(panel, index: index, left: left, top: top)
        body += panelBody
        defs += clip
      }
      if panels.isEmpty {
        body += text(
          "no data", x: margin, y: gridTop + labelSize, size: labelSize, attributes: ##"fill="#777777""##)
      }
      body += legend()

      var out = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
      out += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"\(c(width))\" height=\"\(c(height))\""
      out += " viewBox=\"0 0 \(c(width)) \(c(height))\" font-family=\"\(SVGPlot.fontFamily)\">\n"
      out += "<title>\(SVGPlot.escaped(title))</title>\n"
      if let subtitle { out += "<desc>\(SVGPlot.escaped(subtitle))</desc>\n" }
      if !defs.isEmpty { out += "<defs>\n\(defs)</defs>\n" }
      out += "<rect x=\"0\" y=\"0\" width=\"\(c(width))\" height=\"\(c(height))\" fill=\"#ffffff\"/>\n"
      out += body
      out += "</svg>\n"
      return out
    }

    /// One panel's drawing and its clip path.
    func draw(_ panel: PreparedPanel, index: Int, left: Double, top: Double) -> (body: String, clip: String) {
      let plotLeft = left + plotLeftInset
      let plotRight = left + panelWidth - plotRightInset
      let plotTop = top + plotTopInset
      let plotBottom = top + panelHeight - plotBottomInset
      let plotWidth = plotRight - plotLeft
      let plotHeight = plotBottom - plotTop
      let (x0, x1) = panel.xRange
      let (y0, y1) = panel.yRange
      func px(_ x: Double) -> Double { plotLeft + (x - x0) / (x1 - x0) * plotWidth }
      func py(_ y: Double) -> Double { plotBottom - (y - y0) / (y1 - y0) * plotHeight }
      let xTicks = SVGPlot.xTicks(
        low: x0, high: x1, integer: panel.xIntegers, plotWidth: plotWidth, labelSize: tickSize)
      let clipID = "losslab-plot-clip-\(index)"

      var out = "<g class=\"panel\">\n<title>\(SVGPlot.escaped(panel.title))</title>\n"
      out += text(
        SVGPlot.truncated(panel.title, toWidth: panelWidth - 8, size: panelTitleSize, bold: true),
        x: (plotLeft + plotRight) / 2, y: top + panelTitleSize + 2, size: panelTitleSize,
        attributes: ##"font-weight="bold" fill="#222222" text-anchor="middle""##)
      // Grid lines and ticks.
      out += "<g class=\"grid\" stroke=\"#e4e4e4\" stroke-width=\"1\">\n"
      for tick in panel.yTicks.values {
        let y = py(tick)
        out += "<line x1=\"\(c(plotLeft))\" y1=\"\(c(y))\" x2=\"\(c(plotRight))\" y2=\"\(c(y))\"/>\n"
      }
      for tick in xTicks.values {
        let x = px(tick)
        out += "<line x1=\"\(c(x))\" y1=\"\(c(plotTop))\" x2=\"\(c(x))\" y2=\"\(c(plotBottom))\"/>\n"
      }
      out += "</g>\n"
      out += "<g class=\"axes\" stroke=\"#666666\" stroke-width=\"1\">\n"
      out += "<line x1=\"\(c(plotLeft))\" y1=\"\(c(plotTop))\" x2=\"\(c(plotLeft))\" y2=\"\(c(plotBottom))\"/>\n"
      out += "<line x1=\"\(c(plotLeft))\" y1=\"\(c(plotBottom))\" x2=\"\(c(plotRight))\" y2=\"\(c(plotBottom))\"/>\n"
      for tick in panel.yTicks.values {
        let y = py(tick)
        out += "<line x1=\"\(c(plotLeft - 4))\" y1=\"\(c(y))\" x2=\"\(c(plotLeft))\" y2=\"\(c(y))\"/>\n"
      }
      for tick in xTicks.values {
        let x = px(tick)
        out += "<line x1=\"\(c(x))\" y1=\"\(c(plotBottom))\" x2=\"\(c(x))\" y2=\"\(c(plotBottom + 4))\"/>\n"
      }
      out += "</g>\n"
      out += "<g class=\"tick-labels\" font-size=\"\(c(tickSize))\" fill=\"#444444\">\n"
      for (tick, label) in zip(panel.yTicks.values, panel.yTicks.labels) {
        out += "<text x=\"\(c(plotLeft - 7))\" y=\"\(c(py(tick) + tickSize * 0.35))\" text-anchor=\"end\">"
        out += "\(SVGPlot.escaped(label))</text>\n"
      }
      for (tick, label) in zip(xTicks.values, xTicks.labels) {
        out += "<text x=\"\(c(px(tick)))\" y=\"\(c(plotBottom + 6 + tickSize))\" text-anchor=\"middle\">"
        out += "\(SVGPlot.escaped(label))</text>\n"
      }
      out += "</g>\n"
      out += text(
        xLabel, x: (plotLeft + plotRight) / 2, y: plotBottom + 36, size: labelSize,
        attributes: ##"fill="#444444" text-anchor="middle""##)

      // Data: bands under every line, then lines and markers.
      out += "<g clip-path=\"url(#\(clipID))\">\n"
      for series in panel.series {
        var bands = ""
        for run in series.runs {
          for band in SVGPlot.bandRuns(run) {
            if band.count == 1 {
              let p = band[0]
              let spread = abs(p.spread ?? 0)
              bands += "<line x1=\"\(c(px(p.x)))\" y1=\"\(c(py(p.y - spread)))\" x2=\"\(c(px(p.x)))\""
              bands += " y2=\"\(c(py(p.y + spread)))\" stroke=\"\(series.style.color)\" stroke-opacity=\"0.16\""
              bands += " stroke-width=\"6\"/>\n"
            } else {
              let upper = band.map { "\(c(px($0.x))),\(c(py($0.y + abs($0.spread ?? 0))))" }
              let lower = band.reversed().map { "\(c(px($0.x))),\(c(py($0.y - abs($0.spread ?? 0))))" }
              bands += "<polygon points=\"\((upper + lower).joined(separator: " "))\""
              bands += " fill=\"\(series.style.color)\" fill-opacity=\"0.07\" stroke=\"none\"/>\n"
            }
          }
        }
        if !bands.isEmpty { out += "<g class=\"band\">\n\(bands)</g>\n" }
      }
      out += "</g>\n"
      // Lines in rank order: a family's dashed variants over its solid base, which shows through their gaps.
      let drawOrder = panel.series.enumerated().sorted {
        ($0.element.style.rank, $0.offset) < ($1.element.style.rank, $1.offset)
      }
      for series in drawOrder.map(\.element) {
        let style = series.style
        let count = series.runs.reduce(0) { $0 + $1.count }
        let spacing = count > 1 ? plotWidth / Double(count - 1) : plotWidth
        let radius = Swift.min(3.5, Swift.max(2.25, spacing / 3))
        out += "<g class=\"series\" stroke=\"\(style.color)\" fill=\"\(style.color)\">\n"
        out += "<title>\(SVGPlot.escaped(series.name))</title>\n"
        for run in series.runs where run.count > 1 {
          let points = run.map { "\(c(px($0.x))),\(c(py($0.y)))" }.joined(separator: " ")
          out +=
            "<polyline points=\"\(points)\" fill=\"none\" stroke-width=\"2.25\" stroke-opacity=\"0.85\" stroke-linejoin=\"round\""
          out += "\(dashAttribute(style)) clip-path=\"url(#\(clipID))\"/>\n"
        }
        for run in series.runs {
          for point in run {
            var tip = "\(series.name): \(xLabel) \(SVGPlot.shortestString(point.x)), "
            tip += SVGPlot.significantString(point.y)
            if let spread = point.spread, spread.isFinite { tip += " ± " + SVGPlot.significantString(abs(spread)) }
            out += marker(
              style.marker, x: px(point.x), y: py(point.y), radius: radius,
              attributes: "stroke=\"#ffffff\" stroke-width=\"1\"", content: "<title>\(SVGPlot.escaped(tip))</title>")
          }
        }
        out += "</g>\n"
      }
      if !panel.hasData {
        out += text(
          "no data", x: (plotLeft + plotRight) / 2, y: (plotTop + plotBottom) / 2, size: labelSize,
          attributes: ##"fill="#777777" text-anchor="middle""##)
      }
      out += "</g>\n"
      let clip =
        "<clipPath id=\"\(clipID)\"><rect x=\"\(c(plotLeft))\" y=\"\(c(plotTop))\" width=\"\(c(plotWidth))\""
        + " height=\"\(c(plotHeight))\"/></clipPath>\n"
      return (out, clip)
    }

    func c(_ value: Double) -> String { SVGPlot.coordinate(value) }

    func dashAttribute(_ style: SeriesStyle) -> String {
      style.dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
    }

    func text(_ content: String, x: Double, y: Double, size: Double, attributes: String) -> String {
      "<text x=\"\(c(x))\" y=\"\(c(y))\" font-size=\"\(c(size))\" \(attributes)>\(SVGPlot.escaped(content))</text>\n"
    }
  }

  /// The series of `panel`, cleaned, with its axis ranges.
  static func prepare(_ panel: PlotPanel, styles: [String: SeriesStyle], bands: Bool = true) -> PreparedPanel {
    var series: [PreparedSeries] = []
    var xs: [Double] = []
    var yLow = Double.infinity
    var yHigh = -Double.infinity
    for line in panel.series {
      let sorted = line.points.enumerated().filter { $0.element.x.isFinite }
        .sorted { ($0.element.x, $0.offset) < ($1.element.x, $1.offset) }.map(\.element)
      var runs: [[PlotPoint]] = []
      var run: [PlotPoint] = []
      for var point in sorted {
        if !bands { point.spread = nil }
        guard point.y.isFinite else {
          if !run.isEmpty { runs.append(run) }
          run = []
          continue
        }
        if let spread = point.spread,
          !(spread.isFinite && (point.y + abs(spread)).isFinite
            && (point.y - abs(spread)).isFinite)
        {
          point.spread = nil
        }
        let spread = abs(point.spread ?? 0)
        xs.append(point.x)
        yLow = Swift.min(yLow, point.y - spread)
        yHigh = Swift.max(yHigh, point.y + spread)
        run.append(point)
      }
      if !run.isEmpty { runs.append(run) }
      series.append(
        PreparedSeries(
          name: line.name, style: styles[line.name] ?? SeriesStyle(color: "#000000", dash: nil), runs: runs))
    }
    let hasData = !xs.isEmpty
    let xIntegers = hasData && xs.allSatisfy { $0 == $0.rounded() && abs($0) < 1e15 }
    // x: the data's range with a small margin so that edge markers are not cut.
    var xRange = (low: 0.0, high: 1.0)
    if let low = xs.min(), let high = xs.max() {
      let span = high - low
      if span > 0 && span.isFinite {
        xRange = (low - span * 0.04, high + span * 0.04)
      } else {
        let pad = xIntegers ? 1 : Swift.max(abs(low) * 0.1, 0.5)
        xRange = (low - pad, high + pad)
      }
    }
    // y: ticks covering the data's range, bands included (a constant gets a small range around it); the axis
    // spans the ticks plus a sliver, so that markers on the first or last tick are not cut.
    var (dataLow, dataHigh) = hasData ? (yLow, yHigh) : (0.0, 1.0)
    let span = dataHigh - dataLow
    if !(span > Swift.max(abs(dataLow), abs(dataHigh)) * 1e-9 && span.isFinite) {
      let pad = Swift.max(abs(dataLow) * 0.05, 0.05)
      (dataLow, dataHigh) = (dataLow - pad, dataHigh + pad)
    }
    var yTicks = coveringTicks(min: dataLow, max: dataHigh)
    var yRange = (low: dataLow, high: dataHigh)
    if let first = yTicks.values.first, let last = yTicks.values.last, last > first, (last - first).isFinite {
      let sliver = (last - first) * 0.025
      yRange = (first - sliver, last + sliver)
    }
    if !(yRange.low.isFinite && yRange.high.isFinite && yRange.high > yRange.low) {
      yRange = (yLow, yHigh > yLow ? yHigh : yLow + 1)
      yTicks = tickScale(min: yRange.low, max: yRange.high, count: 5)
    }
    return PreparedPanel(
      title: panel.title, series: series, hasData: hasData, xIntegers: xIntegers, xRange: xRange, yRange: yRange,
      yTicks: yTicks)
  }

  /// The x ticks for a plot `plotWidth` pixels wide: at most 6 inside the range, fewer when their labels would
  /// touch.
  static func xTicks(low: Double, high: Double, integer: Bool, plotWidth: Double, labelSize: Double) -> TickScale {
    var count = Swift.max(1, Int(Swift.min(plotWidth / 30, 5)))
    while true {
      let scale = tickScale(min: low, max: high, count: count, integer: integer)
      guard count > 1, scale.values.count > 1, high > low else { return scale }
      let spacing = (scale.values[1] - scale.values[0]) / (high - low) * plotWidth
      let widest = scale.labels.map { textWidth($0, size: labelSize) }.max() ?? 0
      if spacing >= widest + 8 { return scale }
      count -= 1
    }
  }

  /// The runs of consecutive points of `run` that have a spread.
  static func bandRuns(_ run: [PlotPoint]) -> [[PlotPoint]] {
    var bands: [[PlotPoint]] = []
    var band: [PlotPoint] = []
    for point in run {
      if point.spread != nil {
        band.append(point)
      } else if !band.isEmpty {
        bands.append(band)
        band = []
      }
    }
    if !band.isEmpty { bands.append(band) }
    return bands
  }
}
