/// Ranking metrics of one user from the model's scores of the user's candidate items.
///
/// ```swift
/// // Six candidates; the relevant ones are at indices 3 (rank 2) and 4 (rank 4).
/// let metrics = RankingEvaluation.userMetrics(
///   scores: [0.1, 0.9, 0.5, 0.7, 0.3, 0.8], relevant: [3, 4], k: 3, ties: .pessimistic)
/// metrics.precision      // 1/3
/// metrics.mrr            // 1/3
/// metrics.auc            // 0.375: (2/4 + 1/4) / 2
/// ```
///
/// The definitions are in ``RankingMetrics``. Only the relevant scores are sorted; then, per distinct
/// relevant score, the candidates above and equal to it are counted. Up to 32 distinct relevant scores
/// (the usual case), each candidate is compared with up to 32 of them at once in the lanes of vectors,
/// with the counts kept in the lanes; more are placed one candidate at a time among them (two
/// branch-free eight-lane counts up to 512, a binary search above). One user costs
/// `O(|C| · min(|T|, 32) / 8 + |C| log |T| + |T| log |T|)` time and `O(|T|)` scratch (much less than
/// sorting every candidate when `|T| ≪ |C|`).
public enum RankingEvaluation {
  /// The metrics of one user.
  ///
  /// Each relevant item `i` gets the rank `r_i = #{j ≠ i : s_j > s_i} + w · #{j ≠ i : s_j = s_i}` over all
  /// candidates `j`, with `w` from `ties`; the metrics follow from the ranks as defined in
  /// ``RankingMetrics``. A NaN score ranks as −∞ (below every number, tied with −∞ and other NaNs).
  ///
  /// - Parameters:
  ///   - scores: The scores of the user's candidate items (every item except the user's training items),
  ///     in any order.
  ///   - relevant: Indices into `scores` of the user's held-out (test) items: non-empty, distinct, each in
  ///     `0..<scores.count`.
  ///   - k: The cut-off, at least 1. A `k` above `scores.count` puts every candidate within the cut-off.
  ///   - ties: How a tie between scores is ranked.
  /// - Returns: The user's seven metrics.
  /// - Precondition: `relevant` is non-empty, distinct and in range, and `k ≥ 1`.
  public static func userMetrics(
    scores: UnsafeBufferPointer<Float>, relevant: [Int], k: Int, ties: TieConvention
  ) -> RankingMetrics {
    userMetrics(scores: scores, relevant: relevant, k: k, ties: ties, scratch: RankingScratch())
  }

  /// The metrics of one user, from an array of scores.
  ///
  /// The same as the overload that takes an `UnsafeBufferPointer<Float>`.
  ///
  /// - Parameters:
  ///   - scores: The scores of the user's candidate items, in any order.
  ///   - relevant: Indices into `scores` of the user's held-out items: non-empty, distinct, in range.
  ///   - k: The cut-off, at least 1.
  ///   - ties: How a tie between scores is ranked.
  /// - Returns: The user's seven metrics.
  public static func userMetrics(scores: [Float], relevant: [Int], k: Int, ties: TieConvention) -> RankingMetrics {
    scores.withUnsafeBufferPointer { userMetrics(scores: $0, relevant: relevant, k: k, ties: ties) }
  }

  /// The metrics of one user at several cut-offs, ranking the candidates once.
  ///
  /// Element `n` equals ``userMetrics(scores:relevant:k:ties:)`` with `k = cutoffs[n]`, bit for bit: the
  /// ranks `r_i` (and AUC and MRR, which do not depend on `k`) are computed once, and each cut-off only
  /// walks the ranks below it.
  ///
  /// ```swift
  /// let byK = RankingEvaluation.userMetrics(
  ///   scores: [0.1, 0.9, 0.5, 0.7, 0.3, 0.8], relevant: [3, 4], cutoffs: [1, 3], ties: .pessimistic)
  /// byK[0].precision   // 0: rank 2 is not in the top 1
  /// byK[1].precision   // 1/3
  /// ```
  ///
  /// - Parameters:
  ///   - scores: The scores of the user's candidate items, in any order.
  ///   - relevant: Indices into `scores` of the user's held-out items: non-empty, distinct, in range.
  ///   - cutoffs: The cut-offs, each at least 1, in any order (repeats allowed).
  ///   - ties: How a tie between scores is ranked.
  /// - Returns: One ``RankingMetrics`` per cut-off, in the order of `cutoffs`.
  /// - Precondition: `relevant` is non-empty, distinct and in range, and every cut-off is at least 1.
  public static func userMetrics(
    scores: UnsafeBufferPointer<Float>, relevant: [Int], cutoffs: [Int], ties: TieConvention
  ) -> [RankingMetrics] {
    for k in cutoffs { precondition(k >= 1, "k is \(k); the cut-off must be at least 1") }
    let scratch = RankingScratch()
    let auc = rank(scores: scores, relevant: relevant, ties: ties, scratch: scratch)
    return cutoffs.map { metrics(ranks: scratch.ranks, auc: auc, k: $0) }
  }

