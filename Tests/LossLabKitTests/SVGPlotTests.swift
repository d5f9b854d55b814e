import Foundation
import Testing

@testable import LossLabKit

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// What an XML parse of an SVG document saw.
private struct ParsedSVG {
  /// Whether `XMLParser` accepted the document.
  var wellFormed: Bool
  /// The parser's error, when it did not.
  var error: String?
  /// The root element's name and attributes.
  var root: String?
  var rootAttributes: [String: String] = [:]
  /// Every element name, in document order.
  var elements: [String] = []
  /// The character data of every `text` and `title` element, unescaped.
  var texts: [String] = []
  /// For each `<g class="series">`: its `<title>` (the series name) and its stroke colour, in document order.
  var seriesStrokes: [(name: String, stroke: String)] = []
}

/// Parses `svg` with Foundation's `XMLParser`.
private func parse(_ svg: String) -> ParsedSVG {
  final class Collector: NSObject, XMLParserDelegate {
    var result = ParsedSVG(wellFormed: false)
    var stack: [(name: String, attributes: [String: String])] = []
    var text = ""
    var pendingSeriesStroke: String?

    func parser(
      _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
      attributes: [String: String] = [:]
    ) {
      if result.root == nil {
        result.root = elementName
        result.rootAttributes = attributes
      }
      result.elements.append(elementName)
      if elementName == "g" && attributes["class"] == "series" { pendingSeriesStroke = attributes["stroke"] }
      stack.append((elementName, attributes))
      text = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
      stack.removeLast()
      if elementName == "text" || elementName == "title" { result.texts.append(text) }
      if elementName == "title", let stroke = pendingSeriesStroke, stack.last?.attributes["class"] == "series" {
        result.seriesStrokes.append((text, stroke))
        pendingSeriesStroke = nil
      }
      text = ""
    }
  }
  let parser = XMLParser(data: Data(svg.utf8))
  let collector = Collector()
  parser.delegate = collector
  collector.result.wellFormed = parser.parse()
  if !collector.result.wellFormed { collector.result.error = parser.parserError.map { "\($0)" } ?? "unknown error" }
  return collector.result
}

/// A series `name` of `epochs` epochs with spreads, rising towards `level`.
private func series(_ name: String, level: Double, epochs: Int = 10) -> PlotSeries {
  PlotSeries(
    name: name,
    points: (1...epochs).map { epoch in
      let t = Double(epoch)
      return PlotPoint(x: t, y: level * t / (t + 2), spread: 0.02 / t)
    })
}

/// Three panels, the last with its series in another order.
private let samplePanels = [
  PlotPanel(
    title: "AUC", series: [series("bpr", level: 0.9), series("warp", level: 0.93), series("warp+genre", level: 0.95)]),
  PlotPanel(
    title: "P@10", series: [series("bpr", level: 0.2), series("warp", level: 0.22), series("warp+genre", level: 0.25)]),
  PlotPanel(
    title: "NDCG@10",
    series: [series("warp+genre", level: 0.3), series("bpr", level: 0.25), series("warp", level: 0.28)]),
]

@Suite("SVG plots")
struct SVGPlotTests {
  // MARK: The document

  @Test("The output is a well-formed SVG document with every title and series name, escaped")
  func wellFormed() {
    let tricky = #"a<b & "c" 'd' > e"#
    let panels = samplePanels + [PlotPanel(title: "P@5 <&>", series: [series(tricky, level: 0.5)])]
    let svg = SVGPlot.render(title: "Run <1> & \"2\"", subtitle: "5 seeds & 'more'", panels: panels)
    let parsed = parse(svg)
    #expect(parsed.wellFormed, "\(parsed.error ?? "")")
    #expect(parsed.root == "svg")
    #expect(parsed.rootAttributes["xmlns"] == "http://www.w3.org/2000/svg")
    #expect(parsed.rootAttributes["version"] == "1.1")
    for attribute in ["width", "height", "viewBox", "font-family"] {
      #expect(parsed.rootAttributes[attribute] != nil, "missing \(attribute)")
    }
    #expect(parsed.rootAttributes["font-family"]?.hasSuffix("sans-serif") == true)
    #expect(svg.hasPrefix(#"<?xml version="1.0" encoding="UTF-8"?>"# + "\n<svg "))
    #expect(svg.hasSuffix("</svg>\n"))
    for name in ["AUC", "P@10", "NDCG@10", "P@5 <&>", "bpr", "warp", "warp+genre", tricky, "Run <1> & \"2\""] {
      #expect(parsed.texts.contains(name), "\(name) is not drawn")
    }
    #expect(parsed.texts.contains("5 seeds & 'more'"))
    #expect(svg.contains("a&lt;b &amp; &quot;c&quot; &apos;d&apos; &gt; e"))
    #expect(svg.contains("P@5 &lt;&amp;&gt;"))
    #expect(svg.contains("Run &lt;1&gt; &amp; &quot;2&quot;"))
    #expect(!svg.contains(tricky))
    for forbidden in ["<script", "@import", "@font-face", "href", "http://www.w3.org/1999/xlink"] {
      #expect(!svg.contains(forbidden), "contains \(forbidden)")
    }
    #expect(parsed.elements.first == "svg")
    #expect(parsed.elements.dropFirst().first == "title")
    #expect(parsed.elements.filter { $0 == "polyline" }.count == 10)
    #expect(parsed.elements.filter { $0 == "polygon" }.count == 10, "one band per line")
  }

