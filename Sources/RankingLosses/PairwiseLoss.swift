/// How a pairwise loss turns its per-pair terms `l_j` into one value over a batch of B pairs.
public enum LossReduction: String, Sendable, Hashable, CaseIterable {
  /// The seed notebook's reduction, `(Σ_j l_j + Σ_j l_j²) / B`: a linear plus a squared penalty.
  /// `∂loss/∂l_j = (1 + 2 l_j) / B`.
  case sumPlusSumOfSquares
  /// The mean, `Σ_j l_j / B`. `∂loss/∂l_j = 1 / B`.
  case mean

  /// Reduces per-pair terms whose sum and sum of squares (in order) are given.
  @inlinable
  func reduce<Scalar: LossScalar>(sum: Scalar, sumOfSquares: Scalar, count: Int) -> Scalar {
    switch self {
    case .sumPlusSumOfSquares: return (sum + sumOfSquares) / Scalar(count)
    case .mean: return sum / Scalar(count)
    }
  }

  /// `∂loss/∂l` for a term of value `l` in a batch of `count` pairs.
  @inlinable
  func derivative<Scalar: LossScalar>(term l: Scalar, count: Int) -> Scalar {
    switch self {
    case .sumPlusSumOfSquares: return (1 + 2 * l) / Scalar(count)
    case .mean: return 1 / Scalar(count)
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
}

extension PairwiseLoss {
  /// Pairwise losses are ``LossKind/pairwise``.
  public var kind: LossKind { .pairwise }

  /// Computes the loss over B pairs from ``term(difference:idealDifference:)`` and ``reduction``.
  ///
  /// Sums run in column order, as a sequential reference would.
  ///
  /// - Throws: ``LossError/pairwiseNeedsOneNegative(loss:rows:)`` for N > 1, and whatever
  ///   ``LossBatch/validate()`` throws.
  public func evaluate<Scalar: LossScalar>(
    _ batch: LossBatch<Scalar>, computeGradients: Bool
  ) throws(LossError) -> LossOutput<Scalar> {
    try evaluatePairwise(self, batch, computeGradients: computeGradients)
  }
}

/// The loop behind ``PairwiseLoss``'s `evaluate`, pre-specialized for the built-in losses so that calls
/// through `any LossProtocol` run specialized code.
@_specialize(where Loss == BPRLoss, Scalar == Float)
@_specialize(where Loss == BPRLoss, Scalar == Double)
@_specialize(where Loss == HingeLoss, Scalar == Float)
@_specialize(where Loss == HingeLoss, Scalar == Double)
@_specialize(where Loss == LogSigmoidBPRLoss, Scalar == Float)
@_specialize(where Loss == LogSigmoidBPRLoss, Scalar == Double)
func evaluatePairwise<Loss: PairwiseLoss, Scalar: LossScalar>(
  _ loss: Loss, _ batch: LossBatch<Scalar>, computeGradients: Bool
) throws(LossError) -> LossOutput<Scalar> {
  try batch.validate()
  guard batch.negativeScores.rows == 1 else {
    throw .pairwiseNeedsOneNegative(loss: loss.name, rows: batch.negativeScores.rows)
  }
  let b = batch.batchSize
  let reduction = loss.reduction
  var sum: Scalar = 0
  var sumOfSquares: Scalar = 0
  var positiveGradient = computeGradients ? [Scalar](repeating: 0, count: b) : []
  for j in 0..<b {
    let d = batch.positiveScores[j] - batch.negativeScores.storage[j]
    let t = loss.term(difference: d, idealDifference: batch.idealDifference(row: 0, column: j))
    sum += t.value
    sumOfSquares += t.value * t.value
    if computeGradients {
      positiveGradient[j] = reduction.derivative(term: t.value, count: b) * t.derivative
    }
  }
  let value = reduction.reduce(sum: sum, sumOfSquares: sumOfSquares, count: b)
  guard computeGradients else { return LossOutput(value: value) }
  let gradients = LossGradients(
    positiveScores: positiveGradient, negativeScores: ScoreMatrix(row: positiveGradient.map { -$0 }))
  return LossOutput(value: value, gradients: gradients)
}
