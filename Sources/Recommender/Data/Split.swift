import RankingLosses

/// How to hold out each user's test interactions.
public enum SplitMethod: String, Sendable, Hashable, CaseIterable {
  /// A random `test_fraction` of each user's interactions, drawn with a seed.
  case random
  /// Each user's last `test_fraction` of interactions by timestamp (ties by file order).
  case last
}

/// A per-user train/test split of an ``InteractionData``.
public struct DataSplit: Sendable {
  /// The training interactions, in file order.
  public var train: [Interaction]
  /// The held-out interactions, in file order.
  public var test: [Interaction]
  /// Per user, the dense ids of their training items, sorted ascending.
  public var trainItemsByUser: [[Int32]]
  /// Per user, the dense ids of their test items, sorted ascending.
  public var testItemsByUser: [[Int32]]

  /// Splits `data` per user.
  ///
  /// For a user with `n` interactions, `round(testFraction · n)` go to the test set, but always leaving at
  /// least one in training (a user with one interaction has none in test).
  ///
  /// - Parameters:
  ///   - data: The data set.
  ///   - method: Random or last by timestamp.
  ///   - testFraction: In `(0, 1)`.
  ///   - seed: The seed of the random method; the same seed and data give the same split everywhere.
  /// - Throws: ``DataError`` when `last` is asked for data without timestamps, or when no user has a test
  ///   interaction.
  public init(_ data: InteractionData, method: SplitMethod, testFraction: Double, seed: UInt64) throws(DataError) {
    precondition(testFraction > 0 && testFraction < 1, "testFraction must be in (0, 1)")
    if method == .last, data.columns.timestamp == nil {
      throw DataError(file: "split", message: "split method 'last' needs a timestamp column in the interactions")
    }
    var byUser = [[Int]](repeating: [], count: data.userCount)
    for (index, interaction) in data.interactions.enumerated() { byUser[Int(interaction.user)].append(index) }
    var isTest = [Bool](repeating: false, count: data.interactions.count)
    var random = SplitMix64(seed: seed)
    for var indices in byUser where !indices.isEmpty {
      let n = indices.count
      let testCount = min(n - 1, Int((testFraction * Double(n)).rounded()))
      guard testCount > 0 else { continue }
      switch method {
      case .random:
        indices.shuffle(using: &random)
        for index in indices.prefix(testCount) { isTest[index] = true }
      case .last:
        let ordered = indices.sorted { a, b in
          let (ta, tb) = (data.interactions[a].timestamp ?? 0, data.interactions[b].timestamp ?? 0)
          return ta != tb ? ta < tb : a < b
        }
        for index in ordered.suffix(testCount) { isTest[index] = true }
      }
    }
    var train: [Interaction] = []
    var test: [Interaction] = []
    var trainItems = [[Int32]](repeating: [], count: data.userCount)
    var testItems = [[Int32]](repeating: [], count: data.userCount)
    for (index, interaction) in data.interactions.enumerated() {
      if isTest[index] {
        test.append(interaction)
        testItems[Int(interaction.user)].append(interaction.item)
      } else {
        train.append(interaction)
        trainItems[Int(interaction.user)].append(interaction.item)
      }
    }
    guard !test.isEmpty else {
      throw DataError(
        file: "split",
        message:
          "no user has a test interaction (every user has too few interactions for test_fraction \(testFraction))")
    }
    self.train = train
    self.test = test
    self.trainItemsByUser = trainItems.map { $0.sorted() }
    self.testItemsByUser = testItems.map { $0.sorted() }
  }

  /// The number of users with at least one test interaction.
  public var evaluatedUserCount: Int { testItemsByUser.filter { !$0.isEmpty }.count }
}
