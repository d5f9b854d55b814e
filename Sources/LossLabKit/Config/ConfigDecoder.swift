import RankingLosses
import YAMLNodes

/// Decodes configs of both kinds from a parsed YAML document in one walk, checking everything that can be
/// checked before running — names, types, shapes, ranges, weights, file paths — and reporting every
/// problem with its place.
///
/// The top level common to both kinds (`experiment`, `description`, `plugins`, `custom_losses`, `losses`)
/// is read by one function, ``decodeCommon(_:root:kind:partialCredit:extraLossKeys:_:)``; each loss entry's
/// further keys (a training config's `training:` override) come back with the entry, so they are read in
/// the same walk. The kind-specific parts live in their own files: `ConfigDecoder+Metadata`,
/// `+Losses`, `+Scenarios`, `+CustomLosses`, `+Plugins` and `+Training`.
public struct ConfigDecoder: Sendable {
  /// The registry the loss names and parameters are checked against (a config's plugins and custom losses
  /// are added to a copy of it).
  public var registry: LossRegistry
  /// The largest number of scores a generated scenario may draw (B · (N + 1)).
  public var maxGeneratedScores: Int
  /// Whether a config's `plugins:` are loaded (their code runs) or only checked to exist.
  public var plugins: PluginPolicy
  /// Whether a training config's data files are opened and their headers checked against the columns the
  /// config names (``DataLoader/headerProblems(_:)-(InteractionSource)``; no row is read), so that a
  /// missing file or a misspelled column is reported at the config's line. Off by default: commands that
  /// read the data (`train`, `split`) and `validate` turn it on.
  public var checksDataFiles = false

  /// Creates a decoder.
  ///
  /// - Parameters:
  ///   - registry: The losses a config may name; default the standard ones.
  ///   - maxGeneratedScores: A bound on `generate:` sizes, default 50 million scores (400 MB in `Double`).
  ///   - plugins: ``PluginPolicy/load`` (default) to load a config's plugins, ``PluginPolicy/check`` to only
  ///     check that their files exist.
  public init(registry: LossRegistry = .standard, maxGeneratedScores: Int = 50_000_000, plugins: PluginPolicy = .load) {
    self.registry = registry
    self.maxGeneratedScores = maxGeneratedScores
    self.plugins = plugins
  }

  /// Decodes a document.
  ///
  /// - Parameters:
  ///   - root: The document's root node; `nil` for an empty file.
  ///   - file: The file's path as the user gave it: messages name it, relative paths in the config are
  ///     resolved against its folder, and it gives the default experiment name.
  ///   - kind: The kind to decode; `nil` (default) decodes the kind the document calls for
  ///     (``ConfigKind/detect(_:)``).
  /// - Returns: The config, or `nil` when there were errors; and every diagnostic found (errors and
  ///   warnings), in the order of their place in the file.
  public func decode(
    _ root: YAMLNode?, file: String, as kind: ConfigKind? = nil
  ) -> (config: AnyConfig?, diagnostics: [ConfigDiagnostic]) {
    var reader = ConfigReader(file: file)
    let config = decode(root, kind: kind ?? ConfigKind.detect(root), &reader)
    return (reader.hasErrors ? nil : config, reader.orderedDiagnostics)
  }

  private func decode(_ root: YAMLNode?, kind: ConfigKind, _ reader: inout ConfigReader) -> AnyConfig? {
    guard let root else {
      reader.error("the file is empty; \(kind.needs)", at: nil, .root)
      return nil
    }
    if case .scalar(let s) = root.content, (try? resolve(s, tag: root.tag)) == .null {
      reader.error("the document is empty; \(kind.needs)", at: root.mark, .root)
      return nil
    }
    guard let top = reader.mapping(root, .root, allowed: kind.topLevelKeys, what: kind.what) else { return nil }
    switch kind {
    case .lossTable: return decodeLossTable(top, root: root, &reader).map(AnyConfig.lossTable)
    case .training: return decodeTraining(top, root: root, &reader).map(AnyConfig.training)
    }
  }

  /// The parts every config has.
  struct CommonParts {
    /// `experiment:`, or the file name without its extension.
    var experiment: String
    /// `description:`, if given.
    var description: String?
    /// The decoder's registry with the config's plugins and custom losses added.
    var registry: LossRegistry
    /// The `losses:` entries that decoded, in order.
    var losses: [LossEntry]
  }

