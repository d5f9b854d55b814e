/// A decorator that gives any loss *partial credit* from item metadata.
///
/// For every pair of positive item `i_j` and negative item `i_kj` it computes the ideal difference
///
/// ```
/// m_kj = m⁰_kj − Σ_f w_f · [code_f(i_j) = code_f(i_kj)]
/// ```
///
/// where `m⁰` is the batch's own ideal difference (1 when it has none), and hands the batch with those
/// margins to the wrapped loss. A negative that shares the positive's genre then needs a smaller score
/// gap to cost nothing — it is "partly right". The same item as positive and negative matches on every
/// field and gets `1 − Σ_f w_f`.
///
/// Adaptive losses use the margin of the negative they pick per column (``AdaptiveLoss``); WARP uses
/// the margin of every negative it scans — as the seed does.
///
/// ```swift
/// let metadata = try ItemMetadata(["genre": [0, 0, 1]])
/// let loss = try BPRLoss().withPartialCredit(metadata: metadata, weights: ["genre": 0.25])
/// let batch = LossBatch<Double>(positiveScores: [1], negativeScores: [3], positiveItems: [0], negativeItems: [1])
/// try loss.value(of: batch)   // 1.0287…  (ideal difference 0.75: same genre)
/// ```
///
/// Unlike the seed, missing metadata and weights naming fields the metadata lacks are errors, not
/// silent no-ops. Credits are summed in `Double` and rounded once to the scalar type.
public struct PartialCreditLoss<Base: LossProtocol>: LossProtocol {
  /// The decorated loss.
  public let base: Base
  /// The item metadata.
  public let metadata: ItemMetadata
  /// The weights, checked against ``metadata``.
  public let weights: MetadataWeights
  private let weightedFields: [(codes: [Int], weight: Double)]

  /// Decorates a loss with partial credit.
  ///
  /// - Parameters:
  ///   - base: Any loss.
  ///   - metadata: The item metadata; `nil` is an error.
  ///   - weights: Field → weight; checked by ``MetadataWeights/validate(against:)``.
  /// - Throws: ``LossError/missingMetadata`` or any error of ``MetadataWeights/validate(against:)``.
  public init(_ base: Base, metadata: ItemMetadata?, weights: MetadataWeights) throws(LossError) {
    guard let metadata else { throw .missingMetadata }
    try weights.validate(against: metadata)
    self.base = base
    self.metadata = metadata
    self.weights = weights
    self.weightedFields = weights.entries.compactMap { entry in
      metadata.field(named: entry.field).map { ($0.codes, entry.weight) }
    }
  }

  /// The base loss's name.
  public var name: String { base.name }
  /// The base loss's kind.
  public var kind: LossKind { base.kind }

  /// Computes the ideal difference of every pair from the items' metadata and evaluates the base loss.
  ///
  /// - Throws: ``LossError/missingItems(missing:)`` when the batch has no item ids,
  ///   ``LossError/itemOutOfRange(path:id:itemCount:)`` for an id outside `0..<itemCount`, and whatever
  ///   ``LossBatch/validate()`` or the base loss throws.
  @_specialize(where Base == AnyLoss, Scalar == Float)
  @_specialize(where Base == AnyLoss, Scalar == Double)
  public func evaluate<Scalar: LossScalar>(
    _ batch: LossBatch<Scalar>, computeGradients: Bool
  ) throws(LossError) -> LossOutput<Scalar> {
    try batch.validate()
    guard let positiveItems = batch.positiveItems else { throw .missingItems(missing: "positive_items") }
    guard let negativeItems = batch.negativeItems else { throw .missingItems(missing: "negative_items") }
    let itemCount = metadata.itemCount
    for (j, id) in positiveItems.enumerated() where id < 0 || id >= itemCount {
      throw .itemOutOfRange(path: "positive_items[\(j)]", id: id, itemCount: itemCount)
    }
    for (index, id) in negativeItems.storage.enumerated() where id < 0 || id >= itemCount {
      let (k, j) = index.quotientAndRemainder(dividingBy: negativeItems.columns)
      let path = negativeItems.rows == 1 ? "negative_items[\(j)]" : "negative_items[\(k)][\(j)]"
      throw .itemOutOfRange(path: path, id: id, itemCount: itemCount)
    }
    var ideal = ScoreMatrix<Scalar>(repeating: 1, rows: negativeItems.rows, columns: negativeItems.columns)
    for k in 0..<negativeItems.rows {
      for j in 0..<negativeItems.columns {
        let (positive, negative) = (positiveItems[j], negativeItems[k, j])
        var credit = 0.0
        for (codes, weight) in weightedFields where codes[positive] == codes[negative] {
          credit += weight
        }
        if let given = batch.idealDifferences {
          ideal[k, j] = given[k, j] - Scalar(credit)
        } else {
          ideal[k, j] = Scalar(1 - credit)
        }
      }
    }
    var credited = batch
    credited.idealDifferences = ideal
    return try base.evaluate(credited, computeGradients: computeGradients)
  }
}

extension LossProtocol {
  /// Returns this loss with partial credit from item metadata (see ``PartialCreditLoss``).
  ///
  /// - Parameters:
  ///   - metadata: The item metadata; `nil` is an error.
  ///   - weights: Field → weight, at least one, each `≥ 0`, summing to at most 1.
  /// - Throws: as ``PartialCreditLoss/init(_:metadata:weights:)``.
  public func withPartialCredit(
    metadata: ItemMetadata?, weights: MetadataWeights
  ) throws(LossError) -> PartialCreditLoss<Self> {
    try PartialCreditLoss(self, metadata: metadata, weights: weights)
  }
}
