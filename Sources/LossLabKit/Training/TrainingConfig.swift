import RankingLosses
import Recommender

/// A training experiment: a data set, a split, a model and training budget, the evaluation, and the loss
/// variants to compare — one model trained per variant and seed.
///
/// See `Docs/Training.md` for the file format.
public struct TrainingConfig: Sendable {
  /// The config file, as the user named it.
  public var file: String
  /// The experiment's name.
  public var experiment: String
  /// A description, if given.
  public var description: String?
  /// Where the interactions come from (paths resolved against the config's folder).
  public var interactions: InteractionSource
  /// Where item metadata comes from, if anywhere.
  public var items: ItemSource?
  /// The folder of the binary data cache (`data.cache`, or `--cache`), if any (see ``DataCache``).
  public var dataCache: String? = nil
  /// How to hold out test interactions.
  public var split: SplitOptions
  /// Model and training settings shared by every variant (the first value of each setting given as a
  /// list).
  public var training: TrainingOptions
  /// How the points of a grid of training settings are chosen, when `search:` is given.
  public var search: SearchOptions? = nil
  /// The evaluation.
  public var evaluation: EvaluationOptions
  /// One model is trained per seed; reports give mean ± standard deviation.
  public var seeds: [UInt64]
  /// The loss variants (grids expanded), each with its own training overrides.
  public var variants: [TrainingVariant]
  /// The losses the config may use: the decoder's registry (the standard losses, and any `--plugin`) plus
  /// the config's `plugins:` and `custom_losses:`.
  public var registry: LossRegistry = .standard
}

/// The split settings.
public struct SplitOptions: Sendable, Hashable {
  /// Random or last by timestamp.
  public var method: SplitMethod
  /// The fraction of each user's interactions held out, in `(0, 1)`.
  public var testFraction: Double
  /// The fraction of each user's interactions set aside for validation, in `(0, 1)` with
  /// `testFraction + validationFraction < 1`; `nil` for no validation part.
  public var validationFraction: Double?
  /// The seed of the random split.
  public var seed: UInt64

  /// Creates split settings.
  public init(
    method: SplitMethod = .random, testFraction: Double = 0.2, validationFraction: Double? = nil, seed: UInt64 = 42
  ) {
    self.method = method
    self.testFraction = testFraction
    self.validationFraction = validationFraction
    self.seed = seed
  }
}

/// The evaluation settings: which metrics at which cut-offs, how ties rank, how often to evaluate, and the
/// column that selects models.
public struct EvaluationOptions: Sendable, Hashable {
  /// The seven metrics in the default order: AUC, MAP, MRR, NDCG, precision, recall, hit rate.
  public static let defaultMetrics: [RankingMetric] = [.auc, .map, .mrr, .ndcg, .precision, .recall, .hitRate]

  /// The metrics to compute, distinct, in column order; default ``defaultMetrics``.
  public var metrics: [RankingMetric]
  /// The cut-offs of the @k metrics, distinct, each at least 1, in column order; default `[10]`.
  public var cutoffs: [Int]
  /// How ties are ranked.
  public var ties: TieConvention
  /// Evaluate after every this many epochs as well as after the last; 0 only after the last.
  public var evalEvery: Int
  /// The column that model selection compares (`select:`); default ``defaultSelect(metrics:cutoffs:)``.
  public var select: MetricColumn
  /// Paired significance tests between every pair of variants, when `significance:` is given.
  public var significance: SignificanceOptions? = nil

  /// The computed columns, in report order: each metric of ``metrics`` in order, one with a cut-off once
  /// per cut-off of ``cutoffs`` in order (``MetricColumn/columns(metrics:cutoffs:)``).
  public var columns: [MetricColumn] { MetricColumn.columns(metrics: metrics, cutoffs: cutoffs) }

  /// The largest cut-off (`max(k)`): the length of each user's list in `--save-run`'s `run.trec`.
  public var largestCutoff: Int { cutoffs.max() ?? 1 }

  /// Creates evaluation settings.
  ///
  /// - Parameters:
  ///   - metrics: The metrics, distinct; default ``defaultMetrics``.
  ///   - cutoffs: The cut-offs, distinct, each at least 1; default `[10]`.
  ///   - ties: How ties are ranked; default pessimistic.
  ///   - evalEvery: The evaluation interval in epochs; default 0 (after the last epoch only).
  ///   - select: The selection column; `nil` for ``defaultSelect(metrics:cutoffs:)``.
  public init(
    metrics: [RankingMetric] = defaultMetrics, cutoffs: [Int] = [10], ties: TieConvention = .pessimistic,
    evalEvery: Int = 0, select: MetricColumn? = nil
  ) {
    self.metrics = metrics
    self.cutoffs = cutoffs
    self.ties = ties
    self.evalEvery = evalEvery
    self.select = select ?? Self.defaultSelect(metrics: metrics, cutoffs: cutoffs)
  }

  /// The default selection column: NDCG at the first cut-off when NDCG is computed, else the first column
  /// (AUC when there is none to take).
  ///
  /// - Parameters:
  ///   - metrics: The computed metrics.
  ///   - cutoffs: The cut-offs, each at least 1.
  public static func defaultSelect(metrics: [RankingMetric], cutoffs: [Int]) -> MetricColumn {
    if metrics.contains(.ndcg), let k = cutoffs.first { return MetricColumn(.ndcg, k: k) }
    return MetricColumn.columns(metrics: metrics, cutoffs: cutoffs.filter { $0 >= 1 }).first ?? .auc
  }
}

/// One row of a training report: a loss variant with its training settings.
///
/// When the config gives a list for a setting under `model:` or `training:` (at the top level or in the
/// loss entry's override), the variant has a grid of ``points``: each is trained on the training split
/// and scored on the validation split, and the best is reported on the test split.
public struct TrainingVariant: Sendable {
  /// The loss variant (label, name, parameters, partial credit).
  public var loss: LossVariant
  /// The points to train (one when nothing varies): every point of the grid, or a random search's sample.
  public var points: [TrainingPoint]
  /// The number of points in the whole grid (above `points.count` under a random search).
  public var gridSize: Int

  /// Creates a variant.
  ///
  /// - Parameters:
  ///   - loss: The loss variant.
  ///   - points: The points to train, at least one.
  ///   - gridSize: The points of the whole grid; `points.count` by default.
  public init(loss: LossVariant, points: [TrainingPoint], gridSize: Int? = nil) {
    precondition(!points.isEmpty, "a variant needs at least one training point")
    self.loss = loss
    self.points = points
    self.gridSize = gridSize ?? points.count
  }

  /// Creates a variant that trains with one set of options.
  ///
  /// - Parameters:
  ///   - loss: The loss variant.
  ///   - training: The options.
  public init(loss: LossVariant, training: TrainingOptions) {
    self.init(loss: loss, points: [TrainingPoint(options: training)])
  }

  /// The training settings: the only point's, or the first point's on a grid. Setting it replaces the
  /// grid by this one point.
  public var training: TrainingOptions {
    get { points[0].options }
    set {
      points = [TrainingPoint(options: newValue)]
      gridSize = 1
    }
  }

  /// Whether the variant has more than one point to choose from.
  public var hasGrid: Bool { points.count > 1 }
}
