import Recommender

/// The `--plot` picture of a training report: one panel per metric column (``EvaluationOptions/columns``, in
/// order), one line per variant over the epochs (mean over seeds, with a band of ± one standard deviation).
public enum TrainingPlot {
  /// The SVG document.
  public static func svg(_ report: TrainingReport) -> String {
    let panels = report.config.evaluation.columns.map { column in
      PlotPanel(
        title: column.displayName,
        series: report.results.map { result in
          PlotSeries(name: result.variant.loss.label, points: points(result, column))
        })
    }
    let seeds = report.config.seeds.count
    let subtitle =
      "\(report.users) users, \(report.items) items, \(report.trainInteractions) training interactions; "
      + (seeds > 1 ? "mean ± std over \(seeds) seeds" : "one seed")
    let title = report.config.description.map { "\(report.config.experiment) — \($0)" } ?? report.config.experiment
    return SVGPlot.render(title: title, subtitle: subtitle, xLabel: "epoch", panels: panels)
  }

  /// The mean and spread over seeds at every epoch where all seeds were evaluated.
  static func points(_ result: VariantResult, _ column: MetricColumn) -> [PlotPoint] {
    guard let first = result.runs.first else { return [] }
    return first.history.indices.compactMap { e in
      let values = result.runs.compactMap { $0.history.indices.contains(e) ? $0.history[e].metrics?[column] : nil }
      guard values.count == result.runs.count, !values.isEmpty else { return nil }
      let (mean, spread) = meanAndSampleStd(values)
      return PlotPoint(x: Double(first.history[e].epoch), y: mean, spread: spread)
    }
  }
}
