/// One of the seven ranking metrics that ``RankingEvaluation`` computes for a user.
///
/// Every metric lies in [0, 1] and is better when higher. The raw value is the metric's name in configs
/// and reports (`"auc"`, `"map"`, …, `"hit_rate"`); ``displayName(k:)`` is its column heading
/// (`"NDCG@10"`). The formulas are in ``RankingMetrics``.
public enum RankingMetric: String, Sendable, CaseIterable, CustomStringConvertible {
  /// Area under the ROC curve: the fraction of (relevant, non-relevant) candidate pairs ordered correctly.
  case auc
  /// Mean average precision at k.
  case map
  /// Mean reciprocal rank of the first relevant item (no cut-off).
  case mrr
  /// Normalized discounted cumulative gain at k.
  case ndcg
  /// Precision at k: the fraction of the top k that is relevant.
  case precision
  /// Recall at k: the fraction of the relevant items that is in the top k.
  case recall
  /// Hit rate at k: 1 if any relevant item is in the top k, else 0.
  case hitRate = "hit_rate"

  /// The metric's name, its raw value: `"auc"`, `"map"`, `"mrr"`, `"ndcg"`, `"precision"`, `"recall"`,
  /// `"hit_rate"`.
  public var description: String { rawValue }

  /// The metric's display name, with the cut-off where one applies.
  ///
  /// ```swift
  /// RankingMetric.ndcg.displayName(k: 10)      // "NDCG@10"
  /// RankingMetric.auc.displayName(k: 10)       // "AUC" (no cut-off)
  /// ```
  ///
  /// - Parameter k: The cut-off; ignored by ``auc`` and ``mrr``.
  /// - Returns: `"AUC"`, `"MAP@k"`, `"MRR"`, `"NDCG@k"`, `"P@k"`, `"R@k"` or `"HR@k"`.
  public func displayName(k: Int) -> String {
    switch self {
    case .auc: "AUC"
    case .map: "MAP@\(k)"
    case .mrr: "MRR"
    case .ndcg: "NDCG@\(k)"
    case .precision: "P@\(k)"
    case .recall: "R@\(k)"
    case .hitRate: "HR@\(k)"
    }
  }

  /// Whether the metric is computed over the top `k` candidates: `false` for ``auc`` and ``mrr``, which
  /// rank every candidate; `true` for the other five.
  public var hasCutoff: Bool { self != .auc && self != .mrr }

  /// Whether a larger value is better: `true` for every ranking metric.
  public var higherIsBetter: Bool { true }
}
