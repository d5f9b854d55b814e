import Dispatch

/// Averages ranking metrics over users, ranking each user's candidates in parallel.
///
/// For each user with at least one test item, the evaluator asks the model for the scores of all
/// `itemCount` items, drops the user's training items to get the candidates `C`, and computes
/// ``RankingEvaluation/userMetrics(scores:relevant:k:ties:)`` with the test items as `T`. The result is the
/// mean over those users:
///
/// ```
/// metric = (1 / |U|) Σ_{u ∈ U} metric_u        U = the users with at least one test item, in order
/// ```
///
/// ```swift
/// let evaluator = Evaluator(k: 10, ties: .pessimistic, threads: 4)
/// let metrics = evaluator.evaluate(itemCount: model.itemCount, users: testUsers) { user, scores in
///   model.scoreAll(user: user, into: scores)
/// }
/// print(RankingMetric.ndcg.displayName(k: 10), metrics.ndcg)
/// ```
///
/// The users are split into `threads` contiguous chunks, each ranked on its own thread with its own
/// buffers (one score buffer of `itemCount` floats, compacted in place to the candidates, and a few scratch
/// arrays of `O(|T|)`, so a chunk allocates nothing per user once they have grown). One user costs
/// `O(itemCount + |C| log |T|)` beyond the score function. Per-user results are summed in user order
/// afterwards, so the mean is bit-for-bit the same for every thread count.
public struct Evaluator: Sendable {
  /// The cut-off of the @k metrics, at least 1; default 10. A user with fewer than `k` candidates has all of
  /// them within the cut-off.
  public var k: Int
  /// How tied scores are ranked; default ``TieConvention/pessimistic``.
  public var ties: TieConvention
  /// The number of threads to rank users on, at least 1; default 1 (the calling thread only).
  public var threads: Int

  /// Creates an evaluator.
  ///
  /// - Parameters:
  ///   - k: The cut-off of the @k metrics, at least 1; default 10.
  ///   - ties: How tied scores are ranked; default ``TieConvention/pessimistic``.
  ///   - threads: The number of threads, at least 1; default 1.
  /// - Precondition: `k ≥ 1` and `threads ≥ 1`.
  public init(k: Int = 10, ties: TieConvention = .pessimistic, threads: Int = 1) {
    precondition(k >= 1, "k is \(k); the cut-off must be at least 1")
    precondition(threads >= 1, "threads is \(threads); it must be at least 1")
    self.k = k
    self.ties = ties
    self.threads = threads
  }

  /// The mean of each metric over the users that have at least one test item.
  ///
  /// - Parameters:
  ///   - itemCount: The number of items; item ids are `0..<itemCount`.
  ///   - users: The users to evaluate; users without test items are skipped.
  ///   - score: Fills `scores` (count `itemCount`, indexed by item id) with the model's score of every item
  ///     for `user`; it must write every entry. It is called concurrently from several threads, each with
  ///     its own buffer, and once per evaluated user.
  /// - Returns: The mean over the evaluated users of each metric, summed in user order (the same for any
  ///   ``threads``); ``RankingMetrics/zero`` if no user has a test item.
  /// - Precondition: `k ≥ 1`, `threads ≥ 1`, `itemCount ≥ 0`; each user's `trainItems` are sorted ascending
  ///   and in `0..<itemCount`; each user's `testItems` are distinct, in `0..<itemCount` and not training
  ///   items.
  public func evaluate(
    itemCount: Int, users: [EvaluationUser],
    score: @Sendable (_ user: Int, _ scores: UnsafeMutableBufferPointer<Float>) -> Void
  ) -> RankingMetrics {
    precondition(k >= 1, "k is \(k); the cut-off must be at least 1")
    precondition(threads >= 1, "threads is \(threads); it must be at least 1")
    precondition(itemCount >= 0, "itemCount is \(itemCount); it must not be negative")
    let evaluated = users.indices.filter { !users[$0].testItems.isEmpty }
    guard !evaluated.isEmpty else { return .zero }

    var perUser = [RankingMetrics](repeating: .zero, count: evaluated.count)
    let chunks = min(threads, evaluated.count)
    let (k, ties) = (k, ties)
    perUser.withUnsafeMutableBufferPointer { buffer in
      let results = DisjointSlots(buffer)
      @Sendable func rankChunk(_ chunk: Int) {
        let ranker = UserRanker(itemCount: itemCount)
        for position in (chunk * evaluated.count / chunks)..<((chunk + 1) * evaluated.count / chunks) {
          results.store(ranker.metrics(of: users[evaluated[position]], k: k, ties: ties, score: score), at: position)
        }
      }
      if chunks == 1 {
        rankChunk(0)
      } else {
        DispatchQueue.concurrentPerform(iterations: chunks, execute: rankChunk)
      }
    }

    var sum = RankingMetrics.zero
    for metrics in perUser {
      sum.add(metrics)
    }
    return sum.divided(by: evaluated.count)
  }
}