  /// The metrics of one user at several cut-offs, from an array of scores.
  ///
  /// The same as the overload that takes an `UnsafeBufferPointer<Float>`.
  ///
  /// - Parameters:
  ///   - scores: The scores of the user's candidate items, in any order.
  ///   - relevant: Indices into `scores` of the user's held-out items: non-empty, distinct, in range.
  ///   - cutoffs: The cut-offs, each at least 1.
  ///   - ties: How a tie between scores is ranked.
  /// - Returns: One ``RankingMetrics`` per cut-off, in the order of `cutoffs`.
  public static func userMetrics(
    scores: [Float], relevant: [Int], cutoffs: [Int], ties: TieConvention
  ) -> [RankingMetrics] {
    scores.withUnsafeBufferPointer { userMetrics(scores: $0, relevant: relevant, cutoffs: cutoffs, ties: ties) }
  }

  /// The metrics of one user, reusing `scratch` for every temporary buffer.
  static func userMetrics(
    scores: UnsafeBufferPointer<Float>, relevant: [Int], k: Int, ties: TieConvention, scratch: RankingScratch
  ) -> RankingMetrics {
    precondition(k >= 1, "k is \(k); the cut-off must be at least 1")
    let auc = rank(scores: scores, relevant: relevant, ties: ties, scratch: scratch)
    return metrics(ranks: scratch.ranks, auc: auc, k: k)
  }

  /// Ranks the relevant items among the candidates: leaves their ranks `r_i`, ascending, in
  /// `scratch.ranks` and returns the user's AUC.
  ///
  /// `counting` chooses how the candidates are counted (``CandidateCounting/automatic`` in every caller but
  /// the tests that compare the methods); every method gives the same counts, so the same ranks and AUC.
  static func rank(
    scores: UnsafeBufferPointer<Float>, relevant: [Int], ties: TieConvention, scratch: RankingScratch,
    counting: CandidateCounting = .automatic
  ) -> Double {
    let n = scores.count
    let t = relevant.count
    precondition(t > 0, "relevant is empty: a user needs at least one relevant item")
    scratch.sortedRelevant.removeAll(keepingCapacity: true)
    scratch.sortedRelevant.append(contentsOf: relevant)
    scratch.sortedRelevant.sort()
    precondition(
      scratch.sortedRelevant[0] >= 0 && scratch.sortedRelevant[t - 1] < n,
      "a relevant index is outside 0..<\(n), the range of scores")
    for p in 1..<t {
      precondition(
        scratch.sortedRelevant[p - 1] != scratch.sortedRelevant[p],
        "relevant index \(scratch.sortedRelevant[p]) is repeated; relevant items must be distinct")
    }

    // The distinct relevant scores u_0 < u_1 < … < u_{d−1}, with how many relevant items have each.
    scratch.values.removeAll(keepingCapacity: true)
    scratch.values.append(contentsOf: relevant.lazy.map { rankingKey(scores[$0]) })
    scratch.values.sort()
    scratch.relevantCounts.removeAll(keepingCapacity: true)
    var d = 0
    for p in 0..<t {
      if p > 0 && scratch.values[p] == scratch.values[d - 1] {
        scratch.relevantCounts[d - 1] += 1
      } else {
        scratch.values[d] = scratch.values[p]
        scratch.relevantCounts.append(1)
        d += 1
      }
    }
    scratch.values.removeLast(t - d)

    // For each distinct relevant score u_q: greater[q] counts the candidates above it, equal[q] those equal
    // to it (relevant ones included).
    scratch.greater.removeAll(keepingCapacity: true)
    scratch.greater.append(contentsOf: repeatElement(0, count: d))
    scratch.equal.removeAll(keepingCapacity: true)
    scratch.equal.append(contentsOf: repeatElement(0, count: d))
    let method = counting == .automatic ? CandidateCounting.choice(distinct: d, lowest: scratch.values[0]) : counting
    if method == .lanes {
      precondition(
        d <= Self.laneValues && scratch.values[0] != -.infinity,
        "lane counting needs at most \(Self.laneValues) "
          + "distinct relevant scores, none −∞ or NaN; got \(d) from \(scratch.values[0])")
      scratch.values.withUnsafeBufferPointer { values in
        scratch.greater.withUnsafeMutableBufferPointer { greater in
          scratch.equal.withUnsafeMutableBufferPointer { equal in
            countAboveAndEqual(scores: scores, values: values, greater: greater, equal: equal)
          }
        }
      }
    } else {
      placeEachCandidate(scores: scores, distinct: d, scratch: scratch, splitters: method == .splitters)
    }

    // From the highest distinct relevant score down, so that the ranks come out ascending: each of the
    // relevantCounts[q] items scored u_q has
    //   r = #(candidates > u_q) + w · (#(candidates = u_q) − 1)
    // and counts (#(negatives < u_q) + (1 − w) · #(negatives = u_q)) / |C∖T| toward AUC.
    let w = ties.tieWeight
    let negatives = n - t
    var aucSum = 0.0
    scratch.ranks.removeAll(keepingCapacity: true)
    var relevantAbove = 0
    for q in stride(from: d - 1, through: 0, by: -1) {
      let greater = scratch.greater[q]
      let equal = scratch.equal[q]
      let count = scratch.relevantCounts[q]
      let rank = Double(greater) + w * Double(equal - 1)
      let lessNegatives = (n - greater - equal) - (t - relevantAbove - count)
      let tiedNegatives = equal - count
      for _ in 0..<count {
        scratch.ranks.append(rank)
        if negatives > 0 {
          aucSum += (Double(lessNegatives) + (1 - w) * Double(tiedNegatives)) / Double(negatives)
        }
      }
      relevantAbove += count
    }

    return negatives > 0 ? aucSum / Double(t) : 1
  }

