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
  /// How to hold out test interactions.
  public var split: SplitOptions
  /// Model and training settings shared by every variant.
  public var training: TrainingOptions
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

/// The evaluation settings.
public struct EvaluationOptions: Sendable, Hashable {
  /// The cut-off of the @k metrics.
  public var k: Int
  /// How ties are ranked.
  public var ties: TieConvention
  /// Evaluate after every this many epochs as well as after the last; 0 only after the last.
  public var evalEvery: Int

  /// Creates evaluation settings.
  public init(k: Int = 10, ties: TieConvention = .pessimistic, evalEvery: Int = 0) {
    self.k = k
    self.ties = ties
    self.evalEvery = evalEvery
  }
}

/// One row of a training report: a loss variant with its training settings.
public struct TrainingVariant: Sendable {
  /// The loss variant (label, name, parameters, partial credit).
  public var loss: LossVariant
  /// The training settings for this variant: the config's, with the entry's `training:` overrides.
  public var training: TrainingOptions
}
