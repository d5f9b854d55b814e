/// The seed notebook's BPR loss (Collie's `bpr`): a sigmoid of the score difference, pulled towards
/// the ideal difference, with the seed's linear-plus-squared reduction.
///
/// For B pairs with `d_j = positive_j − negative_j`, ideal difference `m_j` (1 without partial credit)
/// and `σ(x) = 1 / (1 + e^{−x})`:
///
/// ```
/// l_j  = m_j − σ(d_j)
/// loss = (Σ_j l_j + Σ_j l_j²) / B
/// ∂loss/∂positive_j = −(1 + 2 l_j) · σ(d_j)(1 − σ(d_j)) / B = −∂loss/∂negative_j
/// ```
///
/// This is **not** the textbook BPR `−log σ(d)` of Rendle et al. (see ``LogSigmoidBPRLoss``): the term
/// is bounded, and with partial credit `l_j` can be negative. The derivative is computed from the
/// rounded `y = σ(d)` as `y(1 − y)`, as PyTorch's autograd does, so it is exactly 0 once `y` rounds to 1
/// (d above about 37 in `Double`, 17 in `Float`).
///
/// Reference: Rendle et al., "BPR: Bayesian Personalized Ranking from Implicit Feedback", UAI 2009;
/// the seed notebook's `bpr_loss`.
public struct BPRLoss: PairwiseLoss {
  /// Creates the loss. It has no parameters.
  public init() {}

  /// `"bpr"`.
  public var name: String { "bpr" }

  /// ``LossReduction/sumPlusSumOfSquares``.
  public var reduction: LossReduction { .sumPlusSumOfSquares }

  /// `l = m − σ(d)`, `∂l/∂d = −σ(d)(1 − σ(d))`.
  @inlinable
  public func term<Scalar: LossScalar>(difference d: Scalar, idealDifference m: Scalar) -> PairTerm<Scalar> {
    let y = Scalar.referenceSigmoid(d)
    return PairTerm(value: m - y, derivative: -((1 - y) * y))
  }

  /// The terms of `count` pairs, eight at a time with a vectorized `exp` (less than 1 ulp from the exact
  /// value): `y = 1 / (1 + e^{−d})`, `l = m − y`, `∂l/∂d = −(1 − y)·y`.
  public func terms<Scalar: LossScalar>(
    differences d: UnsafePointer<Scalar>, idealDifferences m: UnsafePointer<Scalar>?, count: Int,
    values: UnsafeMutablePointer<Scalar>, derivatives: UnsafeMutablePointer<Scalar>
  ) {
    kernelBPRTerms(d, ideal: m, count: count, values: values, derivatives: derivatives)
  }
}
