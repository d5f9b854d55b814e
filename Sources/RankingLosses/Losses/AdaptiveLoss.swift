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
  /// gradients back to the picked rows (through the fused kernel).
  ///
  /// - Throws: whatever ``LossBatch/validate()`` or the base loss throws.
  public func evaluate<Scalar: LossScalar>(
    _ batch: LossBatch<Scalar>, computeGradients: Bool
  ) throws(LossError) -> LossOutput<Scalar> {
    try evaluateThroughBuffers(self, batch, computeGradients: computeGradients)
  }

  /// The fused adaptive kernel: per tile of columns, one pass down the rows finds each column's first
  /// maximal negative and zeroes the gradient rows; then the base's term on the picked pairs.
  public func evaluate<Scalar: LossScalar>(
    _ scores: ScoreBuffers<Scalar>, gradients: GradientBuffers<Scalar>?, workspace: LossWorkspace<Scalar>
  ) throws(LossError) -> LossValue<Scalar> {
    try adaptiveKernel(base, scores, gradients: gradients, workspace: workspace)
  }
}

/// Losses that read the margin of one picked negative per column and of no other pair (through
/// `ScoreBuffers.marginLookup`), so that partial credit can compute just those margins instead of all N × B.
protocol PicksOneNegativePerColumn {}

extension AdaptiveLoss: PicksOneNegativePerColumn {}