  /// Places each candidate among the `distinct` ascending relevant keys `scratch.values` (two branch-free
  /// eight-lane counts with `splitters` and up to 512 keys, a binary search otherwise) and fills
  /// `scratch.greater` and `scratch.equal` (count `distinct`, zeroed) from the places.
  private static func placeEachCandidate(
    scores: UnsafeBufferPointer<Float>, distinct d: Int, scratch: RankingScratch, splitters useSplitters: Bool
  ) {
    // One pass over the candidates: equal[q] counts the candidates equal to u_q (relevant ones included),
    // between[b] those strictly between u_{b−1} and u_b (b = 0: below u_0; b = d: above u_{d−1}).
    scratch.between.removeAll(keepingCapacity: true)
    scratch.between.append(contentsOf: repeatElement(0, count: d + 1))
    // Each candidate's place comes from two branch-free counts of eight lanes at a time (see
    // countLess(padded:splitters:splitterChunks:than:)), or from a binary search.
    let chunks = (d + 7) / 8
    let splitterChunks = (chunks - 1 + 7) / 8
    let linear = useSplitters
    precondition(!linear || splitterChunks <= Self.splitterChunks, "\(d) distinct scores are too many for splitters")
    if linear {
      scratch.padded.removeAll(keepingCapacity: true)
      scratch.padded.append(contentsOf: scratch.values)
      scratch.padded.append(contentsOf: repeatElement(.infinity, count: 8 * chunks - d))
      scratch.splitters.removeAll(keepingCapacity: true)
      for chunk in 0..<(chunks - 1) { scratch.splitters.append(scratch.padded[8 * chunk + 7]) }
      scratch.splitters.append(contentsOf: repeatElement(.infinity, count: 8 * splitterChunks - (chunks - 1)))
    }
    scratch.values.withUnsafeBufferPointer { values in
      scratch.padded.withUnsafeBufferPointer { padded in
        scratch.splitters.withUnsafeBufferPointer { splitters in
          scratch.equal.withUnsafeMutableBufferPointer { equal in
            scratch.between.withUnsafeMutableBufferPointer { between in
              // Counts x, which is placed after the first `position` distinct relevant scores.
              @inline(__always) func place(_ x: Float, at position: Int) {
                if position < d && values[position] == x {
                  equal[position] += 1
                } else {
                  between[position] += 1
                }
              }
              if linear {
                let paddedBase = padded.baseAddress!
                let splitterBase = splitters.baseAddress ?? paddedBase  // not read when splitterChunks is 0
                for score in scores {
                  let x = rankingKey(score)
                  place(
                    x,
                    at: countLess(padded: paddedBase, splitters: splitterBase, splitterChunks: splitterChunks, than: x))
                }
              } else {
                for score in scores {
                  let x = rankingKey(score)
                  place(x, at: countLess(values, than: x))
                }
              }
            }
          }
        }
      }
    }

    // From the top: the candidates above u_q are those above u_{q+1}, equal to it, and between the two.
    var greater = scratch.between[d]
    for q in stride(from: d - 1, through: 0, by: -1) {
      scratch.greater[q] = greater
      greater += scratch.equal[q] + scratch.between[q]
    }
  }