  @Test("Characters XML forbids are replaced, not copied")
  func forbiddenCharacters() {
    let svg = SVGPlot.render(title: "bell\u{7}\u{0}", panels: [PlotPanel(title: "\u{FFFE}", series: [])])
    #expect(parse(svg).wellFormed)
    #expect(SVGPlot.escaped("a\u{1}b\tc") == "a\u{FFFD}b\tc")
  }

  // MARK: Colours

  @Test("A series name has the same colour in every panel; different names have different colours")
  func coloursFollowNames() throws {
    let parsed = parse(SVGPlot.render(title: "t", panels: samplePanels))
    #expect(parsed.seriesStrokes.count == 9)
    var strokes: [String: Set<String>] = [:]
    for (name, stroke) in parsed.seriesStrokes { strokes[name, default: []].insert(stroke) }
    #expect(strokes.keys.sorted() == ["bpr", "warp", "warp+genre"])
    for (name, colours) in strokes { #expect(colours.count == 1, "\(name) has colours \(colours.sorted())") }
    let colours = strokes.values.compactMap(\.first)
    #expect(Set(colours).count == 3)
    // In order of first appearance: the first palette colours.
    #expect(strokes["bpr"] == [SVGPlot.palette[0]])
    #expect(strokes["warp"] == [SVGPlot.palette[1]])
    #expect(strokes["warp+genre"] == [SVGPlot.palette[2]])
  }

  @Test("Past the palette, colours cycle with a dash pattern, so no two names look the same")
  func stylesCycle() {
    let names = (0..<30).map { "loss \($0)" }
    let panels = [PlotPanel(title: "m", series: names.map { PlotSeries(name: $0, points: []) })]
    let (order, styles) = SVGPlot.seriesStyles(for: panels)
    #expect(order == names)
    let looks = names.map { "\(styles[$0]!.color) \(styles[$0]!.dash ?? "solid")" }
    #expect(Set(looks).count == 30)
    let count = SVGPlot.palette.count
    #expect(names.prefix(count).allSatisfy { styles[$0]!.dash == nil })
    #expect(styles[names[count]]!.color == styles[names[0]]!.color)
    #expect(styles[names[count]]!.dash != nil)
    #expect(Set(SVGPlot.palette).count == count)
    let svg = SVGPlot.render(title: "many", panels: [PlotPanel(title: "m", series: names.map { series($0, level: 1) })])
    #expect(parse(svg).wellFormed)
    #expect(svg.contains("stroke-dasharray"))
  }

  // MARK: Ticks

  @Test("Nice ticks: steps of 1, 2, 2.5 or 5 × 10ⁿ, exact decimal values")
  func niceTicks() {
    #expect(SVGPlot.niceTicks(min: 0.9, max: 0.95, count: 5) == [0.9, 0.91, 0.92, 0.93, 0.94, 0.95])
    #expect(SVGPlot.niceTicks(min: 0.9, max: 0.95, count: 3) == [0.9, 0.92, 0.94])
    #expect(SVGPlot.niceTicks(min: 0.9, max: 0.95, count: 2) == [0.9, 0.925, 0.95])
    #expect(SVGPlot.niceTicks(min: 0.88, max: 0.97, count: 4) == [0.9, 0.925, 0.95])
    #expect(SVGPlot.niceTicks(min: 0, max: 1, count: 5) == [0, 0.2, 0.4, 0.6, 0.8, 1])
    #expect(SVGPlot.niceTicks(min: 0, max: 0.3, count: 3) == [0, 0.1, 0.2, 0.3])
    #expect(SVGPlot.niceTicks(min: -1, max: 1, count: 4) == [-1, -0.5, 0, 0.5, 1])
    #expect(SVGPlot.niceTicks(min: 0.123, max: 0.456, count: 5) == [0.2, 0.3, 0.4])
    #expect(SVGPlot.niceTicks(min: 0.123, max: 0.456, count: 8) == [0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45])
    #expect(SVGPlot.niceTicks(min: 0, max: 250, count: 5) == [0, 50, 100, 150, 200, 250])
    #expect(SVGPlot.niceTicks(min: 1, max: 0, count: 5) == [0, 0.2, 0.4, 0.6, 0.8, 1], "ends swapped")
  }

  @Test("Epoch ticks are integers")
  func integerTicks() {
    #expect(SVGPlot.niceTicks(min: 1, max: 10, count: 10, integer: true) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    #expect(SVGPlot.niceTicks(min: 1, max: 10, count: 5, integer: true) == [2, 4, 6, 8, 10])
    #expect(SVGPlot.niceTicks(min: 0.64, max: 10.36, count: 4, integer: true) == [5, 10])
    #expect(SVGPlot.niceTicks(min: 1, max: 3, count: 20, integer: true) == [1, 2, 3])
    #expect(SVGPlot.niceTicks(min: 0, max: 100, count: 4, integer: true) == [0, 25, 50, 75, 100])
    #expect(SVGPlot.niceTicks(min: 0, max: 10, count: 4, integer: true) == [0, 5, 10], "no step of 2.5")
  }

  @Test("Degenerate tick ranges")
  func degenerateTicks() {
    #expect(SVGPlot.niceTicks(min: 5, max: 5, count: 5) == [5])
    #expect(SVGPlot.niceTicks(min: .nan, max: 1, count: 5) == [])
    #expect(SVGPlot.niceTicks(min: 0, max: .infinity, count: 5) == [])
    #expect(SVGPlot.niceTicks(min: 0, max: 1, count: 0) == [0, 1])
    #expect(SVGPlot.niceTicks(min: -.greatestFiniteMagnitude, max: .greatestFiniteMagnitude, count: 5).count <= 2)
    #expect(SVGPlot.niceTicks(min: 1, max: 1 + 1e-12, count: 5).count >= 1)
  }

  @Test("Tick labels are compact")
  func tickLabels() {
    #expect(SVGPlot.tickScale(min: 0.9, max: 0.95, count: 2).labels == ["0.9", "0.925", "0.95"])
    #expect(SVGPlot.tickScale(min: 0, max: 0.3, count: 3).labels == ["0", "0.1", "0.2", "0.3"])
    #expect(SVGPlot.tickScale(min: -0.5, max: 0.5, count: 2).labels == ["-0.5", "0", "0.5"])
    #expect(SVGPlot.tickScale(min: 1, max: 10, count: 5, integer: true).labels == ["2", "4", "6", "8", "10"])
    #expect(SVGPlot.tickScale(min: 0, max: 0.0003, count: 3).labels == ["0", "0.0001", "0.0002", "0.0003"])
    #expect(SVGPlot.decimalString(0.1 + 0.2, decimals: 2) == "0.3")
    #expect(SVGPlot.decimalString(-0.0001, decimals: 2) == "0")
    #expect(SVGPlot.significantString(0.912_345_6) == "0.9123")
    #expect(SVGPlot.significantString(1234.5) == "1235")
    #expect(SVGPlot.shortestString(-0.0) == "0")
    #expect(SVGPlot.shortestString(3) == "3")
  }

  // MARK: Degenerate input

  struct DegenerateCase: Sendable, CustomTestStringConvertible {
    var testDescription: String
    var panels: [PlotPanel]
  }

  static let degenerateCases: [DegenerateCase] = [
    DegenerateCase(testDescription: "no panels", panels: []),
    DegenerateCase(testDescription: "a panel with no series", panels: [PlotPanel(title: "empty", series: [])]),
    DegenerateCase(
      testDescription: "a series with no points",
      panels: [PlotPanel(title: "m", series: [PlotSeries(name: "a", points: [])])]),
    DegenerateCase(
      testDescription: "a series with one point",
      panels: [PlotPanel(title: "m", series: [PlotSeries(name: "a", points: [PlotPoint(x: 1, y: 0.5, spread: 0.1)])])]),
    DegenerateCase(
      testDescription: "all-equal values",
      panels: [
        PlotPanel(
          title: "m", series: [PlotSeries(name: "a", points: (1...5).map { PlotPoint(x: Double($0), y: 0.7) })])
      ]),
    DegenerateCase(
      testDescription: "all zero",
      panels: [
        PlotPanel(title: "m", series: [PlotSeries(name: "a", points: (1...5).map { PlotPoint(x: Double($0), y: 0) })])
      ]),
    DegenerateCase(
      testDescription: "NaN and infinite values",
      panels: [
        PlotPanel(
          title: "m",
          series: [
            PlotSeries(
              name: "a",
              points: [
                PlotPoint(x: 1, y: 0.5, spread: .nan), PlotPoint(x: 2, y: .nan), PlotPoint(x: 3, y: .infinity),
                PlotPoint(x: 4, y: 0.6, spread: .infinity), PlotPoint(x: .nan, y: 0.7), PlotPoint(x: 5, y: 0.65),
                PlotPoint(x: 6, y: -.infinity),
              ]),
            PlotSeries(name: "b", points: [PlotPoint(x: 1, y: .nan), PlotPoint(x: 2, y: .nan)]),
          ])
      ]),
    DegenerateCase(
      testDescription: "only NaN",
      panels: [PlotPanel(title: "m", series: [PlotSeries(name: "a", points: [PlotPoint(x: .nan, y: .nan)])])]),
    DegenerateCase(
      testDescription: "empty names",
      panels: [
        PlotPanel(title: "", series: [series("", level: 0.5), series("", level: 0.6)]),
        PlotPanel(title: "m", series: [series("", level: 0.5)]),
      ]),
    DegenerateCase(
      testDescription: "huge and tiny values",
      panels: [
        PlotPanel(
          title: "huge",
          series: [
            PlotSeries(
              name: "a",
              points: [PlotPoint(x: 0, y: -.greatestFiniteMagnitude), PlotPoint(x: 1, y: .greatestFiniteMagnitude)])
          ]),
        PlotPanel(
          title: "tiny",
          series: [PlotSeries(name: "a", points: [PlotPoint(x: 1e-300, y: 1e-300), PlotPoint(x: 2e-300, y: 3e-300)])]),
        PlotPanel(
          title: "far",
          series: [PlotSeries(name: "a", points: [PlotPoint(x: 1e15, y: 1e15), PlotPoint(x: 1e15 + 1, y: 1e15)])]),
      ]),
    DegenerateCase(
      testDescription: "unsorted, fractional and negative x",
      panels: [
        PlotPanel(
          title: "m",
          series: [
            PlotSeries(
              name: "a",
              points: [PlotPoint(x: 2.5, y: -1), PlotPoint(x: -0.5, y: 3, spread: -0.5), PlotPoint(x: 1.25, y: 2)])
          ])
      ]),
    DegenerateCase(
      testDescription: "seven panels",
      panels: (0..<7).map { PlotPanel(title: "m\($0)", series: [series("a", level: 1)]) }),
  ]

  @Test("Degenerate input draws a valid document", arguments: degenerateCases)
  func degenerate(_ input: DegenerateCase) {
    let svg = SVGPlot.render(title: "degenerate", subtitle: "", xLabel: "", panels: input.panels)
    let parsed = parse(svg)
    #expect(parsed.wellFormed, "\(parsed.error ?? "")")
    #expect(parsed.root == "svg")
    for bad in ["nan", "NaN", "inf", "∞"] { #expect(!svg.contains(bad), "contains \(bad)") }
    #expect(!parsed.elements.contains("desc"), "an empty subtitle is no subtitle")
  }

  @Test("Panels without data say so")
  func noData() {
    let parsed = parse(SVGPlot.render(title: "t", panels: [PlotPanel(title: "empty", series: [])]))
    #expect(parsed.texts.contains("no data"))
    #expect(parse(SVGPlot.render(title: "t", panels: [])).texts.contains("no data"))
  }

  @Test("A NaN value leaves a gap in the line")
  func gaps() {
    let points = [1, 2, 3, 4, 5].map { PlotPoint(x: Double($0), y: $0 == 3 ? .nan : Double($0)) }
    let parsed = parse(
      SVGPlot.render(title: "t", panels: [PlotPanel(title: "m", series: [PlotSeries(name: "a", points: points)])]))
    #expect(parsed.elements.filter { $0 == "polyline" }.count == 2)
    #expect(parsed.elements.filter { $0 == "circle" }.count == 4 + 1, "four markers and the legend's")
  }

  // MARK: Determinism

  @Test("The same input gives the same bytes")
  func deterministic() {
    let panels = samplePanels + [PlotPanel(title: "more", series: (0..<12).map { series("s\($0)", level: 0.1) })]
    let first = SVGPlot.render(title: "t", subtitle: "s", panels: panels)
    for _ in 0..<3 { #expect(SVGPlot.render(title: "t", subtitle: "s", panels: panels) == first) }
  }
}
