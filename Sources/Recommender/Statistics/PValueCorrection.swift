/// A correction of p-values for multiple comparisons (controlling the family-wise error rate), as R's
/// `p.adjust` does for the same names.
///
/// With `m` p-values `p₁ … pₘ`:
/// - ``none``: `p̃ᵢ = pᵢ`;
/// - ``bonferroni``: `p̃ᵢ = min(1, m·pᵢ)`;
/// - ``holm``: Holm's (1979) step-down method. With the p-values sorted ascending, `p₍₁₎ ≤ … ≤ p₍ₘ₎` (ties
///   kept in input order),
///
///   ```
///   p̃₍ᵢ₎ = max_{j ≤ i} min(1, (m − j + 1)·p₍ⱼ₎)
///   ```
///
///   so the adjusted values are monotone in the p-values, never below Bonferroni's divided by `m`, and
///   never above Bonferroni's.
///
/// Rejecting the hypotheses whose adjusted p-value is at most α keeps the probability of any false rejection
/// at most α, for any dependence between the tests (both methods).
public enum PValueCorrection: String, Sendable, CaseIterable {
  /// No correction.
  case none
  /// Bonferroni: `min(1, m·p)`.
  case bonferroni
  /// Holm's step-down Bonferroni.
  case holm

  /// The adjusted p-values, in the input order.
  ///
  /// Degenerate input never traps: an empty array gives an empty one; a value below 0 counts as 0 and one
  /// above 1 as 1 (for every method, ``none`` included); a NaN stays NaN, is left out of Holm's ordering,
  /// and still counts in `m` (as R's `p.adjust` counts `NA`s by default).
  ///
  /// ```swift
  /// PValueCorrection.holm.adjust([0.01, 0.04, 0.03, 0.005])        // [0.03, 0.06, 0.06, 0.02]
  /// PValueCorrection.bonferroni.adjust([0.01, 0.04, 0.03, 0.005])  // [0.04, 0.16, 0.12, 0.02]
  /// ```
  ///
  /// - Parameter pValues: The p-values of the `m` comparisons.
  /// - Returns: One adjusted p-value per input, in [0, 1] (or NaN).
  public func adjust(_ pValues: [Double]) -> [Double] {
    let clamped = pValues.map { $0.isNaN ? $0 : min(1, max(0, $0)) }
    let m = Double(pValues.count)
    switch self {
    case .none:
      return clamped
    case .bonferroni:
      return clamped.map { $0.isNaN ? $0 : min(1, m * $0) }
    case .holm:
      let order = clamped.indices.filter { !clamped[$0].isNaN }.sorted {
        clamped[$0] < clamped[$1] || (clamped[$0] == clamped[$1] && $0 < $1)
      }
      var adjusted = clamped
      var running = 0.0
      for (rank, index) in order.enumerated() {
        // (m − j + 1) with the 1-based rank j = rank + 1.
        running = max(running, min(1, (m - Double(rank)) * clamped[index]))
        adjusted[index] = running
      }
      return adjusted
    }
  }
}
