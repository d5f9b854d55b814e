import LossLabTestSupport
import Foundation
import RankingLosses
import Testing

@testable import Recommender

/// A hand-made data set: user `u` has `sizes[u]` interactions with items `0..<sizes[u]`, written to the
/// "file" round-robin over the users (so the users' interactions interleave), with timestamps that tie.
func handMadeData(sizes: [Int]) -> InteractionData {
  var interactions: [Interaction] = []
  var timestamps: [Int64] = []
  for k in 0..<(sizes.max() ?? 0) {
    for (user, n) in sizes.enumerated() where k < n {
      interactions.append(Interaction(user: Int32(user), item: Int32(k)))
      timestamps.append(Int64((k * 7 + user) % 5))
    }
  }
  return InteractionData(
    userIDs: sizes.indices.map { "u\($0)" }, itemIDs: (0..<(sizes.max() ?? 0)).map { "i\($0)" },
    interactions: interactions, ratings: interactions.map { _ in 1 }, timestamps: timestamps,
    columns: InteractionColumns(user: "user", item: "item", timestamp: "time"))
}

/// Checks that `split` puts each of `data`'s interactions in exactly one part, each part in file order, the
/// per-user item lists matching the parts, and each user's test and validation counts equal to `expected`
/// (`nil`: the user is in training only). Returns the users in training only.
@discardableResult
func checkPartition(
  _ split: DataSplit, _ data: InteractionData, expected: [(test: Int, validation: Int)?],
  sourceLocation: SourceLocation = #_sourceLocation
) -> Int {
  let parts = [split.train, split.validation, split.test]
  let rows = [split.trainRows, split.validationRows, split.testRows]
  #expect(rows.joined().sorted() == (0..<Int32(data.count)).map { $0 }, sourceLocation: sourceLocation)
  #expect(Set(parts.joined()).count == data.count, sourceLocation: sourceLocation)
  for (part, partRows) in zip(parts, rows) {
    #expect(partRows == partRows.sorted(), "file order", sourceLocation: sourceLocation)
    #expect(part == partRows.map { data.interaction(at: Int($0)) }, sourceLocation: sourceLocation)
  }
  func byUser(_ part: [Interaction]) -> [[Int32]] {
    var items = [[Int32]](repeating: [], count: data.userCount)
    for interaction in part { items[Int(interaction.user)].append(interaction.item) }
    return items.map { $0.sorted() }
  }
  #expect(split.trainItemsByUser == byUser(split.train), sourceLocation: sourceLocation)
  #expect(split.testItemsByUser == byUser(split.test), sourceLocation: sourceLocation)
  #expect(split.validationItemsByUser == byUser(split.validation), sourceLocation: sourceLocation)
  var sizes = [Int](repeating: 0, count: data.userCount)
  for user in data.users { sizes[Int(user)] += 1 }
  var trainingOnly = 0
  for (user, n) in sizes.enumerated() {
    let (t, v) = (split.testItemsByUser[user].count, split.validationItemsByUser[user].count)
    #expect(split.trainItemsByUser[user].count == n - t - v, sourceLocation: sourceLocation)
    if let counts = expected[user] {
      #expect(t == counts.test && v == counts.validation, "user \(user), n = \(n)", sourceLocation: sourceLocation)
    } else {
      #expect(t == 0 && v == 0, "user \(user), n = \(n) is training-only", sourceLocation: sourceLocation)
      trainingOnly += 1
    }
  }
  #expect(split.trainingOnlyUsers == trainingOnly, sourceLocation: sourceLocation)
  return trainingOnly
}

/// The rule of the split with validation, for `n` interactions: `t = max(1, round(f_test · n))`,
/// `v = max(1, round(f_validation · n))`, kept if `t + v ≤ n − 1`.
func ruleCounts(_ n: Int, test: Double, validation: Double) -> (test: Int, validation: Int)? {
  let t = max(1, Int((test * Double(n)).rounded()))
  let v = max(1, Int((validation * Double(n)).rounded()))
  return t + v <= n - 1 ? (t, v) : nil
}

/// The bundled MovieLens ratings (data/movielens-small), loaded once.
let movieLensRatings: InteractionData = {
  let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("data/movielens-small")
  return try! DataLoader.load(
    InteractionSource(
      path: root.appendingPathComponent("ratings.csv").path,
      columns: InteractionColumns(user: "userId", item: "movieId", rating: "rating", timestamp: "timestamp")))
}()

/// A part's size and two sums over its `(userId, movieId)` pairs (keys `userId · 1000003 + movieId`: their
/// sum and, wrapping, the sum of their squares), to compare with the split of earlier versions.
func fingerprint(_ part: [Interaction], _ data: InteractionData) -> [UInt64] {
  var (sum, squares): (UInt64, UInt64) = (0, 0)
  for interaction in part {
    let key = UInt64(data.userIDs[Int(interaction.user)])! &* 1_000_003 &+ UInt64(data.itemIDs[Int(interaction.item)])!
    sum &+= key
    squares &+= key &* key
  }
  return [UInt64(part.count), sum, squares]
}

