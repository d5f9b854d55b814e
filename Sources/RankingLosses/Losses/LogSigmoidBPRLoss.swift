/// The textbook BPR loss `−log σ(d)` of Rendle et al., as LightFM, implicit and RecBole compute it,
/// with mean reduction. Registered as `log_sigmoid_bpr`.
///
/// For B pairs with `d_j = positive_j − negative_j` and ideal difference `m_j` (1 without partial
/// credit), `softplus(x) = log(1 + eˣ)`:
///
/// ```
/// l_j  = softplus(m_j − 1 − d_j)          (= −log σ(d_j) when m_j = 1)
/// loss = Σ_j l_j / B
/// ∂loss/∂positive_j = −σ(m_j − 1 − d_j) / B = −∂loss/∂negative_j
/// ```
///
/// Partial credit shifts the difference: a pair whose items share metadata needs a smaller `d` to
/// reach the same loss, and without metadata the loss is exactly the textbook one. `softplus` and `σ`
/// are computed in forms that neither overflow nor lose the tail (`x + log1p(e^{−x})` for `x > 0`).
///
/// Reference: Rendle et al., "BPR: Bayesian Personalized Ranking from Implicit Feedback", UAI 2009.
public struct LogSigmoidBPRLoss: PairwiseLoss {
  /// Creates the loss. It has no parameters.
  public init() {}

  /// `"log_sigmoid_bpr"`.
  public var name: String { "log_sigmoid_bpr" }

  /// ``LossReduction/mean``.
  public var reduction: LossReduction { .mean }

  /// `l = softplus(m − 1 − d)`, `∂l/∂d = −σ(m − 1 − d)`.
  @inlinable
  public func term<Scalar: LossScalar>(difference d: Scalar, idealDifference m: Scalar) -> PairTerm<Scalar> {
    let x = (m - 1) - d
    return PairTerm(value: Scalar.softplus(x), derivative: -Scalar.stableSigmoid(x))
  }

  /// The terms of `count` pairs; in `Float` eight at a time with a vectorized `exp` and `log1p` (each
  /// less than 1 ulp from the exact value): `x = m − 1 − d`, `l = max(x, 0) + log1p(e^{−|x|})`, `∂l/∂d = −σ(x)`.
  public func terms<Scalar: LossScalar>(
    differences d: UnsafePointer<Scalar>, idealDifferences m: UnsafePointer<Scalar>?, count: Int,
    values: UnsafeMutablePointer<Scalar>, derivatives: UnsafeMutablePointer<Scalar>
  ) {
    kernelLogSigmoidTerms(d, ideal: m, count: count, values: values, derivatives: derivatives)
  }
}
