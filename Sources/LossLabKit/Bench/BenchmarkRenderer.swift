import Foundation
import RankingLosses

/// Renders a ``BenchmarkReport`` as an aligned text table or JSON.
public enum BenchmarkRenderer {
  /// The report as text: one row per loss.
  public static func text(_ report: BenchmarkReport) -> String {
    let o = report.options
    var lines = [
      "losslab bench — \(o.scalar.rawValue), \(o.threads) thread\(o.threads == 1 ? "" : "s"), \(o.repeats) timed calls"
        + " after \(o.warmup) warm-up\(o.partialCredit ? ", partial credit" : "")",
      "cpu: \(report.cpu); kernels: \(report.isa) (\(report.isa.instructions))",
      "copy bandwidth \(String(format: "%.2f", report.copyBandwidth / 1e9)) GB/s (read + write)",
      "",
    ]
    let header = [
      "loss", "B", "N", "median ms", "min ms", "max ms", "pairs/s", "GB/s", "copy GB/s", "of copy", "peak MB",
    ]
    let rows = report.results.map { r in
      [
        r.loss, String(r.batch), String(r.negatives), String(format: "%.3f", r.medianSeconds * 1e3),
        String(format: "%.3f", r.minSeconds * 1e3), String(format: "%.3f", r.maxSeconds * 1e3),
        String(format: "%.3g", r.pairsPerSecond), String(format: "%.2f", r.bytesPerSecond / 1e9),
        String(format: "%.2f", r.copyBytesPerSecond / 1e9),
        String(format: "%.0f%%", r.bandwidthFraction * 100), String(r.peakMemoryBytes / 1_048_576),
      ]
    }
    lines += alignedTable(header, rows)
    return lines.joined(separator: "\n") + "\n"
  }

  /// The report as JSON: `{"cpu", "isa", "copy_bandwidth_bytes_per_second", "results": [...]}`.
  public static func json(_ report: BenchmarkReport) -> String {
    let results: [JSONValue] = report.results.map { r in
      .object([
        ("loss", .string(r.loss)), ("batch", .integer(r.batch)), ("negatives", .integer(r.negatives)),
        ("threads", .integer(r.threads)), ("scalar", .string(r.scalar)),
        ("partial_credit", .bool(r.partialCredit)),
        ("repeats", .integer(r.repeats)), ("median_seconds", .number(r.medianSeconds)),
        ("min_seconds", .number(r.minSeconds)), ("max_seconds", .number(r.maxSeconds)),
        ("pairs_per_second", .number(r.pairsPerSecond)), ("bytes_per_second", .number(r.bytesPerSecond)),
        ("copy_bytes_per_second", .number(r.copyBytesPerSecond)),
        ("bandwidth_fraction", .number(r.bandwidthFraction)), ("peak_memory_bytes", .integer(r.peakMemoryBytes)),
      ])
    }
    let root: JSONValue = .object([
      ("cpu", .string(report.cpu)), ("isa", .string(report.isa.rawValue)),
      ("copy_bandwidth_bytes_per_second", .number(report.copyBandwidth)),
      ("results", .array(results)),
    ])
    return root.document
  }
}
