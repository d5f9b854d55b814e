import Foundation
import RankingLosses
import YAMLNodes

/// Decodes an ``ExperimentConfig`` from a parsed YAML document, checking everything that can be checked
/// before running — names, types, shapes, ranges, weights — and reporting every problem with its place.
public struct ConfigDecoder: Sendable {
  /// The registry the loss names and parameters are checked against.
  public var registry: LossRegistry
  /// The largest number of scores a generated scenario may draw (B · (N + 1)).
  public var maxGeneratedScores: Int

  /// Creates a decoder.
  ///
  /// - Parameters:
  ///   - registry: The losses a config may name.
  ///   - maxGeneratedScores: A bound on `generate:` sizes, default 50 million scores (400 MB in `Double`).
  public init(registry: LossRegistry = .standard, maxGeneratedScores: Int = 50_000_000) {
    self.registry = registry
    self.maxGeneratedScores = maxGeneratedScores
  }

  static let topLevelKeys = [
    "experiment", "description", "metadata", "plugins", "custom_losses", "losses", "scenarios",
  ]
  static let customLossKeys = ["name", "kind", "expression", "reduction", "description"]
  static let lossKeys = ["loss", "label", "params", "partial_credit"]
  static let scenarioKeys = [
    "name", "positive_scores", "negative_scores", "positive_items", "negative_items", "num_items", "generate",
  ]
  static let generateKeys = [
    "batch", "negatives", "num_items", "distribution", "location", "scale", "positive_shift", "seed",
  ]

  /// Decodes a document.
  ///
  /// - Parameters:
  ///   - root: The document's root node; `nil` for an empty file.
  ///   - file: The file's name as the user gave it (for messages and the default experiment name).
  /// - Returns: The config, or `nil` when there were errors; and every diagnostic found (errors and
  ///   warnings).
  public func decode(_ root: YAMLNode?, file: String) -> (config: ExperimentConfig?, diagnostics: [ConfigDiagnostic]) {
    var reader = ConfigReader(file: file)
    let config = decode(root, file: file, reader: &reader)
    return (reader.hasErrors ? nil : config, reader.orderedDiagnostics)
  }

  private func decode(_ root: YAMLNode?, file: String, reader: inout ConfigReader) -> ExperimentConfig? {
    guard let root else {
      reader.error("the file is empty; a config needs 'losses' and 'scenarios'", at: nil, .root)
      return nil
    }
    if case .scalar(let s) = root.content, (try? resolve(s, tag: root.tag)) == .null {
      reader.error("the document is empty; a config needs 'losses' and 'scenarios'", at: root.mark, .root)
      return nil
    }
    guard let top = reader.mapping(root, .root, allowed: Self.topLevelKeys, what: "a config") else { return nil }
    let path = ConfigPath.root

    var experiment = Self.defaultExperimentName(file)
    if let node = top["experiment"]?.value, let name = reader.string(node, path.key("experiment"), what: "experiment") {
      experiment = name
    }
    let description = top["description"].flatMap {
      reader.string($0.value, path.key("description"), what: "description")
    }
    let metadata = top["metadata"].flatMap { decodeMetadata($0.value, path.key("metadata"), &reader) }
    let metadataGiven = top["metadata"] != nil

    // Losses declared in the config join a copy of the registry, for this config only.
    var local = self
    if let entry = top["plugins"] {
      decodePlugins(entry.value, path.key("plugins"), into: &local.registry, file: file, &reader)
    }
    if let entry = top["custom_losses"] {
      decodeCustomLosses(entry.value, path.key("custom_losses"), into: &local.registry, file: file, &reader)
    }
    var losses: [LossVariant] = []
    if let entry = top["losses"] {
      losses = local.decodeLosses(
        entry.value, path.key("losses"), metadata: metadata, metadataGiven: metadataGiven, &reader)
    } else {
      reader.error("a config needs 'losses': the list of loss variants to compare", at: root.mark, path)
    }
    var scenarios: [Scenario] = []
    if let entry = top["scenarios"] {
      scenarios = decodeScenarios(entry.value, path.key("scenarios"), metadata: metadata, &reader)
    } else {
      reader.error("a config needs 'scenarios': the list of score batches to evaluate", at: root.mark, path)
    }
    var config = ExperimentConfig(
      file: file, experiment: experiment, description: description, metadata: metadata, losses: losses,
      scenarios: scenarios)
    config.registry = local.registry
    if !reader.hasErrors { local.checkCombinations(config, &reader) }
    return config
  }

