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
    let columns = Self.sevenMetrics.map { MetricColumn($0, k: k) }
    let means = evaluateTable(columns: columns, itemCount: itemCount, users: users, score: score).means.values
    return RankingMetrics(
      auc: means[0], map: means[1], mrr: means[2], ndcg: means[3], precision: means[4], recall: means[5],
      hitRate: means[6])
  }

  /// The order of the columns behind ``evaluate(itemCount:users:score:)``: the fields of ``RankingMetrics``.
  private static let sevenMetrics: [RankingMetric] = [.auc, .map, .mrr, .ndcg, .precision, .recall, .hitRate]

  /// Every column's value for every user that has at least one test item, and their means.
  ///
  /// Each user is ranked once: the ranks of the user's test items among the candidates are computed once,
  /// AUC and MRR from them, and the @k metrics once per distinct cut-off among `columns`. Row `r` of the
  /// table holds, for the `r`-th evaluated user, the values
  /// ``RankingEvaluation/userMetrics(scores:relevant:k:ties:)`` gives at each column's cut-off — bit for
  /// bit, so a column `ndcg@10` here equals ``evaluate(itemCount:users:score:)``'s `ndcg` with `k = 10`.
  /// ``k`` is not used: the cut-offs are the columns'.
  ///
  /// ```swift
  /// let columns = MetricColumn.columns(metrics: [.ndcg, .auc], cutoffs: [5, 10])
  /// let table = Evaluator(threads: 2).evaluateTable(columns: columns, itemCount: model.itemCount, users: testUsers) {
  ///   user, scores in model.scoreAll(user: user, into: scores)
  /// }
  /// table.means[columns[1]]          // mean NDCG@10
  /// ```
  ///
  /// - Parameters:
  ///   - columns: The columns to compute, in order (repeats allowed).
  ///   - itemCount: The number of items; item ids are `0..<itemCount`.
  ///   - users: The users to evaluate; users without test items are skipped.
  ///   - score: Fills `scores` (count `itemCount`, indexed by item id) with the model's score of every item
  ///     for `user`; it must write every entry. It is called concurrently from several threads, each with
  ///     its own buffer, and once per evaluated user.
  /// - Returns: One row per user with a test item, in the order of `users`; its means are summed in row
  ///   order (the same for any ``threads``), and 0 when no user has a test item.
  /// - Precondition: `threads ≥ 1`, `itemCount ≥ 0`; each user's `trainItems` are sorted ascending and in
  ///   `0..<itemCount`; each user's `testItems` are distinct, in `0..<itemCount` and not training items.
  public func evaluateTable(
    columns: [MetricColumn], itemCount: Int, users: [EvaluationUser],
    score: @Sendable (_ user: Int, _ scores: UnsafeMutableBufferPointer<Float>) -> Void
  ) -> MetricTable {
    table(columns: columns, itemCount: itemCount, users: users, blockSize: 1) { block, scores in
      score(block[0], scores)
    }
  }

  /// ``evaluateTable(columns:itemCount:users:score:)`` with the scores computed a block of users at a
  /// time: the same table, bit for bit, for any `blockSize` and any ``threads``.
  ///
  /// Each thread takes its chunk of users `blockSize` at a time, asks `scoreBlock` for the whole block's
  /// scores (so a model can stream its item parameters once per block, as
  /// ``FactorModel/scoreBlock(users:into:)`` does), then ranks each user of the block as the per-user
  /// overload does.
  ///
  /// ```swift
  /// let table = Evaluator(threads: 2).evaluateTable(
  ///   columns: columns, itemCount: model.itemCount, users: testUsers, blockSize: FactorModel.scoreBlockSize
  /// ) { block, scores in
  ///   model.scoreBlock(users: block, into: scores)
  /// }
  /// ```
  ///
  /// - Parameters:
  ///   - columns: The columns to compute, in order (repeats allowed).
  ///   - itemCount: The number of items; item ids are `0..<itemCount`.
  ///   - users: The users to evaluate; users without test items are skipped.
  ///   - blockSize: The most users per call of `scoreBlock`, at least 1.
  ///   - scoreBlock: Fills `scores` (count `block.count * itemCount`) with the model's scores: row `r`, the
  ///     `itemCount` floats from `r * itemCount`, indexed by item id, for user `block[r]`; it must write
  ///     every entry. It is called concurrently from several threads, each with its own buffers, and once
  ///     per block of at most `blockSize` evaluated users (fewer at the end of a thread's chunk).
  /// - Returns: One row per user with a test item, in the order of `users`; the same table as
  ///   ``evaluateTable(columns:itemCount:users:score:)`` with the same scores.
  /// - Precondition: `blockSize ≥ 1`, and those of ``evaluateTable(columns:itemCount:users:score:)``.
  public func evaluateTable(
    columns: [MetricColumn], itemCount: Int, users: [EvaluationUser], blockSize: Int,
    scoreBlock: @Sendable (_ block: UnsafeBufferPointer<Int>, _ scores: UnsafeMutableBufferPointer<Float>) -> Void
  ) -> MetricTable {
    precondition(blockSize >= 1, "blockSize is \(blockSize); it must be at least 1")
    return table(columns: columns, itemCount: itemCount, users: users, blockSize: blockSize, scoreBlock: scoreBlock)
  }

  /// ``evaluateTable(columns:itemCount:users:score:)`` for a ``FactorModel``, scoring
  /// ``FactorModel/scoreBlockSize`` users at a time: the same table, bit for bit, as scoring each user with
  /// ``FactorModel/scoreAll(user:into:)``.
  ///
  /// The item factors are first copied into panels of 16 items (factor by factor, the items side by side),
  /// and each user is scored against a whole panel in the lanes of a vector, with exactly the operations
  /// of ``FactorModel/scoreBlock(users:into:)`` per (user, item) pair and in the same order, so every
  /// score is the same; the copy (`itemCount × factors` floats) lives for the call.
  ///
  /// ```swift
  /// let table = Evaluator(threads: 2).evaluateTable(columns: columns, users: testUsers, model: model)
  /// ```
  ///
  /// - Parameters:
  ///   - columns: The columns to compute, in order (repeats allowed).
  ///   - users: The users to evaluate (each in `0..<model.userCount`); users without test items are skipped.
  ///   - model: The model; its items are `0..<model.itemCount`.
  /// - Returns: One row per user with a test item, in the order of `users`.
  /// - Precondition: Those of ``evaluateTable(columns:itemCount:users:score:)`` with
  ///   `itemCount = model.itemCount`.
  public func evaluateTable(columns: [MetricColumn], users: [EvaluationUser], model: FactorModel) -> MetricTable {
    // The item factors in panels, copied once per evaluation: every score as scoreBlock's, bit for bit.
    let panels = model.itemPanels()
    return table(columns: columns, itemCount: model.itemCount, users: users, blockSize: FactorModel.scoreBlockSize) {
      block, scores in model.scoreBlock(users: block, panels: panels, into: scores)
    }
  }

  /// The table, scoring at most `blockSize` users per call of `scoreBlock`.
  private func table(
    columns: [MetricColumn], itemCount: Int, users: [EvaluationUser], blockSize: Int,
    scoreBlock: @Sendable (_ block: UnsafeBufferPointer<Int>, _ scores: UnsafeMutableBufferPointer<Float>) -> Void
  ) -> MetricTable {
    precondition(threads >= 1, "threads is \(threads); it must be at least 1")
    precondition(itemCount >= 0, "itemCount is \(itemCount); it must not be negative")
    let evaluated = users.indices.filter { !users[$0].testItems.isEmpty }
    let width = columns.count
    guard !evaluated.isEmpty, width > 0 else {
      return MetricTable(
        columns: columns, users: evaluated.map { users[$0].user },
        values: [Double](repeating: 0, count: evaluated.count * width))
    }

    // The distinct cut-offs, and where each column reads its value from.
    var cutoffs: [Int] = []
    let sources: [(cutoff: Int, metric: RankingMetric)] = columns.map { column in
      guard let k = column.k else { return (0, column.metric) }
      if let index = cutoffs.firstIndex(of: k) { return (index, column.metric) }
      cutoffs.append(k)
      return (cutoffs.count - 1, column.metric)
    }
    if cutoffs.isEmpty { cutoffs = [1] }  // AUC and MRR only: they do not depend on the cut-off

    var values = [Double](repeating: 0, count: evaluated.count * width)
    let chunks = min(threads, evaluated.count)
    let (ties, fixedCutoffs) = (ties, cutoffs)
    values.withUnsafeMutableBufferPointer { buffer in
      let results = DisjointSlots(buffer)
      @Sendable func rankChunk(_ chunk: Int) {
        let ranker = UserRanker(itemCount: itemCount, blockSize: blockSize)
        var byCutoff = [RankingMetrics](repeating: .zero, count: fixedCutoffs.count)
        var block: [Int] = []
        block.reserveCapacity(blockSize)
        let end = (chunk + 1) * evaluated.count / chunks
        var first = chunk * evaluated.count / chunks
        while first < end {
          let positions = first..<min(first + blockSize, end)
          block.removeAll(keepingCapacity: true)
          for position in positions { block.append(users[evaluated[position]].user) }
          ranker.score(block, with: scoreBlock)
          for (row, position) in positions.enumerated() {
            let auc = ranker.rank(users[evaluated[position]], row: row, ties: ties)
            for n in fixedCutoffs.indices {
              byCutoff[n] = RankingEvaluation.metrics(ranks: ranker.scratch.ranks, auc: auc, k: fixedCutoffs[n])
            }
            for (c, source) in sources.enumerated() {
              results.store(byCutoff[source.cutoff][source.metric], at: position * width + c)
            }
          }
          first = positions.upperBound
        }
      }
      if chunks == 1 {
        rankChunk(0)
      } else {
        DispatchQueue.concurrentPerform(iterations: chunks, execute: rankChunk)
      }
    }
    return MetricTable(columns: columns, users: evaluated.map { users[$0].user }, values: values)
  }
}

