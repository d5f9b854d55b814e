import RankingLosses

/// How to hold out each user's test (and validation) interactions.
public enum SplitMethod: String, Sendable, Hashable, CaseIterable {
  /// A random `test_fraction` of each user's interactions, drawn with a seed (then a random
  /// `validation_fraction`, when there is one).
  case random
  /// Each user's last `test_fraction` of interactions by timestamp (ties by file order), and the
  /// `validation_fraction` just before them when there is one.
  case last
}

/// A per-user train/test split of an ``InteractionData``, with an optional validation part.
public struct DataSplit: Sendable {
  /// The training interactions, in file order.
  public var train: [Interaction]
  /// The held-out interactions, in file order.
  public var test: [Interaction]
  /// The validation interactions, in file order; empty when the split has no validation part.
  public var validation: [Interaction]
  /// The row (in the ``InteractionData``) of each training interaction, ascending.
  public var trainRows: [Int32]
  /// The row of each held-out interaction, ascending.
  public var testRows: [Int32]
  /// The row of each validation interaction, ascending; empty when the split has no validation part.
  public var validationRows: [Int32]
  /// Per user, the dense ids of their training items, sorted ascending.
  public var trainItemsByUser: [[Int32]]
  /// Per user, the dense ids of their test items, sorted ascending.
  public var testItemsByUser: [[Int32]]
  /// Per user, the dense ids of their validation items, sorted ascending; empty when the split has no
  /// validation part.
  public var validationItemsByUser: [[Int32]]
  /// The users (with at least one interaction) that have no test interaction: every interaction they have
  /// is in training.
  public var trainingOnlyUsers: Int
  /// A remark for reports when the split has a validation part and some users are kept in training only;
  /// `nil` otherwise.
  public var note: String?

  /// Whether the split has a validation part.
  public var hasValidation: Bool { !validation.isEmpty }

  /// The items a user's test ranking leaves out, sorted ascending: the training items and, with a
  /// validation split, the validation items (both are known interactions when a model is tested).
  ///
  /// - Parameter user: A dense user index.
  public func testExcludedItems(of user: Int) -> [Int32] {
    hasValidation ? (trainItemsByUser[user] + validationItemsByUser[user]).sorted() : trainItemsByUser[user]
  }

