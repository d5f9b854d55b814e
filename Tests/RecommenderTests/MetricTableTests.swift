import RankingLosses
import Testing

@testable import Recommender

/// A made-up model's score with many ties: one of 8 levels, depending on both user and item.
private func tiedScore(user: Int, item: Int) -> Float {
  var generator = SplitMix64(seed: UInt64(user) &* 7_919 &+ UInt64(item) &* 31)
  return Float(generator.next() % 8) / 4
}

@Suite("Metric columns")
struct MetricColumnTests {
  @Test("names, display names and parsing, verbatim")
  func names() {
    let ndcg = MetricColumn(.ndcg, k: 10)
    #expect(ndcg.name == "ndcg@10" && ndcg.displayName == "NDCG@10" && "\(ndcg)" == "ndcg@10")
    #expect(MetricColumn(.hitRate, k: 5).name == "hit_rate@5")
    #expect(MetricColumn(.hitRate, k: 5).displayName == "HR@5")
    #expect(MetricColumn(.auc, k: 7) == .auc && MetricColumn.auc.k == nil && MetricColumn.auc.name == "auc")
    #expect(MetricColumn.mrr.displayName == "MRR")
    #expect(RankingMetric.allCases.filter(\.hasCutoff) == [.map, .ndcg, .precision, .recall, .hitRate])
    for column in MetricColumn.columns(metrics: RankingMetric.allCases, cutoffs: [1, 20, 1000]) {
      #expect(MetricColumn(parsing: column.name) == column)
    }
    // Not names: a cut-off on AUC/MRR or missing elsewhere, zero, a sign, a leading zero, spaces, case.
    for text in [
      "auc@10", "mrr@1", "ndcg", "ndcg@", "ndcg@0", "ndcg@-1", "ndcg@+5", "ndcg@05", "ndcg@ 5", "NDCG@10", "ndgc@10",
      "precision@10@2", "", "@10", "ndcg@99999999999999999999",
    ] {
      #expect(MetricColumn(parsing: text) == nil, "\(text)")
    }
  }

  @Test("columns follow the metrics' order, each metric with a cut-off once per k in order")
  func order() {
    #expect(
      MetricColumn.columns(metrics: [.ndcg, .precision], cutoffs: [5, 10]).map(\.displayName)
        == ["NDCG@5", "NDCG@10", "P@5", "P@10"])
    #expect(
      MetricColumn.columns(metrics: [.mrr, .recall, .auc], cutoffs: [20, 3]).map(\.name)
        == ["mrr", "recall@20", "recall@3", "auc"])
  }
}

@Suite("Several cut-offs at once")
struct MultiCutoffTests {
  @Test("userMetrics at several cut-offs equals userMetrics at each, bit for bit", arguments: TieConvention.allCases)
  func perUser(ties: TieConvention) {
    var random = SplitMix64(seed: 5)
    for _ in 0..<400 {
      let n = Int.random(in: 1...40, using: &random)
      let scores = (0..<n).map { _ -> Float in
        let level = Int.random(in: 0..<7, using: &random)
        return level == 6 ? .nan : Float(level) / 3
      }
      let relevant = Array((0..<n).shuffled(using: &random).prefix(Int.random(in: 1...n, using: &random)))
      let cutoffs = [Int.random(in: 1...(n + 3), using: &random), 1, n + 5, Int.random(in: 1...n, using: &random)]
      let all = RankingEvaluation.userMetrics(scores: scores, relevant: relevant, cutoffs: cutoffs, ties: ties)
      #expect(all.count == cutoffs.count)
      for (k, metrics) in zip(cutoffs, all) {
        #expect(metrics == RankingEvaluation.userMetrics(scores: scores, relevant: relevant, k: k, ties: ties))
      }
    }
  }

  /// 60 items and 31 users with random training and test sets; every fifth user has no test item.
  static let itemCount = 60
  static let users: [EvaluationUser] = {
    var random = SplitMix64(seed: 77)
    return (0..<31).map { user in
      let items = Array(0..<Int32(itemCount)).shuffled(using: &random)
      let trainCount = Int.random(in: 0...15, using: &random)
      let testCount = user % 5 == 2 ? 0 : Int.random(in: 1...8, using: &random)
      return EvaluationUser(
        user: 3 * user, trainItems: items[0..<trainCount].sorted(),
        testItems: Array(items[trainCount..<(trainCount + testCount)]))
    }
  }()

  static func table(_ columns: [MetricColumn], ties: TieConvention, threads: Int) -> MetricTable {
    Evaluator(ties: ties, threads: threads).evaluateTable(columns: columns, itemCount: itemCount, users: users) {
      user, scores in
      for item in scores.indices { scores[item] = tiedScore(user: user, item: item) }
    }
  }

