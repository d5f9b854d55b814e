import Foundation
import RankingLosses
import Recommender
import YAMLNodes

/// Decodes a ``TrainingConfig`` from a YAML document, with every problem placed at its line and column.
public struct TrainingConfigDecoder: Sendable {
  /// The losses a config may name.
  public var registry: LossRegistry

  /// Creates a decoder.
  public init(registry: LossRegistry = .standard) {
    self.registry = registry
  }

  static let topLevelKeys = [
    "experiment", "description", "data", "split", "model", "training", "evaluation", "seeds", "plugins",
    "custom_losses", "losses",
  ]
  static let dataKeys = ["interactions", "items"]
  static let interactionKeys = ["path", "user", "item", "rating", "timestamp", "min_rating", "delimiter"]
  static let itemKeys = ["path", "id", "fields", "delimiter"]
  static let fieldKeys = ["column", "separator", "mode"]
  static let splitKeys = ["method", "test_fraction", "seed"]
  static let modelKeys = ["factors", "init_scale"]
  static let trainingKeys = [
    "epochs", "batch_size", "negatives", "sampler", "optimizer", "learning_rate", "l2", "threads",
  ]
  static let evaluationKeys = ["k", "ties", "eval_every"]

  /// Reads and decodes a training config file.
  ///
  /// Data paths are resolved against the config file's folder.
  ///
  /// - Returns: The config (or `nil` when there were errors), every diagnostic, and the file's bytes.
  public func load(path: String, limits: YAMLLimits = YAMLLimits()) -> (
    config: TrainingConfig?, diagnostics: [ConfigDiagnostic], source: [UInt8]?
  ) {
    let parsed = ConfigLoader.parse(path: path, limits: limits)
    if let failure = parsed.failure { return (nil, [failure], parsed.source) }
    let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
    let (config, diagnostics) = decode(parsed.root, file: path, folder: folder)
    return (config, diagnostics, parsed.source)
  }

  /// Decodes a document; relative data paths are resolved against `folder`.
  public func decode(_ root: YAMLNode?, file: String, folder: String) -> (
    config: TrainingConfig?, diagnostics: [ConfigDiagnostic]
  ) {
    var reader = ConfigReader(file: file)
    let config = decode(root, file: file, folder: folder, &reader)
    return (reader.hasErrors ? nil : config, reader.orderedDiagnostics)
  }