/// The per-user result slots, written concurrently by chunks that own disjoint index ranges.
///
/// `@unchecked Sendable` because each chunk writes only the positions of its own contiguous range, and the
/// buffer outlives `concurrentPerform`, which returns only after every chunk has finished.
private struct DisjointSlots: @unchecked Sendable {
  let buffer: UnsafeMutableBufferPointer<RankingMetrics>

  init(_ buffer: UnsafeMutableBufferPointer<RankingMetrics>) {
    self.buffer = buffer
  }

  /// Writes the result of the user at `position`; only the chunk that owns `position` calls this.
  func store(_ metrics: RankingMetrics, at position: Int) {
    buffer[position] = metrics
  }
}

/// One thread's buffers for ranking users one after another; never shared between threads.
private final class UserRanker {
  let itemCount: Int
  /// The scores of every item, then (compacted in place) of the candidates.
  var scores: [Float]
  /// The user's test items, ascending.
  var sortedTests: [Int32] = []
  /// The candidate indices of the test items.
  var relevant: [Int] = []
  let scratch = RankingScratch()

  init(itemCount: Int) {
    self.itemCount = itemCount
    scores = [Float](repeating: 0, count: itemCount)
  }

  /// Scores every item for `user`, keeps the candidates and ranks them.
  func metrics(
    of user: EvaluationUser, k: Int, ties: TieConvention,
    score: (_ user: Int, _ scores: UnsafeMutableBufferPointer<Float>) -> Void
  ) -> RankingMetrics {
    let train = user.trainItems
    let itemCount = itemCount
    if let first = train.first, let last = train.last {
      precondition(
        first >= 0 && Int(last) < itemCount, "user \(user.user) has a training item outside 0..<\(itemCount)")
      for p in 1..<train.count {
        precondition(train[p - 1] <= train[p], "user \(user.user)'s training items are not sorted ascending")
      }
    }
    sortedTests.removeAll(keepingCapacity: true)
    sortedTests.append(contentsOf: user.testItems)
    sortedTests.sort()
    relevant.removeAll(keepingCapacity: true)

    // Walk the items in id order beside the sorted training and test ids, compacting candidates in place.
    var candidateCount = 0
    scores.withUnsafeMutableBufferPointer { all in
      score(user.user, all)
      var nextTrain = 0
      var nextTest = 0
      for item in 0..<itemCount {
        while nextTrain < train.count && Int(train[nextTrain]) < item { nextTrain += 1 }
        if nextTrain < train.count && Int(train[nextTrain]) == item { continue }
        if nextTest < sortedTests.count && Int(sortedTests[nextTest]) == item {
          relevant.append(candidateCount)
          nextTest += 1
        }
        all[candidateCount] = all[item]
        candidateCount += 1
      }
      precondition(
        nextTest == sortedTests.count,
        "user \(user.user)'s test item \(sortedTests[min(nextTest, sortedTests.count - 1)]) is repeated, "
          + "a training item or outside 0..<\(itemCount)")
    }

    return scores.withUnsafeBufferPointer { all in
      RankingEvaluation.userMetrics(
        scores: UnsafeBufferPointer(rebasing: all[0..<candidateCount]), relevant: relevant, k: k, ties: ties,
        scratch: scratch)
    }
  }
}