  @Test("a table's rows are each user's metrics at each column's k; its means equal evaluate at each k exactly")
  func table() {
    let columns = MetricColumn.columns(
      metrics: [.ndcg, .precision, .recall, .map, .mrr, .hitRate, .auc], cutoffs: [5, 1, 20, 45])
    #expect(columns.count == 5 * 4 + 2)
    for ties in TieConvention.allCases {
      let table = Self.table(columns, ties: ties, threads: 1)
      let evaluated = Self.users.filter { !$0.testItems.isEmpty }
      #expect(table.users == evaluated.map(\.user))
      #expect(table.users.count == 25)
      #expect(table.values.count == 25 * columns.count)
      // Each row: the user's own metrics, ranked directly over the candidates in id order.
      for (row, user) in evaluated.enumerated() {
        let candidates = (0..<Self.itemCount).filter { !user.trainItems.contains(Int32($0)) }
        let scores = candidates.map { tiedScore(user: user.user, item: $0) }
        let relevant = user.testItems.map { candidates.firstIndex(of: Int($0))! }
        for (c, column) in columns.enumerated() {
          let direct = RankingEvaluation.userMetrics(scores: scores, relevant: relevant, k: column.k ?? 1, ties: ties)
          #expect(table[row, c] == direct[column.metric], "\(column) row \(row)")
        }
      }
      // The means: the single-k evaluator's, bit for bit, for every column.
      for k in [5, 1, 20, 45] {
        let single = Evaluator(k: k, ties: ties).evaluate(itemCount: Self.itemCount, users: Self.users) {
          user, scores in
          for item in scores.indices { scores[item] = tiedScore(user: user, item: item) }
        }
        for metric in RankingMetric.allCases {
          #expect(table.means[MetricColumn(metric, k: k)] == single[metric], "\(metric)@\(k) \(ties)")
        }
      }
      // The same table for any number of threads.
      for threads in [2, 3, 7, 64] {
        #expect(Self.table(columns, ties: ties, threads: threads) == table, "\(threads) threads")
      }
    }
  }

  @Test("the means are the columns summed in row order and divided by the row count")
  func means() {
    let table = MetricTable(
      columns: [.auc, MetricColumn(.precision, k: 2)], users: [4, 9, 2], values: [0.1, 0.5, 0.2, 0.0, 0.7, 1.0])
    #expect(table.means.values == [(0.1 + 0.2 + 0.7) / 3, (0.5 + 0.0 + 1.0) / 3])
    #expect(table[1, 0] == 0.2 && table.row(2).values == [0.7, 1.0])
    #expect(table.means[MetricColumn(.precision, k: 3)] == nil)
    let empty = MetricTable(columns: [.auc], users: [], values: [])
    #expect(empty.means.values == [0])
    let none = Self.table([.mrr], ties: .pessimistic, threads: 2)
    #expect(none.columns == [.mrr] && none.users.count == 25)
  }
}

@Suite("Top items")
struct TopItemsTests {
  @Test("the best candidates, highest score first, ties by lower item id, NaN last, excluded items skipped")
  func top() {
    let scores: [Float] = [0.5, 0.9, 0.5, 0.7, .nan, 0.9, -1, 0.5]
    #expect(TopItems.top(3, scores: scores, excluding: []).map(\.item) == [1, 5, 3])
    #expect(TopItems.top(4, scores: scores, excluding: [1, 3, 3]).map(\.item) == [5, 0, 2, 7])
    #expect(TopItems.top(8, scores: scores, excluding: [0]).map(\.item) == [1, 5, 3, 2, 7, 6, 4])
    #expect(TopItems.top(0, scores: scores, excluding: []).isEmpty)
    #expect(
      TopItems.top(2, scores: scores, excluding: [5]) == [ScoredItem(item: 1, score: 0.9), .init(item: 3, score: 0.7)])
  }

  @Test("equals a full sort of the candidates, on random scores with many ties")
  func matchesSort() {
    var random = SplitMix64(seed: 8)
    for _ in 0..<300 {
      let n = Int.random(in: 0...50, using: &random)
      let scores = (0..<n).map { _ in Float(Int.random(in: 0..<5, using: &random)) }
      let excluded = (0..<n).filter { _ in Int.random(in: 0..<4, using: &random) == 0 }.map(Int32.init)
      let count = Int.random(in: 0...(n + 2), using: &random)
      let candidates: [Int] = (0..<n).filter { !excluded.contains(Int32($0)) }
      let sorted = candidates.sorted { (a: Int, b: Int) -> Bool in
        scores[a] != scores[b] ? scores[a] > scores[b] : a < b
      }
      #expect(TopItems.top(count, scores: scores, excluding: excluded).map(\.item) == Array(sorted.prefix(count)))
    }
  }
}
