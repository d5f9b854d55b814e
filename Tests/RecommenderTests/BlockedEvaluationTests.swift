import RankingLosses
import Testing

@testable import Recommender

/// A random model with nonzero biases.
private func randomModel(users: Int, items: Int, factors: Int, seed: UInt64) -> FactorModel {
  let model = FactorModel(userCount: users, itemCount: items, factors: factors, initScale: 0.7, seed: seed)
  var random = SplitMix64(seed: seed &+ 1)
  for item in model.itemBias.indices { model.itemBias[item] = Float(random.nextGaussian()) }
  return model
}

/// `users` with random training items (some repeated) and test items over `items`; every seventh user has no
/// test item.
private func randomUsers(_ users: [Int], items: Int, seed: UInt64) -> [EvaluationUser] {
  var random = SplitMix64(seed: seed)
  return users.enumerated().map { index, user in
    let shuffled = Array(0..<Int32(items)).shuffled(using: &random)
    let trainCount = Int.random(in: 0...(items / 2), using: &random)
    let testCount = index % 7 == 3 ? 0 : Int.random(in: 1...(items / 3), using: &random)
    return EvaluationUser(
      user: user, trainItems: (shuffled[0..<trainCount] + shuffled[0..<min(index % 4, trainCount)]).sorted(),
      testItems: Array(shuffled[trainCount..<(trainCount + testCount)]))
  }
}

@Suite("Blocked scoring")
struct BlockedScoringTests {
  @Test(
    "scoreBlock equals scoreAll bit for bit, for any factor count and number of users",
    arguments: [1, 3, 7, 8, 9, 13, 16, 32, 37])
  func equalsScoreAll(factors: Int) {
    let model = randomModel(users: 23, items: 41, factors: factors, seed: UInt64(factors))
    var random = SplitMix64(seed: 11)
    for count in [0, 1, 3, 4, 5, 8, 9, 12, 17, 23, 30] {
      // Any order, repeats allowed.
      let users = (0..<count).map { _ in Int.random(in: 0..<model.userCount, using: &random) }
      var blocked = [Float](repeating: .nan, count: count * model.itemCount + 5)
      users.withUnsafeBufferPointer { users in
        blocked.withUnsafeMutableBufferPointer { model.scoreBlock(users: users, into: $0) }
      }
      var single = [Float](repeating: 0, count: model.itemCount)
      for (row, user) in users.enumerated() {
        single.withUnsafeMutableBufferPointer { model.scoreAll(user: user, into: $0) }
        let got = blocked[(row * model.itemCount)..<((row + 1) * model.itemCount)]
        #expect(got.map(\.bitPattern) == single.map(\.bitPattern), "\(factors) factors, \(count) users, row \(row)")
      }
      let untouched = blocked.suffix(5).allSatisfy { $0.isNaN }
      #expect(untouched, "the floats past the rows are not touched")
    }
  }
}

@Suite("Scoring from item panels")
struct PanelScoringTests {
  @Test(
    "scoreBlock from item panels equals scoreAll bit for bit, for any factor and item count",
    arguments: [1, 3, 7, 8, 9, 13, 16, 31, 32, 33, 40])
  func equalsScoreAll(factors: Int) {
    var random = SplitMix64(seed: 3)
    // Item counts below, at and past a panel's 16, so that the last panel is full or partial.
    for items in [1, 15, 16, 17, 41] {
      let model = randomModel(users: 19, items: items, factors: factors, seed: UInt64(factors * 100 + items))
      let panels = model.itemPanels()
      #expect(panels.count == (items + 15) / 16)
      for count in [0, 1, 5, 8, 19] {
        let users = (0..<count).map { _ in Int.random(in: 0..<model.userCount, using: &random) }
        var scores = [Float](repeating: .nan, count: count * items + 3)
        users.withUnsafeBufferPointer { users in
          scores.withUnsafeMutableBufferPointer { model.scoreBlock(users: users, panels: panels, into: $0) }
        }
        var single = [Float](repeating: 0, count: items)
        for (row, user) in users.enumerated() {
          single.withUnsafeMutableBufferPointer { model.scoreAll(user: user, into: $0) }
          let got = scores[(row * items)..<((row + 1) * items)]
          #expect(got.map(\.bitPattern) == single.map(\.bitPattern), "\(factors) factors, \(items) items, row \(row)")
        }
        #expect(scores.suffix(3).allSatisfy { $0.isNaN }, "the floats past the rows are not touched")
      }
    }
  }