/// The per-user result slots, written concurrently by chunks that own disjoint index ranges.
///
/// `@unchecked Sendable` because each chunk writes only the positions of its own contiguous range of users,
/// and the buffer outlives `concurrentPerform`, which returns only after every chunk has finished.
private struct DisjointSlots: @unchecked Sendable {
  let buffer: UnsafeMutableBufferPointer<Double>

  init(_ buffer: UnsafeMutableBufferPointer<Double>) {
    self.buffer = buffer
  }

  /// Writes one value; only the chunk that owns the user of `position` calls this.
  func store(_ value: Double, at position: Int) {
    buffer[position] = value
  }
}

/// One thread's buffers for scoring a block of users and ranking them one after another; never shared
/// between threads.
private final class UserRanker {
  let itemCount: Int
  /// The scores of every item for each user of the block, `itemCount` per row; a row is compacted in place
  /// to the user's candidates when the user is ranked.
  var scores: [Float]
  /// The user's test items, ascending.
  var sortedTests: [Int32] = []
  /// The candidate indices of the test items.
  var relevant: [Int] = []
  let scratch = RankingScratch()

  init(itemCount: Int, blockSize: Int) {
    self.itemCount = itemCount
    scores = [Float](repeating: 0, count: itemCount * blockSize)
  }

