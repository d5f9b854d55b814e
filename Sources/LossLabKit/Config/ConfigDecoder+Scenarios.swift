import RankingLosses
import YAMLNodes

extension ConfigDecoder {
  /// The keys of a scenario.
  static let scenarioKeys = [
    "name", "positive_scores", "negative_scores", "positive_items", "negative_items", "num_items", "generate",
  ]
  /// The keys of a scenario's `generate:`.
  static let generateKeys = [
    "batch", "negatives", "num_items", "distribution", "location", "scale", "positive_shift", "seed",
  ]

  /// Decodes `scenarios:`: every entry, names unique, the generated ones together at most
  /// ``maxGeneratedScores`` scores.
  func decodeScenarios(
    _ node: YAMLNode, _ path: ConfigPath, metadata: ItemMetadata?, _ reader: inout ConfigReader
  ) -> [Scenario] {
    guard let entries = reader.sequence(node, path, what: "scenarios") else { return [] }
    guard !entries.isEmpty else {
      reader.error("scenarios is empty; give at least one batch of scores", at: node.mark, path)
      return []
    }
    var scenarios: [PendingScenario] = []
    var names: [String: String] = [:]
    var generated = 0
    for (i, entry) in entries.enumerated() {
      guard let scenario = decodeScenario(entry, path.index(i), metadata: metadata, generated: &generated, &reader)
      else { continue }
      if let other = names[scenario.name] {
        reader.error(
          "the scenario name '\(scenario.name)' is already used by \(other)", at: entry.mark, path.index(i).key("name"))
        continue
      }
      names[scenario.name] = path.index(i).description
      scenarios.append(scenario)
    }
    // Scores are drawn only for a file without errors: a config that fails does not wait for millions of
    // scores it will not use.
    guard !reader.hasErrors else { return [] }
    return scenarios.compactMap { pending in
      switch pending {
      case .given(let scenario):
        return scenario
      case .generated(let name, let generator, let numItems, let node, let path):
        do {
          return Scenario(
            name: name, batch: try generator.generate(), numItems: numItems, generator: generator, mark: node.mark,
            keyPath: path)
        } catch {
          // Not reached: the decoder checked every count the generator checks.
          reader.error("\(error)", at: node.mark, path.key("generate"))
          return nil
        }
      }
    }
  }

  /// A decoded scenario: given scores, or a checked generator whose scores are drawn once the whole file
  /// is known to be valid.
  private enum PendingScenario {
    case given(Scenario)
    case generated(name: String, generator: ScoreGenerator, numItems: Int, node: YAMLNode, path: ConfigPath)

    var name: String {
      switch self {
      case .given(let scenario): return scenario.name
      case .generated(let name, _, _, _, _): return name
      }
    }
  }

  /// One scenario; `generated` counts the scores that the config's generated scenarios draw so far.
  private func decodeScenario(
    _ node: YAMLNode, _ path: ConfigPath, metadata: ItemMetadata?, generated: inout Int, _ reader: inout ConfigReader
  ) -> PendingScenario? {
    guard let fields = reader.mapping(node, path, allowed: Self.scenarioKeys, what: "a scenario") else { return nil }
    // Every field is checked even after a failure, so that one run reports every problem.
    let start = reader.checkpoint
    var name: String? = nil
    if let nameNode = fields["name"]?.value {
      name = reader.name(nameNode, path.key("name"), what: "name", noun: "a scenario name")
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
      guard !reader.hasErrors(since: start), let name, let generator else { return nil }
      // The generator's own count passed the limit's check, so it fits.
      let count = generator.batch * (generator.negatives + 1)
      let (total, overflow) = generated.addingReportingOverflow(count)
      guard !overflow, total <= maxGeneratedScores else {
        reader.error(
          "generate asks for \(generator.batch) x \(generator.negatives + 1) scores, and the scenarios before it "
            + "for \(generated); at most \(maxGeneratedScores) are allowed in all",
          at: generateNode.mark, path.key("generate"))
        return nil
      }
      generated = total
      return .generated(
        name: name, generator: generator, numItems: numItems ?? generator.numItems, node: node, path: path)
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
    guard !reader.hasErrors(since: start), let name, let (scores, flat) = negatives else { return nil }
    let batch = LossBatch(
      positiveScores: positives.map { $0! }, negativeScores: scores, positiveItems: positiveItems,
      negativeItems: negativeItems?.0)
    return .given(
      Scenario(
        name: name, batch: batch, negativesGivenFlat: flat, numItems: numItems, mark: node.mark,
        keyPath: path))
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
    let start = reader.checkpoint
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
    guard !reader.hasErrors(since: start), let batch, let negatives, let numItems, let location, let scale,
      let shift, let seed
    else { return nil }
    // B · (N + 1) in unsigned arithmetic: N + 1 cannot overflow there (N ≤ Int.max), and an overflowing
    // product is reported with its factors.
    let rows = UInt(negatives) + 1
    let (product, overflow) = UInt(batch).multipliedReportingOverflow(by: rows)
    guard !overflow, product <= UInt(max(0, maxGeneratedScores)) else {
      reader.error(
        "generate asks for \(batch) x \(rows) scores; at most \(maxGeneratedScores) are allowed", at: node.mark, path)
      return nil
    }
    return ScoreGenerator(
      batch: batch, negatives: negatives, numItems: numItems, distribution: distribution, location: location,
      scale: scale, positiveShift: shift, seed: UInt64(seed))
  }
}
