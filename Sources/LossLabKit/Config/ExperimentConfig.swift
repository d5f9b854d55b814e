import RankingLosses
import YAMLNodes

/// One experiment, decoded from a config file: which loss variants (the table's columns) on which
/// scenarios (its rows).
///
/// See `Docs/Configs.md` for the file format.
public struct ExperimentConfig: Sendable {
  /// The file the config came from, as the user named it.
  public var file: String
  /// The experiment's name (`experiment:`; defaults to the file name without its extension).
  public var experiment: String
  /// A description (`description:`), if given.
  public var description: String?
  /// Item metadata for partial credit (`metadata:`), if given.
  public var metadata: ItemMetadata?
  /// The loss variants, in order, with parameter grids expanded.
  public var losses: [LossVariant]
  /// The scenarios, in order.
  public var scenarios: [Scenario]
  /// The losses the config may use: the standard ones plus its `custom_losses:`.
  public var registry: LossRegistry = .standard

  /// Creates a config from its parts.
  public init(
    file: String, experiment: String, description: String? = nil, metadata: ItemMetadata? = nil,
    losses: [LossVariant], scenarios: [Scenario]
  ) {
    self.file = file
    self.experiment = experiment
    self.description = description
    self.metadata = metadata
    self.losses = losses
    self.scenarios = scenarios
  }
}

/// One column of an experiment's table: a registered loss with parameters and, optionally, partial credit.
public struct LossVariant: Sendable {
  /// The column label (`label:`, or the name plus non-default parameters).
  public var label: String
  /// The registered loss name.
  public var name: String
  /// The parameters given for this variant (one point of the grid); `num_items` may still come from the
  /// scenario or the metadata.
  public var parameters: [String: LossParameterValue]
  /// Partial-credit weights, if any.
  public var partialCredit: MetadataWeights?
  /// Where the entry is in the file.
  public var mark: YAMLMark?
  /// Its key path, e.g. `losses[2]`.
  public var keyPath: String

  /// Creates a variant.
  public init(
    label: String, name: String, parameters: [String: LossParameterValue] = [:],
    partialCredit: MetadataWeights? = nil, mark: YAMLMark? = nil, keyPath: String = ""
  ) {
    self.label = label
    self.name = name
    self.parameters = parameters
    self.partialCredit = partialCredit
    self.mark = mark
    self.keyPath = keyPath
  }
}

/// How a generated scenario draws its scores and items.
public struct ScoreGenerator: Sendable, Hashable {
  /// The score distribution.
  public enum Distribution: String, Sendable, Hashable, CaseIterable {
    /// Normal with mean `location` and standard deviation `scale`.
    case normal
    /// Uniform on `[location, location + scale)`.
    case uniform
  }

  /// The batch size B, `≥ 1`.
  public var batch: Int
  /// Negatives per positive N, `≥ 1`.
  public var negatives: Int
  /// The catalog size; item ids are drawn uniformly from `0..<numItems`.
  public var numItems: Int
  /// The distribution of every score.
  public var distribution: Distribution
  /// Mean (normal) or lower end (uniform).
  public var location: Double
  /// Standard deviation (normal) or width (uniform), `> 0`.
  public var scale: Double
  /// Added to every positive score, so that positives tend to rank higher; default 0.
  public var positiveShift: Double
  /// The seed: the same seed gives the same scenario on every machine.
  public var seed: UInt64

  /// Creates a generator.
  public init(
    batch: Int, negatives: Int, numItems: Int, distribution: Distribution = .normal, location: Double = 0,
    scale: Double = 1, positiveShift: Double = 0, seed: UInt64 = 0
  ) {
    self.batch = batch
    self.negatives = negatives
    self.numItems = numItems
    self.distribution = distribution
    self.location = location
    self.scale = scale
    self.positiveShift = positiveShift
    self.seed = seed
  }

  /// Draws the scenario's scores and items: positives first (B), then the negatives row by row (N × B),
  /// then positive items, then negative items, all from one SplitMix64 stream.
  public func generate() -> LossBatch<Double> {
    var random = SplitMix64(seed: seed)
    func draw() -> Double {
      switch distribution {
      case .normal: return location + scale * random.nextGaussian()
      case .uniform: return location + scale * Double.random(in: 0..<1, using: &random)
      }
    }
    let positives = (0..<batch).map { _ in draw() + positiveShift }
    let negatives = (0..<(batch * negatives)).map { _ in draw() }
    let positiveItems = (0..<batch).map { _ in Int.random(in: 0..<numItems, using: &random) }
    let negativeItems = (0..<(batch * self.negatives)).map { _ in Int.random(in: 0..<numItems, using: &random) }
    return LossBatch(
      positiveScores: positives,
      negativeScores: try! ScoreMatrix(rows: self.negatives, columns: batch, storage: negatives),
      positiveItems: positiveItems,
      negativeItems: try! ScoreMatrix(rows: self.negatives, columns: batch, storage: negativeItems))
  }
}

/// One row of an experiment's table: a batch of scores (given or generated).
public struct Scenario: Sendable {
  /// The row label.
  public var name: String
  /// The scores (and items, if any), N × B.
  public var batch: LossBatch<Double>
  /// Whether the negatives were written as a flat list (one per positive).
  public var negativesGivenFlat: Bool
  /// The catalog size, if given (`num_items:`, or the generator's): WARP's default `num_items`.
  public var numItems: Int?
  /// The generator, for generated scenarios.
  public var generator: ScoreGenerator?
  /// Where the entry is in the file.
  public var mark: YAMLMark?
  /// Its key path, e.g. `scenarios[1]`.
  public var keyPath: String

  /// Creates a scenario.
  public init(
    name: String, batch: LossBatch<Double>, negativesGivenFlat: Bool = false, numItems: Int? = nil,
    generator: ScoreGenerator? = nil, mark: YAMLMark? = nil, keyPath: String = ""
  ) {
    self.name = name
    self.batch = batch
    self.negativesGivenFlat = negativesGivenFlat
    self.numItems = numItems
    self.generator = generator
    self.mark = mark
    self.keyPath = keyPath
  }

  /// Whether the scenario has item ids (needed for partial credit).
  public var hasItems: Bool { batch.positiveItems != nil && batch.negativeItems != nil }
}
