import RankingLosses
import Foundation
import Testing

@testable import Recommender

/// The metrics of one user for `scores` and `relevant`, from the array overload.
private func metrics(_ scores: [Float], _ relevant: [Int], k: Int, ties: TieConvention) -> RankingMetrics {
  RankingEvaluation.userMetrics(scores: scores, relevant: relevant, k: k, ties: ties)
}

/// `1 / log2(x)`: the DCG discount of 0-based rank `x − 2`.
private func d(_ x: Double) -> Double { 1 / log2(x) }

/// Hand-computed ranking metrics of single users.
///
/// Most cases use the six candidates
///
/// ```
/// index:  0    1    2    3    4    5
/// score:  0.1  0.9  0.5  0.7  0.3  0.8
/// rank:   5    0    3    2    4    1      (0-based, descending score)
/// ```
///
/// Expected values are written as the same arithmetic the definitions prescribe, in the same order as the
/// implementation sums, so they are compared exactly.
@Suite("Ranking metrics of one user")
struct UserMetricsTests {
  let six: [Float] = [0.1, 0.9, 0.5, 0.7, 0.3, 0.8]

  @Test("two relevant items, no ties, k = 3: the same under both conventions")
  func noTies() {
    // T = {3, 4}: r_3 = 2, r_4 = 4. Negatives C∖T = {0, 1, 2, 5} with scores 0.1, 0.9, 0.5, 0.8.
    // AUC: item 3 (0.7) beats 0.1 and 0.5 → 2/4; item 4 (0.3) beats 0.1 → 1/4; mean (2/4 + 1/4) / 2 = 0.375.
    // k = 3: only r_3 = 2 < 3 is a hit. P = 1/3, R = 1/2, HR = 1, MRR = 1 / (1 + 2) = 1/3.
    // MAP@3: the 1st hit at rank 2 has precision 1/3; divided by min(2, 3) = 2 → 1/6.
    // NDCG@3: DCG = 1/log2(2 + 2); ideal DCG = 1/log2(2) + 1/log2(3).
    let expected = RankingMetrics(
      auc: 0.375, map: (1.0 / 3) / 2, mrr: 1.0 / 3, ndcg: d(4) / (d(2) + d(3)), precision: 1.0 / 3, recall: 0.5,
      hitRate: 1)
    #expect(expected.ndcg == 0.5 / (1 + 1 / log2(3.0)))
    for ties in TieConvention.allCases {
      #expect(metrics(six, [3, 4], k: 3, ties: ties) == expected, "\(ties)")
      #expect(metrics(six, [4, 3], k: 3, ties: ties) == expected, "order of relevant doesn't matter: \(ties)")
    }
  }