  /// The file name without its folder and `.yaml`/`.yml` extension.
  static func defaultExperimentName(_ file: String) -> String {
    let base = file.split(separator: "/").last.map(String.init) ?? file
    for suffix in [".yaml", ".yml"] where base.hasSuffix(suffix) && base.count > suffix.count {
      return String(base.dropLast(suffix.count))
    }
    return base
  }

  // MARK: Metadata

  private func decodeMetadata(_ node: YAMLNode, _ path: ConfigPath, _ reader: inout ConfigReader) -> ItemMetadata? {
    guard let pairs = node.mapping else {
      reader.error(
        "metadata must be a mapping from field name to a list of category codes, got \(node.kindDescription)",
        at: node.mark, path)
      return nil
    }
    guard !pairs.isEmpty else {
      reader.error("metadata has no fields; give at least one, e.g. genre: [0, 0, 1]", at: node.mark, path)
      return nil
    }
    var fields: [ItemMetadata.Field] = []
    var failed = false
    for pair in pairs {
      guard let name = pair.key.scalar?.text else {
        reader.error(
          "metadata field names must be plain text, got \(pair.key.kindDescription)", at: pair.key.mark, path)
        failed = true
        continue
      }
      let fieldPath = path.key(name)
      guard let elements = reader.sequence(pair.value, fieldPath, what: "metadata field '\(name)'") else {
        failed = true
        continue
      }
      guard !elements.isEmpty else {
        reader.error(
          "metadata field '\(name)' is empty; it needs one category code per item", at: pair.value.mark, fieldPath)
        failed = true
        continue
      }
      var codes: [Int] = []
      codes.reserveCapacity(elements.count)
      for (i, element) in elements.enumerated() {
        if let code = reader.integer(element, fieldPath.index(i), what: "a category code") {
          codes.append(code)
        } else {
          failed = true
        }
      }
      if let first = fields.first, codes.count != first.codes.count, !failed {
        reader.error(
          "metadata field '\(name)' has \(codes.count) codes but '\(first.name)' has \(first.codes.count); every field needs one code per item",
          at: pair.value.mark, fieldPath)
        failed = true
      }
      fields.append(ItemMetadata.Field(name: name, codes: codes))
    }
    guard !failed else { return nil }
    do {
      return try ItemMetadata(fields: fields)
    } catch {
      reader.error(error.description, at: node.mark, path)
      return nil
    }
  }

  // MARK: Losses

  /// Decodes the `losses` list; `extraKeys` are further keys a loss entry may have (read by the caller).
  func decodeLosses(
    _ node: YAMLNode, _ path: ConfigPath, metadata: ItemMetadata?, metadataGiven: Bool, extraKeys: [String] = [],
    metadataHint: String = "add a top-level 'metadata:' with one category code per item for each field",
    _ reader: inout ConfigReader
  ) -> [LossVariant] {
    guard let entries = reader.sequence(node, path, what: "losses") else { return [] }
    guard !entries.isEmpty else {
      reader.error("losses is empty; name at least one loss (see `losslab list`)", at: node.mark, path)
      return []
    }
    var variants: [LossVariant] = []
    var labels: [String: String] = [:]
    for (i, entry) in entries.enumerated() {
      let entryPath = path.index(i)
      let decoded = decodeLoss(
        entry, entryPath, metadata: metadata, metadataGiven: metadataGiven, extraKeys: extraKeys,
        metadataHint: metadataHint, &reader)
      for variant in decoded {
        if let other = labels[variant.label] {
          reader.error(
            "the label '\(variant.label)' is already used by \(other); give this entry a different 'label'",
            at: entry.mark, entryPath)
          continue
        }
        labels[variant.label] = entryPath.description
        variants.append(variant)
      }
    }
    return variants
  }

