/// The seed notebook's hinge loss (Collie's `hinge`), with the seed's linear-plus-squared reduction.
///
/// For B pairs with `d_j = positive_j − negative_j` and ideal difference `m_j` (1 without partial
/// credit):
///
/// ```
/// l_j  = max(m_j − d_j, 0)
/// loss = (Σ_j l_j + Σ_j l_j²) / B
/// ∂loss/∂positive_j = −(1 + 2 l_j) / B   if m_j − d_j > 0, else 0;   ∂loss/∂negative_j = −∂loss/∂positive_j
/// ```
///
/// **Tie convention:** a term exactly at the kink (`m_j − d_j = 0`, e.g. `d = 1` without partial credit)
/// is 0 with gradient 0, as PyTorch's `clamp(min=0)` passes no gradient at the boundary.
///
/// Reference: the seed notebook's `hinge_loss`; Spotlight's `hinge_loss` uses the mean of
/// `max(1 − d, 0)` instead.
public struct HingeLoss: PairwiseLoss {
  /// Creates the loss. It has no parameters.
  public init() {}

  /// `"hinge"`.
  public var name: String { "hinge" }

  /// ``LossReduction/sumPlusSumOfSquares``.
  public var reduction: LossReduction { .sumPlusSumOfSquares }

  /// `l = max(m − d, 0)`, `∂l/∂d = −1` where `m − d > 0`, else 0.
  @inlinable
  public func term<Scalar: LossScalar>(difference d: Scalar, idealDifference m: Scalar) -> PairTerm<Scalar> {
    let x = m - d
    return x > 0 ? PairTerm(value: x, derivative: -1) : PairTerm(value: 0, derivative: 0)
  }

  /// The terms of `count` pairs, eight at a time: `max(m − d, 0)` and `−[m − d > 0]`.
  public func terms<Scalar: LossScalar>(
    differences d: UnsafePointer<Scalar>, idealDifferences m: UnsafePointer<Scalar>?, count: Int,
    values: UnsafeMutablePointer<Scalar>, derivatives: UnsafeMutablePointer<Scalar>
  ) {
    kernelHingeTerms(d, ideal: m, count: count, values: values, derivatives: derivatives)
  }
}