  @Test("k = 1 and k = |C|")
  func extremeCutoffs() {
    // T = {3, 4}, k = 1: no rank is below 1. Everything @k is 0; AUC and MRR don't depend on k.
    #expect(
      metrics(six, [3, 4], k: 1, ties: .pessimistic)
        == RankingMetrics(auc: 0.375, map: 0, mrr: 1.0 / 3, ndcg: 0, precision: 0, recall: 0, hitRate: 0))
    // T = {1, 4}: r_1 = 0, r_4 = 4. k = 1: one hit at rank 0. P = 1/1, R = 1/2, MAP = (1/1) / min(2, 1) = 1,
    // NDCG = (1/log2 2) / (1/log2 2) = 1. AUC: item 1 (0.9) beats all 4 negatives {0.1, 0.5, 0.7, 0.8},
    // item 4 (0.3) beats 0.1 → (4/4 + 1/4) / 2 = 0.625.
    #expect(
      metrics(six, [1, 4], k: 1, ties: .average)
        == RankingMetrics(auc: 0.625, map: 1, mrr: 1, ndcg: 1, precision: 1, recall: 0.5, hitRate: 1))
    // T = {3, 4}, k = 6 = |C|: both hit. P = 2/6, R = 1, MAP = (1/(2+1) + 2/(4+1)) / 2,
    // NDCG = (1/log2 4 + 1/log2 6) / (1/log2 2 + 1/log2 3).
    #expect(
      metrics(six, [3, 4], k: 6, ties: .pessimistic)
        == RankingMetrics(
          auc: 0.375, map: (1.0 / 3 + 2.0 / 5) / 2, mrr: 1.0 / 3, ndcg: (d(4) + d(6)) / (d(2) + d(3)),
          precision: 2.0 / 6, recall: 1, hitRate: 1))
    // A k above |C| puts every candidate within the cut-off; precision still divides by k.
    #expect(metrics(six, [3, 4], k: 20, ties: .pessimistic).precision == 2.0 / 20)
    #expect(metrics(six, [3, 4], k: 20, ties: .pessimistic).map == (1.0 / 3 + 2.0 / 5) / 2)
  }

  @Test("ties between a relevant item and negatives, and between two relevant items")
  func tiesWithNegativesAndRelevant() {
    // index:  0    1    2    3    4    5
    // score:  0.9  0.5  0.5  0.5  0.2  0.1      T = {1, 2}; negatives {0, 3, 4, 5}
    // Items 1 and 2 each have 1 greater candidate (0) and 2 tied others (the other relevant one and 3).
    // pessimistic: r = 1 + 2 = 3 each. average: r = 1 + 2/2 = 2 each.
    // AUC per item: below it 2 negatives (4, 5), tied 1 negative (3), out of 4.
    //   pessimistic: (2 + 0 · 1) / 4 = 0.5; average: (2 + 1/2 · 1) / 4 = 0.625.
    let scores: [Float] = [0.9, 0.5, 0.5, 0.5, 0.2, 0.1]

    // k = 3. pessimistic: 3 < 3 fails, no hit; MRR = 1/(1 + 3).
    #expect(
      metrics(scores, [1, 2], k: 3, ties: .pessimistic)
        == RankingMetrics(auc: 0.5, map: 0, mrr: 0.25, ndcg: 0, precision: 0, recall: 0, hitRate: 0))
    // average: both hit at rank 2. MAP = (1/(2+1) + 2/(2+1)) / 2; NDCG = (1/log2 4 + 1/log2 4) / (1 + 1/log2 3).
    #expect(
      metrics(scores, [1, 2], k: 3, ties: .average)
        == RankingMetrics(
          auc: 0.625, map: (1.0 / 3 + 2.0 / 3) / 2, mrr: 1.0 / 3, ndcg: (d(4) + d(4)) / (d(2) + d(3)),
          precision: 2.0 / 3, recall: 1, hitRate: 1))

    // k = 4. pessimistic: both hit at rank 3. MAP = (1/4 + 2/4) / 2 = 0.375; NDCG = 2/log2 5 / (1 + 1/log2 3).
    #expect(
      metrics(scores, [1, 2], k: 4, ties: .pessimistic)
        == RankingMetrics(
          auc: 0.5, map: 0.375, mrr: 0.25, ndcg: (d(5) + d(5)) / (d(2) + d(3)), precision: 0.5, recall: 1,
          hitRate: 1))
    #expect(
      metrics(scores, [1, 2], k: 4, ties: .average)
        == RankingMetrics(
          auc: 0.625, map: (1.0 / 3 + 2.0 / 3) / 2, mrr: 1.0 / 3, ndcg: (d(4) + d(4)) / (d(2) + d(3)),
          precision: 0.5, recall: 1, hitRate: 1))
  }

  @Test("a relevant item tied only with negatives")
  func tieWithNegatives() {
    // index:  0    1    2    3    4    5
    // score:  0.9  0.6  0.6  0.6  0.3  0.1      T = {1, 4}; negatives {0, 2, 3, 5}
    // Item 1: 1 greater, 2 tied negatives → pessimistic r = 3, average r = 2.
    //   AUC share: 1 negative below (5), 2 tied: pessimistic 1/4, average (1 + 2/2)/4 = 2/4.
    // Item 4: 4 greater, no tie → r = 4. AUC share: 1 negative below (5) → 1/4.
    // AUC: pessimistic (1/4 + 1/4)/2 = 0.25; average (2/4 + 1/4)/2 = 0.375.
    let scores: [Float] = [0.9, 0.6, 0.6, 0.6, 0.3, 0.1]
    // k = 3, pessimistic: ranks 3 and 4, no hit; MRR = 1/4.
    #expect(
      metrics(scores, [1, 4], k: 3, ties: .pessimistic)
        == RankingMetrics(auc: 0.25, map: 0, mrr: 0.25, ndcg: 0, precision: 0, recall: 0, hitRate: 0))
    // k = 3, average: ranks 2 and 4; one hit at rank 2. MAP = (1/3)/2; NDCG = (1/log2 4) / (1 + 1/log2 3).
    #expect(
      metrics(scores, [1, 4], k: 3, ties: .average)
        == RankingMetrics(
          auc: 0.375, map: (1.0 / 3) / 2, mrr: 1.0 / 3, ndcg: d(4) / (d(2) + d(3)), precision: 1.0 / 3,
          recall: 0.5, hitRate: 1))
  }

  @Test("two relevant items tied only with each other: fractional ranks, AUC unaffected")
  func tieBetweenRelevant() {
    // score: 0.9  0.5  0.5  0.2      T = {1, 2}; negatives {0, 3}
    // Each relevant item: 1 greater, 1 tied (the other relevant one).
    // pessimistic r = 2 each; average r = 1 + 1/2 = 1.5 each.
    // AUC: each beats negative 3 and loses to 0 → 1/2 under both conventions (no tie with a negative).
    let scores: [Float] = [0.9, 0.5, 0.5, 0.2]
    // k = 2, pessimistic: 2 < 2 fails; MRR = 1/3.
    #expect(
      metrics(scores, [1, 2], k: 2, ties: .pessimistic)
        == RankingMetrics(auc: 0.5, map: 0, mrr: 1.0 / 3, ndcg: 0, precision: 0, recall: 0, hitRate: 0))
    // k = 2, average: both hit at rank 1.5. MAP = (1/2.5 + 2/2.5)/2, NDCG = (2 / log2 3.5) / (1 + 1/log2 3),
    // MRR = 1/2.5.
    #expect(
      metrics(scores, [1, 2], k: 2, ties: .average)
        == RankingMetrics(
          auc: 0.5, map: (1 / 2.5 + 2 / 2.5) / 2, mrr: 0.4, ndcg: (d(3.5) + d(3.5)) / (d(2) + d(3)), precision: 1,
          recall: 1, hitRate: 1))
  }

  @Test("a single relevant item")
  func singleRelevant() {
    // T = {2} (score 0.5): r = 3. AUC: of the 5 negatives {0.1, 0.9, 0.7, 0.3, 0.8} it beats 0.1 and 0.3 → 2/5.
    #expect(
      metrics(six, [2], k: 3, ties: .pessimistic)
        == RankingMetrics(auc: 0.4, map: 0, mrr: 0.25, ndcg: 0, precision: 0, recall: 0, hitRate: 0))
    // k = 4: a hit at rank 3. MAP = (1/4)/1, NDCG = (1/log2 5) / (1/log2 2), P = 1/4, R = 1.
    #expect(
      metrics(six, [2], k: 4, ties: .average)
        == RankingMetrics(auc: 0.4, map: 0.25, mrr: 0.25, ndcg: d(5) / d(2), precision: 0.25, recall: 1, hitRate: 1))
  }

  @Test("every candidate relevant: AUC is 1 (no pair to mis-order)")
  func allRelevant() {
    // score: 3  1  2, T = all. Ranks 0, 2, 1. k = 2: hits at ranks 0 and 1.
    // P = 2/2, R = 2/3, MAP = (1/1 + 2/2) / min(3, 2) = 1, NDCG = (1 + 1/log2 3) / (1 + 1/log2 3) = 1.
    for ties in TieConvention.allCases {
      #expect(
        metrics([3, 1, 2], [0, 1, 2], k: 2, ties: ties)
          == RankingMetrics(auc: 1, map: 1, mrr: 1, ndcg: 1, precision: 1, recall: 2.0 / 3, hitRate: 1), "\(ties)")
    }
    // All tied and all relevant: still AUC 1; pessimistic ranks are all 2, average ranks all 1.
    #expect(metrics([7, 7, 7], [0, 1, 2], k: 2, ties: .pessimistic).auc == 1)
    #expect(metrics([7, 7, 7], [0, 1, 2], k: 2, ties: .average).auc == 1)
  }

  @Test("a perfect ranking scores 1 wherever 1 is reachable")
  func perfect() {
    // T = {1, 5}: the two highest scores, ranks 0 and 1. k = 3: precision is 2/3 (k > |T|), the rest 1.
    for ties in TieConvention.allCases {
      #expect(
        metrics(six, [5, 1], k: 3, ties: ties)
          == RankingMetrics(auc: 1, map: 1, mrr: 1, ndcg: 1, precision: 2.0 / 3, recall: 1, hitRate: 1), "\(ties)")
      // k = |T| = 2: precision 1 as well.
      #expect(
        metrics(six, [5, 1], k: 2, ties: ties)
          == RankingMetrics(auc: 1, map: 1, mrr: 1, ndcg: 1, precision: 1, recall: 1, hitRate: 1), "\(ties)")
    }
  }

  @Test("the worst ranking")
  func worst() {
    // T = {0, 4}: the two lowest scores, ranks 5 and 4. AUC 0; k = 3: nothing @k; MRR = 1/(1 + 4).
    #expect(
      metrics(six, [0, 4], k: 3, ties: .pessimistic)
        == RankingMetrics(auc: 0, map: 0, mrr: 0.2, ndcg: 0, precision: 0, recall: 0, hitRate: 0))
    // k = |C| = 6: both hit. MAP = (1/(4+1) + 2/(5+1)) / 2, NDCG = (1/log2 6 + 1/log2 7) / (1 + 1/log2 3).
    #expect(
      metrics(six, [0, 4], k: 6, ties: .average)
        == RankingMetrics(
          auc: 0, map: (1.0 / 5 + 2.0 / 6) / 2, mrr: 0.2, ndcg: (d(6) + d(7)) / (d(2) + d(3)), precision: 2.0 / 6,
          recall: 1, hitRate: 1))
  }

  @Test("constant scores: pessimistic puts relevant items last, average in the middle")
  func constantScores() {
    // Five candidates all scored 1, T = {0, 3}: each relevant item ties with the 4 others.
    // pessimistic: r = 4, AUC 0 (each of the 3 negatives tied counts 0). average: r = 2, AUC (0 + 3/2)/3 = 0.5.
    let scores = [Float](repeating: 1, count: 5)
    #expect(
      metrics(scores, [0, 3], k: 2, ties: .pessimistic)
        == RankingMetrics(auc: 0, map: 0, mrr: 0.2, ndcg: 0, precision: 0, recall: 0, hitRate: 0))
    #expect(
      metrics(scores, [0, 3], k: 2, ties: .average)
        == RankingMetrics(auc: 0.5, map: 0, mrr: 1.0 / 3, ndcg: 0, precision: 0, recall: 0, hitRate: 0))
  }

  @Test("NaN ranks as −∞")
  func nan() {
    // score: NaN  1  0  −∞, T = {0}: NaN counts as −∞, so 2 greater and 1 tied (index 3).
    // pessimistic: r = 3, AUC (0 + 0 · 1)/3 = 0. average: r = 2.5, AUC (0 + 1/2 · 1)/3 = 1/6.
    let scores: [Float] = [.nan, 1, 0, -.infinity]
    #expect(metrics(scores, [0], k: 4, ties: .pessimistic).mrr == 0.25)
    #expect(metrics(scores, [0], k: 4, ties: .pessimistic).auc == 0)
    #expect(metrics(scores, [0], k: 4, ties: .average).mrr == 1 / 3.5)
    #expect(metrics(scores, [0], k: 4, ties: .average).auc == 0.5 / 3)
  }

  @Test("the buffer and array overloads agree")
  func overloads() {
    let fromBuffer = six.withUnsafeBufferPointer {
      RankingEvaluation.userMetrics(scores: $0, relevant: [3, 4], k: 3, ties: .average)
    }
    #expect(fromBuffer == metrics(six, [3, 4], k: 3, ties: .average))
  }

  @Test("a relevant list that is empty, repeated or out of range, or k < 1, is a programmer error")
  func preconditions() async throws {
    let empty = try await #require(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = RankingEvaluation.userMetrics(scores: [1, 2], relevant: [], k: 1, ties: .pessimistic)
    }
    #expect(
      String(decoding: empty.standardErrorContent, as: UTF8.self)
        .contains("relevant is empty: a user needs at least one relevant item"))
    let repeated = try await #require(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = RankingEvaluation.userMetrics(scores: [1, 2], relevant: [1, 1], k: 1, ties: .pessimistic)
    }
    #expect(
      String(decoding: repeated.standardErrorContent, as: UTF8.self)
        .contains("relevant index 1 is repeated; relevant items must be distinct"))
    let outside = try await #require(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = RankingEvaluation.userMetrics(scores: [1, 2], relevant: [2], k: 1, ties: .pessimistic)
    }
    #expect(
      String(decoding: outside.standardErrorContent, as: UTF8.self)
        .contains("a relevant index is outside 0..<2, the range of scores"))
    let zeroK = try await #require(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = RankingEvaluation.userMetrics(scores: [1, 2], relevant: [0], k: 0, ties: .pessimistic)
    }
    #expect(
      String(decoding: zeroK.standardErrorContent, as: UTF8.self).contains("k is 0; the cut-off must be at least 1"))
  }
}