  private func decodeLoss(
    _ node: YAMLNode, _ path: ConfigPath, metadata: ItemMetadata?, metadataGiven: Bool, extraKeys: [String],
    metadataHint: String, _ reader: inout ConfigReader
  ) -> [LossVariant] {
    // A bare name: default parameters.
    if node.scalar != nil {
      guard let name = reader.string(node, path, what: "a loss name"), lookUp(name, at: node, path, &reader) != nil
      else { return [] }
      return [LossVariant(label: name, name: name, mark: node.mark, keyPath: path.description)]
    }
    guard let fields = reader.mapping(node, path, allowed: Self.lossKeys + extraKeys, what: "a loss entry") else {
      return []
    }
    guard let nameNode = fields["loss"]?.value else {
      reader.error("a loss entry needs 'loss': a registered name (see `losslab list`)", at: node.mark, path)
      return []
    }
    guard let name = reader.string(nameNode, path.key("loss"), what: "loss"),
      let descriptor = lookUp(name, at: nameNode, path.key("loss"), &reader)
    else { return [] }
    let label = fields["label"].flatMap { reader.string($0.value, path.key("label"), what: "label") }

    // Parameters: each value a scalar, or a list of scalars that expands into a grid.
    var axes: [(name: String, values: [LossParameterValue])] = []
    if let paramsNode = fields["params"]?.value {
      let paramsPath = path.key("params")
      let known = descriptor.parameters.map(\.name)
      if known.isEmpty, paramsNode.mapping?.isEmpty == false {
        reader.error("\(name) takes no parameters; remove 'params'", at: paramsNode.mark, paramsPath)
      } else if let pairs = reader.mapping(paramsNode, paramsPath, allowed: known, what: "params of \(name)") {
        for spec in descriptor.parameters {
          guard let (_, valueNode) = pairs[spec.name] else { continue }
          let valuePath = paramsPath.key(spec.name)
          let valueNodes = valueNode.sequence ?? [valueNode]
          if valueNode.sequence != nil, valueNodes.isEmpty {
            reader.error("the grid for '\(spec.name)' is empty; give at least one value", at: valueNode.mark, valuePath)
            continue
          }
          var values: [LossParameterValue] = []
          for (k, element) in valueNodes.enumerated() {
            let elementPath = valueNode.sequence != nil ? valuePath.index(k) : valuePath
            guard let raw = reader.parameterValue(element, elementPath) else { continue }
            do {
              values.append(try spec.validate(raw, loss: name))
            } catch {
              reader.error(parameterMessage(error), at: element.mark, elementPath)
            }
          }
          if values.count == valueNodes.count { axes.append((spec.name, values)) }
        }
      }
    }

    // Partial credit.
    var weights: MetadataWeights? = nil
    if let creditNode = fields["partial_credit"]?.value {
      weights = decodeWeights(
        creditNode, path.key("partial_credit"), metadata: metadata, metadataGiven: metadataGiven,
        metadataHint: metadataHint, &reader)
      if weights == nil { return [] }
    }

    // Expand the grid, in the order the loss declares its parameters.
    var points: [[(String, LossParameterValue)]] = [[]]
    for axis in axes {
      points = points.flatMap { point in axis.values.map { point + [(axis.name, $0)] } }
    }
    let gridKeys = Set(axes.filter { $0.values.count > 1 }.map(\.name))
    return points.map { point in
      let parameters = Dictionary(point, uniquingKeysWith: { $1 })
      let shown: [(String, LossParameterValue)]
      if label != nil {
        shown = point.filter { gridKeys.contains($0.0) }
      } else {
        shown = point.filter { name, value in
          descriptor.parameters.first { $0.name == name }?.defaultValue != value
        }
      }
      var text = label ?? name
      if !shown.isEmpty { text += "(" + shown.map { "\($0.0)=\($0.1)" }.joined(separator: ", ") + ")" }
      if label == nil, let weights {
        text += "+credit(" + weights.entries.map { "\($0.field)=\($0.weight)" }.joined(separator: ", ") + ")"
      }
      return LossVariant(
        label: text, name: name, parameters: parameters, partialCredit: weights, mark: node.mark,
        keyPath: path.description)
    }
  }

  private func lookUp(_ name: String, at node: YAMLNode, _ path: ConfigPath, _ reader: inout ConfigReader)
    -> LossDescriptor?
  {
    do {
      return try registry.descriptor(named: name)
    } catch {
      reader.error(error.description, at: node.mark, path)
      return nil
    }
  }

