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

/// How a training report's text or Markdown table is laid out.
public enum TableLayout: String, Sendable, CaseIterable {
  /// One row per loss variant, one column per metric (the default).
  case variantsAsRows = "variants-as-rows"
  /// One row per metric, one column per variant headed by its letter (a legend above the table names
  /// them): for tables with many metric columns.
  case metricsAsRows = "metrics-as-rows"
}