/// The definitions of ``RankingMetrics`` computed literally, pair by pair: `O(|C| · |T|)`.
private func literalMetrics(_ scores: [Float], _ relevant: [Int], k: Int, ties: TieConvention) -> RankingMetrics {
  let w = ties == .pessimistic ? 1.0 : 0.5
  let s = scores.map { $0.isNaN ? -Float.infinity : $0 }
  let negatives = s.indices.filter { !relevant.contains($0) }
  var ranks: [Double] = []
  var aucSum = 0.0
  for i in relevant {
    let others = s.indices.filter { $0 != i }
    ranks.append(
      Double(others.filter { s[$0] > s[i] }.count) + w * Double(others.filter { s[$0] == s[i] }.count))
    let below = negatives.filter { s[$0] < s[i] }.count
    let tied = negatives.filter { s[$0] == s[i] }.count
    if !negatives.isEmpty { aucSum += (Double(below) + (1 - w) * Double(tied)) / Double(negatives.count) }
  }
  ranks.sort()
  let hits = ranks.filter { $0 < Double(k) }
  let ideal = min(relevant.count, k)
  return RankingMetrics(
    auc: negatives.isEmpty ? 1 : aucSum / Double(relevant.count),
    map: hits.enumerated().map { Double($0.offset + 1) / ($0.element + 1) }.reduce(0, +) / Double(ideal),
    mrr: 1 / (1 + ranks[0]),
    ndcg: hits.map { 1 / log2($0 + 2) }.reduce(0, +) / (0..<ideal).map { 1 / log2(Double($0) + 2) }.reduce(0, +),
    precision: Double(hits.count) / Double(k), recall: Double(hits.count) / Double(relevant.count),
    hitRate: hits.isEmpty ? 0 : 1)
}