  /// For each of the ascending distinct keys `values` (at most ``laneValues``, none −∞), the number of
  /// scores above it (`greater`) and equal to it (`equal`), with several keys compared at once to each score
  /// and the counts kept in the lanes: no branch and no memory write per score. The loop is the active
  /// instruction-set path's (``ModelKernels``): up to 32 keys per pass over the scores (16 on the baseline),
  /// four lanes when at most four keys are left; the counts are integers, the same on every path.
  ///
  /// A NaN score compares false with every key, so it counts as below all of them, as its ranking key −∞
  /// does when no key is −∞. Lanes past the keys hold NaN and count nothing.
  static func countAboveAndEqual(
    scores: UnsafeBufferPointer<Float>, values: UnsafeBufferPointer<Float>, greater: UnsafeMutableBufferPointer<Int>,
    equal: UnsafeMutableBufferPointer<Int>
  ) {
    precondition(scores.count <= Int(Int32.max), "too many scores for 32-bit lane counts")
    precondition(greater.count >= values.count && equal.count >= values.count)
    guard let keys = values.baseAddress, let scoreBase = scores.baseAddress else {
      // No keys, or no scores: nothing above or equal to any key.
      for q in 0..<values.count { (greater[q], equal[q]) = (0, 0) }
      return
    }
    ModelKernels.active.countAboveAndEqual(
      scoreBase, count: scores.count, keys: keys, keyCount: values.count, greater: greater.baseAddress!,
      equal: equal.baseAddress!)
  }

  /// The most distinct relevant scores that ``rank(scores:relevant:ties:scratch:counting:)`` counts with
  /// lanes (one pass over the candidates for all of them, two on the baseline path); more are placed one
  /// candidate at a time.
  static let laneValues = 32

  /// The most chunks of eight splitters (so up to `8 · 8 · 8 = 512` distinct relevant scores) for which
  /// ``rank(scores:relevant:ties:scratch:)`` places each candidate with two branch-free counts; more distinct
  /// relevant scores take a binary search per candidate.
  static let splitterChunks = 8

  /// The metrics of a user whose relevant items have the ascending ranks `ranks` (non-empty), at cut-off
  /// `k ≥ 1`, with the AUC computed by ``rank(scores:relevant:ties:scratch:)``.
  static func metrics(ranks: [Double], auc: Double, k: Int) -> RankingMetrics {
    let t = ranks.count
    // The ranks ascending: those within the cut-off are a prefix, and the m-th of them is the m-th hit.
    let cutoff = Double(k)
    var hits = 0
    var precisionSum = 0.0
    var dcg = 0.0
    for r in ranks {
      guard r < cutoff else { break }
      hits += 1
      precisionSum += Double(hits) / (r + 1)
      dcg += discount(rank: r)
    }
    let idealHits = min(t, k)
    var idealDCG = 0.0
    for p in 0..<idealHits {
      idealDCG += discount(rank: Double(p))
    }

    return RankingMetrics(
      auc: auc,
      map: precisionSum / Double(idealHits),
      mrr: 1 / (1 + ranks[0]),
      ndcg: dcg / idealDCG,
      precision: Double(hits) / Double(k),
      recall: Double(hits) / Double(t),
      hitRate: hits > 0 ? 1 : 0)
  }
}

/// How ``RankingEvaluation/rank(scores:relevant:ties:scratch:counting:)`` counts the candidates above and
/// equal to each distinct relevant score; every method gives the same counts.
enum CandidateCounting: CaseIterable {
  /// ``lanes`` up to ``RankingEvaluation/laneValues`` distinct relevant scores when none is −∞ (or NaN),
  /// else ``splitters`` up to 512, else ``binarySearch``.
  case automatic
  /// One pass over the candidates per eight distinct relevant scores, compared in the lanes of a vector.
  case lanes
  /// Each candidate placed among the distinct relevant scores with two branch-free eight-lane counts.
  case splitters
  /// Each candidate placed with a binary search.
  case binarySearch

  /// The method ``automatic`` stands for with `distinct` distinct relevant scores, the lowest `lowest`.
  static func choice(distinct: Int, lowest: Float) -> CandidateCounting {
    if distinct <= RankingEvaluation.laneValues && lowest != -.infinity { return .lanes }
    let splitterChunks = ((distinct + 7) / 8 - 1 + 7) / 8
    return splitterChunks <= RankingEvaluation.splitterChunks ? .splitters : .binarySearch
  }
}