  private func decode(_ root: YAMLNode?, file: String, folder: String, _ reader: inout ConfigReader) -> TrainingConfig?
  {
    let path = ConfigPath.root
    guard let root else {
      reader.error("the file is empty; a training config needs 'data' and 'losses'", at: nil, path)
      return nil
    }
    guard let top = reader.mapping(root, path, allowed: Self.topLevelKeys, what: "a training config") else {
      return nil
    }
    let experiment =
      top["experiment"].flatMap { reader.string($0.value, path.key("experiment"), what: "experiment") }
      ?? ConfigDecoder.defaultExperimentName(file)
    let description = top["description"].flatMap {
      reader.string($0.value, path.key("description"), what: "description")
    }

    // Data.
    var interactions: InteractionSource? = nil
    var items: ItemSource? = nil
    if let dataNode = top["data"]?.value {
      let dataPath = path.key("data")
      if let data = reader.mapping(dataNode, dataPath, allowed: Self.dataKeys, what: "data") {
        if let node = data["interactions"]?.value {
          interactions = decodeInteractions(node, dataPath.key("interactions"), folder: folder, &reader)
        } else {
          reader.error("data needs 'interactions': the CSV of user-item interactions", at: dataNode.mark, dataPath)
        }
        if let node = data["items"]?.value { items = decodeItems(node, dataPath.key("items"), folder: folder, &reader) }
      }
    } else {
      reader.error("a training config needs 'data': where the interactions are", at: root.mark, path)
    }

    // Split, model, training, evaluation.
    var split = SplitOptions()
    if let node = top["split"]?.value { split = decodeSplit(node, path.key("split"), &reader) ?? split }
    var training = TrainingOptions()
    if let node = top["model"]?.value { decodeModel(node, path.key("model"), into: &training, &reader) }
    if let node = top["training"]?.value { decodeTraining(node, path.key("training"), into: &training, &reader) }
    var evaluation = EvaluationOptions()
    if let node = top["evaluation"]?.value {
      evaluation = decodeEvaluation(node, path.key("evaluation"), &reader) ?? evaluation
    }

    var seeds: [UInt64] = [0]
    if let node = top["seeds"]?.value {
      let seedsPath = path.key("seeds")
      if let list = node.sequence {
        if list.isEmpty { reader.error("seeds is empty; give at least one seed", at: node.mark, seedsPath) }
        seeds = list.enumerated().compactMap { i, element in
          reader.integer(element, seedsPath.index(i), what: "a seed", minimum: 0).map(UInt64.init)
        }
      } else if let seed = reader.integer(node, seedsPath, what: "seeds", minimum: 0) {
        seeds = [UInt64(seed)]
      }
    }

    // Losses: partial-credit fields are checked against the declared metadata fields.
    var variants: [TrainingVariant] = []
    var customRegistry = registry
    if let lossesNode = top["losses"]?.value {
      let declared =
        items.map { source in
          try? ItemMetadata(fields: source.fields.map { ItemMetadata.Field(name: $0.name, codes: [0]) })
        } ?? nil
      var decoder = ConfigDecoder(registry: registry)
      if let entry = top["plugins"] {
        decoder.decodePlugins(entry.value, path.key("plugins"), into: &decoder.registry, file: file, &reader)
      }
      if let entry = top["custom_losses"] {
        decoder.decodeCustomLosses(entry.value, path.key("custom_losses"), into: &decoder.registry, file: file, &reader)
      }
      customRegistry = decoder.registry
      let losses = decoder.decodeLosses(
        lossesNode, path.key("losses"), metadata: declared, metadataGiven: false, extraKeys: ["training"],
        metadataHint: "add data.items with the fields to read, e.g. genre: {column: genres, separator: \"|\"}",
        &reader)
      // Each entry's `training:` override once, for every variant (grid point) the entry expands to.
      let decodedEntries = Set(losses.map(\.keyPath))
      var overrides: [String: TrainingOptions] = [:]
      for (index, entry) in (lossesNode.sequence ?? []).enumerated() {
        let entryPath = path.key("losses").index(index)
        guard decodedEntries.contains(entryPath.description),
          let override = entry.mapping?.first(where: { $0.key.scalar?.text == "training" })?.value
        else { continue }
        var options = training
        decodeTraining(override, entryPath.key("training"), into: &options, &reader)
        overrides[entryPath.description] = options
      }
      variants = losses.map { TrainingVariant(loss: $0, training: overrides[$0.keyPath] ?? training) }
    } else {
      reader.error("a training config needs 'losses': the loss variants to train with", at: root.mark, path)
    }
    if split.method == .last, let interactions, interactions.columns.timestamp == nil,
      let methodNode = top["split"]?.value.mapping?.first(where: { $0.key.scalar?.text == "method" })?.value
    {
      reader.error(
        "split method 'last' needs the interactions' timestamp column: add data.interactions.timestamp",
        at: methodNode.mark, path.key("split").key("method"))
    }
    guard let interactions else { return nil }
    var config = TrainingConfig(
      file: file, experiment: experiment, description: description, interactions: interactions, items: items,
      split: split, training: training, evaluation: evaluation, seeds: seeds, variants: variants)
    config.registry = customRegistry
    return config
  }

  private func resolve(_ relative: String, folder: String) -> String {
    relative.hasPrefix("/") ? relative : URL(fileURLWithPath: folder).appendingPathComponent(relative).standardized.path
  }

  private func delimiter(
    _ fields: [String: (key: YAMLNode, value: YAMLNode)], _ path: ConfigPath, _ reader: inout ConfigReader
  ) -> Character {
    guard let entry = fields["delimiter"] else { return "," }
    guard let text = reader.string(entry.value, path.key("delimiter"), what: "delimiter") else { return "," }
    let characters = text == "\\t" ? ["\t"] : Array(text)
    guard characters.count == 1 else {
      reader.error("delimiter must be one character, got '\(text)'", at: entry.value.mark, path.key("delimiter"))
      return ","
    }
    return characters[0]
  }