  /// A registry parameter error without the loss-and-parameter prefix the key path already says.
  private func parameterMessage(_ error: LossError) -> String {
    if case .invalidParameter(_, _, let message) = error { return message }
    return error.description
  }

  private func decodeWeights(
    _ node: YAMLNode, _ path: ConfigPath, metadata: ItemMetadata?, metadataGiven: Bool, metadataHint: String,
    _ reader: inout ConfigReader
  ) -> MetadataWeights? {
    guard let pairs = node.mapping else {
      reader.error(
        "partial_credit must be a mapping from metadata field to weight, got \(node.kindDescription)", at: node.mark,
        path)
      return nil
    }
    var entries: [MetadataWeights.Entry] = []
    var marks: [String: (key: YAMLMark, value: YAMLMark)] = [:]
    for pair in pairs {
      guard let field = pair.key.scalar?.text else {
        reader.error(
          "metadata field names must be plain text, got \(pair.key.kindDescription)", at: pair.key.mark, path)
        return nil
      }
      guard let weight = reader.number(pair.value, path.key(field), what: "the weight of '\(field)'") else {
        return nil
      }
      entries.append(MetadataWeights.Entry(field: field, weight: weight))
      marks[field] = (pair.key.mark, pair.value.mark)
    }
    guard let metadata else {
      if !metadataGiven {
        reader.error(
          "partial credit needs item metadata: \(metadataHint)",
          at: node.mark, path)
      }
      return nil
    }
    let weights = MetadataWeights(entries)
    do {
      try weights.validate(against: metadata)
      return weights
    } catch {
      switch error {
      case .unknownMetadataField(let field, _):
        reader.error(error.description, at: marks[field]?.key, path.key(field))
      case .invalidWeight(let field, _):
        reader.error(error.description, at: marks[field]?.value, path.key(field))
      default:
        reader.error(error.description, at: node.mark, path)
      }
      return nil
    }
  }

  // MARK: Scenarios

  private func decodeScenarios(
    _ node: YAMLNode, _ path: ConfigPath, metadata: ItemMetadata?, _ reader: inout ConfigReader
  ) -> [Scenario] {
    guard let entries = reader.sequence(node, path, what: "scenarios") else { return [] }
    guard !entries.isEmpty else {
      reader.error("scenarios is empty; give at least one batch of scores", at: node.mark, path)
      return []
    }
    var scenarios: [Scenario] = []
    var names: [String: String] = [:]
    for (i, entry) in entries.enumerated() {
      guard let scenario = decodeScenario(entry, path.index(i), metadata: metadata, &reader) else { continue }
      if let other = names[scenario.name] {
        reader.error(
          "the scenario name '\(scenario.name)' is already used by \(other)", at: entry.mark, path.index(i).key("name"))
        continue
      }
      names[scenario.name] = path.index(i).description
      scenarios.append(scenario)
    }
    return scenarios
  }