  @Test("the panels are a snapshot: training the model after taking them does not change them")
  func snapshot() {
    let model = randomModel(users: 2, items: 20, factors: 9, seed: 8)
    let panels = model.itemPanels()
    let before = panels.values
    model.itemFactors[0] += 1
    model.itemBias[19] += 1
    #expect(panels.values == before)
    #expect(panels.values[0] != model.itemFactors[0])
    #expect(panels.bias[19] != model.itemBias[19])
  }
}

@Suite("Blocked evaluation")
struct BlockedEvaluationTests {
  static let model = randomModel(users: 50, items: 70, factors: 13, seed: 5)
  /// 38 users in an arbitrary order (one repeated), so that no thread's chunk is a multiple of a block.
  static let users = randomUsers(
    Array((0..<37).map { ($0 * 17) % 50 }) + [4], items: 70, seed: 9)
  static let columns = MetricColumn.columns(
    metrics: [.ndcg, .precision, .recall, .map, .mrr, .hitRate, .auc], cutoffs: [3, 10, 100])

  @Test("the blocked table equals the per-user one exactly, for 1, 2 and 3 threads and any block size")
  func equalsPerUser() {
    let model = Self.model
    for ties in TieConvention.allCases {
      let reference = Evaluator(ties: ties).evaluateTable(
        columns: Self.columns, itemCount: model.itemCount, users: Self.users
      ) { user, scores in model.scoreAll(user: user, into: scores) }
      // Each row: the user's own metrics, ranked directly over the candidates in id order.
      let evaluated = Self.users.filter { !$0.testItems.isEmpty }
      #expect(reference.users == evaluated.map(\.user))
      for (row, user) in evaluated.enumerated() {
        let candidates = (0..<model.itemCount).filter { !user.trainItems.contains(Int32($0)) }
        let scores = candidates.map { model.score(user: user.user, item: $0) }
        let relevant = user.testItems.map { candidates.firstIndex(of: Int($0))! }
        for (c, column) in Self.columns.enumerated() {
          let direct = RankingEvaluation.userMetrics(scores: scores, relevant: relevant, k: column.k ?? 1, ties: ties)
          #expect(reference[row, c] == direct[column.metric], "\(column) row \(row)")
        }
      }
      for threads in [1, 2, 3] {
        let evaluator = Evaluator(ties: ties, threads: threads)
        let perUser = evaluator.evaluateTable(columns: Self.columns, itemCount: model.itemCount, users: Self.users) {
          user, scores in model.scoreAll(user: user, into: scores)
        }
        #expect(perUser == reference, "\(threads) threads, per user")
        #expect(
          evaluator.evaluateTable(columns: Self.columns, users: Self.users, model: model) == reference,
          "\(threads) threads, model")
        for blockSize in [1, 2, 3, 8, 64] {
          let blocked = evaluator.evaluateTable(
            columns: Self.columns, itemCount: model.itemCount, users: Self.users, blockSize: blockSize
          ) { block, scores in
            #expect(block.count >= 1 && block.count <= blockSize && scores.count == block.count * model.itemCount)
            model.scoreBlock(users: block, into: scores)
          }
          #expect(blocked == reference, "\(threads) threads, block size \(blockSize)")
        }
      }
    }
  }

  @Test("no user with a test item: an empty table")
  func empty() {
    let idle = EvaluationUser(user: 1, trainItems: [0], testItems: [])
    let table = Evaluator(threads: 2).evaluateTable(columns: [.auc], users: [idle], model: Self.model)
    #expect(table.users.isEmpty && table.means.values == [0])
  }
}

@Suite("Placing candidates among the relevant scores")
struct CandidatePlacementTests {
  /// The ranks `r_i`, ascending, counted pair by pair.
  static func literalRanks(_ scores: [Float], _ relevant: [Int], ties: TieConvention) -> [Double] {
    let w = ties.tieWeight
    let keys = scores.map(rankingKey)
    return relevant.map { i in
      var greater = 0
      var equal = 0
      for j in keys.indices where j != i {
        if keys[j] > keys[i] { greater += 1 } else if keys[j] == keys[i] { equal += 1 }
      }
      return Double(greater) + w * Double(equal)
    }.sorted()
  }

