import RankingLosses
import Recommender
import YAMLNodes

extension ConfigDecoder {
  static let dataKeys = ["interactions", "items", "cache"]
  static let interactionKeys = [
    "path", "user", "item", "rating", "timestamp", "min_rating", "format", "delimiter", "header",
  ]
  static let itemKeys = ["path", "id", "fields", "format", "delimiter", "header"]
  static let fieldKeys = ["column", "separator", "mode"]
  static let splitKeys = ["method", "test_fraction", "validation_fraction", "seed"]
  static let evaluationKeys = ["metrics", "k", "ties", "eval_every", "select", "significance"]
  static let significanceKeys = ["test", "permutations", "seed", "max_p", "correction"]

  /// Decodes a training config's top level: `data:` (paths resolved against the config's folder), the
  /// split, model, training and evaluation settings, the seeds, and the common part, whose loss entries
  /// may carry a `training:` override (read once per entry, however many grid points it expands to).
  func decodeTraining(
    _ top: [String: (key: YAMLNode, value: YAMLNode)], root: YAMLNode, _ reader: inout ConfigReader
  ) -> TrainingConfig? {
    let path = ConfigPath.root

    // Data.
    var interactions: InteractionSource? = nil
    var items: ItemSource? = nil
    var cache: String? = nil
    if let dataNode = top["data"]?.value {
      let dataPath = path.key("data")
      if let data = reader.mapping(dataNode, dataPath, allowed: Self.dataKeys, what: "data") {
        if let node = data["interactions"]?.value {
          interactions = decodeInteractions(node, dataPath.key("interactions"), &reader)
        } else {
          reader.error("data needs 'interactions': the CSV of user-item interactions", at: dataNode.mark, dataPath)
        }
        if let node = data["items"]?.value { items = decodeItems(node, dataPath.key("items"), &reader) }
        if let node = data["cache"]?.value,
          let given = reader.string(node, dataPath.key("cache"), what: "cache")
        {
          if given.isEmpty {
            reader.error(
              "cache is empty; give the folder of the data cache, relative to the config's folder", at: node.mark,
              dataPath.key("cache"))
          } else {
            cache = resolvePath(given, relativeTo: reader.file)
          }
        }
      }
    } else {
      reader.error("a training config needs 'data': where the interactions are", at: root.mark, path)
    }
    let itemsDeclared = top["data"]?.value.mapping?.contains { $0.key.scalar?.text == "items" } ?? false

    // Split, model, training, evaluation.
    var split = SplitOptions()
    if let node = top["split"]?.value { split = decodeSplit(node, path.key("split"), &reader) ?? split }
    var topGrid = SettingsGrid()
    var topPlace = GridPlace()
    for section in [SettingsSection.model, .training] {
      if let node = top[section.rawValue]?.value {
        decodeSettings(node, path.key(section.rawValue), section: section, into: &topGrid, place: &topPlace, &reader)
      }
    }
    let training = topGrid.point(0, base: TrainingOptions()).options
    var search: SearchOptions? = nil
    if let node = top["search"]?.value { search = decodeSearch(node, path.key("search"), &reader) }
    // Given, even if wrong (its own error says so): a grid or patience then needs nothing more.
    let hasValidation =
      split.validationFraction != nil
      || top["split"]?.value.mapping?.contains { $0.key.scalar?.text == "validation_fraction" } == true
    var evaluation = EvaluationOptions()
    if let node = top["evaluation"]?.value {
      evaluation = decodeEvaluation(node, path.key("evaluation"), &reader) ?? evaluation
    }
    var seeds: [UInt64] = [0]
    if let node = top["seeds"]?.value { seeds = decodeSeeds(node, path.key("seeds"), &reader) ?? seeds }

    // The common part; partial credit refers to the fields data.items reads.
    let partialCredit = PartialCreditContext(
      fieldNames: items?.fields.map(\.name), declared: itemsDeclared,
      hint: "add data.items with the fields to read, e.g. genre: {column: genres, separator: \"|\"}")
    let common = decodeCommon(
      top, root: root, kind: .training, partialCredit: partialCredit, extraLossKeys: ["model", "training"], &reader)
    var variants: [TrainingVariant] = []
    var reported = Set<String>()
    for entry in common.losses {
      var grid = topGrid
      var place = topPlace
      var entryPlace = GridPlace()
      for section in [SettingsSection.model, .training] {
        if let override = entry.extra[section.rawValue]?.value {
          decodeSettings(
            override, entry.path.key(section.rawValue), section: section, into: &grid, place: &entryPlace, &reader)
        }
      }
      // The entry's own lists and patience are the places to point at; the top level's otherwise.
      place.firstList = grid.shape.isEmpty ? nil : entryPlace.firstList ?? place.firstList
      place.patience = entryPlace.patience ?? place.patience
      guard
        let (points, size) = gridPoints(
          grid, place: place, search: search, hasValidation: hasValidation, base: TrainingOptions(),
          reported: &reported, &reader)
      else { continue }
      variants += entry.variants.map { TrainingVariant(loss: $0, points: points, gridSize: size) }
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
      file: reader.file, experiment: common.experiment, description: common.description, interactions: interactions,
      items: items, split: split, training: training, evaluation: evaluation, seeds: seeds, variants: variants)
    config.search = search
    config.dataCache = cache
    config.registry = common.registry
    return config
  }

