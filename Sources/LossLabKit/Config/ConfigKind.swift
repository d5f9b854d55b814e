import RankingLosses
import YAMLNodes

/// The two kinds of config LossLab reads.
///
/// Both share a common top level (`experiment`, `description`,
/// `plugins`, `custom_losses`, `losses`); a loss-table config adds `metadata` and `scenarios`, a training
/// config `data`, `split`, `model`, `training`, `evaluation` and `seeds`. A document with a top-level
/// `data:` is a training config.
public enum ConfigKind: String, Sendable, Hashable, CaseIterable {
  /// Loss variants × score batches, for `losslab run` (`Docs/Configs.md`).
  case lossTable = "loss-table"
  /// Loss variants × seeds trained on a data set, for `losslab train` and `losslab split`
  /// (`Docs/Training.md`).
  case training

  /// The kind a document's top level calls for: ``training`` when it is a mapping with a `data` key,
  /// ``lossTable`` otherwise (including documents that are not mappings, which then fail as one).
  public static func detect(_ root: YAMLNode?) -> ConfigKind {
    root?.mapping?.contains { $0.key.scalar?.text == "data" } == true ? .training : .lossTable
  }

  /// The kind a document plainly is: ``training`` with a top-level `data` key, ``lossTable`` with a
  /// `scenarios` key and no `data`; `nil` when it has neither (a config with a misspelled key is then
  /// decoded as what the command asked for, so that its errors name the key).
  public static func evident(_ root: YAMLNode?) -> ConfigKind? {
    guard let keys = root?.mapping?.compactMap(\.key.scalar?.text) else { return nil }
    if keys.contains("data") { return .training }
    return keys.contains("scenarios") ? .lossTable : nil
  }

  /// What a command that takes the other kind says of a config of this kind: what it is and which
  /// commands take it.
  public var wrongCommand: String {
    switch self {
    case .training:
      return "this is a training config (it has 'data:'): run it with 'losslab train' (or write its split "
        + "with 'losslab split'); 'losslab run' takes loss-table configs (losses × scenarios)"
    case .lossTable:
      return "this is a loss-table config (losses × scenarios, no 'data:'): run it with 'losslab run'; "
        + "'losslab train' and 'losslab split' take training configs"
    }
  }

  /// The top-level keys of this kind, in the order messages list them.
  var topLevelKeys: [String] {
    switch self {
    case .lossTable:
      return ["experiment", "description", "metadata", "plugins", "custom_losses", "losses", "scenarios"]
    case .training:
      return [
        "experiment", "description", "data", "split", "model", "training", "search", "evaluation", "seeds", "plugins",
        "custom_losses", "losses",
      ]
    }
  }

  /// How messages name a config of this kind: "a config", "a training config".
  var what: String { self == .lossTable ? "a config" : "a training config" }

  /// What an empty document lacks.
  var needs: String {
    self == .lossTable ? "a config needs 'losses' and 'scenarios'" : "a training config needs 'data' and 'losses'"
  }

  /// What a config without `losses:` is told.
  var missingLosses: String {
    self == .lossTable
      ? "a config needs 'losses': the list of loss variants to compare"
      : "a training config needs 'losses': the loss variants to train with"
  }
}

/// A decoded config of either kind.
public enum AnyConfig: Sendable {
  /// A loss-table config.
  case lossTable(ExperimentConfig)
  /// A training config.
  case training(TrainingConfig)

  /// Which kind it is.
  public var kind: ConfigKind {
    switch self {
    case .lossTable: return .lossTable
    case .training: return .training
    }
  }

  /// The losses the config may use: the registry it was decoded with, plus its plugins and custom losses.
  public var registry: LossRegistry {
    switch self {
    case .lossTable(let config): return config.registry
    case .training(let config): return config.registry
    }
  }

  /// The loss-table config, or `nil` for a training config.
  public var lossTable: ExperimentConfig? {
    if case .lossTable(let config) = self { return config }
    return nil
  }

  /// The training config, or `nil` for a loss-table config.
  public var training: TrainingConfig? {
    if case .training(let config) = self { return config }
    return nil
  }
}
