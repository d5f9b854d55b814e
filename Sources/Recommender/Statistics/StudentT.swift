#if canImport(Darwin)
  import Darwin
#elseif canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Android)
  import Android
#elseif canImport(WASILibc)
  import WASILibc
#elseif canImport(ucrt)
  import ucrt
#endif

/// Student's t distribution with `ν` degrees of freedom, through the regularized incomplete beta function
/// (``SpecialFunctions/regularizedIncompleteBeta(_:a:b:)``):
///
/// ```
/// P(|T| ≥ |t|) = 2·(1 − F(|t|; ν)) = I_{ν/(ν + t²)}(ν/2, 1/2)
/// F(t; ν) = 1 − ½ I_{ν/(ν + t²)}(ν/2, 1/2)  for t ≥ 0,   F(t; ν) = ½ I_{ν/(ν + t²)}(ν/2, 1/2)  for t < 0
/// ```
///
/// (DLMF 8.17(ii) with Abramowitz & Stegun 26.7.1). Both `ν/(ν + t²)` and its complement `t²/(ν + t²)` are
/// formed directly, so neither loses digits to a subtraction from 1. Non-integer `ν > 0` is allowed; `ν = +∞`
/// is the standard normal distribution (`P(|Z| ≥ |t|) = erfc(|t|/√2)`).
///
/// Accuracy: relative error at most 1e-13 in the two-sided p-value (the smaller tail) for `ν ∈ [0.5, 10⁵]`
/// (see ``SpecialFunctions/regularizedIncompleteBeta(_:a:b:)``); the CDF's larger side is accurate to about
/// 1e-16 absolutely.
public enum StudentT {
  /// The cumulative distribution function `F(t; ν) = P(T ≤ t)`.
  ///
  /// Degenerate input never traps: `t = ±∞` gives 1 or 0; a NaN `t` or `ν`, or `ν ≤ 0`, gives NaN.
  ///
  /// - Parameters:
  ///   - t: The point.
  ///   - degreesOfFreedom: `ν > 0`, possibly non-integer or `+∞` (the normal distribution).
  /// - Returns: `F(t; ν)` in [0, 1].
  public static func cdf(_ t: Double, degreesOfFreedom: Double) -> Double {
    let p = twoSidedPValue(t, degreesOfFreedom: degreesOfFreedom)
    if p.isNaN { return .nan }
    return t < 0 ? p / 2 : 1 - p / 2
  }

  /// The two-sided p-value `P(|T| ≥ |t|) = 2·(1 − F(|t|; ν)) = I_{ν/(ν + t²)}(ν/2, 1/2)`.
  ///
  /// Degenerate input never traps: `t = ±∞` gives 0, `t = 0` gives 1; a NaN `t` or `ν`, or `ν ≤ 0`, gives NaN.
  ///
  /// - Parameters:
  ///   - t: The statistic.
  ///   - degreesOfFreedom: `ν > 0`, possibly non-integer or `+∞` (the normal distribution).
  /// - Returns: The probability, in [0, 1], that `|T|` is at least `|t|`.
  public static func twoSidedPValue(_ t: Double, degreesOfFreedom nu: Double) -> Double {
    guard !t.isNaN, !nu.isNaN, nu > 0 else { return .nan }
    let magnitude = abs(t)
    if magnitude == .infinity { return 0 }
    if magnitude == 0 { return 1 }
    if nu == .infinity { return erfc(magnitude / 2.0.squareRoot()) }
    // x = ν/(ν + t²) and 1 − x = t²/(ν + t²), each without cancellation; written as ratios so that t² ≫ ν
    // and ν ≫ t² stay finite.
    let x: Double
    let complement: Double
    if magnitude * magnitude <= nu {
      let r = magnitude * magnitude / nu  // t²/ν ≤ 1
      x = 1 / (1 + r)
      complement = r / (1 + r)
    } else {
      let r = nu / magnitude / magnitude  // ν/t² < 1
      x = r / (1 + r)
      complement = 1 / (1 + r)
    }
    return SpecialFunctions.regularizedIncompleteBeta(x: x, complement: complement, a: nu / 2, b: 0.5)
  }
}