  private func decodeScenario(
    _ node: YAMLNode, _ path: ConfigPath, metadata: ItemMetadata?, _ reader: inout ConfigReader
  ) -> Scenario? {
    guard let fields = reader.mapping(node, path, allowed: Self.scenarioKeys, what: "a scenario") else { return nil }
    // Every field is checked even after a failure, so that one run reports every problem.
    let errorsBefore = reader.diagnostics.count
    var name: String? = nil
    if let nameNode = fields["name"]?.value {
      name = reader.string(nameNode, path.key("name"), what: "name")
    } else {
      reader.error("a scenario needs 'name': its row label", at: node.mark, path)
    }
    var numItems: Int? = nil
    if let n = fields["num_items"]?.value {
      numItems = reader.integer(n, path.key("num_items"), what: "num_items", minimum: 1)
    }
    // Ids must index the metadata (when given) and the catalog (when its size is given).
    let idLimit = [metadata?.itemCount, numItems].compactMap { $0 }.min()

    if let generateNode = fields["generate"]?.value {
      for key in ["positive_scores", "negative_scores", "positive_items", "negative_items"] {
        guard let entry = fields[key] else { continue }
        reader.error(
          "a scenario is either generated or given: remove 'generate' or '\(key)'", at: entry.key.mark, path.key(key))
      }
      let generator = decodeGenerator(
        generateNode, path.key("generate"), numItems: numItems ?? metadata?.itemCount, idLimit: idLimit,
        idLimitSource: limitSource(idLimit, metadata), &reader)
      guard reader.diagnostics.count == errorsBefore, let name, let generator else { return nil }
      return Scenario(
        name: name, batch: generator.generate(), numItems: numItems ?? generator.numItems, generator: generator,
        mark: node.mark, keyPath: path.description)
    }

    // Positives: B finite scores.
    var positives: [Double?] = []
    let positivesPath = path.key("positive_scores")
    if let positivesNode = fields["positive_scores"]?.value {
      if let nodes = reader.sequence(positivesNode, positivesPath, what: "positive_scores") {
        if nodes.isEmpty {
          reader.error(
            "positive_scores is empty; a batch needs at least one positive", at: positivesNode.mark, positivesPath)
        }
        positives = nodes.enumerated().map { reader.finiteNumber($1, positivesPath.index($0), what: "a score") }
      }
    } else {
      reader.error("a scenario needs 'positive_scores' and 'negative_scores', or 'generate'", at: node.mark, path)
    }
    let b = positives.count

    // Negatives and items: shapes are checked against B only when B is known.
    var negatives: (ScoreMatrix<Double>, flat: Bool)? = nil
    if let negativesNode = fields["negative_scores"]?.value {
      negatives = decodeMatrix(
        negativesNode, path.key("negative_scores"), columns: b > 0 ? b : nil, what: "negative_scores", &reader,
        element: { r, n, p in r.finiteNumber(n, p, what: "a score") })
    } else if fields["positive_scores"] != nil {
      reader.error(
        "a scenario needs 'negative_scores' (one per positive, or N rows of one per positive)", at: node.mark, path)
    }
    var positiveItems: [Int]? = nil
    if let itemsNode = fields["positive_items"]?.value {
      let itemsPath = path.key("positive_items")
      if let nodes = reader.sequence(itemsNode, itemsPath, what: "positive_items") {
        if b > 0, nodes.count != b {
          reader.error(
            "positive_items has \(counted(nodes.count, "id")) but there \(b == 1 ? "is 1 positive score" : "are \(b) positive scores")",
            at: itemsNode.mark, itemsPath)
        }
        let ids = nodes.enumerated().map {
          itemID($1, itemsPath.index($0), limit: idLimit, metadata: metadata, &reader)
        }
        positiveItems = ids.compactMap { $0 }
      }
    }
    var negativeItems: (ScoreMatrix<Int>, flat: Bool)? = nil
    if let itemsNode = fields["negative_items"]?.value {
      negativeItems = decodeMatrix(
        itemsNode, path.key("negative_items"), columns: b > 0 ? b : nil, what: "negative_items", &reader,
        element: { r, n, p in itemID(n, p, limit: idLimit, metadata: metadata, &r) })
      if let (items, itemsFlat) = negativeItems, let (scores, flat) = negatives,
        items.rows != scores.rows || itemsFlat != flat
      {
        reader.error(
          "negative_items is \(shape(items, flat: itemsFlat)) but negative_scores is \(shape(scores, flat: flat)); they must match",
          at: itemsNode.mark, path.key("negative_items"))
      }
    }
    if (fields["positive_items"] == nil) != (fields["negative_items"] == nil) {
      let missing = fields["positive_items"] == nil ? "positive_items" : "negative_items"
      reader.error("item ids come in pairs: give '\(missing)' too", at: node.mark, path)
    }
    guard reader.diagnostics.count == errorsBefore, let name, let (scores, flat) = negatives else { return nil }
    let batch = LossBatch(
      positiveScores: positives.map { $0! }, negativeScores: scores, positiveItems: positiveItems,
      negativeItems: negativeItems?.0)
    return Scenario(
      name: name, batch: batch, negativesGivenFlat: flat, numItems: numItems, mark: node.mark,
      keyPath: path.description)
  }

  /// What bounds item ids: the metadata's items or the scenario's catalog.
  private func limitSource(_ limit: Int?, _ metadata: ItemMetadata?) -> String {
    guard let limit else { return "no limit" }
    return metadata?.itemCount == limit ? "the metadata covers items 0..<\(limit)" : "num_items is \(limit)"
  }