  private func decodeInteractions(
    _ node: YAMLNode, _ path: ConfigPath, folder: String, _ reader: inout ConfigReader
  ) -> InteractionSource? {
    guard let fields = reader.mapping(node, path, allowed: Self.interactionKeys, what: "interactions") else {
      return nil
    }
    func text(_ key: String, required: Bool) -> String? {
      guard let entry = fields[key] else {
        if required { reader.error("interactions needs '\(key)'", at: node.mark, path) }
        return nil
      }
      return reader.string(entry.value, path.key(key), what: key)
    }
    let file = text("path", required: true)
    let user = text("user", required: true)
    let item = text("item", required: true)
    let rating = text("rating", required: false)
    let timestamp = text("timestamp", required: false)
    var minRating: Double? = nil
    if let entry = fields["min_rating"] {
      minRating = reader.finiteNumber(entry.value, path.key("min_rating"), what: "min_rating")
      if rating == nil {
        reader.error("min_rating needs 'rating': the column it applies to", at: entry.key.mark, path.key("min_rating"))
      }
    }
    let separator = delimiter(fields, path, &reader)
    guard let file, let user, let item else { return nil }
    return InteractionSource(
      path: resolve(file, folder: folder),
      columns: InteractionColumns(user: user, item: item, rating: rating, timestamp: timestamp), minRating: minRating,
      delimiter: separator)
  }

  private func decodeItems(_ node: YAMLNode, _ path: ConfigPath, folder: String, _ reader: inout ConfigReader)
    -> ItemSource?
  {
    guard let fields = reader.mapping(node, path, allowed: Self.itemKeys, what: "items") else { return nil }
    var file: String? = nil
    var id: String? = nil
    if let entry = fields["path"] {
      file = reader.string(entry.value, path.key("path"), what: "path")
    } else {
      reader.error("items needs 'path'", at: node.mark, path)
    }
    if let entry = fields["id"] {
      id = reader.string(entry.value, path.key("id"), what: "id")
    } else {
      reader.error("items needs 'id': the item id column", at: node.mark, path)
    }
    var metadataFields: [MetadataFieldSource] = []
    if let entry = fields["fields"] {
      let fieldsPath = path.key("fields")
      if let pairs = entry.value.mapping {
        if pairs.isEmpty {
          reader.error("fields is empty; name at least one metadata field", at: entry.value.mark, fieldsPath)
        }
        for pair in pairs {
          guard let name = pair.key.scalar?.text else { continue }
          if let field = decodeField(name, pair.value, fieldsPath.key(name), &reader) { metadataFields.append(field) }
        }
      } else {
        reader.error(
          "fields must be a mapping from field name to its column, got \(entry.value.kindDescription)",
          at: entry.value.mark, fieldsPath)
      }
    } else {
      reader.error(
        "items needs 'fields': the metadata fields to read, e.g. genre: {column: genres, separator: \"|\"}",
        at: node.mark, path)
    }
    let separator = delimiter(fields, path, &reader)
    guard let file, let id, !metadataFields.isEmpty else { return nil }
    return ItemSource(path: resolve(file, folder: folder), idColumn: id, fields: metadataFields, delimiter: separator)
  }

  private func decodeField(_ name: String, _ node: YAMLNode, _ path: ConfigPath, _ reader: inout ConfigReader)
    -> MetadataFieldSource?
  {
    // A bare column name, or {column, separator, mode}.
    if node.scalar != nil {
      return reader.string(node, path, what: "a column name").map { MetadataFieldSource(name: name, column: $0) }
    }
    guard let fields = reader.mapping(node, path, allowed: Self.fieldKeys, what: "a metadata field") else { return nil }
    guard let columnNode = fields["column"]?.value else {
      reader.error("a metadata field needs 'column'", at: node.mark, path)
      return nil
    }
    guard let column = reader.string(columnNode, path.key("column"), what: "column") else { return nil }
    let separator = fields["separator"].flatMap { reader.string($0.value, path.key("separator"), what: "separator") }
    var mode = MetadataFieldSource.Mode.first
    if let entry = fields["mode"] {
      mode = reader.choice(entry.value, path.key("mode"), what: "mode") ?? mode
    }
    return MetadataFieldSource(name: name, column: column, separator: separator, mode: mode)
  }

