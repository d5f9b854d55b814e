/// How a pairwise loss turns its per-pair terms `l_j` into one value over a batch of B pairs.
public enum LossReduction: String, Sendable, Hashable, CaseIterable {
  /// The seed notebook's reduction, `(Σ_j l_j + Σ_j l_j²) / B`: a linear plus a squared penalty.
  /// `∂loss/∂l_j = (1 + 2 l_j) / B`.
  case sumPlusSumOfSquares
  /// The mean, `Σ_j l_j / B`. `∂loss/∂l_j = 1 / B`.
  case mean
  /// The sum, `Σ_j l_j`. `∂loss/∂l_j = 1`.
  case sum

  /// Reduces per-pair terms whose sum and sum of squares (in order) are given.
  @inlinable
  func reduce<Scalar: LossScalar>(sum: Scalar, sumOfSquares: Scalar, count: Int) -> Scalar {
    switch self {
    case .sumPlusSumOfSquares: return (sum + sumOfSquares) / Scalar(count)
    case .mean: return sum / Scalar(count)
    case .sum: return sum
    }
  }
}

/// One pair's contribution to a pairwise loss: the term `l` and its derivative `∂l/∂d` with respect to the
/// score difference `d = positive − negative`.
public struct PairTerm<Scalar: LossScalar>: Sendable, Equatable {
  /// The term `l`.
  public var value: Scalar
  /// `∂l/∂d`, where `d = positive − negative`. Where `l` is not differentiable, the subgradient that
  /// PyTorch's autograd takes (e.g. 0 for a hinge exactly at its kink).
  public var derivative: Scalar

  /// Creates a term.
  public init(value: Scalar, derivative: Scalar) {
    self.value = value
    self.derivative = derivative
  }
}

/// A loss over pairs (one negative per positive) that is defined by its per-pair term.
///
/// A conformer supplies `l(d, m)` — the term for a score difference `d = positive − negative` and an
/// ideal difference (margin) `m` — and a ``LossReduction``; the protocol supplies
/// ``LossProtocol/evaluate(_:computeGradients:)``:
///
/// ```
/// loss = reduce(l(d_1, m_1), …, l(d_B, m_B))
/// ∂loss/∂positive_j =  ∂loss/∂l_j · ∂l_j/∂d_j
/// ∂loss/∂negative_j = −∂loss/∂l_j · ∂l_j/∂d_j
/// ```
///
/// A custom pairwise loss gets its adaptive (many-negative) version from ``AdaptiveLoss`` and partial
/// credit from ``PartialCreditLoss`` without further code:
///
/// ```swift
/// struct SquaredHinge: PairwiseLoss {
///   var name: String { "squared_hinge" }
///   var reduction: LossReduction { .mean }
///   func term<S: LossScalar>(difference d: S, idealDifference m: S) -> PairTerm<S> {
///     let x = max(m - d, 0)
///     return PairTerm(value: x * x, derivative: -2 * x)
///   }
/// }
/// let adaptive = AdaptiveLoss(SquaredHinge())   // "adaptive_squared_hinge"
/// ```
public protocol PairwiseLoss: LossProtocol {
  /// How the per-pair terms become the loss value.
  var reduction: LossReduction { get }

  /// The term `l` of one pair and its derivative with respect to `d`.
  ///
  /// - Parameters:
  ///   - difference: `d = positive − negative`.
  ///   - idealDifference: The margin `m` the pair should reach: 1 without partial credit,
  ///     `1 − Σ_f w_f·[code_f(pos) = code_f(neg)]` with it.
  func term<Scalar: LossScalar>(difference: Scalar, idealDifference: Scalar) -> PairTerm<Scalar>

  /// The terms of `count` pairs at once, for the fused kernels: `values[i] = l(d_i, m_i)` and
  /// `derivatives[i] = ∂l/∂d (d_i, m_i)`, with `m_i = 1` when `idealDifferences` is `nil`.
  ///
  /// The default calls ``term(difference:idealDifference:)`` in a plain loop, which the compiler vectorizes
  /// when the term has no calls (hinge); a loss with a transcendental function overrides it with a
  /// vectorized form (BPR uses a vectorized `exp`). Both must agree.
  func terms<Scalar: LossScalar>(
    differences: UnsafePointer<Scalar>, idealDifferences: UnsafePointer<Scalar>?, count: Int,
    values: UnsafeMutablePointer<Scalar>, derivatives: UnsafeMutablePointer<Scalar>
  )
}

extension PairwiseLoss {
  /// Pairwise losses are ``LossKind/pairwise``.
  public var kind: LossKind { .pairwise }

  /// ``term(difference:idealDifference:)`` in a plain loop.
  @inline(__always)
  public func terms<Scalar: LossScalar>(
    differences d: UnsafePointer<Scalar>, idealDifferences m: UnsafePointer<Scalar>?, count: Int,
    values: UnsafeMutablePointer<Scalar>, derivatives: UnsafeMutablePointer<Scalar>
  ) {
    if let m {
      for i in 0..<count {
        let t = term(difference: d[i], idealDifference: m[i])
        values[i] = t.value
        derivatives[i] = t.derivative
      }
    } else {
      for i in 0..<count {
        let t = term(difference: d[i], idealDifference: 1)
        values[i] = t.value
        derivatives[i] = t.derivative
      }
    }
  }

  /// Computes the loss over B pairs from ``term(difference:idealDifference:)`` and ``reduction`` through the
  /// fused kernel.
  ///
  /// Sums are accumulated in `Double`.
  ///
  /// - Throws: ``LossError/pairwiseNeedsOneNegative(loss:rows:)`` for N > 1, and the errors of
  ///   ``LossBatch/validate()``.
  public func evaluate<Scalar: LossScalar>(
    _ batch: LossBatch<Scalar>, computeGradients: Bool
  ) throws(LossError) -> LossOutput<Scalar> {
    try evaluateThroughBuffers(self, batch, computeGradients: computeGradients)
  }

  /// The fused pairwise kernel: one pass through ``terms(differences:idealDifferences:count:values:derivatives:)``
  /// tile by tile, column chunks on several threads for large batches.
  public func evaluate<Scalar: LossScalar>(
    _ scores: ScoreBuffers<Scalar>, gradients: GradientBuffers<Scalar>?, workspace: LossWorkspace<Scalar>
  ) throws(LossError) -> LossValue<Scalar> {
    try pairwiseKernel(self, scores, gradients: gradients, workspace: workspace)
  }
}
