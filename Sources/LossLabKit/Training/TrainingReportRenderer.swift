import Foundation
import RankingLosses
import Recommender

/// Renders a ``TrainingReport``: rows are loss variants, columns the metric columns of the config
/// (``EvaluationOptions/columns``, in order; mean ± standard deviation over seeds), training seconds and
/// interactions per second; the best value of each column is marked.
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
    /// The metric column's index in ``EvaluationOptions/columns`` (for significance letters).
    var metricIndex: Int? = nil
  }

  private func columns(_ report: TrainingReport) -> [Column] {
    var columns = report.config.evaluation.columns.enumerated().map { index, column in
      Column(
        title: column.displayName, value: { $0.summary(column) }, higherIsBetter: column.metric.higherIsBetter,
        digits: nil, metricIndex: index)
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
      if let m = column.metricIndex, m < report.significance.count {
        let letters = report.significance[m].beats[row].map(SignificanceAnalysis.letter).joined()
        if !letters.isEmpty { text += markdown ? " <sup>\(letters)</sup>" : " " + letters }
      }
      return text
    }
    let lettered = !report.significance.isEmpty
    let header = (lettered ? ["", "loss"] : ["loss"]) + columns.map(\.title)
    let rows = report.results.enumerated().map { row, result in
      (lettered ? [SignificanceAnalysis.letter(row)] : []) + [result.variant.loss.label]
        + columns.indices.map { cell(result, $0, row: row) }
    }
    var lines: [String] = []
    let title = config.description.map { "\(config.experiment) — \($0)" } ?? config.experiment
    lines.append(markdown ? "### \(title)" : title)
    lines.append("")
    let t = config.training
    let facts = [
      "data: \(report.users) users, \(report.items) items; \(report.trainInteractions) training"
        + (config.split.validationFraction == nil ? " and " : ", \(report.validationInteractions) validation and ")
        + "\(report.testInteractions) held-out interactions (\(config.split.method.rawValue) split, "
        + "test_fraction \(config.split.testFraction), "
        + (config.split.validationFraction.map { "validation_fraction \($0), " } ?? "")
        + "seed \(config.split.seed))",
      "model: \(t.factors) factors; \(t.epochs) epoch\(t.epochs == 1 ? "" : "s"), batch \(t.batchSize), \(t.optimizer.rawValue) "
        + "lr \(t.learningRate), l2 \(t.l2), \(t.sampler.rawValue) sampler, \(t.threads) thread\(t.threads == 1 ? "" : "s")",
      "evaluation: \(report.evaluatedUsers) users with held-out items, training "
        + (report.validationInteractions > 0 ? "and validation items" : "items") + " excluded, k = "
        + "\(config.evaluation.cutoffs.map(String.init).joined(separator: ", ")), \(config.evaluation.ties.rawValue) ties; "
        + (showSpread
          ? "mean ± std over seeds \(config.seeds.map(String.init).joined(separator: ", "))"
          : "seed \(config.seeds[0])"),
    ]
    lines += (facts + tuningFacts(report)).map { markdown ? "- \($0)" : $0 }
    lines.append("")
    lines += markdown ? markdownTable(header, rows) : alignedTable(header, rows, mark: " *")
    var notes: [String] = []
    if best.contains(where: { $0 != nil }) {
      notes.append(markdown ? "Bold: the best value of its column." : "* the best value of its column.")
    }
    if let options = config.evaluation.significance, lettered {
      let pairs = report.results.count * (report.results.count - 1) / 2
      notes.append(
        "Letters after a value: the rows it beats (a higher mean, \(options.describe(users: report.evaluatedUsers)), "
          + "corrected over the \(pairs) pairs of each column).")
    }
    notes += report.results.compactMap(selectionNote)
    let overridden = report.results.filter { $0.selection == nil && $0.variant.training != config.training }
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

  /// How the variants were tuned, when they were: the search space and the rule.
  private func tuningFacts(_ report: TrainingReport) -> [String] {
    guard let first = report.results.first(where: { $0.selection != nil }), let selection = first.selection else {
      return []
    }
    var parts: [String] = []
    let grids = Set(report.results.map { $0.selection?.gridSize ?? 1 })
    if grids != [1] {
      let trained = Set(report.results.map { $0.selection?.points.count ?? 1 })
      let search =
        report.config.search?.method == .random
        ? "a random search (seed \(report.config.search?.seed ?? 0)) trains \(trained.sorted().map(String.init).joined(separator: " or ")) of "
          + "\(grids.sorted().map(String.init).joined(separator: " or ")) points"
        : "every point trained (\(grids.sorted().map(String.init).joined(separator: " or ")) per variant)"
      parts.append(
        "each variant's settings chosen on the validation split by \(selection.metricDisplayName); \(search)")
    } else {
      parts.append("validation \(selection.metricDisplayName) reported under the table")
    }
    if let patience = first.point.options.patience {
      parts.append(
        "early stopping: validation every epoch, patience \(patience), at most \(first.point.options.epochs) epochs; "
          + "the best epoch's model is tested")
    }
    let training = report.results.flatMap(\.runs).map(\.trainingSeconds).reduce(0, +)
    let validation = report.results.flatMap(\.runs).map(\.validationSeconds).reduce(0, +)
    if training > 0 {
      parts.append(
        "validation scoring took \(fixed(100 * validation / training, digits: 0)) % of the training time of the "
          + "reported runs")
    }
    return ["tuning: " + parts.joined(separator: "; ")]
  }

  /// A variant's chosen point, its validation score and each seed's selected epoch.
  private func selectionNote(_ result: VariantResult) -> String? {
    guard let selection = result.selection else { return nil }
    let settings = result.point.varied.isEmpty ? "" : "chose \(result.point.variedDescription); "
    let epochs = result.runs.map { String($0.selectedEpoch) }.joined(separator: ", ")
    return
      "\(result.variant.loss.label): \(settings)validation \(selection.metricDisplayName) "
      + "\(fixed(selection.chosenScore.score, digits: precision)); epoch\(result.runs.count == 1 ? "" : "s") \(epochs)"
      + (selection.points.count > 1 ? " (best of \(selection.points.count) points)." : ".")
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
            for (column, value) in zip(metrics.columns, metrics.values) {
              lines.append("\(experiment),\(label),\(run.seed),\(record.epoch),\(column.name),\(roundTrip(value))")
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
}