@Suite("Ranking metrics against the literal definitions")
struct LiteralDefinitionTests {
  @Test("600 random users with many ties and some NaNs, both conventions", arguments: TieConvention.allCases)
  func random(ties: TieConvention) {
    var random = SplitMix64(seed: 99)
    for _ in 0..<600 {
      let n = Int.random(in: 1...30, using: &random)
      let scores = (0..<n).map { _ -> Float in
        let level = Int.random(in: 0..<6, using: &random)
        return level == 5 ? .nan : Float(level) / 2
      }
      let relevant = Array((0..<n).shuffled(using: &random).prefix(Int.random(in: 1...n, using: &random)))
      let k = Int.random(in: 1...(n + 2), using: &random)
      let fast = metrics(scores, relevant, k: k, ties: ties)
      let literal = literalMetrics(scores, relevant, k: k, ties: ties)
      // The two sum the same terms in different orders, so they may differ in the last bits.
      for metric in RankingMetric.allCases {
        #expect(abs(fast[metric] - literal[metric]) <= 1e-12, "\(metric) for \(scores), \(relevant), k \(k)")
      }
    }
  }
}

@Suite("Ranking metric names")
struct RankingMetricNameTests {
  @Test("raw values, descriptions and display names, verbatim")
  func names() {
    #expect(RankingMetric.allCases == [.auc, .map, .mrr, .ndcg, .precision, .recall, .hitRate])
    #expect(
      RankingMetric.allCases.map(\.rawValue) == ["auc", "map", "mrr", "ndcg", "precision", "recall", "hit_rate"])
    #expect(RankingMetric.allCases.map(\.description) == RankingMetric.allCases.map(\.rawValue))
    #expect("\(RankingMetric.hitRate)" == "hit_rate")
    #expect(RankingMetric(rawValue: "hit_rate") == .hitRate)
    #expect(
      RankingMetric.allCases.map { $0.displayName(k: 10) }
        == ["AUC", "MAP@10", "MRR", "NDCG@10", "P@10", "R@10", "HR@10"])
    #expect(
      RankingMetric.allCases.map { $0.displayName(k: 5) } == ["AUC", "MAP@5", "MRR", "NDCG@5", "P@5", "R@5", "HR@5"])
    #expect(RankingMetric.allCases.allSatisfy { $0.higherIsBetter })
    #expect(TieConvention.allCases.map(\.rawValue) == ["pessimistic", "average"])
  }

  @Test("the subscript reads the matching field")
  func subscriptReadsField() {
    let m = RankingMetrics(auc: 1, map: 2, mrr: 3, ndcg: 4, precision: 5, recall: 6, hitRate: 7)
    #expect(RankingMetric.allCases.map { m[$0] } == [1, 2, 3, 4, 5, 6, 7])
    #expect(RankingMetric.allCases.map { RankingMetrics.zero[$0] } == [0, 0, 0, 0, 0, 0, 0])
  }
}

