import CZlib
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

  @Test("Past the palette's twelve hues, colours repeat with another dash and marker, and the legend says so")
  func stylesCycle() {
    let names = (0..<30).map { "loss \($0)" }
    let panels = [PlotPanel(title: "m", series: names.map { PlotSeries(name: $0, points: []) })]
    let assignment = SVGPlot.seriesStyles(for: panels)
    let styles = assignment.styles
    #expect(assignment.names == names)
    #expect(assignment.familyCount == 30)
    #expect(assignment.huesRepeat)
    let looks = names.map { "\(styles[$0]!.color) \(styles[$0]!.dash ?? "solid") \(styles[$0]!.marker)" }
    #expect(Set(looks).count == 30)
    let count = SVGPlot.palette.count
    #expect(count == 12)
    #expect(names.prefix(count).allSatisfy { styles[$0]!.dash == nil && styles[$0]!.marker == .circle })
    #expect(styles[names[count]]!.color == styles[names[0]]!.color)
    #expect(styles[names[count]]!.dash != nil)
    #expect(styles[names[count]]!.marker != .circle)
    #expect(Set(SVGPlot.palette).count == count)
    let svg = SVGPlot.render(title: "many", panels: [PlotPanel(title: "m", series: names.map { series($0, level: 1) })])
    let parsed = parse(svg)
    #expect(parsed.wellFormed)
    #expect(svg.contains("stroke-dasharray"))
    #expect(parsed.texts.contains("30 losses, 12 colours: a colour's lines differ by dash and marker"))
    // Twelve or fewer families: no such note.
    let few = parse(SVGPlot.render(title: "few", panels: samplePanels))
    #expect(!few.texts.contains { $0.contains("colours:") })
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

  @Test("Tick labels of one axis have one number of decimals, the step's")
  func tickLabels() {
    #expect(SVGPlot.tickScale(min: 0.9, max: 0.95, count: 2).labels == ["0.900", "0.925", "0.950"])
    #expect(SVGPlot.tickScale(min: 0.9, max: 0.95, count: 3).labels == ["0.90", "0.92", "0.94"])
    #expect(SVGPlot.tickScale(min: 0, max: 0.3, count: 3).labels == ["0.0", "0.1", "0.2", "0.3"])
    #expect(SVGPlot.tickScale(min: -0.5, max: 0.5, count: 2).labels == ["-0.5", "0.0", "0.5"])
    #expect(SVGPlot.tickScale(min: 0, max: 10, count: 4).labels == ["0.0", "2.5", "5.0", "7.5", "10.0"])
    #expect(SVGPlot.tickScale(min: 1, max: 10, count: 5, integer: true).labels == ["2", "4", "6", "8", "10"])
    #expect(SVGPlot.tickScale(min: 0, max: 0.0003, count: 3).labels == ["0.0000", "0.0001", "0.0002", "0.0003"])
    #expect(SVGPlot.fixedString(0.9, decimals: 3) == "0.900")
    #expect(SVGPlot.fixedString(-0.0001, decimals: 2) == "0.00")
    #expect(SVGPlot.fixedString(-2.5, decimals: 1) == "-2.5")
    #expect(SVGPlot.fixedString(12, decimals: 0) == "12")
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

// MARK: - Families, ticks that cover, legend placement, bands, rendering

/// The nine variants of configs/movielens-losses.yaml, as `TrainingPlot` builds them: the family is the registered
/// loss name, and the partial-credit variants are marked.
private func movielensSeries(level: Double = 0.3) -> [PlotSeries] {
  let plain = ["bpr", "hinge", "log_sigmoid_bpr", "adaptive_bpr", "adaptive_hinge", "adaptive_log_sigmoid_bpr", "warp"]
  let credited = [("adaptive_hinge+genre", "adaptive_hinge"), ("warp+genre", "warp")]
  return plain.enumerated().map { index, name in
    PlotSeries(name: name, points: series(name, level: level + 0.01 * Double(index)).points, family: name)
  }
    + credited.map { name, family in
      PlotSeries(name: name, points: series(name, level: level).points, family: family, isVariant: true)
    }
}

/// Seven metric panels of the nine variants, like the bundled config's plot.
private func sevenPanels() -> [PlotPanel] {
  ["AUC", "MAP@10", "MRR", "NDCG@10", "P@10", "R@10", "HR@10"].enumerated().map { index, title in
    PlotPanel(title: title, series: movielensSeries(level: 0.1 * Double(index + 1)))
  }
}

/// The path of `rsvg-convert` when it is installed.
private let rsvgConvert: String? = [
  "/usr/bin/rsvg-convert", "/usr/local/bin/rsvg-convert", "/opt/homebrew/bin/rsvg-convert",
]
.first { FileManager.default.isExecutableFile(atPath: $0) }

/// The pixels of an 8-bit RGB or RGBA PNG (what rsvg-convert writes), or `nil` for another kind.
private struct DecodedPNG {
  var width: Int
  var height: Int
  /// Bytes per pixel: 3 (RGB) or 4 (RGBA).
  var channels: Int
  /// Unfiltered rows, `width × channels` bytes each.
  var pixels: [UInt8]

  /// The red, green and blue of the pixel at column `x`, row `y`.
  func rgb(_ x: Int, _ y: Int) -> [Int] {
    let start = (y * width + x) * channels
    return (0..<3).map { Int(pixels[start + $0]) }
  }

  init?(_ png: [UInt8]) {
    func be32(_ at: Int) -> Int { png[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
    var offset = 8
    var header: [UInt8] = []
    var compressed: [UInt8] = []
    while offset + 8 <= png.count {
      let length = be32(offset)
      let type = String(decoding: png[offset + 4..<offset + 8], as: UTF8.self)
      guard offset + 12 + length <= png.count else { return nil }
      let data = png[offset + 8..<offset + 8 + length]
      if type == "IHDR" { header = Array(data) }
      if type == "IDAT" { compressed += data }
      offset += 12 + length
    }
    guard header.count == 13, header[8] == 8, header[10] == 0, header[11] == 0, header[12] == 0 else { return nil }
    guard header[9] == 2 || header[9] == 6 else { return nil }
    width = header[0..<4].reduce(0) { $0 << 8 | Int($1) }
    height = header[4..<8].reduce(0) { $0 << 8 | Int($1) }
    channels = header[9] == 6 ? 4 : 3
    let stride = width * channels
    var raw = [UInt8](repeating: 0, count: height * (stride + 1))
    var rawLength = uLongf(raw.count)
    let status = raw.withUnsafeMutableBufferPointer { out in
      compressed.withUnsafeBufferPointer { input in
        uncompress(out.baseAddress, &rawLength, input.baseAddress, uLong(input.count))
      }
    }
    guard status == Z_OK, Int(rawLength) == raw.count else { return nil }
    var pixels = [UInt8](repeating: 0, count: height * stride)
    for row in 0..<height {
      let filter = raw[row * (stride + 1)]
      for i in 0..<stride {
        let x = Int(raw[row * (stride + 1) + 1 + i])
        let a = i >= channels ? Int(pixels[row * stride + i - channels]) : 0
        let b = row > 0 ? Int(pixels[(row - 1) * stride + i]) : 0
        let c = i >= channels && row > 0 ? Int(pixels[(row - 1) * stride + i - channels]) : 0
        let predicted: Int
        switch filter {
        case 0: predicted = 0
        case 1: predicted = a
        case 2: predicted = b
        case 3: predicted = (a + b) / 2
        case 4:
          let p = a + b - c
          let (pa, pb, pc) = (abs(p - a), abs(p - b), abs(p - c))
          predicted = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)
        default: return nil
        }
        pixels[row * stride + i] = UInt8((x + predicted) & 0xFF)
      }
    }
    self.pixels = pixels
  }
}

extension SVGPlotTests {
  @Test("Variants of one base loss share its hue with another dash and marker; base losses get distinct hues")
  func familyStyles() throws {
    let assignment = SVGPlot.seriesStyles(for: [PlotPanel(title: "m", series: movielensSeries())])
    let styles = assignment.styles
    #expect(assignment.familyCount == 7)
    #expect(!assignment.huesRepeat)
    let plain = [
      "bpr", "hinge", "log_sigmoid_bpr", "adaptive_bpr", "adaptive_hinge", "adaptive_log_sigmoid_bpr", "warp",
    ]
    // One hue per base loss, all different, in order of first appearance; plain series are solid with circles.
    #expect(plain.map { styles[$0]?.color } == Array(SVGPlot.palette.prefix(7)))
    for name in plain {
      #expect(styles[name]?.dash == nil && styles[name]?.marker == .circle && styles[name]?.rank == 0, "\(name)")
    }
    for (variant, base) in [("adaptive_hinge+genre", "adaptive_hinge"), ("warp+genre", "warp")] {
      let v = try #require(styles[variant])
      let b = try #require(styles[base])
      #expect(v.color == b.color, "\(variant) has the hue of \(base)")
      #expect(v.dash != nil && v.dash != b.dash)
      #expect(v.marker != b.marker)
      #expect(v.rank == 1)
    }
    // The legend lists each variant right after its base loss.
    #expect(
      assignment.names == [
        "bpr", "hinge", "log_sigmoid_bpr", "adaptive_bpr", "adaptive_hinge", "adaptive_hinge+genre",
        "adaptive_log_sigmoid_bpr", "warp", "warp+genre",
      ])
    // The drawn document agrees: every line of a family has the family's stroke.
    let parsed = parse(SVGPlot.render(title: "t", panels: sevenPanels()))
    var strokes: [String: Set<String>] = [:]
    for (name, stroke) in parsed.seriesStrokes { strokes[name, default: []].insert(stroke) }
    #expect(strokes["adaptive_hinge+genre"] == strokes["adaptive_hinge"])
    #expect(strokes["warp+genre"] == strokes["warp"])
    #expect(Set(plain.compactMap { strokes[$0]?.first }).count == 7)
  }

  @Test("A plain series takes its family's first style even when a variant of it comes first")
  func plainFirst() {
    let panel = PlotPanel(
      title: "m",
      series: [
        PlotSeries(name: "warp+genre", points: [], family: "warp", isVariant: true),
        PlotSeries(name: "warp", points: [], family: "warp"),
        PlotSeries(name: "warp margin=2", points: [], family: "warp", isVariant: true),
      ])
    let assignment = SVGPlot.seriesStyles(for: [panel])
    #expect(assignment.names == ["warp", "warp+genre", "warp margin=2"])
    #expect(assignment.names.map { assignment.styles[$0]?.rank } == [0, 1, 2])
    #expect(assignment.names.map { assignment.styles[$0]?.dash } == Array(SVGPlot.dashPatterns.prefix(3)))
    #expect(assignment.names.map { assignment.styles[$0]?.marker } == [.circle, .square, .triangle])
    #expect(Set(assignment.names.compactMap { assignment.styles[$0]?.color }) == [SVGPlot.palette[0]])
  }

  @Test("The palette: twelve hues, none too pale for a line on white")
  func paletteLightness() {
    #expect(SVGPlot.palette.count == 12)
    #expect(Set(SVGPlot.palette.map { $0.uppercased() }).count == 12)
    for colour in SVGPlot.palette {
      // CIE L* (D65) of the sRGB colour: above ~75 a 2.25-pixel line fades into white.
      let channels = [1, 3, 5].map { offset -> Double in
        let start = colour.index(colour.startIndex, offsetBy: offset)
        let value = Double(Int(colour[start..<colour.index(start, offsetBy: 2)], radix: 16) ?? 255) / 255
        return value <= 0.04045 ? value / 12.92 : pow((value + 0.055) / 1.055, 2.4)
      }
      let luminance = 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]
      let lightness = luminance > 0.008856 ? 116 * pow(luminance, 1.0 / 3) - 16 : 903.3 * luminance
      #expect(lightness < 75, "\(colour) has L* \(lightness)")
    }
  }

  @Test("Covering ticks: 4 to 6 at a nice step, one decimal count, the data between the first and last")
  func coveringTicks() {
    // The AUC-like case of the bundled config.
    #expect(SVGPlot.coveringTicks(min: 0.89, max: 0.93).values == [0.89, 0.9, 0.91, 0.92, 0.93])
    #expect(SVGPlot.coveringTicks(min: 0.89, max: 0.93).labels == ["0.89", "0.90", "0.91", "0.92", "0.93"])
    #expect(SVGPlot.coveringTicks(min: 0.893, max: 0.929).values == [0.89, 0.9, 0.91, 0.92, 0.93])
    #expect(SVGPlot.coveringTicks(min: 0.885, max: 0.931).labels == ["0.88", "0.90", "0.92", "0.94"])
    #expect(SVGPlot.coveringTicks(min: 0, max: 0.47).labels == ["0.0", "0.1", "0.2", "0.3", "0.4", "0.5"])
    #expect(
      SVGPlot.coveringTicks(min: 0.12, max: 0.31).labels == ["0.10", "0.15", "0.20", "0.25", "0.30", "0.35"])
    #expect(SVGPlot.coveringTicks(min: 3, max: 97).values == [0, 20, 40, 60, 80, 100], "on a tie, no 2.5")
    #expect(
      SVGPlot.coveringTicks(min: 0.0102, max: 0.0189).labels == ["0.010", "0.012", "0.014", "0.016", "0.018", "0.020"])
    #expect(SVGPlot.coveringTicks(min: -0.3, max: 0.2).labels == ["-0.3", "-0.2", "-0.1", "0.0", "0.1", "0.2"])
    #expect(SVGPlot.coveringTicks(min: 1, max: 3, integer: true).values == [1, 2, 3], "no 4 integers fit")
    #expect(SVGPlot.coveringTicks(min: 0.5, max: 0.5).values == [0.5])
    #expect(SVGPlot.coveringTicks(min: .nan, max: 1).values.isEmpty)

    // Over many ranges: the rules hold.
    for low in stride(from: -2.0, through: 2.0, by: 0.37) {
      for span in [1e-4, 3.3e-3, 0.017, 0.04, 0.26, 0.9, 1, 7.3, 55, 1234] {
        let scale = SVGPlot.coveringTicks(min: low, max: low + span)
        let ticks = scale.values
        #expect((4...6).contains(ticks.count), "\(low)…\(low + span): \(ticks)")
        guard let first = ticks.first, let last = ticks.last, ticks.count > 1 else { continue }
        let step = ticks[1] - ticks[0]
        // Within rounding: a tick a billionth of a step inside the data counts as covering it.
        #expect(first <= low + step * 1e-6 && last >= low + span - step * 1e-6, "\(low)…\(low + span): \(ticks)")
        #expect(zip(ticks, ticks.dropFirst()).allSatisfy { abs(($1 - $0) - step) <= step * 1e-6 })
        let decimals = Set(scale.labels.map { $0.split(separator: ".").dropFirst().first?.count ?? 0 })
        #expect(decimals.count == 1, "\(scale.labels)")
        #expect(Set(scale.labels).count == scale.labels.count, "\(scale.labels)")
      }
    }
  }

  @Test("A panel's y axis is labelled past its data, bands included")
  func yAxisCoversData() {
    let points = [0.893, 0.91, 0.925].enumerated().map {
      PlotPoint(x: Double($0.offset + 1), y: $0.element, spread: 0.004)
    }
    let panel = SVGPlot.prepare(
      PlotPanel(title: "AUC", series: [PlotSeries(name: "a", points: points)]), styles: [:])
    #expect(panel.yTicks.labels == ["0.88", "0.89", "0.90", "0.91", "0.92", "0.93"])
    #expect(panel.yRange.low < 0.88 && panel.yRange.high > 0.93)
    let lines = SVGPlot.prepare(
      PlotPanel(title: "AUC", series: [PlotSeries(name: "a", points: points)]), styles: [:], bands: false)
    #expect(lines.yTicks.labels == ["0.89", "0.90", "0.91", "0.92", "0.93"], "without bands, the lines only")
    let parsed = parse(
      SVGPlot.render(title: "t", panels: [PlotPanel(title: "AUC", series: [PlotSeries(name: "a", points: points)])]))
    for label in ["0.88", "0.90", "0.93"] { #expect(parsed.texts.contains(label)) }
  }

  @Test("Seven panels: the legend fills the empty cells of the last row, one entry per line")
  func legendInEmptyCells() throws {
    let layout = SVGPlot.Layout(title: "t", subtitle: "s", xLabel: "epoch", panels: sevenPanels())
    #expect(layout.legendPlacement == .emptyCells)
    #expect(layout.columns == 3)
    let column = layout.legendColumns.first
    #expect(layout.legendColumns.count == 1)
    #expect(column?.names.count == 9)
    // The cell right of the seventh panel (row 3, column 2).
    #expect(column?.x == layout.margin + layout.panelWidth + layout.panelGap + 24)
    #expect(column?.y == layout.gridTop + 2 * (layout.panelHeight + layout.panelGap) + layout.plotTopInset)
    // Nothing above or beside the grid: the document is the grid plus margins.
    let gridWidth = 3 * layout.panelWidth + 2 * layout.panelGap
    #expect(layout.width == (gridWidth + 2 * layout.margin).rounded(.up))
    #expect(
      layout.height == (layout.gridTop + 3 * layout.panelHeight + 2 * layout.panelGap + layout.margin).rounded(.up))
    // In the document: each name once in the legend, each on its own line, all below the top of the grid.
    let svg = layout.document()
    let start = try #require(svg.range(of: #"<g class="legend">"#))
    let legend = String(svg[start.lowerBound...])
    let lines = legend.split(separator: "\n").filter { $0.hasPrefix("<text") }
    #expect(lines.count == 9)
    let ys = lines.compactMap { line -> Double? in
      guard let range = line.range(of: #" y=""#) else { return nil }
      return Double(line[range.upperBound...].prefix { $0 != "\"" })
    }
    #expect(Set(ys).count == 9, "one entry per line")
    #expect(ys.allSatisfy { $0 > layout.gridTop + 2 * (layout.panelHeight + layout.panelGap) })
  }

  @Test("A full grid, or a legend too long for the empty cells, goes right of the panels")
  func legendRight() {
    for panels in [Array(sevenPanels().prefix(3)), sevenPanels() + sevenPanels().prefix(2)] {
      let layout = SVGPlot.Layout(title: "t", subtitle: nil, xLabel: "epoch", panels: panels)
      #expect(layout.legendPlacement == .right)
      let column = layout.legendColumns.first
      #expect(layout.legendColumns.count == 1 && column?.names.count == 9)
      let gridRight = layout.margin + 3 * layout.panelWidth + 2 * layout.panelGap
      #expect((column?.x ?? 0) > gridRight)
      #expect(layout.width >= (column?.x ?? 0) + (column?.width ?? 0))
    }
    // Four panels leave two cells of about 12 lines each: 30 entries do not fit.
    let many = (0..<4).map { PlotPanel(title: "m\($0)", series: (0..<30).map { series("s\($0)", level: 1) }) }
    let layout = SVGPlot.Layout(title: "t", subtitle: nil, xLabel: "epoch", panels: many)
    #expect(layout.legendPlacement == .right)
    #expect(layout.legendColumns.first?.note != nil, "30 families: the hue note")
    #expect(layout.height >= (layout.legendColumns.first?.y ?? 0) + 31 * layout.legendLineHeight)
    let none = SVGPlot.Layout(title: "t", subtitle: nil, xLabel: "epoch", panels: [PlotPanel(title: "e", series: [])])
    #expect(none.legendPlacement == .none)
  }

  @Test("Bands are light and can be left out")
  func bands() throws {
    let svg = SVGPlot.render(title: "t", panels: samplePanels)
    #expect(svg.contains(#"fill-opacity="0.07""#))
    #expect(parse(svg).elements.filter { $0 == "polygon" }.count == 9)
    let without = SVGPlot.render(title: "t", panels: samplePanels, bands: false)
    #expect(parse(without).wellFormed)
    #expect(!parse(without).elements.contains("polygon"))
    #expect(!without.contains(#"class="band""#))
    #expect(TrainingPlot.Bands.allCases.map(\.rawValue) == ["none", "std"])
  }

  @Test(
    "rsvg-convert renders the plot at its declared size",
    .enabled(if: rsvgConvert != nil, "rsvg-convert is not installed (Debian: apt-get install librsvg2-bin)"))
  func rendersWithRsvg() throws {
    let tool = try #require(rsvgConvert)
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("svgplot-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    for (name, panels) in [("seven", sevenPanels()), ("three", samplePanels), ("empty", [PlotPanel]())] {
      let svg = SVGPlot.render(title: "movielens-losses — \(name)", subtitle: "mean ± std over 3 seeds", panels: panels)
      let root = parse(svg).rootAttributes
      let width = try #require(root["width"].flatMap(Int.init))
      let height = try #require(root["height"].flatMap(Int.init))
      let input = folder.appendingPathComponent("\(name).svg")
      let output = folder.appendingPathComponent("\(name).png")
      try svg.write(to: input, atomically: true, encoding: .utf8)
      let process = Process()
      process.executableURL = URL(fileURLWithPath: tool)
      process.arguments = [input.path, "-o", output.path]
      let errors = Pipe()
      process.standardError = errors
      try process.run()
      let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
      process.waitUntilExit()
      #expect(process.terminationStatus == 0, "\(name): \(message)")
      #expect(message.isEmpty, "\(name): \(message)")
      let png = try [UInt8](Data(contentsOf: output))
      #expect(png.count > 1000, "\(name): \(png.count) bytes")
      try #require(png.count >= 24)
      #expect(Array(png[0..<8]) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "a PNG signature")
      #expect(Array(png[12..<16]) == Array("IHDR".utf8))
      let pngWidth = png[16..<20].reduce(0) { $0 << 8 | Int($1) }
      let pngHeight = png[20..<24].reduce(0) { $0 << 8 | Int($1) }
      #expect(pngWidth == width && pngHeight == height, "\(name): \(pngWidth)×\(pngHeight), not \(width)×\(height)")
      // A few pixels: the white background in a corner, and the first legend entry's sample line in its hue.
      let image = try #require(DecodedPNG(png), "\(name): not an 8-bit RGB(A) PNG")
      #expect(image.width == width && image.height == height)
      #expect(image.rgb(2, 2) == [255, 255, 255], "\(name): the corner")
      let layout = SVGPlot.Layout(title: "movielens-losses — \(name)", subtitle: "s", xLabel: "epoch", panels: panels)
      guard let column = layout.legendColumns.first, let first = column.names.first,
        let colour = layout.styles[first]?.color
      else { continue }
      let expected = [1, 3, 5].map { Int(colour.dropFirst($0).prefix(2), radix: 16) ?? -1 }
      let x = Int(column.x.rounded(.up)) + 3
      let y = Int(column.y + layout.legendLineHeight / 2)
      let seen = image.rgb(x, y)
      #expect(zip(seen, expected).allSatisfy { abs($0 - $1) <= 24 }, "\(name): \(seen) at (\(x), \(y)), not \(colour)")
    }
  }
}
