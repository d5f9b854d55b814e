import Recommender

/// The `evaluation.significance:` settings of a training config: which paired test compares two variants
/// over the evaluated users, the level, and the correction for testing many pairs.
public struct SignificanceOptions: Sendable, Hashable {
  /// The paired test.
  public enum Test: String, Sendable, Hashable, CaseIterable {
    /// The two-sided paired Student's t-test (``PairedTest/t``).
    case t
    /// Fisher's two-sided randomization (sign-flip) test (``PairedTest/randomization(permutations:seed:)``).
    case randomization
  }

  /// The paired test.
  public var test: Test
  /// The randomization test's number of sign-flip permutations, `≥ 100`.
  public var permutations: Int
  /// The randomization test's seed.
  public var seed: UInt64
  /// A difference is significant when its adjusted p-value is at most this, in `(0, 1)`.
  public var maxP: Double
  /// How the p-values of one metric's pairs are adjusted for testing them all.
  public var correction: PValueCorrection

  /// Creates significance settings.
  ///
  /// - Parameters:
  ///   - test: The paired test; default the t-test.
  ///   - permutations: Sign flips of the randomization test; default 10,000.
  ///   - seed: The randomization test's seed; default 0.
  ///   - maxP: The level; default 0.05.
  ///   - correction: The multiple-comparison correction; default Holm's.
  public init(
    test: Test = .t, permutations: Int = 10_000, seed: UInt64 = 0, maxP: Double = 0.05,
    correction: PValueCorrection = .holm
  ) {
    self.test = test
    self.permutations = permutations
    self.seed = seed
    self.maxP = maxP
    self.correction = correction
  }

  /// The test as a ``PairedTest``.
  public var pairedTest: PairedTest {
    test == .t ? .t : .randomization(permutations: permutations, seed: seed)
  }

  /// A one-line description for reports, e.g. `paired t-test over 610 users, Holm-corrected p ≤ 0.05`.
  ///
  /// - Parameter users: The number of users compared.
  public func describe(users: Int) -> String {
    let name = test == .t ? "paired t-test" : "randomization test (\(permutations) sign flips, seed \(seed))"
    let adjusted: String
    switch correction {
    case .none: adjusted = "p"
    case .bonferroni: adjusted = "Bonferroni-corrected p"
    case .holm: adjusted = "Holm-corrected p"
    }
    return "\(name) over \(users) users, \(adjusted) ≤ \(maxP)"
  }
}

/// The paired comparisons of every pair of variants on one metric.
///
/// For variants `i ≠ j` with per-user values `x_i[u]`, `x_j[u]` (each user's value averaged over seeds),
/// ``pValues``[i][j] is the two-sided p-value of the paired test on `d[u] = x_i[u] − x_j[u]` (symmetric), and
/// ``adjustedPValues`` the same after the correction over the metric's `m = n(n − 1)/2` pairs. Variant `i`
/// beats `j` when its mean is higher and the adjusted p-value is at most `max_p`.
public struct MetricComparison: Sendable {
  /// The metric's name (`"ndcg@10"`).
  public var metric: String
  /// The mean of each variant (over users and seeds).
  public var means: [Double]
  /// `pValues[i][j]`: the raw p-value of the pair; 1 on the diagonal.
  public var pValues: [[Double]]
  /// `adjustedPValues[i][j]`: the p-value after the correction; 1 on the diagonal.
  public var adjustedPValues: [[Double]]
  /// `beats[i]`: the variants that variant `i` beats significantly, ascending.
  public var beats: [[Int]]
}

/// Significance tests between every pair of variants, for every metric.
public enum SignificanceAnalysis {
  /// Compares every pair of variants on one metric.
  ///
  /// - Parameters:
  ///   - metric: The metric's name, for the result.
  ///   - values: Per variant, each user's value averaged over seeds; every variant lists the same users in the
  ///     same order.
  ///   - options: The test, level and correction.
  /// - Returns: The raw and adjusted p-values and who beats whom.
  /// - Precondition: Every variant has the same number of users, and the values are finite (metrics are
  ///   always in `[0, 1]`).
  public static func compare(metric: String, values: [[Double]], options: SignificanceOptions) -> MetricComparison {
    let n = values.count
    let users = values.first?.count ?? 0
    precondition(values.allSatisfy { $0.count == users }, "every variant must have a value for every user")
    let means = values.map { $0.reduce(0, +) / Double(max(1, users)) }
    var raw = [[Double]](repeating: [Double](repeating: 1, count: n), count: n)
    var pairs: [(Int, Int)] = []
    for i in 0..<n {
      for j in (i + 1)..<max(i + 1, n) {
        var differences = [Double](repeating: 0, count: users)
        for u in 0..<users { differences[u] = values[i][u] - values[j][u] }
        let p = options.pairedTest.run(differences: differences).pValue
        raw[i][j] = p
        raw[j][i] = p
        pairs.append((i, j))
      }
    }
    let adjustedList = options.correction.adjust(pairs.map { raw[$0.0][$0.1] })
    var adjusted = [[Double]](repeating: [Double](repeating: 1, count: n), count: n)
    for (index, (i, j)) in pairs.enumerated() {
      adjusted[i][j] = adjustedList[index]
      adjusted[j][i] = adjustedList[index]
    }
    let beats = (0..<n).map { i in
      (0..<n).filter { j in j != i && means[i] > means[j] && adjusted[i][j] <= options.maxP }
    }
    return MetricComparison(metric: metric, means: means, pValues: raw, adjustedPValues: adjusted, beats: beats)
  }

  /// The letter of the variant in row `index`: `a` … `z`, then `aa`, `ab`, ….
  ///
  /// - Parameter index: The row, from 0.
  public static func letter(_ index: Int) -> String {
    let letters = Array("abcdefghijklmnopqrstuvwxyz")
    return index < 26 ? String(letters[index]) : letter(index / 26 - 1) + String(letters[index % 26])
  }
}
