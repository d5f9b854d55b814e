/// The seven ranking metrics of one user, or their average over users.
///
/// For one user, let `C` be the candidates (every item not in the user's training set), `T ⊆ C` the
/// relevant (held-out test) items, `s` the model's scores, `k ≥ 1` the cut-off and `w` the weight of a tie
/// (1 under ``TieConvention/pessimistic``, 1/2 under ``TieConvention/average``). Each relevant item
/// `i ∈ T` has the 0-based rank
///
/// ```
/// r_i = #{j ∈ C, j ≠ i : s_j > s_i} + w · #{j ∈ C, j ≠ i : s_j = s_i}      (fractional under average)
/// hit_i = [r_i < k]
/// ```
///
/// Other relevant items count in `r_i` like any candidate. The metrics are
///
/// ```
/// AUC          = (1/|T|) Σ_{i∈T} ( #{j ∈ C∖T : s_j < s_i} + (1 − w) · #{j ∈ C∖T : s_j = s_i} ) / |C∖T|
///                (AUC = 1 when C∖T is empty: there is no pair to mis-order)
/// precision@k  = Σ_{i∈T} hit_i / k
/// recall@k     = Σ_{i∈T} hit_i / |T|
/// hit rate@k   = [Σ_{i∈T} hit_i > 0]
/// MRR          = 1 / (1 + min_{i∈T} r_i)                                     (no cut-off)
/// MAP@k        = ( Σ_{m : r_(m) < k} m / (r_(m) + 1) ) / min(|T|, k)
///                where r_(1) ≤ r_(2) ≤ … are the ranks of T in ascending order
/// NDCG@k       = Σ_{i∈T : r_i < k} 1 / log2(r_i + 2)  /  Σ_{p=0}^{min(|T|,k)−1} 1 / log2(p + 2)
/// ```
///
/// Precision divides by `k` even when fewer than `k` candidates exist, so a user with `|T| < k` cannot
/// reach precision 1; MAP and NDCG normalize by the best achievable value, so a perfect ranking scores 1.
///
/// An average over users (``Evaluator/evaluate(itemCount:users:score:)``) is the field-by-field mean of
/// the users' values.
public struct RankingMetrics: Sendable, Equatable {
  /// Area under the ROC curve, in [0, 1]; see ``RankingMetric/auc``.
  public var auc: Double
  /// Mean average precision at k, in [0, 1]; see ``RankingMetric/map``.
  public var map: Double
  /// Reciprocal rank of the best-ranked relevant item, in (0, 1]; see ``RankingMetric/mrr``.
  public var mrr: Double
  /// Normalized discounted cumulative gain at k, in [0, 1]; see ``RankingMetric/ndcg``.
  public var ndcg: Double
  /// Precision at k, in [0, 1]; see ``RankingMetric/precision``.
  public var precision: Double
  /// Recall at k, in [0, 1]; see ``RankingMetric/recall``.
  public var recall: Double
  /// Hit rate at k: 0 or 1 for one user, the fraction of users with a hit for an average.
  public var hitRate: Double

  /// Creates a set of metric values.
  ///
  /// - Parameters:
  ///   - auc: Area under the ROC curve.
  ///   - map: Mean average precision at k.
  ///   - mrr: Mean reciprocal rank.
  ///   - ndcg: Normalized discounted cumulative gain at k.
  ///   - precision: Precision at k.
  ///   - recall: Recall at k.
  ///   - hitRate: Hit rate at k.
  public init(
    auc: Double, map: Double, mrr: Double, ndcg: Double, precision: Double, recall: Double, hitRate: Double
  ) {
    self.auc = auc
    self.map = map
    self.mrr = mrr
    self.ndcg = ndcg
    self.precision = precision
    self.recall = recall
    self.hitRate = hitRate
  }

  /// The value of one metric.
  ///
  /// ```swift
  /// for metric in RankingMetric.allCases {
  ///   print(metric.displayName(k: 10), metrics[metric])
  /// }
  /// ```
  ///
  /// - Parameter metric: The metric to read.
  public subscript(metric: RankingMetric) -> Double {
    switch metric {
    case .auc: auc
    case .map: map
    case .mrr: mrr
    case .ndcg: ndcg
    case .precision: precision
    case .recall: recall
    case .hitRate: hitRate
    }
  }

  /// Every metric 0: the sum before any user is added, and the average over no users.
  public static let zero = RankingMetrics(auc: 0, map: 0, mrr: 0, ndcg: 0, precision: 0, recall: 0, hitRate: 0)

  /// Adds `other` field by field (the running sum of an average).
  mutating func add(_ other: RankingMetrics) {
    auc += other.auc
    map += other.map
    mrr += other.mrr
    ndcg += other.ndcg
    precision += other.precision
    recall += other.recall
    hitRate += other.hitRate
  }

  /// Every field divided by `count` (the sum turned into a mean).
  func divided(by count: Int) -> RankingMetrics {
    let n = Double(count)
    return RankingMetrics(
      auc: auc / n, map: map / n, mrr: mrr / n, ndcg: ndcg / n, precision: precision / n, recall: recall / n,
      hitRate: hitRate / n)
  }
}