@Suite("Splitting with a validation part")
struct ValidationSplitTests {
  static let sizes = [1, 2, 3, 4, 5, 6, 8, 10, 13, 20]

  @Test(
    "hand-made data: each interaction in exactly one part; per-user counts follow the rule",
    arguments: [
      SplitMethod.random, .last,
    ])
  func handMade(method: SplitMethod) throws {
    let data = handMadeData(sizes: Self.sizes)
    let split = try DataSplit(data, method: method, testFraction: 0.2, validationFraction: 0.2, seed: 9)
    // Worked by hand: n = 8 → round(1.6) = 2 each; n = 13 → round(2.6) = 3 each.
    let expected: [(test: Int, validation: Int)?] = [
      nil, nil, (1, 1), (1, 1), (1, 1), (1, 1), (2, 2), (2, 2), (3, 3), (4, 4),
    ]
    #expect(
      Self.sizes.map { ruleCounts($0, test: 0.2, validation: 0.2).map { [$0.test, $0.validation] } }
        == expected.map { $0.map { [$0.test, $0.validation] } })
    #expect(checkPartition(split, data, expected: expected) == 2)
    #expect(split.hasValidation)
    #expect(
      split.note
        == "2 users have fewer than 3 interactions (too few for a training, a validation and a test part); "
        + "they are kept in training only")
    #expect(split.evaluatedUserCount == Self.sizes.count - 2)
  }

  @Test("large fractions: a user with more interactions can still be training-only; the note says why")
  func largeFractions() throws {
    let data = handMadeData(sizes: Self.sizes)
    // n = 4: 2 + 2 > 3; n = 5: 2 + 2 ≤ 4; n = 6: 3 + 3 > 5; n = 13: 6 + 6 ≤ 12.
    let expected: [(test: Int, validation: Int)?] = [nil, nil, (1, 1), nil, (2, 2), nil, nil, nil, (6, 6), (9, 9)]
    for method in SplitMethod.allCases {
      let split = try DataSplit(data, method: method, testFraction: 0.45, validationFraction: 0.45, seed: 1)
      #expect(checkPartition(split, data, expected: expected) == 6)
      #expect(
        split.note
          == "6 users have too few interactions for a training, a validation and a test part with test_fraction "
          + "0.45 and validation_fraction 0.45; they are kept in training only")
    }
    let one = try DataSplit(
      handMadeData(sizes: [1, 5]), method: .random, testFraction: 0.2, validationFraction: 0.2, seed: 1)
    #expect(one.trainingOnlyUsers == 1)
    #expect(
      one.note
        == "1 user has fewer than 3 interactions (too few for a training, a validation and a test part); it is kept "
        + "in training only")
  }

  @Test("last: the latest interactions (ties by file order) in test, the ones just before in validation")
  func last() throws {
    // File order: timestamps 5, 1, 9, 9, 3, 7. By time (ties by file order): rows 1, 4, 0, 5, 2, 3.
    let data = InteractionData(
      userIDs: ["a"], itemIDs: (0..<6).map { "i\($0)" }, users: [0, 0, 0, 0, 0, 0], items: [0, 1, 2, 3, 4, 5],
      timestamps: [5, 1, 9, 9, 3, 7], columns: InteractionColumns(user: "u", item: "i", timestamp: "t"))
    // t = round(1.2) = 1, v = round(1.8) = 2.
    let split = try DataSplit(data, method: .last, testFraction: 0.2, validationFraction: 0.3, seed: 0)
    #expect(split.testRows == [3])
    #expect(split.validationRows == [2, 5])
    #expect(split.trainRows == [0, 1, 4])
    #expect(split.test.map(\.item) == [3])
    #expect(split.note == nil && split.trainingOnlyUsers == 0)

    // Every hand-made user: each test time ≥ each validation time ≥ each training time.
    let many = handMadeData(sizes: ValidationSplitTests.sizes)
    let byTime = try DataSplit(many, method: .last, testFraction: 0.2, validationFraction: 0.2, seed: 0)
    for user in 0..<many.userCount {
      func order(_ rows: [Int32]) -> [Int64] {
        rows.filter { many.users[Int($0)] == Int32(user) }.map { many.timestamps![Int($0)] * 1000 + Int64($0) }
      }
      let (train, validation, test) = (
        order(byTime.trainRows), order(byTime.validationRows), order(byTime.testRows)
      )
      if let lowestTest = test.min(), let highestValidation = validation.max() {
        #expect(highestValidation < lowestTest)
      }
      if let lowestValidation = validation.min(), let highestTrain = train.max() {
        #expect(highestTrain < lowestValidation)
      }
    }
  }

  @Test("random: reproducible with the seed, another seed differs")
  func reproducible() throws {
    let data = plantedData()
    let a = try DataSplit(data, method: .random, testFraction: 0.3, validationFraction: 0.2, seed: 5)
    let b = try DataSplit(data, method: .random, testFraction: 0.3, validationFraction: 0.2, seed: 5)
    let c = try DataSplit(data, method: .random, testFraction: 0.3, validationFraction: 0.2, seed: 6)
    #expect(a.validation == b.validation && a.test == b.test)
    #expect(a.validation != c.validation)
    // 9 per user: round(2.7) = 3 test, round(1.8) = 2 validation.
    checkPartition(a, data, expected: Array(repeating: (3, 2), count: data.userCount))
  }

  @Test("no validation: the split is today's (no validation part, no note, the same draws)")
  func withoutValidation() throws {
    let data = handMadeData(sizes: Self.sizes)
    for method in SplitMethod.allCases {
      let split = try DataSplit(data, method: method, testFraction: 0.2, seed: 4)
      #expect(split.validation.isEmpty && split.validationItemsByUser.isEmpty && !split.hasValidation)
      #expect(split.note == nil)
      // min(n − 1, round(0.2 n)): users with 1 and 2 interactions hold none out.
      #expect(split.testItemsByUser.map(\.count) == [0, 0, 1, 1, 1, 1, 2, 2, 3, 4])
      #expect(split.trainingOnlyUsers == 2)
      let explicit = try DataSplit(data, method: method, testFraction: 0.2, validationFraction: nil, seed: 4)
      #expect(explicit.test == split.test && explicit.train == split.train)
    }
  }

  @Test("the bundled data without validation: the split of earlier versions, to the interaction")
  func movieLensUnchanged() throws {
    let data = movieLensRatings
    // Counts and fingerprints of test.csv written by `losslab split` before the validation part existed.
    let cases: [(SplitMethod, Double, UInt64, [UInt64])] = [
      (.random, 0.2, 42, [20_164, 6_576_679_210_072, 13_434_245_752_519_022_414]),
      (.last, 0.2, 42, [20_164, 6_576_900_300_195, 13_580_034_563_632_969_097]),
      (.random, 0.3, 7, [30_275, 9_872_348_014_453, 4_663_290_679_802_255_227]),
      (.last, 0.1, 1, [10_122, 3_300_403_062_723, 11_515_920_890_381_743_213]),
    ]
    for (method, fraction, seed, test) in cases {
      let split = try DataSplit(data, method: method, testFraction: fraction, seed: seed)
      #expect(fingerprint(split.test, data) == test, "\(method) \(fraction) \(seed)")
      #expect(split.train.count + split.test.count == 100_836)
      #expect(split.validation.isEmpty && split.trainingOnlyUsers == 0)
    }
  }

  @Test(
    "the bundled data with validation: a partition by the rule; the test part is the one without",
    arguments: [
      SplitMethod.random, .last,
    ])
  func movieLens(method: SplitMethod) throws {
    let data = movieLensRatings
    let split = try DataSplit(data, method: method, testFraction: 0.2, validationFraction: 0.1, seed: 42)
    var sizes = [Int](repeating: 0, count: data.userCount)
    for user in data.users { sizes[Int(user)] += 1 }
    let expected = sizes.map { ruleCounts($0, test: 0.2, validation: 0.1) }
    #expect(checkPartition(split, data, expected: expected) == 0)
    #expect([split.train.count, split.validation.count, split.test.count] == [Int]([70_550, 10_122, 20_164]))
    #expect(split.note == nil)
    // Every user has at least 20 ratings, so no one is training-only and the random draws are the same: the
    // validation part comes out of training.
    let without = try DataSplit(data, method: method, testFraction: 0.2, seed: 42)
    #expect(split.test == without.test)
    #expect(Set(split.train).union(split.validation) == Set(without.train))
  }

  @Test("errors: no user with a validation part; fractions out of range")
  func errors() {
    let small = handMadeData(sizes: [1, 2, 2])
    #expect(
      thrownMessage { _ = try DataSplit(small, method: .random, testFraction: 0.3, validationFraction: 0.2, seed: 1) }
        == "split: error: no user has a validation interaction (every user has too few interactions for a training, "
        + "a validation and a test part with test_fraction 0.3 and validation_fraction 0.2)")
    // Without validation the same data splits (users with 2 interactions hold round(0.6) = 1 out).
    #expect(thrownMessage { _ = try DataSplit(small, method: .random, testFraction: 0.3, seed: 1) } == "no error")
    let data = handMadeData(sizes: [10])
    #expect(
      thrownMessage { _ = try DataSplit(data, method: .last, testFraction: 0.5, validationFraction: 0.5, seed: 1) }
        == "split: error: test_fraction + validation_fraction must be below 1, got 0.5 + 0.5 = 1.0")
    #expect(
      thrownMessage { _ = try DataSplit(data, method: .last, testFraction: 0.5, validationFraction: .nan, seed: 1) }
        == "split: error: validation_fraction must be between 0 and 1 (exclusive), got nan")
  }
}
