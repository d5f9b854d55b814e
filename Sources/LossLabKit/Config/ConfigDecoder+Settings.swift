import RankingLosses
import Recommender
import YAMLNodes

extension ConfigDecoder {
  static let modelKeys = ["factors", "init_scale"]
  static let trainingKeys = [
    "epochs", "batch_size", "negatives", "sampler", "optimizer", "learning_rate", "l2", "threads", "patience",
  ]
  static let searchKeys = ["method", "trials", "seed"]
  /// The most points a grid of training settings may have without `search: {method: random, trials: N}`.
  static let maxTrainingGridPoints = 100
  /// The most points a grid of training settings may have at all (a random search draws from it).
  static let maxSearchGridPoints = 1_000_000

  /// The section of a training config that holds settings: `model:` or `training:`.
  enum SettingsSection: String {
    case model, training

    var keys: [String] { self == .model ? ConfigDecoder.modelKeys : ConfigDecoder.trainingKeys }
  }

  /// Where a grid's settings were written, for the messages about the grid as a whole.
  struct GridPlace {
    /// The first setting given as a list of several values, if any.
    var firstList: (mark: YAMLMark?, path: ConfigPath)? = nil
    /// `patience`, if given.
    var patience: (mark: YAMLMark?, path: ConfigPath)? = nil
  }

  /// Decodes `model:` or `training:` (top level, or a loss entry's override) into `grid`: each key's value,
  /// or each value of a list (a grid axis). Every value is checked like a single one, at its own place.
  func decodeSettings(
    _ node: YAMLNode, _ path: ConfigPath, section: SettingsSection, into grid: inout SettingsGrid,
    place: inout GridPlace, _ reader: inout ConfigReader
  ) {
    guard let fields = reader.mapping(node, path, allowed: section.keys, what: section.rawValue, takesLists: true)
    else { return }
    for key in section.keys {
      guard let entry = fields[key] else { continue }
      let keyPath = path.key(key)
      if key == "patience" { place.patience = place.patience ?? (entry.key.mark, keyPath) }
      guard entry.value.sequence != nil else {
        if reader.unbracketedList(entry.value, keyPath, key: key) { continue }
        if let value = decodeSetting(key, section: section, entry.value, keyPath, &reader) {
          grid.set("\(section.rawValue).\(key)", [value])
        }
        continue
      }
      guard let elements = reader.sequence(entry.value, keyPath, what: key) else { continue }
      if elements.isEmpty {
        reader.error(
          "\(key) is an empty list; give one value or a list of values to try", at: entry.value.mark, keyPath)
        continue
      }
      let checkpoint = reader.checkpoint
      var values: [TrainingSetting] = []
      for (i, element) in elements.enumerated() {
        guard let value = decodeSetting(key, section: section, element, keyPath.index(i), &reader) else { continue }
        if values.contains(value) {
          reader.error(
            "\(key) lists \(value.valueText) twice; each value of a grid once", at: element.mark, keyPath.index(i))
          continue
        }
        values.append(value)
      }
      guard !reader.hasErrors(since: checkpoint) else { continue }
      if values.count > 1, place.firstList == nil { place.firstList = (entry.value.mark, keyPath) }
      grid.set("\(section.rawValue).\(key)", values)
    }
  }