  /// Splits `data` per user.
  ///
  /// Without `validationFraction`, for a user with `n` interactions, `round(testFraction · n)` go to the
  /// test set, but always leaving at least one in training (a user with one interaction has none in test).
  ///
  /// With `validationFraction`, a user with `n` interactions gives `t = max(1, round(testFraction · n))` to
  /// test and `v = max(1, round(validationFraction · n))` to validation when `t + v ≤ n − 1`, the rest to
  /// training; otherwise the user is kept in training only (counted in ``trainingOnlyUsers`` and told in
  /// ``note``). `random` draws the test part first and then the validation part from the user's shuffled
  /// interactions; `last` gives the latest `t` to test and the `v` before them to validation.
  ///
  /// - Parameters:
  ///   - data: The data set.
  ///   - method: Random or last by timestamp.
  ///   - testFraction: In `(0, 1)`.
  ///   - validationFraction: In `(0, 1)`, with `testFraction + validationFraction < 1`; `nil` for no
  ///     validation part (the split is then exactly the train/test split without it).
  ///   - seed: The seed of the random method; the same seed and data give the same split everywhere.
  /// - Throws: ``DataError`` when `last` is asked for data without timestamps, when `validationFraction` is
  ///   out of range, or when no user has a test (or validation) interaction.
  public init(
    _ data: InteractionData, method: SplitMethod, testFraction: Double, validationFraction: Double? = nil,
    seed: UInt64
  ) throws(DataError) {
    precondition(testFraction > 0 && testFraction < 1, "testFraction must be in (0, 1)")
    if let validationFraction {
      guard validationFraction > 0, validationFraction < 1 else {
        throw DataError(
          file: "split", message: "validation_fraction must be between 0 and 1 (exclusive), got \(validationFraction)")
      }
      guard testFraction + validationFraction < 1 else {
        throw DataError(
          file: "split",
          message: "test_fraction + validation_fraction must be below 1, got \(testFraction) + \(validationFraction) = "
            + "\(testFraction + validationFraction)")
      }
    }
    if method == .last, data.columns.timestamp == nil || data.timestamps == nil {
      throw DataError(file: "split", message: "split method 'last' needs a timestamp column in the interactions")
    }
    // Each user's rows in file order; the random method shuffles them and `last` sorts them, in place.
    var groups = UserGroups(users: data.users, userCount: data.userCount)
    var part = [Part](repeating: .train, count: data.count)
    var random = SplitMix64(seed: seed)
    var trainingOnly = 0
    var largestTrainingOnly = 0
    let timestamps = data.timestamps ?? []
    groups.order.withUnsafeMutableBufferPointer { order in
      for user in 0..<data.userCount {
        let range = groups.offsets[user]..<groups.offsets[user + 1]
        let n = range.count
        guard n > 0 else { continue }
        let (testCount, validationCount) = Self.counts(
          n: n, testFraction: testFraction, validationFraction: validationFraction)
        guard testCount > 0 else {
          trainingOnly += 1
          largestTrainingOnly = max(largestTrainingOnly, n)
          continue
        }
        // Ordered so that the test part comes first, then the validation part.
        var rows = order[range]
        switch method {
        case .random:
          rows.shuffle(using: &random)
        case .last:
          rows.sort { a, b in
            let (ta, tb) = (timestamps[Int(a)], timestamps[Int(b)])
            return ta != tb ? ta > tb : a > b
          }
        }
        for row in rows.prefix(testCount) { part[Int(row)] = .test }
        for row in rows.dropFirst(testCount).prefix(validationCount) { part[Int(row)] = .validation }
      }
    }
    var counts = [0, 0, 0]
    for p in part { counts[Int(p.rawValue)] += 1 }
    var rows: [[Int32]] = counts.map { [Int32](repeating: 0, count: $0) }
    var parts: [[Interaction]] = counts.map { [Interaction](repeating: Interaction(user: 0, item: 0), count: $0) }
    var filled = [0, 0, 0]
    for row in 0..<data.count {
      let p = Int(part[row].rawValue)
      rows[p][filled[p]] = Int32(row)
      parts[p][filled[p]] = Interaction(user: data.users[row], item: data.items[row])
      filled[p] += 1
    }
    let (train, test, validation) = (parts[0], parts[1], parts[2])
    // Per user, the items of each part, sorted.
    var trainItems = [[Int32]](repeating: [], count: data.userCount)
    var testItems = [[Int32]](repeating: [], count: data.userCount)
    var validationItems = [[Int32]](repeating: [], count: validationFraction == nil ? 0 : data.userCount)
    var scratch: [[Int32]] = [[], [], []]
    for user in 0..<data.userCount {
      for k in 0..<3 { scratch[k].removeAll(keepingCapacity: true) }
      for k in groups.offsets[user]..<groups.offsets[user + 1] {
        let row = Int(groups.order[k])
        scratch[Int(part[row].rawValue)].append(data.items[row])
      }
      trainItems[user] = scratch[0].sorted()
      testItems[user] = scratch[1].sorted()
      if validationFraction != nil { validationItems[user] = scratch[2].sorted() }
    }
    if let validationFraction, validation.isEmpty {
      throw DataError(
        file: "split",
        message:
          "no user has a validation interaction (every user has too few interactions for a training, a validation "
          + "and a test part with test_fraction \(testFraction) and validation_fraction \(validationFraction))")
    }
    guard !test.isEmpty else {
      throw DataError(
        file: "split",
        message:
          "no user has a test interaction (every user has too few interactions for test_fraction \(testFraction))")
    }
    self.train = train
    self.test = test
    self.validation = validation
    self.trainRows = rows[0]
    self.testRows = rows[1]
    self.validationRows = rows[2]
    self.trainItemsByUser = trainItems
    self.testItemsByUser = testItems
    self.validationItemsByUser = validationItems
    self.trainingOnlyUsers = trainingOnly
    self.note =
      validationFraction == nil || trainingOnly == 0
      ? nil
      : Self.trainingOnlyNote(
        trainingOnly, largest: largestTrainingOnly, testFraction: testFraction,
        validationFraction: validationFraction ?? 0)
  }

  /// The number of users with at least one test interaction.
  public var evaluatedUserCount: Int { testItemsByUser.filter { !$0.isEmpty }.count }

  /// Where an interaction goes.
  private enum Part: UInt8 {
    case train, test, validation
  }

  /// A user's test and validation counts for `n` interactions; `(0, 0)` keeps the user in training only.
  static func counts(n: Int, testFraction: Double, validationFraction: Double?) -> (test: Int, validation: Int) {
    guard let validationFraction else {
      // Without validation: the rule of the train/test split, unchanged.
      return (min(n - 1, Int((testFraction * Double(n)).rounded())), 0)
    }
    let t = max(1, Int((testFraction * Double(n)).rounded()))
    let v = max(1, Int((validationFraction * Double(n)).rounded()))
    return t + v <= n - 1 ? (t, v) : (0, 0)
  }

  /// The note on users kept in training only; `largest` is the most interactions such a user has.
  private static func trainingOnlyNote(
    _ users: Int, largest: Int, testFraction: Double, validationFraction: Double
  ) -> String {
    let who = users == 1 ? "1 user has" : "\(users) users have"
    let kept = users == 1 ? "it is kept in training only" : "they are kept in training only"
    if largest < 3 {
      return "\(who) fewer than 3 interactions (too few for a training, a validation and a test part); \(kept)"
    }
    return "\(who) too few interactions for a training, a validation and a test part with test_fraction "
      + "\(testFraction) and validation_fraction \(validationFraction); \(kept)"
  }
}
