/// One column of a metric table: a ranking metric, with its cut-off `k` where the metric has one.
///
/// ``RankingMetric/auc`` and ``RankingMetric/mrr`` rank every candidate and have no cut-off; the other five
/// are computed over the top `k`. A column's ``name`` is how configs and machine-readable outputs name it
/// (`"ndcg@10"`, `"hit_rate@5"`, `"auc"`), its ``displayName`` how tables head it (`"NDCG@10"`, `"HR@5"`,
/// `"AUC"`).
///
/// ```swift
/// let column = MetricColumn(.ndcg, k: 10)
/// column.name                              // "ndcg@10"
/// column.displayName                       // "NDCG@10"
/// MetricColumn(parsing: "mrr")?.k          // nil
/// MetricColumn.columns(metrics: [.ndcg, .auc, .precision], cutoffs: [5, 10]).map(\.name)
/// // ["ndcg@5", "ndcg@10", "auc", "precision@5", "precision@10"]
/// ```
public struct MetricColumn: Sendable, Hashable, CustomStringConvertible {
  /// The metric.
  public let metric: RankingMetric
  /// The cut-off, at least 1, for a metric that has one (``RankingMetric/hasCutoff``); `nil` for AUC and MRR.
  public let k: Int?

  /// Creates a column; `k` is dropped for a metric without a cut-off.
  ///
  /// - Parameters:
  ///   - metric: The metric.
  ///   - k: The cut-off, at least 1; ignored by ``RankingMetric/auc`` and ``RankingMetric/mrr``.
  /// - Precondition: `k ≥ 1`.
  public init(_ metric: RankingMetric, k: Int) {
    precondition(k >= 1, "k is \(k); the cut-off must be at least 1")
    self.metric = metric
    self.k = metric.hasCutoff ? k : nil
  }

  /// The AUC column (no cut-off).
  public static let auc = MetricColumn(.auc, k: 1)

  /// The MRR column (no cut-off).
  public static let mrr = MetricColumn(.mrr, k: 1)

  /// Parses a column name: `"metric@k"` for a metric with a cut-off (`"ndcg@10"`, `"hit_rate@5"`), the bare
  /// metric for one without (`"auc"`, `"mrr"`).
  ///
  /// - Parameter text: The name, exactly as ``name`` writes it (no spaces, lower case, `k` in decimal
  ///   digits, at least 1).
  /// - Returns: The column, or `nil` when `text` is not such a name (an unknown metric, a missing or extra
  ///   cut-off, a cut-off below 1 or not a plain number).
  public init?(parsing text: String) {
    let parts = text.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
    guard let metric = RankingMetric(rawValue: String(parts[0])) else { return nil }
    if parts.count == 1 {
      guard !metric.hasCutoff else { return nil }
      self.metric = metric
      self.k = nil
      return
    }
    let digits = parts[1]
    guard metric.hasCutoff, !digits.isEmpty, digits.count <= 18, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
      let k = Int(digits), k >= 1, String(k) == digits
    else { return nil }
    self.metric = metric
    self.k = k
  }

  /// The machine-readable name: `"metric@k"` (`"ndcg@10"`), or the metric alone for AUC and MRR.
  public var name: String { k.map { "\(metric.rawValue)@\($0)" } ?? metric.rawValue }

  /// The table heading: ``RankingMetric/displayName(k:)`` with this column's cut-off (`"NDCG@10"`, `"AUC"`).
  public var displayName: String { metric.displayName(k: k ?? 0) }

  /// The same as ``name``.
  public var description: String { name }

  /// The columns of `metrics` at `cutoffs`, in the order given: each metric with a cut-off once per `k` in
  /// the order of `cutoffs`, each metric without one once.
  ///
  /// - Parameters:
  ///   - metrics: The metrics, in column order.
  ///   - cutoffs: The cut-offs, each at least 1, in column order.
  /// - Returns: `Σ_m (m has a cut-off ? |cutoffs| : 1)` columns; for `[ndcg, precision]` at `[5, 10]`:
  ///   `ndcg@5, ndcg@10, precision@5, precision@10`.
  /// - Precondition: every cut-off is at least 1.
  public static func columns(metrics: [RankingMetric], cutoffs: [Int]) -> [MetricColumn] {
    metrics.flatMap { metric in
      metric.hasCutoff ? cutoffs.map { MetricColumn(metric, k: $0) } : [MetricColumn(metric, k: 1)]
    }
  }
}