  @Test(
    "ranks equal the pair-by-pair counts for few and many distinct relevant scores (linear and binary search)",
    arguments: TieConvention.allCases)
  func ranks(ties: TieConvention) {
    var random = SplitMix64(seed: 21)
    let special: [Float] = [.nan, .infinity, -.infinity, 0, -0.0, .leastNonzeroMagnitude, -.leastNonzeroMagnitude]
    // Relevant counts around the chunk edges: 8 per chunk, 64 per splitter chunk, 512 before the binary search.
    for t in [1, 2, 7, 8, 9, 15, 16, 17, 63, 64, 65, 100, 511, 512, 513, 600] {
      let n = t + Int.random(in: 0...400, using: &random)
      // Many levels, so that most relevant scores are distinct, with ties and special values mixed in.
      let scores = (0..<n).map { _ -> Float in
        Int.random(in: 0..<20, using: &random) == 0
          ? special[Int.random(in: 0..<special.count, using: &random)]
          : Float(Int.random(in: -3000...3000, using: &random)) / 7
      }
      let relevant = Array((0..<n).shuffled(using: &random).prefix(t))
      let scratch = RankingScratch()
      _ = scores.withUnsafeBufferPointer {
        RankingEvaluation.rank(scores: $0, relevant: relevant, ties: ties, scratch: scratch)
      }
      #expect(scratch.ranks == Self.literalRanks(scores, relevant, ties: ties), "t \(t), n \(n)")
    }
  }

  @Test(
    "lane counting, the two-level count and the binary search give the same ranks and AUC, bit for bit",
    arguments: TieConvention.allCases)
  func countingMethods(ties: TieConvention) {
    var random = SplitMix64(seed: 77)
    // Distinct relevant scores around the lanes' edges (4, 8, 32) and past them; ties, ±∞ and NaN among the
    // candidates (and among the relevant scores when `special` is set).
    for t in [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 31, 32, 33, 40] {
      for special in [false, true] {
        let n = t + Int.random(in: 0...300, using: &random)
        let specials: [Float] = [.nan, .infinity, -.infinity, 0, -0.0]
        var scores = (0..<n).map { _ -> Float in
          Int.random(in: 0..<10, using: &random) == 0
            ? specials[Int.random(in: 0..<specials.count, using: &random)]
            : Float(Int.random(in: -200...200, using: &random)) / 7
        }
        let relevant = Array((0..<n).shuffled(using: &random).prefix(t))
        if !special {
          for index in relevant where scores[index].isNaN || scores[index] == -.infinity { scores[index] = 1 }
        }
        let keys = Set(relevant.map { rankingKey(scores[$0]) })
        let lanesApply = keys.count <= RankingEvaluation.laneValues && !keys.contains(-.infinity)
        // Without special relevant scores, up to 32 of them always take the lanes.
        #expect(lanesApply == (keys.count <= 32 && (!special || !keys.contains(-.infinity))), "t \(t)")
        let methods = CandidateCounting.allCases.filter { $0 != .lanes || lanesApply }
        let results = methods.map { counting -> (ranks: [Double], auc: Double) in
          let scratch = RankingScratch()
          let auc = scores.withUnsafeBufferPointer {
            RankingEvaluation.rank(scores: $0, relevant: relevant, ties: ties, scratch: scratch, counting: counting)
          }
          return (scratch.ranks, auc)
        }
        let expected = Self.literalRanks(scores, relevant, ties: ties)
        for (counting, result) in zip(methods, results) {
          #expect(result.ranks == expected, "\(counting), t \(t), n \(n)")
          #expect(result.auc.bitPattern == results[0].auc.bitPattern, "\(counting), t \(t), n \(n)")
        }
      }
    }
  }

  @Test("the two-level count equals the binary search's on every value and between")
  func counts() {
    var random = SplitMix64(seed: 4)
    for d in [1, 2, 7, 8, 9, 16, 17, 63, 64, 65, 200, 512] {
      var set = Set<Float>([-.infinity, .infinity, 0])
      while set.count < d + 3 { set.insert(Float(Int.random(in: -5000...5000, using: &random)) / 3) }
      let values = Array(set.sorted().prefix(d))
      let chunks = (d + 7) / 8
      let splitterChunks = (chunks - 1 + 7) / 8
      let padded = values + [Float](repeating: .infinity, count: 8 * chunks - d)
      let splitters =
        (0..<(chunks - 1)).map { padded[8 * $0 + 7] }
        + [Float](repeating: .infinity, count: 8 * splitterChunks - (chunks - 1))
      let probes = values + values.map { $0.nextUp } + values.map { $0.nextDown } + [-0.0, .infinity, -.infinity]
      for x in probes {
        let expected = values.withUnsafeBufferPointer { countLess($0, than: x) }
        let got = padded.withUnsafeBufferPointer { padded in
          splitters.withUnsafeBufferPointer { splitters in
            countLess(
              padded: padded.baseAddress!, splitters: splitters.baseAddress ?? padded.baseAddress!,
              splitterChunks: splitterChunks, than: x)
          }
        }
        #expect(got == expected, "d \(d), x \(x)")
      }
    }
  }
}