/// A made-up model's score: one of 8 levels, so that ties are common, depending on both user and item.
private func quantizedScore(user: Int, item: Int) -> Float {
  var generator = SplitMix64(seed: UInt64(user) &* 1_000_003 &+ UInt64(item))
  return Float(generator.next() % 8) / 4
}

@Suite("Evaluator")
struct EvaluatorTests {
  /// 40 items and 25 users with random training and test sets; users 6 and 13 have no test item.
  static let itemCount = 40
  static let users: [EvaluationUser] = {
    var random = SplitMix64(seed: 2024)
    return (0..<25).map { user in
      let items = Array(0..<Int32(itemCount)).shuffled(using: &random)
      let trainCount = Int.random(in: 0...12, using: &random)
      let testCount = user == 6 || user == 13 ? 0 : Int.random(in: 1...6, using: &random)
      return EvaluationUser(
        user: 100 + user, trainItems: items[0..<trainCount].sorted(),
        testItems: Array(items[trainCount..<(trainCount + testCount)]))
    }
  }()

  /// The mean of `userMetrics` over the users with test items, computed directly: candidates in id order,
  /// summed in user order.
  static func directMean(k: Int, ties: TieConvention) -> RankingMetrics {
    var sum = RankingMetrics.zero
    var count = 0
    for user in users where !user.testItems.isEmpty {
      let candidates = (0..<itemCount).filter { !user.trainItems.contains(Int32($0)) }
      let scores = candidates.map { quantizedScore(user: user.user, item: $0) }
      let relevant = user.testItems.map { candidates.firstIndex(of: Int($0))! }
      let m = RankingEvaluation.userMetrics(scores: scores, relevant: relevant, k: k, ties: ties)
      sum.auc += m.auc
      sum.map += m.map
      sum.mrr += m.mrr
      sum.ndcg += m.ndcg
      sum.precision += m.precision
      sum.recall += m.recall
      sum.hitRate += m.hitRate
      count += 1
    }
    let n = Double(count)
    return RankingMetrics(
      auc: sum.auc / n, map: sum.map / n, mrr: sum.mrr / n, ndcg: sum.ndcg / n, precision: sum.precision / n,
      recall: sum.recall / n, hitRate: sum.hitRate / n)
  }

