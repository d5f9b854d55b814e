/// Whether a loss compares each positive with one negative or with many.
public enum LossKind: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
  /// One negative per positive (N = 1): `bpr`, `hinge`, `log_sigmoid_bpr`.
  case pairwise
  /// Many negatives per positive (N ≥ 1): `adaptive_*`, `warp`.
  case adaptive

  /// `"pairwise"` or `"adaptive"`.
  public var description: String { rawValue }
}

/// The protocol every loss conforms to: built-in, decorated or custom.
///
/// A loss maps a ``LossBatch`` — B positive scores, N × B negative scores, optional per-pair ideal
/// differences — to a scalar value and, when asked, its gradients with respect to every score.
///
/// The method is generic over the scalar type, so one loss value computes in `Float` or `Double`:
///
/// ```swift
/// let loss = BPRLoss()
/// let batch = LossBatch<Double>(positiveScores: [3.0], negativeScores: [1.5])
/// let output = try loss.evaluate(batch, computeGradients: true)
/// output.value                          // 0.2157…
/// output.gradients!.positiveScores      // [-0.2035…]
/// ```
///
/// Conformers must not trap on user input: call ``LossBatch/validate()`` (or check what they need) and
/// throw a ``LossError``. A pairwise loss usually conforms to ``PairwiseLoss`` instead, which needs only
/// the per-pair term and gets ``evaluate(_:computeGradients:)``, the adaptive variant
/// (``AdaptiveLoss``) and partial credit (``PartialCreditLoss``) for free.
public protocol LossProtocol: Sendable {
  /// The loss's registered name, e.g. `bpr` or `adaptive_hinge`.
  var name: String { get }
  /// Whether the loss takes one negative per positive or many.
  var kind: LossKind { get }

  /// Computes the loss of a batch and, when asked, its gradients.
  ///
  /// - Parameters:
  ///   - batch: The scores (and, for partial credit, item ids and ideal differences).
  ///   - computeGradients: Whether to compute `∂loss/∂score` for every positive and negative score.
  /// - Returns: The value, the gradients (shaped like the inputs) when asked, and any warnings.
  /// - Throws: ``LossError`` when the batch is empty, has non-finite values or shapes that don't fit.
  func evaluate<Scalar: LossScalar>(
    _ batch: LossBatch<Scalar>, computeGradients: Bool
  ) throws(LossError) -> LossOutput<Scalar>
}

extension LossProtocol {
  /// Computes only the value of the loss of a batch.
  ///
  /// - Throws: ``LossError`` for input the loss cannot take.
  public func value<Scalar: LossScalar>(of batch: LossBatch<Scalar>) throws(LossError) -> Scalar {
    try evaluate(batch, computeGradients: false).value
  }
}