  private func shape<T>(_ m: ScoreMatrix<T>, flat: Bool) -> String {
    flat ? "a list of \(m.columns)" : "\(m.rows) x \(m.columns)"
  }

  private func itemID(
    _ node: YAMLNode, _ path: ConfigPath, limit: Int?, metadata: ItemMetadata?, _ reader: inout ConfigReader
  ) -> Int? {
    guard let id = reader.integer(node, path, what: "an item id") else { return nil }
    guard id >= 0 else {
      reader.error("item id \(id) is negative; ids count from 0", at: node.mark, path)
      return nil
    }
    if let limit, id >= limit {
      reader.error("item id \(id) is out of range: \(limitSource(limit, metadata))", at: node.mark, path)
      return nil
    }
    return id
  }

  /// A matrix written either flat (B elements: one negative per positive) or as N rows of B elements.
  private func decodeMatrix<T: Sendable>(
    _ node: YAMLNode, _ path: ConfigPath, columns: Int?, what: String, _ reader: inout ConfigReader,
    element: (inout ConfigReader, YAMLNode, ConfigPath) -> T?
  ) -> (ScoreMatrix<T>, flat: Bool)? {
    guard let rows = reader.sequence(node, path, what: what) else { return nil }
    guard !rows.isEmpty else {
      reader.error("\(what) is empty; each positive needs at least one negative", at: node.mark, path)
      return nil
    }
    let flat = rows[0].sequence == nil
    // B is the positives' count; without it (the positives failed), the first row sets it.
    let b = columns ?? (flat ? rows.count : rows[0].sequence?.count ?? 0)
    let positivesText = b == 1 ? "is 1 positive score" : "are \(b) positive scores"
    var storage: [T] = []
    var failed = false
    if flat {
      if rows.count != b {
        reader.error(
          "\(what) has \(counted(rows.count, "entry")) but there \(positivesText); a flat list gives one negative per positive (write N rows for many)",
          at: node.mark, path)
        failed = true
      }
      for (j, cell) in rows.enumerated() {
        if cell.sequence != nil {
          reader.error("\(what) mixes numbers and rows; write every row as a list", at: cell.mark, path.index(j))
          failed = true
        } else if let value = element(&reader, cell, path.index(j)) {
          storage.append(value)
        } else {
          failed = true
        }
      }
    } else {
      for (k, row) in rows.enumerated() {
        guard let cells = row.sequence else {
          reader.error("\(what) mixes rows and numbers; write every row as a list", at: row.mark, path.index(k))
          failed = true
          continue
        }
        if cells.count != b {
          reader.error(
            "\(what) row \(k) has \(counted(cells.count, "entry")) but there \(positivesText); each row holds one negative per positive",
            at: row.mark, path.index(k))
          failed = true
        }
        for (j, cell) in cells.enumerated() {
          if let value = element(&reader, cell, path.index(k).index(j)) { storage.append(value) } else { failed = true }
        }
      }
    }
    guard !failed, columns != nil else { return nil }
    return (try! ScoreMatrix(rows: flat ? 1 : rows.count, columns: b, storage: storage), flat)
  }

