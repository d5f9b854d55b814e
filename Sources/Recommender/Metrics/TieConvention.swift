/// How a relevant item tied in score with other candidates is ranked.
///
/// Every ranking metric of ``RankingEvaluation`` starts from the 0-based rank of each relevant item `i`
/// among the candidates `C`:
///
/// ```
/// r_i = #{j ∈ C, j ≠ i : s_j > s_i} + w · #{j ∈ C, j ≠ i : s_j = s_i}
/// ```
///
/// and AUC counts a negative `j` tied with `i` as `1 − w` of a correctly ordered pair. The convention
/// picks `w`:
///
/// | convention     | `w` | a relevant item tied with `t` others | a tied (relevant, negative) pair |
/// |----------------|-----|--------------------------------------|----------------------------------|
/// | `pessimistic`  | 1   | ranks below all `t`                  | counts as mis-ordered (0)        |
/// | `average`      | 1/2 | ranks `t / 2` places down            | counts half (1/2)                |
///
/// Under `pessimistic`, a model that scores every item the same gets AUC 0 and MRR `1 / |C|`; under
/// `average` it gets AUC 1/2, its expected value under a random tie-break.
public enum TieConvention: String, Sendable, CaseIterable {
  /// A tied item ranks below every candidate it ties with: `w = 1` (LightFM's convention, whose
  /// `predict_rank` counts every other item with a score `>=` the item's).
  case pessimistic
  /// A tie counts half: `w = 1/2`, the expected rank under a uniformly random tie-break.
  case average

  /// The weight `w` of a tied candidate in the rank: 1 for ``pessimistic``, 1/2 for ``average``.
  var tieWeight: Double {
    switch self {
    case .pessimistic: 1
    case .average: 0.5
    }
  }
}