  /// Fills the first `block.count` rows of ``scores`` with `scoreBlock`.
  func score(
    _ block: [Int],
    with scoreBlock: (_ block: UnsafeBufferPointer<Int>, _ scores: UnsafeMutableBufferPointer<Float>) -> Void
  ) {
    let count = block.count * itemCount
    block.withUnsafeBufferPointer { users in
      scores.withUnsafeMutableBufferPointer { all in
        scoreBlock(users, UnsafeMutableBufferPointer(rebasing: all[0..<count]))
      }
    }
  }

  /// Keeps the candidates of row `row` of ``scores`` (the scores of every item for `user`) and ranks them:
  /// leaves the test items' ranks, ascending, in `scratch.ranks` and returns the user's AUC.
  func rank(_ user: EvaluationUser, row: Int, ties: TieConvention) -> Double {
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

    // The candidates: the runs of items between the sorted training ids, each moved down in place.
    var candidateCount = 0
    let offset = row * itemCount
    scores.withUnsafeMutableBufferPointer { block in
      guard itemCount > 0, let all = block.baseAddress.map({ UnsafeMutableRawPointer($0 + offset) }) else { return }
      let size = MemoryLayout<Float>.stride
      var next = 0  // the first item neither kept nor skipped yet
      // Keeps the items from `next` up to `end` (excluded).
      func keep(upTo end: Int) {
        guard next < end else { return }
        if candidateCount < next {
          (all + candidateCount * size).copyMemory(from: all + next * size, byteCount: (end - next) * size)
        }
        candidateCount += end - next
      }
      for item in train {
        keep(upTo: Int(item))
        next = max(next, Int(item) + 1)
      }
      keep(upTo: itemCount)
    }

    // Each test item's candidate index: its id less the distinct training ids below it.
    var nextTrain = 0
    var trainBelow = 0
    var misplaced: Int32? = nil
    for (p, test) in sortedTests.enumerated() {
      let item = Int(test)
      if item < 0 || item >= itemCount || (p > 0 && sortedTests[p - 1] == test) {
        misplaced = test
        break
      }
      while nextTrain < train.count && Int(train[nextTrain]) < item {
        if nextTrain == 0 || train[nextTrain - 1] != train[nextTrain] { trainBelow += 1 }
        nextTrain += 1
      }
      if nextTrain < train.count && Int(train[nextTrain]) == item {
        misplaced = test
        break
      }
      relevant.append(item - trainBelow)
    }
    precondition(
      misplaced == nil,
      "user \(user.user)'s test item \(misplaced ?? 0) is repeated, a training item or outside 0..<\(itemCount)")

    return scores.withUnsafeBufferPointer { block in
      RankingEvaluation.rank(
        scores: UnsafeBufferPointer(rebasing: block[offset..<(offset + candidateCount)]), relevant: relevant,
        ties: ties, scratch: scratch)
    }
  }
}