  private func decodeGenerator(
    _ node: YAMLNode, _ path: ConfigPath, numItems fallbackItems: Int?, idLimit: Int?, idLimitSource: String,
    _ reader: inout ConfigReader
  ) -> ScoreGenerator? {
    guard let fields = reader.mapping(node, path, allowed: Self.generateKeys, what: "generate") else { return nil }
    let errorsBefore = reader.diagnostics.count
    func int(_ key: String, default value: Int?, minimum: Int) -> Int? {
      guard let entry = fields[key] else { return value }
      return reader.integer(entry.value, path.key(key), what: key, minimum: minimum)
    }
    func real(_ key: String, default value: Double) -> Double? {
      guard let entry = fields[key] else { return value }
      return reader.finiteNumber(entry.value, path.key(key), what: key)
    }
    guard fields["batch"] != nil else {
      reader.error("generate needs 'batch': the number of positives", at: node.mark, path)
      return nil
    }
    let batch = int("batch", default: nil, minimum: 1)
    let negatives = int("negatives", default: 1, minimum: 1)
    let numItems = int("num_items", default: fallbackItems, minimum: 1)
    let location = real("location", default: 0)
    let scale = real("scale", default: 1)
    let shift = real("positive_shift", default: 0)
    let seed = int("seed", default: 0, minimum: 0)
    var distribution = ScoreGenerator.Distribution.normal
    if let entry = fields["distribution"] {
      distribution = reader.choice(entry.value, path.key("distribution"), what: "distribution") ?? distribution
    }
    if let scale, scale <= 0, let entry = fields["scale"] {
      reader.error("scale must be > 0, got \(scale)", at: entry.value.mark, path.key("scale"))
    }
    if numItems == nil, fields["num_items"] == nil {
      reader.error(
        "generate needs 'num_items' (the catalog the item ids are drawn from), or the scenario's num_items, or metadata",
        at: node.mark, path)
    }
    if let numItems, let idLimit, numItems > idLimit {
      reader.error(
        "generate would draw item ids from 0..<\(numItems), but \(idLimitSource)",
        at: fields["num_items"]?.value.mark ?? node.mark, fields["num_items"] == nil ? path : path.key("num_items"))
    }
    guard reader.diagnostics.count == errorsBefore, let batch, let negatives, let numItems, let location, let scale,
      let shift, let seed
    else { return nil }
    let (product, overflow) = batch.multipliedReportingOverflow(by: negatives + 1)
    guard !overflow, product <= maxGeneratedScores else {
      reader.error(
        "generate asks for \(batch) x \(negatives + 1) scores; at most \(maxGeneratedScores) are allowed",
        at: node.mark, path)
      return nil
    }
    return ScoreGenerator(
      batch: batch, negatives: negatives, numItems: numItems, distribution: distribution, location: location,
      scale: scale, positiveShift: shift, seed: UInt64(seed))
  }

  // MARK: Loss × scenario

  /// Resolves `num_items` for every loss that declares it and builds each loss once per scenario, so that
  /// every error shows before anything runs.
  private func checkCombinations(_ config: ExperimentConfig, _ reader: inout ConfigReader) {
    for variant in config.losses {
      var reported = false
      for scenario in config.scenarios where !reported {
        do {
          _ = try config.buildLoss(variant, on: scenario)
        } catch {
          reader.error(error.description, at: variant.mark, ConfigPath.root.key(variant.keyPath))
          reported = true
        }
      }
    }
  }
}

/// Why a loss variant cannot be built for a scenario.
public struct VariantError: Error, Sendable, CustomStringConvertible {
  /// The message.
  public var description: String
}

extension ExperimentConfig {
  /// The parameters of `variant` on `scenario`: the given ones, plus `num_items` — for losses that declare
  /// it and were not given it — from the scenario, else from the metadata's item count.
  ///
  /// - Throws: ``VariantError`` when `num_items` is needed and has no source.
  public func resolvedParameters(
    _ variant: LossVariant, on scenario: Scenario
  ) throws(VariantError) -> [String: LossParameterValue] {
    var parameters = variant.parameters
    guard let descriptor = try? registry.descriptor(named: variant.name) else { return parameters }
    if descriptor.needsNumItems(given: parameters) {
      if let n = scenario.numItems ?? metadata?.itemCount {
        parameters["num_items"] = .integer(n)
      } else {
        throw VariantError(
          description:
            "\(variant.name) needs num_items and scenario '\(scenario.name)' gives none: set params: {num_items: N}, "
            + "the scenario's num_items, or top-level metadata")
      }
    }
    return parameters
  }

  /// Builds the loss of `variant` for `scenario` from this config's registry, with partial credit when the
  /// variant asks for it.
  ///
  /// - Throws: ``VariantError`` with the registry's or the decorator's message.
  public func buildLoss(_ variant: LossVariant, on scenario: Scenario) throws(VariantError) -> any LossProtocol {
    let parameters = try resolvedParameters(variant, on: scenario)
    do {
      let loss = try registry.makeLoss(variant.name, parameters: parameters)
      guard let weights = variant.partialCredit else { return loss }
      return try AnyLoss(loss).withPartialCredit(metadata: metadata, weights: weights)
    } catch {
      throw VariantError(description: error.description)
    }
  }
}