  /// One entry of `losses:`: the variants it expands to (one per grid point) and its further keys.
  struct LossEntry {
    /// The entry's key path, `losses[i]`.
    var path: ConfigPath
    /// The variants, in grid order.
    var variants: [LossVariant]
    /// The entry's keys beyond the common ones (`extraLossKeys`), for the caller to read.
    var extra: [String: (key: YAMLNode, value: YAMLNode)]
  }

  /// Reads the top level common to both kinds: names, plugins, custom losses and the loss entries.
  ///
  /// - Parameters:
  ///   - top: The document's top-level pairs.
  ///   - root: The root node (the place of "missing key" errors).
  ///   - kind: The config's kind (for messages).
  ///   - partialCredit: What `partial_credit:` may refer to.
  ///   - extraLossKeys: Keys a loss entry may have beyond the common ones; returned with each entry.
  func decodeCommon(
    _ top: [String: (key: YAMLNode, value: YAMLNode)], root: YAMLNode, kind: ConfigKind,
    partialCredit: PartialCreditContext, extraLossKeys: [String] = [], _ reader: inout ConfigReader
  ) -> CommonParts {
    let path = ConfigPath.root
    var experiment = Self.defaultExperimentName(reader.file)
    if let node = top["experiment"]?.value,
      let name = reader.name(
        node, path.key("experiment"), what: "experiment", noun: "an experiment name",
        emptyHint: "remove 'experiment' to use the file's name")
    {
      experiment = name
    }
    let description = top["description"].flatMap { entry -> String? in
      decodeDescription(entry.value, path.key("description"), &reader)
    }
    // Losses declared in the config join a copy of the registry, for this config only.
    var registry = self.registry
    var skippedPlugins: [String] = []
    if let entry = top["plugins"] {
      skippedPlugins = decodePlugins(entry.value, path.key("plugins"), into: &registry, &reader)
    }
    var failedCustomLosses: Set<String> = []
    if let entry = top["custom_losses"] {
      failedCustomLosses = decodeCustomLosses(entry.value, path.key("custom_losses"), into: &registry, &reader)
    }
    var losses: [LossEntry] = []
    if let entry = top["losses"] {
      let lookUp = LossLookUp(
        registry: registry, skippedPlugins: skippedPlugins, failedCustomLosses: failedCustomLosses)
      losses = decodeLosses(
        entry.value, path.key("losses"), lookUp: lookUp, partialCredit: partialCredit, extraKeys: extraLossKeys,
        &reader)
    } else {
      reader.error(kind.missingLosses, at: root.mark, path)
    }
    return CommonParts(experiment: experiment, description: description, registry: registry, losses: losses)
  }

  /// The file name without its folder and `.yaml`/`.yml` extension.
  static func defaultExperimentName(_ file: String) -> String {
    let base = file.split(separator: "/").last.map(String.init) ?? file
    for suffix in [".yaml", ".yml"] where base.hasSuffix(suffix) && base.count > suffix.count {
      return String(base.dropLast(suffix.count))
    }
    return base
  }
}

/// Whether decoding a config runs its plugins' code.
public enum PluginPolicy: Sendable, Hashable {
  /// Load every plugin (`dlopen`) and register its losses, so that the losses they define can be checked
  /// and used: what `run`, `train`, `split` and `list` do.
  case load
  /// Only check that each plugin file exists; run none of their code. Loss entries that name a loss the
  /// registry does not know are then reported as warnings ("not checked"), not errors: what `validate`
  /// does unless asked to load plugins.
  case check
}

extension ConfigDecoder {
  /// The top-level `description:`: one line of text shown as the report's title. The line breaks a block
  /// scalar (`|`, `>`) ends with are dropped; any other control character is an error, since it would break
  /// the text and Markdown tables (or, like an ANSI escape, act on the terminal). An empty description is none.
  func decodeDescription(_ node: YAMLNode, _ path: ConfigPath, _ reader: inout ConfigReader) -> String? {
    guard var text = reader.string(node, path, what: "description") else { return nil }
    while let last = text.unicodeScalars.last, last == "\n" || last == "\r" { text.unicodeScalars.removeLast() }
    if let problem = forbiddenCharacterProblem(in: text) {
      reader.error("the description \(problem); write it as one line of text", at: node.mark, path)
      return nil
    }
    return text.isEmpty ? nil : text
  }
}