  static func evaluate(k: Int, ties: TieConvention, threads: Int) -> RankingMetrics {
    Evaluator(k: k, ties: ties, threads: threads).evaluate(itemCount: itemCount, users: users) { user, scores in
      for item in scores.indices { scores[item] = quantizedScore(user: user, item: item) }
    }
  }

  @Test("defaults: k = 10, pessimistic, one thread")
  func defaults() {
    let evaluator = Evaluator()
    #expect(evaluator.k == 10)
    #expect(evaluator.ties == .pessimistic)
    #expect(evaluator.threads == 1)
  }

  @Test("the mean of userMetrics over users with test items, identical for 1, 2, 3 and more threads")
  func meanAndThreads() {
    #expect(Self.users.filter { !$0.testItems.isEmpty }.count == 23)
    for ties in TieConvention.allCases {
      for k in [1, 5, 40] {
        let direct = Self.directMean(k: k, ties: ties)
        let one = Self.evaluate(k: k, ties: ties, threads: 1)
        #expect(one == direct, "k \(k), \(ties)")
        for threads in [2, 3, 8, 64] {
          #expect(Self.evaluate(k: k, ties: ties, threads: threads) == one, "k \(k), \(ties), \(threads) threads")
        }
      }
    }
    // The two conventions differ on these tied scores.
    #expect(Self.evaluate(k: 5, ties: .pessimistic, threads: 1) != Self.evaluate(k: 5, ties: .average, threads: 1))
  }