  private func decodeSeeds(_ node: YAMLNode, _ path: ConfigPath, _ reader: inout ConfigReader) -> [UInt64]? {
    guard let list = node.sequence else {
      if reader.unbracketedList(node, path, key: "seeds") { return nil }
      return reader.integer(node, path, what: "seeds", minimum: 0).map { [UInt64($0)] }
    }
    if list.isEmpty { reader.error("seeds is empty; give at least one seed", at: node.mark, path) }
    return list.enumerated().compactMap { i, element in
      reader.integer(element, path.index(i), what: "a seed", minimum: 0).map(UInt64.init)
    }
  }

  /// A data file's path: not empty, resolved against the config's folder.
  private func dataPath(_ node: YAMLNode, _ path: ConfigPath, _ reader: inout ConfigReader) -> String? {
    guard let given = reader.string(node, path, what: "path") else { return nil }
    guard !given.isEmpty else {
      reader.error("path is empty; give the data file's path, relative to the config's folder", at: node.mark, path)
      return nil
    }
    return resolvePath(given, relativeTo: reader.file)
  }

  /// How a data file is laid out: `format` (csv or recbole), `delimiter` (any non-empty text without a
  /// quote or a line break; the two characters `\t` are a tab) and `header` (a boolean; a RecBole file
  /// always has one).
  private func decodeLayout(
    _ fields: [String: (key: YAMLNode, value: YAMLNode)], _ path: ConfigPath, _ reader: inout ConfigReader
  ) -> (format: DataFormat, delimiter: String?, header: Bool) {
    var format = DataFormat.csv
    if let entry = fields["format"] {
      format = reader.choice(entry.value, path.key("format"), what: "data format") ?? format
    }
    var delimiter: String? = nil
    if let entry = fields["delimiter"],
      let text = reader.string(entry.value, path.key("delimiter"), what: "delimiter")
    {
      let value = text == "\\t" ? "\t" : text
      if value.isEmpty {
        reader.error(
          "delimiter is empty; give the text between fields, e.g. ',' or '::'", at: entry.value.mark,
          path.key("delimiter"))
      } else if value.contains(where: { $0 == "\"" || $0.isNewline }) {
        reader.error(
          "delimiter cannot hold a quote or a line break, got '\(text)'", at: entry.value.mark, path.key("delimiter"))
      } else {
        delimiter = value
      }
    }
    var header = true
    if let entry = fields["header"] {
      let value = entry.value.scalar == nil ? nil : reader.resolved(entry.value, path.key("header"))
      if case .boolean(let on)? = value {
        header = on
        if !on, format == .recbole {
          reader.error(
            "a RecBole file always has a header (name:type fields); remove header: false", at: entry.value.mark,
            path.key("header"))
          header = true
        }
      } else if value != nil || entry.value.scalar == nil {
        let got = value.map { reader.describe($0) } ?? entry.value.kindDescription
        reader.error("header must be true or false, got \(got)", at: entry.value.mark, path.key("header"))
      }
    }
    return (format, delimiter, header)
  }

