/// The adaptive version of any pairwise loss: each positive is compared with its highest-scoring
/// negative only.
///
/// For N × B negatives `n_kj`, column `j` picks
///
/// ```
/// k*_j = the first k with n_kj = max_k n_kj        (lowest row on ties, as torch.max)
/// ```
///
/// and hands `n_{k*_j, j}`, its ideal difference `m_{k*_j, j}` and its item id to the pairwise loss. The
/// gradient of `n_{k*_j, j}` is the pairwise gradient of column `j`; every other negative gets exactly 0.
///
/// This is the seed's `adaptive_bpr_loss` / `adaptive_hinge_loss` built as a combinator, so that any
/// ``PairwiseLoss`` — including a custom one — has an adaptive variant:
///
/// ```swift
/// let adaptiveHinge = AdaptiveLoss(HingeLoss())    // name "adaptive_hinge"
/// ```
///
/// Reference: Kula, Spotlight's `adaptive_hinge_loss`; Rendle & Freudenthaler, "Improving pairwise
/// learning for item recommendation from implicit feedback", WSDM 2014 (adaptive sampling).
public struct AdaptiveLoss<Base: PairwiseLoss>: LossProtocol {
  /// The pairwise loss applied to each positive and its highest negative.
  public let base: Base
  /// The name, `adaptive_` followed by the base's name unless given.
  public let name: String

  /// Wraps a pairwise loss.
  ///
  /// - Parameters:
  ///   - base: The pairwise loss.
  ///   - name: The name to report; `adaptive_<base.name>` by default.
  public init(_ base: Base, name: String? = nil) {
    self.base = base
    self.name = name ?? "adaptive_\(base.name)"
  }

  /// ``LossKind/adaptive``.
  public var kind: LossKind { .adaptive }

  /// Picks each column's highest negative, evaluates the base loss on those pairs and scatters the
  /// gradients back to the picked rows.
  ///
  /// - Throws: whatever ``LossBatch/validate()`` or the base loss throws.
  @_specialize(where Base == BPRLoss, Scalar == Float)
  @_specialize(where Base == BPRLoss, Scalar == Double)
  @_specialize(where Base == HingeLoss, Scalar == Float)
  @_specialize(where Base == HingeLoss, Scalar == Double)
  @_specialize(where Base == LogSigmoidBPRLoss, Scalar == Float)
  @_specialize(where Base == LogSigmoidBPRLoss, Scalar == Double)
  public func evaluate<Scalar: LossScalar>(
    _ batch: LossBatch<Scalar>, computeGradients: Bool
  ) throws(LossError) -> LossOutput<Scalar> {
    try batch.validate()
    let negatives = batch.negativeScores
    let b = negatives.columns
    var picked = [Int](repeating: 0, count: b)
    var pickedScores = [Scalar](repeating: 0, count: b)
    for j in 0..<b {
      var best = negatives[0, j]
      var bestRow = 0
      for k in 1..<negatives.rows where negatives[k, j] > best {
        best = negatives[k, j]
        bestRow = k
      }
      picked[j] = bestRow
      pickedScores[j] = best
    }
    func gather<T: Sendable>(_ matrix: ScoreMatrix<T>?) -> ScoreMatrix<T>? {
      matrix.map { m in ScoreMatrix(row: (0..<b).map { j in m[picked[j], j] }) }
    }
    let reduced = LossBatch(
      positiveScores: batch.positiveScores, negativeScores: ScoreMatrix(row: pickedScores),
      positiveItems: batch.positiveItems, negativeItems: gather(batch.negativeItems),
      idealDifferences: gather(batch.idealDifferences))
    var output = try base.evaluate(reduced, computeGradients: computeGradients)
    if let pairGradients = output.gradients {
      var scattered = ScoreMatrix<Scalar>(repeating: 0, rows: negatives.rows, columns: b)
      for j in 0..<b { scattered[picked[j], j] = pairGradients.negativeScores[0, j] }
      output.gradients = LossGradients(
        positiveScores: pairGradients.positiveScores, negativeScores: scattered)
    }
    return output
  }
}
