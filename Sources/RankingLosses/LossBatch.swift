/// One batch of scores for a loss: B positives and, for each, one or N negatives.
///
/// Layout follows the seed notebook: `negativeScores` is N rows × B columns, column `j` holding the
/// negatives sampled for positive `j`. With one negative per positive, N = 1.
///
/// Item ids are only needed for partial credit (``PartialCreditLoss``); ideal differences (margins) are
/// optional and default to 1 for every pair.
///
/// ```swift
/// // One positive (score 3.0) against three negatives.
/// let batch = try LossBatch<Double>(positiveScores: [3.0], negativeScores: [[1.5], [0.5], [1.0]])
/// ```
public struct LossBatch<Scalar: LossScalar>: Sendable {
  /// The score of each positive, `positive_scores` (B).
  public var positiveScores: [Scalar]
  /// The scores of the negatives, `negative_scores` (N × B).
  public var negativeScores: ScoreMatrix<Scalar>
  /// The item id of each positive, `positive_items` (B); needed only for partial credit.
  public var positiveItems: [Int]?
  /// The item id of each negative, `negative_items` (N × B, like ``negativeScores``); needed only for
  /// partial credit.
  public var negativeItems: ScoreMatrix<Int>?
  /// The ideal score difference (margin) of each pair `(k, j)` (N × B); `nil` means 1 for every pair.
  /// ``PartialCreditLoss`` fills it in from item metadata.
  public var idealDifferences: ScoreMatrix<Scalar>?

  /// Creates a batch from its parts. Nothing is checked here; every loss calls ``validate()``.
  ///
  /// - Parameters:
  ///   - positiveScores: B positive scores.
  ///   - negativeScores: N × B negative scores.
  ///   - positiveItems: B item ids, or `nil`.
  ///   - negativeItems: N × B item ids, or `nil`.
  ///   - idealDifferences: N × B margins, or `nil` for 1 everywhere.
  public init(
    positiveScores: [Scalar], negativeScores: ScoreMatrix<Scalar>, positiveItems: [Int]? = nil,
    negativeItems: ScoreMatrix<Int>? = nil, idealDifferences: ScoreMatrix<Scalar>? = nil
  ) {
    self.positiveScores = positiveScores
    self.negativeScores = negativeScores
    self.positiveItems = positiveItems
    self.negativeItems = negativeItems
    self.idealDifferences = idealDifferences
  }

  /// Creates a batch with one negative per positive (the pairwise layout, N = 1).
  ///
  /// - Parameters:
  ///   - positiveScores: B positive scores.
  ///   - negativeScores: B negative scores, `negativeScores[j]` paired with `positiveScores[j]`.
  ///   - positiveItems: B item ids, or `nil`.
  ///   - negativeItems: B item ids, or `nil`.
  public init(
    positiveScores: [Scalar], negativeScores: [Scalar], positiveItems: [Int]? = nil,
    negativeItems: [Int]? = nil
  ) {
    self.init(
      positiveScores: positiveScores, negativeScores: ScoreMatrix(row: negativeScores),
      positiveItems: positiveItems, negativeItems: negativeItems.map { ScoreMatrix(row: $0) })
  }

  /// Creates a batch with N negatives per positive, given as N rows of B scores.
  ///
  /// - Parameters:
  ///   - positiveScores: B positive scores.
  ///   - negativeScores: N rows of B scores; row `k`, column `j` is the `k`-th negative of positive `j`.
  ///   - positiveItems: B item ids, or `nil`.
  ///   - negativeItems: N rows of B item ids, or `nil`.
  /// - Throws: ``LossError/shapeMismatch(_:)`` when a matrix is ragged.
  public init(
    positiveScores: [Scalar], negativeScores: [[Scalar]], positiveItems: [Int]? = nil,
    negativeItems: [[Int]]? = nil
  ) throws(LossError) {
    let items: ScoreMatrix<Int>?
    if let negativeItems {
      items = try ScoreMatrix(negativeItems, name: "negative_items")
    } else {
      items = nil
    }
    self.init(
      positiveScores: positiveScores,
      negativeScores: try ScoreMatrix(negativeScores, name: "negative_scores"),
      positiveItems: positiveItems, negativeItems: items)
  }

  /// The batch size B (number of positives).
  public var batchSize: Int { positiveScores.count }
  /// The number of negatives per positive, N.
  public var negativesPerPositive: Int { negativeScores.rows }

  /// The ideal difference of pair `(row, column)`: the given margin, or 1.
  @inlinable
  public func idealDifference(row: Int, column: Int) -> Scalar {
    idealDifferences?[row, column] ?? 1
  }

  /// Checks that the batch can be given to a loss.
  ///
  /// B ≥ 1, N ≥ 1, every matrix is N × B, `positiveItems` has B ids, and every score and ideal
  /// difference is finite. Item ids are checked against the metadata by ``PartialCreditLoss``.
  ///
  /// - Throws: ``LossError/emptyBatch``, ``LossError/noNegatives``, ``LossError/shapeMismatch(_:)`` or
  ///   ``LossError/nonFiniteValue(path:value:)`` for the first problem found.
  @_specialize(where Scalar == Float)
  @_specialize(where Scalar == Double)
  public func validate() throws(LossError) {
    try validateShape()
    if let j = positiveScores.firstIndex(where: { !$0.isFinite }) {
      throw .nonFiniteValue(path: "positive_scores[\(j)]", value: Double(positiveScores[j]))
    }
    try Self.checkFinite(negativeScores, name: "negative_scores")
    if let idealDifferences { try Self.checkFinite(idealDifferences, name: "ideal_differences") }
  }

  /// Checks the shapes only: B ≥ 1, N ≥ 1, every matrix N × B, `positiveItems` B ids.
  ///
  /// - Throws: ``LossError/emptyBatch``, ``LossError/noNegatives`` or ``LossError/shapeMismatch(_:)``.
  public func validateShape() throws(LossError) {
    let b = positiveScores.count
    guard b > 0 else { throw .emptyBatch }
    guard negativeScores.rows > 0 else { throw .noNegatives }
    guard negativeScores.columns == b else {
      throw .shapeMismatch(
        "negative_scores has \(counted(negativeScores.columns, "column")) but there \(b == 1 ? "is 1 positive score" : "are \(b) positive scores"); "
          + "each column holds the negatives of one positive")
    }
    if let positiveItems, positiveItems.count != b {
      throw .shapeMismatch(
        "positive_items has \(counted(positiveItems.count, "id")) but there \(b == 1 ? "is 1 positive score" : "are \(b) positive scores")"
      )
    }
    if let negativeItems, !negativeItems.hasSameShape(as: negativeScores) {
      throw .shapeMismatch(
        "negative_items is \(negativeItems.rows) x \(negativeItems.columns) but negative_scores is "
          + "\(negativeScores.rows) x \(negativeScores.columns)")
    }
    if let idealDifferences, !idealDifferences.hasSameShape(as: negativeScores) {
      throw .shapeMismatch(
        "ideal differences are \(idealDifferences.rows) x \(idealDifferences.columns) but negative_scores is "
          + "\(negativeScores.rows) x \(negativeScores.columns)")
    }
  }

  private static func checkFinite(_ matrix: ScoreMatrix<Scalar>, name: String) throws(LossError) {
    // The common case, every value finite, in one tight pass; the position only when one is not.
    guard let index = matrix.storage.firstIndex(where: { !$0.isFinite }) else { return }
    throw .nonFiniteValue(
      path: elementPath(name, index: index, rows: matrix.rows, columns: matrix.columns),
      value: Double(matrix.storage[index]))
  }
}