extension ConfigDecoder {
  /// Decodes `custom_losses:` — pairwise losses given by an expression over `d` and `m` — and registers
  /// each (with its adaptive variant) in `registry`. Expression errors point at their column inside the
  /// expression's text.
  func decodeCustomLosses(
    _ node: YAMLNode, _ path: ConfigPath, into registry: inout LossRegistry, file: String,
    _ reader: inout ConfigReader
  ) {
    guard let entries = reader.sequence(node, path, what: "custom_losses") else { return }
    for (i, entry) in entries.enumerated() {
      let entryPath = path.index(i)
      guard let fields = reader.mapping(entry, entryPath, allowed: Self.customLossKeys, what: "a custom loss") else {
        continue
      }
      guard let nameNode = fields["name"]?.value, let expressionNode = fields["expression"]?.value else {
        reader.error("a custom loss needs 'name' and 'expression'", at: entry.mark, entryPath)
        continue
      }
      guard let name = reader.string(nameNode, entryPath.key("name"), what: "name"),
        let text = reader.string(expressionNode, entryPath.key("expression"), what: "expression")
      else { continue }
      if let kindNode = fields["kind"]?.value, let kind = reader.string(kindNode, entryPath.key("kind"), what: "kind"),
        kind != "pairwise"
      {
        reader.error(
          "custom losses are pairwise ('kind: pairwise'); adaptive_\(name) is made from it automatically",
          at: kindNode.mark, entryPath.key("kind"))
        continue
      }
      var reduction = LossReduction.mean
      if let reductionNode = fields["reduction"]?.value,
        let word = reader.string(reductionNode, entryPath.key("reduction"), what: "reduction")
      {
        switch word {
        case "mean": reduction = .mean
        case "sum": reduction = .sum
        case "seed": reduction = .sumPlusSumOfSquares
        default:
          let hint = closestName(to: word, among: ["mean", "sum", "seed"]).map { " (did you mean '\($0)'?)" } ?? ""
          reader.error(
            "unknown reduction '\(word)'\(hint); use mean, sum or seed ((sum l + sum l^2) / B)", at: reductionNode.mark,
            entryPath.key("reduction"))
          continue
        }
      }
      let summary =
        fields["description"].flatMap { reader.string($0.value, entryPath.key("description"), what: "description") }
        ?? "\(text), reduction \(fields["reduction"] == nil ? "mean" : reduction == .sumPlusSumOfSquares ? "seed" : reduction.rawValue)"
      let loss: ExpressionLoss
      do {
        loss = try ExpressionLoss(name: name, expression: text, reduction: reduction)
      } catch {
        // The column inside the expression, moved to the file: past the opening quote of a quoted string.
        let quoted = expressionNode.scalar?.style == .singleQuoted || expressionNode.scalar?.style == .doubleQuoted
        let mark = YAMLMark(
          line: expressionNode.mark.line, column: expressionNode.mark.column + (quoted ? 1 : 0) + error.column - 1)
        reader.error("in the expression, \(error)", at: mark, entryPath.key("expression"))
        continue
      }
      if !loss.expression.dependsOnDifference {
        reader.error(
          "the expression does not use d, so no score gets a gradient", at: expressionNode.mark,
          entryPath.key("expression"))
        continue
      }
      do {
        try registry.registerPairwise(
          name: name, summary: summary, adaptiveSummary: "\(name) on each positive's highest-scoring negative",
          origin: file
        ) { _ in loss }
      } catch {
        reader.error(error.description, at: nameNode.mark, entryPath.key("name"))
      }
    }
  }
}

extension ConfigDecoder {
  /// Decodes `plugins:` — paths of loss plugins, relative to the config's folder — and loads each into
  /// `registry`; a plugin that fails is reported at its entry.
  func decodePlugins(
    _ node: YAMLNode, _ path: ConfigPath, into registry: inout LossRegistry, file: String, _ reader: inout ConfigReader
  ) {
    guard let entries = reader.sequence(node, path, what: "plugins") else { return }
    let folder = (file as NSString).deletingLastPathComponent
    for (i, entry) in entries.enumerated() {
      guard let given = reader.string(entry, path.index(i), what: "a plugin path") else { continue }
      let resolved = given.hasPrefix("/") || folder.isEmpty ? given : folder + "/" + given
      do throws(PluginError) {
        try PluginLoader.load(resolved, into: &registry)
      } catch {
        reader.error(error.description, at: entry.mark, path.index(i))
      }
    }
  }
}
