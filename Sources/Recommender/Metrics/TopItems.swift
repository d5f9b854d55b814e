/// An item and its score, one line of a top-n list.
public struct ScoredItem: Sendable, Equatable {
  /// The item's dense id.
  public var item: Int
  /// The model's score of the item.
  public var score: Float

  /// Creates a scored item.
  ///
  /// - Parameters:
  ///   - item: The item's dense id.
  ///   - score: Its score.
  public init(item: Int, score: Float) {
    self.item = item
    self.score = score
  }
}

/// The highest-scored candidates of a user: what a recommender would show, and what a TREC run file lists.
public enum TopItems {
  /// The `count` best candidates, best first.
  ///
  /// The candidates are every item in `0..<scores.count` except `excluded` (the user's training items, as
  /// in ``Evaluator``). They are ordered by score, highest first, a NaN score counting as −∞ (as in
  /// ``RankingEvaluation``); equal scores are ordered by item id, lowest first. The order is therefore a
  /// total order, the same on every run, and the list is its first `min(count, |candidates|)` items.
  ///
  /// ```swift
  /// TopItems.top(2, scores: [0.5, 0.9, 0.5, 0.7], excluding: [3]).map(\.item)   // [1, 0]
  /// ```
  ///
  /// Costs `O(|C| log n + m · n)` for `n = count` and `m` the number of times the list improves (usually
  /// far fewer than `|C|`).
  ///
  /// - Parameters:
  ///   - count: How many items to return, at least 0.
  ///   - scores: The score of every item, indexed by item id.
  ///   - excluded: Item ids never returned, sorted ascending (repeats allowed).
  /// - Returns: Up to `count` items, best first.
  /// - Precondition: `count ≥ 0` and `excluded` is sorted ascending.
  public static func top(_ count: Int, scores: UnsafeBufferPointer<Float>, excluding excluded: [Int32])
    -> [ScoredItem]
  {
    precondition(count >= 0, "count is \(count); it must not be negative")
    for p in excluded.indices.dropFirst() {
      precondition(excluded[p - 1] <= excluded[p], "the excluded items are not sorted ascending")
    }
    var best: [ScoredItem] = []
    best.reserveCapacity(count)
    guard count > 0 else { return best }
    // `a` before `b`: a higher key, or an equal key and a lower item id.
    func before(_ key: Float, _ item: Int, _ other: ScoredItem) -> Bool {
      let otherKey = rankingKey(other.score)
      return key > otherKey || (key == otherKey && item < other.item)
    }
    var nextExcluded = 0
    for item in 0..<scores.count {
      while nextExcluded < excluded.count && Int(excluded[nextExcluded]) < item { nextExcluded += 1 }
      if nextExcluded < excluded.count && Int(excluded[nextExcluded]) == item { continue }
      let score = scores[item]
      let key = rankingKey(score)
      if best.count == count {
        guard before(key, item, best[count - 1]) else { continue }
        best.removeLast()
      }
      // The first position whose item comes after this one.
      var low = 0
      var high = best.count
      while low < high {
        let middle = (low + high) / 2
        if before(key, item, best[middle]) { high = middle } else { low = middle + 1 }
      }
      best.insert(ScoredItem(item: item, score: score), at: low)
    }
    return best
  }

  /// The `count` best candidates, from an array of scores; the same as the overload that takes a buffer.
  ///
  /// - Parameters:
  ///   - count: How many items to return, at least 0.
  ///   - scores: The score of every item, indexed by item id.
  ///   - excluded: Item ids never returned, sorted ascending.
  /// - Returns: Up to `count` items, best first.
  public static func top(_ count: Int, scores: [Float], excluding excluded: [Int32]) -> [ScoredItem] {
    scores.withUnsafeBufferPointer { top(count, scores: $0, excluding: excluded) }
  }
}
