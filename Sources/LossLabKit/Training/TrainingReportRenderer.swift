import Foundation
import RankingLosses
import Recommender

/// Renders a ``TrainingReport``: rows are loss variants, columns the metrics (mean ± standard deviation over
/// seeds), training seconds and interactions per second; the best value of each column is marked.
public struct TrainingReportRenderer: Sendable {
  /// The format.
  public var format: ReportFormat
  /// Digits after the point for text and Markdown (default 4).
  public var precision: Int

  /// Creates a renderer.
  public init(format: ReportFormat, precision: Int? = nil) {
    self.format = format
    self.precision = precision ?? 4
  }

  /// The metric columns, in display order.
  static let metrics: [RankingMetric] = [.auc, .map, .mrr, .ndcg, .precision, .recall, .hitRate]

  /// The report in ``format``, ending with a newline.
  public func render(_ report: TrainingReport) -> String {
    switch format {
    case .text, .markdown: return table(report, markdown: format == .markdown)
    case .csv: return csv(report)
    case .json: return json(report)
    }
  }

  // MARK: Tables

  private struct Column {
    var title: String
    var value: (VariantResult) -> (mean: Double, std: Double)
    var higherIsBetter: Bool
    var digits: Int?
  }

  private func columns(_ report: TrainingReport) -> [Column] {
    let k = report.config.evaluation.k
    var columns = Self.metrics.map { metric in
      Column(
        title: metric.displayName(k: k), value: { $0.summary { $0.metrics[metric] } }, higherIsBetter: true, digits: nil
      )
    }
    columns.append(Column(title: "train s", value: { $0.summary(\.trainingSeconds) }, higherIsBetter: false, digits: 2))
    columns.append(
      Column(title: "interactions/s", value: { $0.summary(\.interactionsPerSecond) }, higherIsBetter: true, digits: 0))
    return columns
  }