  /// A column: a name, or with `header: false` a 0-based position (a YAML integer, or text of digits).
  private func columnName(
    _ node: YAMLNode, _ path: ConfigPath, what: String, header: Bool, _ reader: inout ConfigReader
  )
    -> String?
  {
    guard !header else { return reader.string(node, path, what: what) }
    if let scalar = node.scalar, scalar.style != .plain {
      guard !scalar.text.isEmpty, scalar.text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
        reader.error(
          "\(what) must be a column position (0, 1, …) since header is false, got '\(scalar.text)'", at: node.mark,
          path)
        return nil
      }
      return scalar.text
    }
    guard node.scalar != nil else {
      reader.error(
        "\(what) must be a column position (0, 1, …) since header is false, got \(node.kindDescription)",
        at: node.mark, path)
      return nil
    }
    guard let value = reader.resolved(node, path) else { return nil }  // an overflow, already reported
    guard case .integer(let n) = value, n >= 0 else {
      reader.error(
        "\(what) must be a column position (0, 1, …) since header is false, got \(reader.describe(value))",
        at: node.mark, path)
      return nil
    }
    return String(n)
  }

  private func decodeInteractions(
    _ node: YAMLNode, _ path: ConfigPath, _ reader: inout ConfigReader
  ) -> InteractionSource? {
    guard let fields = reader.mapping(node, path, allowed: Self.interactionKeys, what: "interactions") else {
      return nil
    }
    let layout = decodeLayout(fields, path, &reader)
    let recBole = layout.format == .recbole
    func column(_ key: String, default fallback: String?) -> String? {
      guard let entry = fields[key] else {
        if key == "user" || key == "item", fallback == nil {
          reader.error("interactions needs '\(key)'", at: node.mark, path)
        }
        return fallback
      }
      return columnName(entry.value, path.key(key), what: key, header: layout.header, &reader)
    }
    var file: String? = nil
    if let entry = fields["path"] {
      file = dataPath(entry.value, path.key("path"), &reader)
    } else {
      reader.error("interactions needs 'path'", at: node.mark, path)
    }
    let user = column("user", default: recBole ? "user_id" : nil)
    let item = column("item", default: recBole ? "item_id" : nil)
    let rating = column("rating", default: nil)
    let timestamp = column("timestamp", default: nil)
    var minRating: Double? = nil
    if let entry = fields["min_rating"] {
      minRating = reader.finiteNumber(entry.value, path.key("min_rating"), what: "min_rating")
      if rating == nil, !recBole {
        reader.error("min_rating needs 'rating': the column it applies to", at: entry.key.mark, path.key("min_rating"))
      }
    }
    guard let file, let user, let item else { return nil }
    let source = InteractionSource(
      path: file,
      columns: InteractionColumns(user: user, item: item, rating: rating, timestamp: timestamp), minRating: minRating,
      delimiter: layout.delimiter, header: layout.header, format: layout.format)
    if checksDataFiles {
      report(DataLoader.headerProblems(source), fields: fields, node: node, path, &reader)
    }
    return source
  }

  /// Reports the problems of a data file's header (``DataLoader/headerProblems(_:)-(InteractionSource)``) at
  /// the setting each concerns: the `path`, a column key, or a metadata field's column (at the section
  /// for a default column the config does not write).
  private func report(
    _ problems: [HeaderProblem], fields: [String: (key: YAMLNode, value: YAMLNode)], node: YAMLNode,
    _ path: ConfigPath, _ reader: inout ConfigReader
  ) {
    for problem in problems {
      var target: (node: YAMLNode, path: ConfigPath)? = fields[problem.setting].map {
        ($0.value, path.key(problem.setting))
      }
      if problem.setting.hasPrefix("fields."), let field = fields["fields"]?.value.mapping {
        let name = String(problem.setting.dropFirst("fields.".count))
        if let value = field.first(where: { $0.key.scalar?.text == name })?.value {
          let fieldPath = path.key("fields").key(name)
          target =
            value.scalar != nil
            ? (value, fieldPath)
            : value.mapping?.first { $0.key.scalar?.text == "column" }
              .map { ($0.value, fieldPath.key("column")) }
        }
      }
      let error = problem.error
      let unreadable = error.kind == .unreadableInput
      let place = error.file + (error.line.map { ":\($0)" } ?? "")
      reader.error(
        unreadable ? "cannot open \(error.file): \(error.message)" : "\(place): \(error.message)",
        at: target?.node.mark ?? node.mark, target?.path ?? path, category: unreadable ? .unreadableInput : .badData)
    }
  }

  private func decodeItems(_ node: YAMLNode, _ path: ConfigPath, _ reader: inout ConfigReader) -> ItemSource? {
    guard let fields = reader.mapping(node, path, allowed: Self.itemKeys, what: "items") else { return nil }
    let layout = decodeLayout(fields, path, &reader)
    var file: String? = nil
    var id: String? = nil
    if let entry = fields["path"] {
      file = dataPath(entry.value, path.key("path"), &reader)
    } else {
      reader.error("items needs 'path'", at: node.mark, path)
    }
    if let entry = fields["id"] {
      id = columnName(entry.value, path.key("id"), what: "id", header: layout.header, &reader)
    } else if layout.format == .recbole {
      id = "item_id"
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
          guard let name = pair.key.scalar?.text else {
            reader.error(
              "metadata field names must be plain text, got \(pair.key.kindDescription)", at: pair.key.mark, fieldsPath)
            continue
          }
          guard reader.checkName(name, at: pair.key.mark, fieldsPath.key(name), noun: "a metadata field name") else {
            continue
          }
          if let field = decodeField(name, pair.value, fieldsPath.key(name), header: layout.header, &reader) {
            metadataFields.append(field)
          }
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
    guard let file, let id, !metadataFields.isEmpty else { return nil }
    let source = ItemSource(
      path: file, idColumn: id, fields: metadataFields, delimiter: layout.delimiter, header: layout.header,
      format: layout.format)
    if checksDataFiles {
      report(DataLoader.headerProblems(source), fields: fields, node: node, path, &reader)
    }
    return source
  }

  private func decodeField(
    _ name: String, _ node: YAMLNode, _ path: ConfigPath, header: Bool, _ reader: inout ConfigReader
  ) -> MetadataFieldSource? {
    // A bare column name, or {column, separator, mode}.
    if node.scalar != nil {
      return columnName(node, path, what: "a column name", header: header, &reader).map {
        MetadataFieldSource(name: name, column: $0)
      }
    }
    guard let fields = reader.mapping(node, path, allowed: Self.fieldKeys, what: "a metadata field") else { return nil }
    guard let columnNode = fields["column"]?.value else {
      reader.error("a metadata field needs 'column'", at: node.mark, path)
      return nil
    }
    guard let column = columnName(columnNode, path.key("column"), what: "column", header: header, &reader) else {
      return nil
    }
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
    // The sum with validation_fraction is checked only against a valid (or the default) test_fraction.
    var testFractionValid = fields["test_fraction"] == nil
    if let entry = fields["test_fraction"],
      let fraction = reader.finiteNumber(entry.value, path.key("test_fraction"), what: "test_fraction")
    {
      if fraction > 0, fraction < 1 {
        split.testFraction = fraction
        testFractionValid = true
      } else {
        reader.error(
          "test_fraction must be between 0 and 1 (exclusive), got \(fraction)", at: entry.value.mark,
          path.key("test_fraction"))
      }
    }
    if let entry = fields["validation_fraction"],
      let fraction = reader.finiteNumber(entry.value, path.key("validation_fraction"), what: "validation_fraction")
    {
      let testFraction =
        fields["test_fraction"] == nil ? "\(split.testFraction) (the default)" : "\(split.testFraction)"
      if !(fraction > 0 && fraction < 1) {
        reader.error(
          "validation_fraction must be between 0 and 1 (exclusive), got \(fraction)", at: entry.value.mark,
          path.key("validation_fraction"))
      } else if testFractionValid, split.testFraction + fraction >= 1 {
        reader.error(
          "test_fraction + validation_fraction must be below 1 (some interactions must stay for training), got "
            + "\(testFraction) + \(fraction) = \(split.testFraction + fraction)", at: entry.value.mark,
          path.key("validation_fraction"))
      } else if testFractionValid {
        split.validationFraction = fraction
      }
    }
    if let entry = fields["seed"], let seed = reader.integer(entry.value, path.key("seed"), what: "seed", minimum: 0) {
      split.seed = UInt64(seed)
    }
    return split
  }

  private func decodeEvaluation(_ node: YAMLNode, _ path: ConfigPath, _ reader: inout ConfigReader)
    -> EvaluationOptions?
  {
    guard let fields = reader.mapping(node, path, allowed: Self.evaluationKeys, what: "evaluation") else { return nil }
    var evaluation = EvaluationOptions()
    let beforeColumns = reader.checkpoint
    if let entry = fields["metrics"], let metrics = decodeMetrics(entry.value, path.key("metrics"), &reader) {
      evaluation.metrics = metrics
    }
    if let entry = fields["k"], let cutoffs = decodeCutoffs(entry.value, path.key("k"), &reader) {
      evaluation.cutoffs = cutoffs
    }
    if let entry = fields["ties"] {
      evaluation.ties = reader.choice(entry.value, path.key("ties"), what: "tie convention") ?? evaluation.ties
    }
    if let entry = fields["eval_every"],
      let n = reader.integer(entry.value, path.key("eval_every"), what: "eval_every", minimum: 0)
    {
      evaluation.evalEvery = n
    }
    if let entry = fields["significance"] {
      evaluation.significance = decodeSignificance(entry.value, path.key("significance"), &reader)
    }
    evaluation.select = EvaluationOptions.defaultSelect(metrics: evaluation.metrics, cutoffs: evaluation.cutoffs)
    if let entry = fields["select"], let text = reader.string(entry.value, path.key("select"), what: "select"),
      !reader.hasErrors(since: beforeColumns)  // the computed columns are known only without errors above
    {
      let computed = evaluation.columns
      if let column = MetricColumn(parsing: text), computed.contains(column) {
        evaluation.select = column
      } else {
        let names = computed.map(\.name)
        let hint = closestName(to: text, among: names).map { " (did you mean '\($0)'?)" } ?? ""
        reader.error(
          "select '\(text)' is not a computed column\(hint); the computed columns are: "
            + names.joined(separator: ", "), at: entry.value.mark, path.key("select"))
      }
    }
    return evaluation
  }

  /// `significance: {test: t | randomization, permutations, seed, max_p, correction}`; `significance: true`
  /// takes every default.
  private func decodeSignificance(_ node: YAMLNode, _ path: ConfigPath, _ reader: inout ConfigReader)
    -> SignificanceOptions?
  {
    if node.scalar != nil, case .boolean(let on)? = reader.resolved(node, path) {
      return on ? SignificanceOptions() : nil
    }
    guard let fields = reader.mapping(node, path, allowed: Self.significanceKeys, what: "significance") else {
      return nil
    }
    var options = SignificanceOptions()
    if let entry = fields["test"] {
      options.test = reader.choice(entry.value, path.key("test"), what: "significance test") ?? options.test
    }
    if let entry = fields["permutations"] {
      if let n = reader.integer(
        entry.value, path.key("permutations"), what: "permutations", minimum: 100, maximum: 10_000_000)
      {
        options.permutations = n
        if options.test != .randomization {
          reader.warning(
            "permutations applies to the randomization test; the t-test ignores it (add test: randomization)",
            at: entry.key.mark, path.key("permutations"))
        }
      }
    }
    if let entry = fields["seed"], let seed = reader.integer(entry.value, path.key("seed"), what: "seed", minimum: 0) {
      options.seed = UInt64(seed)
    }
    if let entry = fields["max_p"], let p = reader.finiteNumber(entry.value, path.key("max_p"), what: "max_p") {
      if p > 0, p < 1 {
        options.maxP = p
      } else {
        reader.error("max_p must be between 0 and 1 (exclusive), got \(p)", at: entry.value.mark, path.key("max_p"))
      }
    }
    if let entry = fields["correction"] {
      options.correction = reader.choice(entry.value, path.key("correction"), what: "correction") ?? options.correction
    }
    return options
  }

  /// `metrics:`: one metric name or a list of distinct ones.
  private func decodeMetrics(_ node: YAMLNode, _ path: ConfigPath, _ reader: inout ConfigReader) -> [RankingMetric]? {
    let elements: [(node: YAMLNode, path: ConfigPath)]
    if let list = node.sequence {
      guard !list.isEmpty else {
        reader.error("metrics is empty; name at least one metric", at: node.mark, path)
        return nil
      }
      elements = list.enumerated().map { ($1, path.index($0)) }
    } else {
      elements = [(node, path)]
    }
    let checkpoint = reader.checkpoint
    var metrics: [RankingMetric] = []
    for (element, elementPath) in elements {
      if let text = element.scalar?.text, let at = text.firstIndex(of: "@"),
        RankingMetric(rawValue: String(text[..<at])) != nil
      {
        reader.error(
          "a metric is named without its cut-off, got '\(text)'; give '\(text[..<at])' here and the cut-offs in k",
          at: element.mark, elementPath)
        continue
      }
      guard let metric: RankingMetric = reader.choice(element, elementPath, what: "metric") else { continue }
      if metrics.contains(metric) {
        reader.error(
          "metric '\(metric.rawValue)' is repeated; each metric is computed once", at: element.mark, elementPath)
        continue
      }
      metrics.append(metric)
    }
    return reader.hasErrors(since: checkpoint) ? nil : metrics
  }

  /// `k:`: one cut-off or a list of distinct ones, each at least 1.
  private func decodeCutoffs(_ node: YAMLNode, _ path: ConfigPath, _ reader: inout ConfigReader) -> [Int]? {
    guard let list = node.sequence else {
      return reader.integer(node, path, what: "k", minimum: 1).map { [$0] }
    }
    guard !list.isEmpty else {
      reader.error("k is empty; give at least one cut-off", at: node.mark, path)
      return nil
    }
    let checkpoint = reader.checkpoint
    var cutoffs: [Int] = []
    for (i, element) in list.enumerated() {
      guard let k = reader.integer(element, path.index(i), what: "k", minimum: 1) else { continue }
      if cutoffs.contains(k) {
        reader.error("k \(k) is repeated; the cut-offs must be distinct", at: element.mark, path.index(i))
        continue
      }
      cutoffs.append(k)
    }
    return reader.hasErrors(since: checkpoint) ? nil : cutoffs
  }
}
