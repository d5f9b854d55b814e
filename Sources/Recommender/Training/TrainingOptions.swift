/// The settings of one training run.
public struct TrainingOptions: Sendable, Hashable {
  /// Latent factors per user and item, `≥ 1`.
  public var factors: Int = 32
  /// Standard deviation of the initial factors.
  public var initScale: Double = 0.1
  /// Passes over the training interactions, `≥ 1`.
  public var epochs: Int = 10
  /// Positives per mini-batch, `≥ 1`.
  public var batchSize: Int = 256
  /// Sampled negatives per positive for adaptive losses, `≥ 1` (pairwise losses sample one).
  public var negatives: Int = 5
  /// How negatives are drawn.
  public var sampler: SamplerKind = .uniform
  /// The update rule.
  public var optimizer: OptimizerKind = .adagrad
  /// The learning rate `η`, `> 0`.
  public var learningRate: Double = 0.05
  /// L2 penalty `λ` added to the gradient of every touched row (`g ← g + λθ`), `≥ 0`.
  public var l2: Double = 0
  /// Training threads, `≥ 1`. One thread is deterministic; more update the model concurrently (Hogwild).
  public var threads: Int = 1
  /// The seed of initialisation, shuffling and sampling.
  public var seed: UInt64 = 0
  /// Early stopping: with a validation score, stop after this many epochs in a row without a better score
  /// and keep the model of the best epoch; `nil` trains every epoch. `≥ 1`.
  public var patience: Int? = nil

  /// Default options.
  public init() {}
}
