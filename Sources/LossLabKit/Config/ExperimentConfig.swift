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
  /// The losses the config may use: the decoder's registry (the standard losses, and any `--plugin`) plus
  /// the config's `plugins:` and `custom_losses:`.
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
  public var keyPath: ConfigPath

  /// Creates a variant.
  public init(
    label: String, name: String, parameters: [String: LossParameterValue] = [:],
    partialCredit: MetadataWeights? = nil, mark: YAMLMark? = nil, keyPath: ConfigPath = .root
  ) {
    self.label = label
    self.name = name
    self.parameters = parameters
    self.partialCredit = partialCredit
    self.mark = mark
    self.keyPath = keyPath
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
  public var keyPath: ConfigPath

  /// Creates a scenario.
  public init(
    name: String, batch: LossBatch<Double>, negativesGivenFlat: Bool = false, numItems: Int? = nil,
    generator: ScoreGenerator? = nil, mark: YAMLMark? = nil, keyPath: ConfigPath = .root
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
