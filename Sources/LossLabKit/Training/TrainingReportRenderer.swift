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
  /// How a text or Markdown table is laid out (CSV and JSON have one layout).
  public var layout: TableLayout
  /// The width text lines are wrapped at: the lines above and below the table (the table is as wide as its
  /// columns).
  public static let textWidth = 120

  /// Creates a renderer.
  public init(format: ReportFormat, precision: Int? = nil, layout: TableLayout = .variantsAsRows) {
    self.format = format
    self.precision = precision ?? 4
    self.layout = layout
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
      let unit = column.digits == 0 ? rateUnit(mean) : nil
      var text = unit.map { rate(mean, $0) } ?? fixed(mean, digits: digits)
      if showSpread { text += " ± " + (unit.map { rate(std, $0) } ?? fixed(std, digits: digits)) }
      if best[c] == row { text = markdown ? "**\(text)**" : "\(text) *" }
      if let m = column.metricIndex, m < report.significance.count {
        let letters = report.significance[m].beats[row].map(SignificanceAnalysis.letter).joined()
        if !letters.isEmpty { text += markdown ? " <sup>\(letters)</sup>" : " " + letters }
      }
      return text
    }
    let lettered = !report.significance.isEmpty
    var lines: [String] = []
    if let partial = report.partial { lines.append(markdown ? "**\(partial)**" : partial) }
    let title = config.description.map { "\(config.experiment) — \($0)" } ?? config.experiment
    lines.append(markdown ? "### \(title)" : title)
    lines.append("")
    let t = config.training
    // A setting's value, or every value the variants' grids try (`0.05 | 0.1 | 0.2`).
    let tried = { (value: (TrainingOptions) -> String) -> String in
      var values: [String] = []
      for point in config.variants.flatMap(\.points) where !values.contains(value(point.options)) {
        values.append(value(point.options))
      }
      return values.isEmpty ? value(t) : values.joined(separator: " | ")
    }
    let factors = tried { "\($0.factors)" }
    let epochs = tried { "\($0.epochs)" }
    let batch = tried { "\($0.batchSize)" }
    let optimizer = tried { $0.optimizer.rawValue }
    let learningRate = tried { "\($0.learningRate)" }
    let l2 = tried { "\($0.l2)" }
    let sampler = tried { $0.sampler.rawValue }
    let threads = tried { "\($0.threads)" }
    let modelFact: String =
      "model: \(factors) factors; \(epochs) epoch\(t.epochs == 1 ? "" : "s"), batch \(batch), \(optimizer) "
      + "lr \(learningRate), l2 \(l2), \(sampler) sampler, \(threads) thread\(t.threads == 1 ? "" : "s")"
    let facts = [
      "data: \(report.users) users, \(report.items) items; \(report.trainInteractions) training"
        + (config.split.validationFraction == nil ? " and " : ", \(report.validationInteractions) validation and ")
        + "\(report.testInteractions) held-out interactions (\(config.split.method.rawValue) split, "
        + "test_fraction \(config.split.testFraction), "
        + (config.split.validationFraction.map { "validation_fraction \($0), " } ?? "")
        + "seed \(config.split.seed))",
      modelFact,
      "evaluation: \(report.evaluatedUsers) users with held-out items, training "
        + (report.validationInteractions > 0 ? "and validation items" : "items") + " excluded, k = "
        + "\(config.evaluation.cutoffs.map(String.init).joined(separator: ", ")), \(config.evaluation.ties.rawValue) ties; "
        + (showSpread
          ? "mean ± std over seeds \(config.seeds.map(String.init).joined(separator: ", "))"
          : "seed \(config.seeds[0])"),
    ]
    lines += (facts + tuningFacts(report)).flatMap { markdown ? ["- \($0)"] : wrapped($0) }
    lines.append("")
    switch layout {
    case .variantsAsRows:
      let header = (lettered ? ["", "loss"] : ["loss"]) + columns.map(\.title)
      let rows = report.results.enumerated().map { row, result in
        (lettered ? [SignificanceAnalysis.letter(row)] : []) + [result.variant.loss.label]
          + columns.indices.map { cell(result, $0, row: row) }
      }
      lines +=
        markdown
        ? markdownTable(header, rows, leftAligned: lettered ? 2 : 1)
        : alignedTable(header, rows, mark: " *", leftAligned: lettered ? 2 : 1)
    case .metricsAsRows:
      // One column per variant, headed by its letter; the legend names them.
      let letters = report.results.indices.map(SignificanceAnalysis.letter)
      let legend =
        "Columns: "
        + zip(letters, report.results).map { "\($0) \($1.variant.loss.label)" }.joined(separator: ", ") + "."
      lines += markdown ? [legend, ""] : wrapped(legend)
      let header = ["metric"] + letters
      let rows = columns.indices.map { c in
        [columns[c].title] + report.results.enumerated().map { row, result in cell(result, c, row: row) }
      }
      lines += markdown ? markdownTable(header, rows) : alignedTable(header, rows, mark: " *")
    }
    var notes: [String] = report.remarks
    let (line, lines_) = layout == .variantsAsRows ? ("column", "rows") : ("row", "columns")
    if best.contains(where: { $0 != nil }) {
      notes.append(markdown ? "Bold: the best value of its \(line)." : "* the best value of its \(line).")
    }
    if let options = config.evaluation.significance, lettered {
      let pairs = report.results.count * (report.results.count - 1) / 2
      notes.append(
        "Letters after a value: the \(lines_) it beats (a higher mean, \(options.describe(users: report.evaluatedUsers)), "
          + "corrected over the \(pairs) pairs of each \(line)).")
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
      lines += notes.flatMap { markdown ? ["- \($0)"] : wrapped($0) }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// A line of text wrapped at spaces to ``textWidth`` columns, the lines after the first indented by two
  /// spaces (a word longer than the width stays whole).
  func wrapped(_ line: String) -> [String] {
    wrapText(line, width: Self.textWidth, indent: "  ")
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
    var lines = ["tuning: " + parts.joined(separator: "; ")]
    parts = []
    if let patience = first.point.options.patience {
      parts.append(
        "early stopping, scored every epoch with patience \(patience) (at most \(first.point.options.epochs) "
          + "epochs); the best epoch's model is tested")
    }
    let training = report.results.flatMap(\.runs).map(\.trainingSeconds).reduce(0, +)
    let validation = report.results.flatMap(\.runs).map(\.validationSeconds).reduce(0, +)
    if training > 0 {
      parts.append(
        "scoring took \(fixed(100 * validation / training, digits: 0)) % of the training time of the reported runs")
    }
    if !parts.isEmpty { lines.append("validation: " + parts.joined(separator: "; ")) }
    return lines
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

  /// The unit a rate is shown in: millions (`M`) from 1,000,000, thousands (`k`) from 10,000, else ones.
  private func rateUnit(_ x: Double) -> (divisor: Double, suffix: String) {
    abs(x) >= 1e6 ? (1e6, "M") : abs(x) >= 1e4 ? (1e3, "k") : (1, "")
  }

  /// A rate in `unit`, e.g. `3.26M`, `412k`, `950` (three significant digits for millions).
  private func rate(_ x: Double, _ unit: (divisor: Double, suffix: String)) -> String {
    unit.suffix == "M" ? fixed(x / unit.divisor, digits: 2) + "M" : grouped(x / unit.divisor) + unit.suffix
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