  /// One value of a setting, with the same checks as ever.
  private func decodeSetting(
    _ key: String, section: SettingsSection, _ node: YAMLNode, _ path: ConfigPath, _ reader: inout ConfigReader
  ) -> TrainingSetting? {
    func int(minimum: Int, maximum: Int) -> Int? {
      reader.integer(node, path, what: key, minimum: minimum, maximum: maximum)
    }
    func real(allowZero: Bool) -> Double? {
      guard let x = reader.finiteNumber(node, path, what: key) else { return nil }
      guard x > 0 || (allowZero && x == 0) else {
        reader.error("\(key) must be \(allowZero ? ">= 0" : "> 0"), got \(x)", at: node.mark, path)
        return nil
      }
      return x
    }
    switch key {
    case "factors": return int(minimum: 1, maximum: 4096).map(TrainingSetting.factors)
    case "init_scale": return real(allowZero: false).map(TrainingSetting.initScale)
    case "epochs": return int(minimum: 1, maximum: 100_000).map(TrainingSetting.epochs)
    case "batch_size": return int(minimum: 1, maximum: 1_000_000).map(TrainingSetting.batchSize)
    case "negatives": return int(minimum: 1, maximum: 10_000).map(TrainingSetting.negatives)
    case "threads": return int(minimum: 1, maximum: 256).map(TrainingSetting.threads)
    case "patience": return int(minimum: 1, maximum: 100_000).map(TrainingSetting.patience)
    case "sampler":
      return (reader.choice(node, path, what: "sampler") as SamplerKind?).map(TrainingSetting.sampler)
    case "optimizer":
      return (reader.choice(node, path, what: "optimizer") as OptimizerKind?).map(TrainingSetting.optimizer)
    case "learning_rate": return real(allowZero: false).map(TrainingSetting.learningRate)
    case "l2": return real(allowZero: true).map(TrainingSetting.l2)
    default: return nil
    }
  }

  /// Decodes `search: {method: grid | random, trials: N, seed: S}`.
  func decodeSearch(_ node: YAMLNode, _ path: ConfigPath, _ reader: inout ConfigReader) -> SearchOptions? {
    guard let fields = reader.mapping(node, path, allowed: Self.searchKeys, what: "search") else { return nil }
    var search = SearchOptions()
    if let entry = fields["method"] {
      search.method = reader.choice(entry.value, path.key("method"), what: "search method") ?? search.method
    }
    if let entry = fields["trials"] {
      if let n = reader.integer(
        entry.value, path.key("trials"), what: "trials", minimum: 1, maximum: Self.maxTrainingGridPoints)
      {
        search.trials = n
      }
      if search.method != .random {
        reader.error(
          "trials applies to a random search; add method: random, or drop trials to train every point",
          at: entry.key.mark, path.key("trials"))
      }
    } else if search.method == .random {
      reader.error("a random search needs 'trials': the number of points to train", at: node.mark, path)
    }
    if let entry = fields["seed"], let seed = reader.integer(entry.value, path.key("seed"), what: "seed", minimum: 0) {
      search.seed = UInt64(seed)
    }
    return search
  }

  /// Checks a variant's grid and returns its points: too many points without a random search, or a grid or
  /// early stopping without a validation split, are errors (reported once per place).
  func gridPoints(
    _ grid: SettingsGrid, place: GridPlace, search: SearchOptions?, hasValidation: Bool, base: TrainingOptions,
    reported: inout Set<String>, _ reader: inout ConfigReader
  ) -> (points: [TrainingPoint], size: Int)? {
    func once(_ message: String, _ at: (mark: YAMLMark?, path: ConfigPath)) {
      guard reported.insert("\(at.path)\u{0}\(message)").inserted else { return }
      reader.error(message, at: at.mark, at.path)
    }
    var failed = false
    if let patience = place.patience, !hasValidation {
      once(
        "patience needs a validation split to score each epoch on: add split.validation_fraction (e.g. 0.1)",
        patience)
      failed = true
    }
    guard let list = place.firstList else { return failed ? nil : ([grid.point(0, base: base)], 1) }
    if !hasValidation {
      once(
        "a list of values makes a grid of training settings (\(grid.shape)), and choosing among them needs a "
          + "validation split: add split.validation_fraction (e.g. 0.1); choosing on the test split would "
          + "overstate the test scores", list)
      failed = true
    }
    let random = search?.method == .random
    let limit = random ? Self.maxSearchGridPoints : Self.maxTrainingGridPoints
    guard let size = grid.pointCount, size <= limit else {
      let count = grid.pointCount.map { "\($0) points" } ?? "more points than fit in a 64-bit integer"
      once(
        random
          ? "the grid of training settings (\(grid.shape)) has \(count), more than the \(limit) a random search "
            + "draws from; give fewer values"
          : "the grid of training settings (\(grid.shape)) has \(count), more than \(limit); give fewer values "
            + "or sample it with search: {method: random, trials: N}", list)
      return nil
    }
    guard !failed else { return nil }
    return (grid.points(search: search, base: base), size)
  }
}