  @Test("training items are excluded from the ranking")
  func trainingExcluded() {
    // Items 0…5 scored 1, 2, 10, 3, 5, 0. Item 2 (the top score) is a training item; item 4 is the test item.
    // Without item 2, item 4 ranks first: every metric 1 at k = 1. Counting item 2, it would rank second.
    let user = EvaluationUser(user: 0, trainItems: [2], testItems: [4])
    let metrics = Evaluator(k: 1).evaluate(itemCount: 6, users: [user]) { _, scores in
      for (item, score) in [Float(1), 2, 10, 3, 5, 0].enumerated() { scores[item] = score }
    }
    #expect(metrics == RankingMetrics(auc: 1, map: 1, mrr: 1, ndcg: 1, precision: 1, recall: 1, hitRate: 1))
    // The candidates are items 0, 1, 3, 4, 5 with scores 1, 2, 3, 5, 0; item 4 is candidate 3.
    #expect(metrics == RankingEvaluation.userMetrics(scores: [1, 2, 3, 5, 0], relevant: [3], k: 1, ties: .pessimistic))

    // Several training items (one repeated) above and below the test items; test items in any order.
    let second = EvaluationUser(user: 7, trainItems: [0, 2, 2, 5], testItems: [4, 1])
    let both = Evaluator(k: 2, ties: .average).evaluate(itemCount: 6, users: [second]) { user, scores in
      #expect(user == 7)
      for (item, score) in [Float(9), 4, 9, 1, 4, 9].enumerated() { scores[item] = score }
    }
    // Candidates: items 1, 3, 4 with scores 4, 1, 4; relevant items 1 and 4 are candidates 0 and 2, tied with
    // each other: average ranks 0.5 each. MAP = (1/1.5 + 2/1.5)/2, MRR = 1/1.5,
    // NDCG = (1/log2 2.5 + 1/log2 2.5) / (1 + 1/log2 3) (the tie costs half a place).
    #expect(both == RankingEvaluation.userMetrics(scores: [4, 1, 4], relevant: [2, 0], k: 2, ties: .average))
    #expect(
      both
        == RankingMetrics(
          auc: 1, map: (1 / 1.5 + 2 / 1.5) / 2, mrr: 1 / 1.5, ndcg: (d(2.5) + d(2.5)) / (d(2) + d(3)), precision: 1,
          recall: 1, hitRate: 1))
  }

  @Test("no user with a test item gives zero")
  func noUsers() {
    let evaluator = Evaluator(threads: 4)
    #expect(evaluator.evaluate(itemCount: 3, users: []) { _, _ in } == .zero)
    let idle = EvaluationUser(user: 0, trainItems: [1], testItems: [])
    #expect(evaluator.evaluate(itemCount: 3, users: [idle]) { _, _ in } == .zero)
  }

  @Test("a test item that is a training item, or unsorted training items, is a programmer error")
  func overlap() async throws {
    let overlap = try await #require(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let user = EvaluationUser(user: 3, trainItems: [1], testItems: [1])
      _ = Evaluator(k: 1).evaluate(itemCount: 3, users: [user]) { _, scores in scores.update(repeating: 0) }
    }
    #expect(
      String(decoding: overlap.standardErrorContent, as: UTF8.self)
        .contains("user 3's test item 1 is repeated, a training item or outside 0..<3"))
    let unsorted = try await #require(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let user = EvaluationUser(user: 4, trainItems: [2, 0], testItems: [1])
      _ = Evaluator(k: 1).evaluate(itemCount: 3, users: [user]) { _, scores in scores.update(repeating: 0) }
    }
    #expect(
      String(decoding: unsorted.standardErrorContent, as: UTF8.self)
        .contains("user 4's training items are not sorted ascending"))
  }
}
