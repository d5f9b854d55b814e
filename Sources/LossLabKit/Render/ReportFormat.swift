import Foundation

/// The output formats of `losslab run`.
public enum ReportFormat: String, Sendable, CaseIterable {
  /// An aligned table for the terminal, one per config, with notes below.
  case text
  /// A GitHub-flavoured Markdown table per config, with notes below.
  case markdown
  /// One CSV table for all configs, one row per cell: `experiment,scenario,loss,value,note`.
  case csv
  /// JSON: an object per config, an array for several; numbers round-trip exactly.
  case json
}

/// Renders reports in a ``ReportFormat``.
public struct ReportRenderer: Sendable {
  /// The format.
  public var format: ReportFormat
  /// Digits after the decimal point for text and Markdown (default 4) and for CSV (default: every digit
  /// needed to round-trip). JSON always round-trips.
  public var precision: Int?

  /// Creates a renderer.
  public init(format: ReportFormat, precision: Int? = nil) {
    self.format = format
    self.precision = precision
  }

  /// The reports as text in ``format``, ending with a newline.
  public func render(_ reports: [ExperimentReport]) -> String {
    switch format {
    case .text:
      return reports.map { TableRenderer(markdown: false, precision: precision ?? 4).render($0) }.joined(
        separator: "\n")
    case .markdown:
      return reports.map { TableRenderer(markdown: true, precision: precision ?? 4).render($0) }.joined(separator: "\n")
    case .csv: return CSVRenderer(precision: precision).render(reports)
    case .json: return JSONRenderer().render(reports)
    }
  }
}

/// `x` with `digits` digits after the point (`-0` printed as `0`), or in exponent form beyond 1e15.
func fixed(_ x: Double, digits: Int) -> String {
  guard x.isFinite else { return x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf") }
  let value = x == 0 ? 0 : x
  if abs(value) >= 1e15 { return String(format: "%.\(digits)e", value) }
  let text = String(format: "%.\(digits)f", value)
  // A tiny negative value rounds to "-0.0000": print it as zero.
  if text.hasPrefix("-"), text.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) { return String(text.dropFirst()) }
  return text
}

/// The shortest text that reads back as exactly `x`.
func roundTrip(_ x: Double) -> String {
  x == 0 ? "0.0" : "\(x)"
}