  private func decodeSplit(_ node: YAMLNode, _ path: ConfigPath, _ reader: inout ConfigReader) -> SplitOptions? {
    guard let fields = reader.mapping(node, path, allowed: Self.splitKeys, what: "split") else { return nil }
    var split = SplitOptions()
    if let entry = fields["method"] {
      split.method = reader.choice(entry.value, path.key("method"), what: "split method") ?? split.method
    }
    if let entry = fields["test_fraction"],
      let fraction = reader.finiteNumber(entry.value, path.key("test_fraction"), what: "test_fraction")
    {
      if fraction > 0, fraction < 1 {
        split.testFraction = fraction
      } else {
        reader.error(
          "test_fraction must be between 0 and 1 (exclusive), got \(fraction)", at: entry.value.mark,
          path.key("test_fraction"))
      }
    }
    if let entry = fields["seed"], let seed = reader.integer(entry.value, path.key("seed"), what: "seed", minimum: 0) {
      split.seed = UInt64(seed)
    }
    return split
  }

  private func decodeModel(
    _ node: YAMLNode, _ path: ConfigPath, into options: inout TrainingOptions, _ reader: inout ConfigReader
  ) {
    guard let fields = reader.mapping(node, path, allowed: Self.modelKeys, what: "model") else { return }
    if let entry = fields["factors"],
      let n = reader.integer(entry.value, path.key("factors"), what: "factors", minimum: 1)
    {
      if n > 4096 {
        reader.error("factors must be at most 4096, got \(n)", at: entry.value.mark, path.key("factors"))
      } else {
        options.factors = n
      }
    }
    if let entry = fields["init_scale"], let x = positive(entry.value, path.key("init_scale"), "init_scale", &reader) {
      options.initScale = x
    }
  }

  private func positive(
    _ node: YAMLNode, _ path: ConfigPath, _ what: String, _ reader: inout ConfigReader, allowZero: Bool = false
  ) -> Double? {
    guard let x = reader.finiteNumber(node, path, what: what) else { return nil }
    guard x > 0 || (allowZero && x == 0) else {
      reader.error("\(what) must be \(allowZero ? ">= 0" : "> 0"), got \(x)", at: node.mark, path)
      return nil
    }
    return x
  }

  private func decodeTraining(
    _ node: YAMLNode, _ path: ConfigPath, into options: inout TrainingOptions, _ reader: inout ConfigReader
  ) {
    guard let fields = reader.mapping(node, path, allowed: Self.trainingKeys, what: "training") else { return }
    func int(_ key: String, minimum: Int, maximum: Int) -> Int? {
      guard let entry = fields[key], let n = reader.integer(entry.value, path.key(key), what: key, minimum: minimum)
      else { return nil }
      guard n <= maximum else {
        reader.error("\(key) must be at most \(maximum), got \(n)", at: entry.value.mark, path.key(key))
        return nil
      }
      return n
    }
    if let n = int("epochs", minimum: 1, maximum: 100_000) { options.epochs = n }
    if let n = int("batch_size", minimum: 1, maximum: 1_000_000) { options.batchSize = n }
    if let n = int("negatives", minimum: 1, maximum: 10_000) { options.negatives = n }
    if let n = int("threads", minimum: 1, maximum: 256) { options.threads = n }
    if let entry = fields["sampler"] {
      options.sampler = reader.choice(entry.value, path.key("sampler"), what: "sampler") ?? options.sampler
    }
    if let entry = fields["optimizer"] {
      options.optimizer = reader.choice(entry.value, path.key("optimizer"), what: "optimizer") ?? options.optimizer
    }
    if let entry = fields["learning_rate"],
      let x = positive(entry.value, path.key("learning_rate"), "learning_rate", &reader)
    {
      options.learningRate = x
    }
    if let entry = fields["l2"], let x = positive(entry.value, path.key("l2"), "l2", &reader, allowZero: true) {
      options.l2 = x
    }
  }

  private func decodeEvaluation(_ node: YAMLNode, _ path: ConfigPath, _ reader: inout ConfigReader)
    -> EvaluationOptions?
  {
    guard let fields = reader.mapping(node, path, allowed: Self.evaluationKeys, what: "evaluation") else { return nil }
    var evaluation = EvaluationOptions()
    if let entry = fields["k"], let k = reader.integer(entry.value, path.key("k"), what: "k", minimum: 1) {
      evaluation.k = k
    }
    if let entry = fields["ties"] {
      evaluation.ties = reader.choice(entry.value, path.key("ties"), what: "tie convention") ?? evaluation.ties
    }
    if let entry = fields["eval_every"],
      let n = reader.integer(entry.value, path.key("eval_every"), what: "eval_every", minimum: 0)
    {
      evaluation.evalEvery = n
    }
    return evaluation
  }
}