  private func table(_ report: TrainingReport, markdown: Bool) -> String {
    let config = report.config
    let columns = self.columns(report)
    let showSpread = config.seeds.count > 1
    let best: [Int?] = columns.map { column in
      let means = report.results.map { column.value($0).mean }
      guard report.results.count > 1, let target = column.higherIsBetter ? means.max() : means.min() else { return nil }
      return means.firstIndex(of: target)
    }
    func cell(_ result: VariantResult, _ c: Int, row: Int) -> String {
      let column = columns[c]
      let (mean, std) = column.value(result)
      let digits = column.digits ?? precision
      var text = column.digits == 0 ? grouped(mean) : fixed(mean, digits: digits)
      if showSpread { text += " ± " + (column.digits == 0 ? grouped(std) : fixed(std, digits: digits)) }
      if best[c] == row { text = markdown ? "**\(text)**" : "\(text) *" }
      return text
    }
    let header = ["loss"] + columns.map(\.title)
    let rows = report.results.enumerated().map { row, result in
      [result.variant.loss.label] + columns.indices.map { cell(result, $0, row: row) }
    }
    var lines: [String] = []
    let title = config.description.map { "\(config.experiment) — \($0)" } ?? config.experiment
    lines.append(markdown ? "### \(title)" : title)
    lines.append("")
    let t = config.training
    let facts = [
      "data: \(report.users) users, \(report.items) items; \(report.trainInteractions) training and "
        + "\(report.testInteractions) held-out interactions (\(config.split.method.rawValue) split, "
        + "test_fraction \(config.split.testFraction), seed \(config.split.seed))",
      "model: \(t.factors) factors; \(t.epochs) epoch\(t.epochs == 1 ? "" : "s"), batch \(t.batchSize), \(t.optimizer.rawValue) "
        + "lr \(t.learningRate), l2 \(t.l2), \(t.sampler.rawValue) sampler, \(t.threads) thread\(t.threads == 1 ? "" : "s")",
      "evaluation: \(report.evaluatedUsers) users with held-out items, training items excluded, k = "
        + "\(config.evaluation.k), \(config.evaluation.ties.rawValue) ties; "
        + (showSpread
          ? "mean ± std over seeds \(config.seeds.map(String.init).joined(separator: ", "))"
          : "seed \(config.seeds[0])"),
    ]
    lines += facts.map { markdown ? "- \($0)" : $0 }
    lines.append("")
    lines += markdown ? markdownTable(header, rows) : alignedTable(header, rows, mark: " *")
    var notes: [String] = []
    if best.contains(where: { $0 != nil }) {
      notes.append(markdown ? "Bold: the best value of its column." : "* the best value of its column.")
    }
    let overridden = report.results.filter { $0.variant.training != config.training }
    for result in overridden {
      notes.append(
        "\(result.variant.loss.label) trains with its own settings: \(describeDifferences(result.variant.training, config.training))."
      )
    }
    if report.results.contains(where: { $0.negativesPerPositive == 1 && $0.variant.training.negatives > 1 }) {
      let adaptive = Set(report.results.filter { $0.negativesPerPositive > 1 }.map(\.negativesPerPositive)).sorted()
      let counts = adaptive.map(String.init).joined(separator: " or ")
      notes.append(
        "Pairwise losses sample one negative per positive"
          + (adaptive.isEmpty ? "." : "; adaptive losses sample \(counts)."))
    }
    notes += report.notes.map { "Data: \($0)." }
    if !notes.isEmpty {
      lines.append("")
      lines += notes.map { markdown ? "- \($0)" : $0 }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  private func describeDifferences(_ a: TrainingOptions, _ b: TrainingOptions) -> String {
    var parts: [String] = []
    if a.epochs != b.epochs { parts.append("epochs \(a.epochs)") }
    if a.batchSize != b.batchSize { parts.append("batch \(a.batchSize)") }
    if a.negatives != b.negatives { parts.append("negatives \(a.negatives)") }
    if a.sampler != b.sampler { parts.append("\(a.sampler.rawValue) sampler") }
    if a.optimizer != b.optimizer { parts.append("optimizer \(a.optimizer.rawValue)") }
    if a.learningRate != b.learningRate { parts.append("lr \(a.learningRate)") }
    if a.l2 != b.l2 { parts.append("l2 \(a.l2)") }
    if a.threads != b.threads { parts.append("\(a.threads) threads") }
    return parts.joined(separator: ", ")
  }

  private func grouped(_ x: Double) -> String {
    let digits = String(Int(x.rounded()))
    var out = ""
    for (i, c) in digits.reversed().enumerated() {
      if i > 0, i % 3 == 0, c != "-" { out.append(",") }
      out.append(c)
    }
    return String(out.reversed())
  }

  // MARK: CSV

  private func csv(_ report: TrainingReport) -> String {
    var lines = ["experiment,loss,seed,epoch,metric,value"]
    let experiment = csvField(report.config.experiment)
    for result in report.results {
      let label = csvField(result.variant.loss.label)
      for run in result.runs {
        for record in run.history {
          lines.append("\(experiment),\(label),\(run.seed),\(record.epoch),loss,\(roundTrip(record.loss))")
          if let metrics = record.metrics {
            for metric in Self.metrics {
              lines.append(
                "\(experiment),\(label),\(run.seed),\(record.epoch),\(metric.rawValue),\(roundTrip(metrics[metric]))")
            }
          }
        }
        lines.append("\(experiment),\(label),\(run.seed),,training_seconds,\(roundTrip(run.trainingSeconds))")
        lines.append(
          "\(experiment),\(label),\(run.seed),,interactions_per_second,\(roundTrip(run.interactionsPerSecond))")
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  // MARK: JSON

  private func json(_ report: TrainingReport) -> String {
    let config = report.config
    let t = config.training
    var root = JSONObject()
    root["experiment"] = .string(config.experiment)
    if let description = config.description { root["description"] = .string(description) }
    root["file"] = .string(config.file)
    root["data"] = .object([
      ("users", .number(Double(report.users))), ("items", .number(Double(report.items))),
      ("train_interactions", .number(Double(report.trainInteractions))),
      ("test_interactions", .number(Double(report.testInteractions))),
      ("evaluated_users", .number(Double(report.evaluatedUsers))),
      ("notes", .array(report.notes.map(JSONValue.string))),
    ])
    root["split"] = .object([
      ("method", .string(config.split.method.rawValue)), ("test_fraction", .number(config.split.testFraction)),
      ("seed", .number(Double(config.split.seed))),
    ])
    root["training"] = trainingJSON(t)
    root["evaluation"] = .object([
      ("k", .number(Double(config.evaluation.k))), ("ties", .string(config.evaluation.ties.rawValue)),
      ("eval_every", .number(Double(config.evaluation.evalEvery))),
    ])
    root["seeds"] = .array(config.seeds.map { .number(Double($0)) })
    root["results"] = .array(report.results.map(resultJSON))
    return root.value.rendered(indent: "") + "\n"
  }

  private func trainingJSON(_ t: TrainingOptions) -> JSONValue {
    .object([
      ("factors", .number(Double(t.factors))), ("init_scale", .number(t.initScale)),
      ("epochs", .number(Double(t.epochs))),
      ("batch_size", .number(Double(t.batchSize))), ("negatives", .number(Double(t.negatives))),
      ("sampler", .string(t.sampler.rawValue)), ("optimizer", .string(t.optimizer.rawValue)),
      ("learning_rate", .number(t.learningRate)), ("l2", .number(t.l2)), ("threads", .number(Double(t.threads))),
    ])
  }

  private func metricsJSON(_ m: RankingMetrics) -> JSONValue {
    .object(Self.metrics.map { ($0.rawValue, .number(m[$0])) })
  }

  private func resultJSON(_ result: VariantResult) -> JSONValue {
    let variant = result.variant.loss
    var summary: [(String, JSONValue)] = Self.metrics.map { metric in
      let (mean, std) = result.summary { $0.metrics[metric] }
      return (metric.rawValue, .object([("mean", .number(mean)), ("std", .number(std))]))
    }
    for (key, value) in [
      ("training_seconds", \SeedRun.trainingSeconds), ("interactions_per_second", \SeedRun.interactionsPerSecond),
    ] {
      let (mean, std) = result.summary { $0[keyPath: value] }
      summary.append((key, .object([("mean", .number(mean)), ("std", .number(std))])))
    }
    let runs: [JSONValue] = result.runs.map { run in
      .object([
        ("seed", .number(Double(run.seed))), ("metrics", metricsJSON(run.metrics)),
        ("training_seconds", .number(run.trainingSeconds)),
        ("interactions_per_second", .number(run.interactionsPerSecond)),
        (
          "history",
          .array(
            run.history.map { record in
              var fields: [(String, JSONValue)] = [
                ("epoch", .number(Double(record.epoch))), ("loss", .number(record.loss)),
                ("seconds", .number(record.seconds)),
              ]
              if let metrics = record.metrics { fields.append(("metrics", metricsJSON(metrics))) }
              return .object(fields)
            })
        ),
      ])
    }
    return .object([
      ("label", .string(variant.label)), ("loss", .string(variant.name)),
      ("params", .object(result.parameters.sorted { $0.key < $1.key }.map { ($0.key, parameterJSON($0.value)) })),
      (
        "partial_credit",
        variant.partialCredit.map { .object($0.entries.map { ($0.field, .number($0.weight)) }) } ?? .null
      ),
      ("training", trainingJSON(result.variant.training)),
      ("negatives_per_positive", .number(Double(result.negativesPerPositive))),
      ("summary", .object(summary)), ("runs", .array(runs)),
    ])
  }

  private func parameterJSON(_ value: LossParameterValue) -> JSONValue {
    switch value {
    case .integer(let n): return .number(Double(n))
    case .real(let x): return .number(x)
    case .boolean(let b): return .bool(b)
    case .string(let s): return .string(s)
    }
  }
}

/// A small JSON tree that keeps key order and prints numbers so that they read back exactly.
enum JSONValue {
  case null
  case bool(Bool)
  case number(Double)
  case string(String)
  case array([JSONValue])
  case object([(String, JSONValue)])

  func rendered(indent: String) -> String {
    switch self {
    case .null: return "null"
    case .bool(let b): return b ? "true" : "false"
    case .number(let x):
      guard x.isFinite else { return "null" }
      if x == x.rounded(), abs(x) < 1e15 { return String(Int(x)) }
      return roundTrip(x)
    case .string(let s): return jsonString(s)
    case .array(let values):
      guard !values.isEmpty else { return "[]" }
      if values.allSatisfy({ if case .number = $0 { return true } else { return false } }) {
        return "[" + values.map { $0.rendered(indent: "") }.joined(separator: ", ") + "]"
      }
      let inner = indent + "  "
      return "[\n" + values.map { inner + $0.rendered(indent: inner) }.joined(separator: ",\n") + "\n\(indent)]"
    case .object(let fields):
      guard !fields.isEmpty else { return "{}" }
      let inner = indent + "  "
      return "{\n"
        + fields.map { inner + jsonString($0.0) + ": " + $0.1.rendered(indent: inner) }.joined(separator: ",\n")
        + "\n\(indent)}"
    }
  }
}

/// An ordered JSON object under construction.
struct JSONObject {
  private(set) var fields: [(String, JSONValue)] = []
  subscript(key: String) -> JSONValue? {
    get { fields.first { $0.0 == key }?.1 }
    set {
      guard let newValue else { return }
      fields.append((key, newValue))
    }
  }
  var value: JSONValue { .object(fields) }
}

/// `s` as a JSON string literal.
func jsonString(_ s: String) -> String {
  var out = "\""
  for scalar in s.unicodeScalars {
    switch scalar {
    case "\"": out += "\\\""
    case "\\": out += "\\\\"
    case "\n": out += "\\n"
    case "\r": out += "\\r"
    case "\t": out += "\\t"
    case let c where c.value < 0x20:
      let hex = String(c.value, radix: 16)
      out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    default: out.unicodeScalars.append(scalar)
    }
  }
  return out + "\""
}
