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

  /// Places everything and writes the document.
  struct Layout {
    let title: String
    let subtitle: String?
    let xLabel: String
    let panels: [PreparedPanel]
    let legendNames: [String]
    let styles: [String: SeriesStyle]

    // Geometry, in pixels.
    let margin = 20.0
    let titleSize = 18.0
    let subtitleSize = 13.0
    let panelTitleSize = 14.0
    let tickSize = 11.0
    let labelSize = 12.0
    let legendSize = 12.5
    let panelHeight = 280.0
    let panelGap = 18.0
    let columns: Int
    let panelWidth: Double
    let plotLeftInset: Double
    let plotRightInset = 14.0
    let plotTopInset = 30.0
    let plotBottomInset = 46.0
    let width: Double

    init(title: String, subtitle: String?, xLabel: String, panels: [PlotPanel]) {
      self.title = title
      self.subtitle = subtitle.flatMap { $0.isEmpty ? nil : $0 }
      self.xLabel = xLabel
      (legendNames, styles) = SVGPlot.seriesStyles(for: panels)
      let styles = self.styles
      let (tickSize, panelTitleSize, legendSize) = (self.tickSize, self.panelTitleSize, self.legendSize)
      let plotHeight = panelHeight - plotTopInset - plotBottomInset
      let yCount = Swift.max(2, Int(plotHeight / 40))
      self.panels = panels.map { SVGPlot.prepare($0, styles: styles, yTickCount: yCount) }
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
      let widestLegendItem = legendNames.map { Layout.legendItemWidth($0, size: legendSize) }.max() ?? 0
      width = (Swift.max(grid, header, widestLegendItem) + 2 * margin).rounded(.up)
    }

    /// The widest a legend label is drawn; a longer name is shortened with an ellipsis.
    static let legendLabelLimit = 320.0

    /// The text shown in the legend for a series name.
    static func legendLabel(_ name: String, size: Double) -> String {
      name.isEmpty ? "(unnamed)" : SVGPlot.truncated(name, toWidth: legendLabelLimit, size: size)
    }

    /// The width of a legend item (sample line, label and the gap after it).
    static func legendItemWidth(_ name: String, size: Double) -> Double {
      30 + SVGPlot.textWidth(legendLabel(name, size: size), size: size) + 22
    }

    /// The legend's items in rows that fit the document width: each row lists (name, x offset).
    func legendRows() -> [[(name: String, x: Double)]] {
      var rows: [[(name: String, x: Double)]] = []
      var row: [(name: String, x: Double)] = []
      var x = 0.0
      let available = width - 2 * margin
      for name in legendNames {
        let itemWidth = Layout.legendItemWidth(name, size: legendSize)
        if !row.isEmpty && x + itemWidth - 22 > available {
          rows.append(row)
          row = []
          x = 0
        }
        row.append((name, x))
        x += itemWidth
      }
      if !row.isEmpty { rows.append(row) }
      return rows
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
      // Legend.
      let rows = legendRows()
      if !rows.isEmpty {
        y += 12
        body += #"<g class="legend">"# + "\n"
        for row in rows {
          let center = y + 10
          for item in row {
            let style = styles[item.name] ?? SeriesStyle(color: "#000000", dash: nil)
            let x = margin + item.x
            let label = Layout.legendLabel(item.name, size: legendSize)
            // A shortened label keeps the full name as the item's tooltip.
            body +=
              label == item.name || item.name.isEmpty ? "<g>\n" : "<g><title>\(SVGPlot.escaped(item.name))</title>\n"
            body += "<line x1=\"\(c(x))\" y1=\"\(c(center))\" x2=\"\(c(x + 26))\" y2=\"\(c(center))\""
            body += " stroke=\"\(style.color)\" stroke-width=\"2.25\"\(dashAttribute(style))/>\n"
            body += "<circle cx=\"\(c(x + 13))\" cy=\"\(c(center))\" r=\"3.5\" fill=\"\(style.color)\""
            body += " stroke=\"#ffffff\" stroke-width=\"1\"/>\n"
            body += text(
              label, x: x + 32, y: center + legendSize * 0.35, size: legendSize,
              attributes: item.name.isEmpty ? ##"fill="#222222" font-style="italic""## : ##"fill="#222222""##)
            body += "</g>\n"
          }
          y += 20
        }
        body += "</g>\n"
        y += 4
      }
      let gridTop = y + 10
      // Panels.
      let panelRows = (panels.count + columns - 1) / columns
      for (index, panel) in panels.enumerated() {
        let left = margin + Double(index % columns) * (panelWidth + panelGap)
        let top = gridTop + Double(index / columns) * (panelHeight + panelGap)
        let (panelBody, clip) = draw(panel, index: index, left: left, top: top)
        body += panelBody
        defs += clip
      }
      var height = gridTop + Double(panelRows) * panelHeight + Double(Swift.max(0, panelRows - 1)) * panelGap
      if panels.isEmpty {
        body += text(
          "no data", x: margin, y: gridTop + labelSize, size: labelSize, attributes: ##"fill="#777777""##)
        height = gridTop + labelSize + 6
      }
      height = (height + margin).rounded(.up)

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
              bands += " y2=\"\(c(py(p.y + spread)))\" stroke=\"\(series.style.color)\" stroke-opacity=\"0.3\""
              bands += " stroke-width=\"6\"/>\n"
            } else {
              let upper = band.map { "\(c(px($0.x))),\(c(py($0.y + abs($0.spread ?? 0))))" }
              let lower = band.reversed().map { "\(c(px($0.x))),\(c(py($0.y - abs($0.spread ?? 0))))" }
              bands += "<polygon points=\"\((upper + lower).joined(separator: " "))\""
              bands += " fill=\"\(series.style.color)\" fill-opacity=\"0.14\" stroke=\"none\"/>\n"
            }
          }
        }
        if !bands.isEmpty { out += "<g class=\"band\">\n\(bands)</g>\n" }
      }
      out += "</g>\n"
      for series in panel.series {
        let style = series.style
        let count = series.runs.reduce(0) { $0 + $1.count }
        let spacing = count > 1 ? plotWidth / Double(count - 1) : plotWidth
        let radius = Swift.min(3.5, Swift.max(1.5, spacing / 4))
        out += "<g class=\"series\" stroke=\"\(style.color)\" fill=\"\(style.color)\">\n"
        out += "<title>\(SVGPlot.escaped(series.name))</title>\n"
        for run in series.runs where run.count > 1 {
          let points = run.map { "\(c(px($0.x))),\(c(py($0.y)))" }.joined(separator: " ")
          out += "<polyline points=\"\(points)\" fill=\"none\" stroke-width=\"2.25\" stroke-linejoin=\"round\""
          out += "\(dashAttribute(style)) clip-path=\"url(#\(clipID))\"/>\n"
        }
        for run in series.runs {
          for point in run {
            out += "<circle cx=\"\(c(px(point.x)))\" cy=\"\(c(py(point.y)))\" r=\"\(c(radius))\""
            out += " stroke=\"#ffffff\" stroke-width=\"1\"><title>"
            var tip = "\(series.name): \(xLabel) \(SVGPlot.shortestString(point.x)), "
            tip += SVGPlot.significantString(point.y)
            if let spread = point.spread, spread.isFinite { tip += " ± " + SVGPlot.significantString(abs(spread)) }
            out += SVGPlot.escaped(tip) + "</title></circle>\n"
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
  static func prepare(_ panel: PlotPanel, styles: [String: SeriesStyle], yTickCount: Int) -> PreparedPanel {
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
    // y: the data's range, bands included, with a margin; a constant gets a small range around it.
    var yRange = (low: 0.0, high: 1.0)
    if hasData {
      let span = yHigh - yLow
      if span > Swift.max(abs(yLow), abs(yHigh)) * 1e-9 && span.isFinite {
        yRange = (yLow - span * 0.08, yHigh + span * 0.08)
      } else {
        let pad = Swift.max(abs(yLow) * 0.05, 0.05)
        yRange = (yLow - pad, yHigh + pad)
      }
      if !(yRange.low.isFinite && yRange.high.isFinite && yRange.high > yRange.low) {
        yRange = (yLow, yHigh > yLow ? yHigh : yLow + 1)
      }
    }
    let yTicks = tickScale(min: yRange.low, max: yRange.high, count: yTickCount)
    return PreparedPanel(
      title: panel.title, series: series, hasData: hasData, xIntegers: xIntegers, xRange: xRange, yRange: yRange,
      yTicks: yTicks)
  }

  /// The x ticks for a plot `plotWidth` pixels wide: as many as fit without their labels touching.
  static func xTicks(low: Double, high: Double, integer: Bool, plotWidth: Double, labelSize: Double) -> TickScale {
    var count = Swift.max(1, Int(Swift.min(plotWidth / 30, 50)))
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
