import Recommender

/// The `--plot` picture of a training report: one panel per metric column (``EvaluationOptions/columns``, in
/// order), one line per variant over the epochs (mean over seeds, with a band of ± one standard deviation).
///
/// Each variant's colour is its base loss's (``LossVariant/name``): a partial-credit or parameter variant
/// (`adaptive_hinge+genre`) has the hue of its loss (`adaptive_hinge`) with another dash pattern and marker.
public enum TrainingPlot {
  /// What is drawn around each line (`--plot-bands`).
  public enum Bands: String, Sendable, CaseIterable {
    /// No bands: the lines only.
    case none
    /// A light band of ± one standard deviation over seeds.
    case std
  }

  /// The SVG document.
  ///
  /// - Parameters:
  ///   - report: The training report; its runs' per-epoch metrics are drawn.
  ///   - bands: What is drawn around each line; default ``Bands/std``.
  public static func svg(_ report: TrainingReport, bands: Bands = .std) -> String {
    let panels = report.config.evaluation.columns.map { column in
      PlotPanel(
        title: column.displayName,
        series: report.results.map { result in
          PlotSeries(
            name: result.variant.loss.label, points: points(result, column), family: result.variant.loss.name,
            isVariant: result.variant.loss.partialCredit != nil || !result.variant.loss.parameters.isEmpty)
        })
    }
    let seeds = report.config.seeds.count
    let subtitle =
      "\(report.users) users, \(report.items) items, \(report.trainInteractions) training interactions; "
      + (seeds > 1 ? (bands == .std ? "mean ± std over \(seeds) seeds" : "mean over \(seeds) seeds") : "one seed")
    let title = report.config.description.map { "\(report.config.experiment) — \($0)" } ?? report.config.experiment
    return SVGPlot.render(title: title, subtitle: subtitle, xLabel: "epoch", panels: panels, bands: bands == .std)
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
