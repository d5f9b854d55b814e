import RealModule

/// The floating-point types the losses are computed in: `Float` and `Double`.
///
/// Every loss has one generic implementation over `LossScalar`. Use `Double` for reports and for
/// comparisons with the reference (PyTorch float64), `Float` for training, where memory bandwidth
/// matters more than the last digits.
///
/// The elementary functions (`exp`, `log`, `log(onePlus:)`) come from swift-numerics'
/// `RealModule.Real`, which forwards to the platform's C math library.
public protocol LossScalar: BinaryFloatingPoint, Real, Sendable, CustomStringConvertible {}

extension Float: LossScalar {}
extension Double: LossScalar {}

extension LossScalar {
  /// The logistic sigmoid `σ(x) = 1 / (1 + exp(−x))`, written exactly as PyTorch's CPU kernel computes
  /// it so that values agree with the reference to the last bit or two.
  ///
  /// For `x` far below zero, `exp(−x)` overflows to `+∞` and the result is `0`; for `x` far above zero
  /// the result rounds to `1`.
  @inlinable
  static func referenceSigmoid(_ x: Self) -> Self {
    1 / (1 + exp(-x))
  }

  /// The softplus function `softplus(x) = log(1 + exp(x))`, computed without overflow:
  /// `x + log1p(exp(−x))` for `x > 0` and `log1p(exp(x))` otherwise.
  @inlinable
  static func softplus(_ x: Self) -> Self {
    x > 0 ? x + log(onePlus: exp(-x)) : log(onePlus: exp(x))
  }

  /// The logistic sigmoid computed without overflow in either tail:
  /// `1 / (1 + exp(−x))` for `x ≥ 0` and `exp(x) / (1 + exp(x))` otherwise.
  @inlinable
  static func stableSigmoid(_ x: Self) -> Self {
    if x >= 0 { return 1 / (1 + exp(-x)) }
    let e = exp(x)
    return e / (1 + e)
  }
}
