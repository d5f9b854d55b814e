import Foundation
import RankingLosses
import Testing

@testable import Recommender

/// `|actual − expected| ≤ tolerance · |expected|`.
private func close(_ actual: Double, _ expected: Double, relative tolerance: Double) -> Bool {
  abs(actual - expected) <= tolerance * abs(expected)
}

/// The regularized incomplete beta function against 30-digit references.
///
/// Every reference was computed with mpmath 1.3.0 at `mp.dps = 40` for the exact binary value of the
/// Double `x` (`mpf(float(x))`, since near the tails `I` moves up to ~5000× faster than `x` in relative
/// terms and the decimal `x` would differ by up to 1e-13), with DLMF 8.17.8 on the fast side of the
/// symmetry:
///
/// ```python
/// def binc(a, b, x):   # I_x(a, b)
///     if x < (a + 1) / (a + b + 2):
///         return x**a * (1 - x)**b / (a * beta(a, b)) * hyp2f1(a + b, 1, a + 1, x, maxterms=10**7)
///     return 1 - binc(b, a, 1 - x)
/// ```
///
/// which agrees with `mpmath.betainc(a, b, 0, x, regularized=True)` wherever the latter converges.
@Suite("Regularized incomplete beta function")
struct IncompleteBetaTests {
  /// (a, b, x, I_x(a, b)): small and large shapes, x near 0 and 1, tiny results.
  static let references: [(a: Double, b: Double, x: Double, value: Double)] = [
    (0.5, 0.5, 0.3, 0.369010119565545375043720199121),  // = (2/π) asin(√x)
    (2, 3, 0.4, 0.524800000000000038369307731045),  // polynomial: 0.5248 for the decimal 0.4
    (0.1, 10, 0.01, 0.824489670906698764112056172419),
    (10, 0.1, 0.99, 0.175510329093301170031802592395),
    (0.01, 0.02, 0.3, 0.661178427251107330115997828892),
    (50, 50, 0.45, 0.158652198937098848697073664527),
    (500, 500, 0.48, 0.102917527306995713662994965348),
    (30, 2, 0.5, 0.00000001490116119384765625),  // = 31·2⁻³¹ exactly
    (2, 5, 1e-8, 1.49999996000000051276767757968e-15),
    (3, 4, 0.9999, 0.999999999999998500239990000661),
    (5000, 0.5, 0.999, 0.00156157916028928327878764675733),
    (100_000, 100_000, 0.499, 0.185546744557556754650449263758),
    (50000, 0.5, 0.99999, 0.317310507857965994842148825833),
    (7.5, 12.25, 0.7, 0.99833965206689980484135632055),
    (0.5, 50000, 0.00001, 0.682689492143135245570397365501),
  ]

  /// The documented accuracy: relative error ≤ 1e-13 (the references are good to 30 digits, so the whole
  /// error is the implementation's; observed errors are below 1e-14 for most cases).
  @Test("matches 30-digit mpmath values to 1e-13 relative", arguments: references.indices)
  func reference(_ index: Int) {
    let c = Self.references[index]
    let value = SpecialFunctions.regularizedIncompleteBeta(c.x, a: c.a, b: c.b)
    #expect(close(value, c.value, relative: 1e-13), "I_\(c.x)(\(c.a), \(c.b)) = \(value), expected \(c.value)")
  }

  /// Closed forms: `I_x(1, 1) = x`, `I_x(a, 1) = xᵃ`, `I_x(1, b) = 1 − (1 − x)ᵇ` (DLMF 8.17.2 special cases);
  /// the closed forms themselves are evaluated in Double, to a few ulps, hence 1e-14.
  @Test func closedForms() {
    for x in stride(from: 0.05, to: 1, by: 0.1) {
      #expect(close(SpecialFunctions.regularizedIncompleteBeta(x, a: 1, b: 1), x, relative: 1e-14))
      #expect(close(SpecialFunctions.regularizedIncompleteBeta(x, a: 3.5, b: 1), pow(x, 3.5), relative: 1e-14))
      #expect(close(SpecialFunctions.regularizedIncompleteBeta(x, a: 1, b: 4), 1 - pow(1 - x, 4), relative: 1e-14))
    }
  }

  /// The symmetry `I_x(a, b) + I_{1−x}(b, a) = 1`, to 4 ulps of 1.
  @Test func symmetry() {
    for (a, b) in [(0.7, 3.0), (20.0, 25.0), (1000.0, 0.5)] {
      for x in [0.01, 0.3, 0.5, 0.93, 0.9995] {
        let sum =
          SpecialFunctions.regularizedIncompleteBeta(x, a: a, b: b)
          + SpecialFunctions.regularizedIncompleteBeta(1 - x, a: b, b: a)
        #expect(abs(sum - 1) <= 4 * Double.ulpOfOne, "a = \(a), b = \(b), x = \(x)")
      }
    }
  }

  /// Out-of-domain input gives the documented values instead of trapping.
  @Test func degenerate() {
    #expect(SpecialFunctions.regularizedIncompleteBeta(0, a: 2, b: 3) == 0)
    #expect(SpecialFunctions.regularizedIncompleteBeta(-0.5, a: 2, b: 3) == 0)
    #expect(SpecialFunctions.regularizedIncompleteBeta(1, a: 2, b: 3) == 1)
    #expect(SpecialFunctions.regularizedIncompleteBeta(7, a: 2, b: 3) == 1)
    #expect(SpecialFunctions.regularizedIncompleteBeta(.nan, a: 2, b: 3).isNaN)
    #expect(SpecialFunctions.regularizedIncompleteBeta(0.5, a: 0, b: 3).isNaN)
    #expect(SpecialFunctions.regularizedIncompleteBeta(0.5, a: 2, b: -1).isNaN)
    #expect(SpecialFunctions.regularizedIncompleteBeta(0.5, a: .infinity, b: 3).isNaN)
    #expect(SpecialFunctions.regularizedIncompleteBeta(0.5, a: 2, b: .nan).isNaN)
  }
}

/// Student's t distribution against a published table and high-precision values.
@Suite("Student's t distribution")
struct StudentTTests {
  /// Two-sided 5% critical values as printed to 3 decimals in the standard t table (e.g. Abramowitz &
  /// Stegun Table 26.10, Q = 0.05 two-sided: 12.706 for ν = 1, 2.228 for ν = 10, 2.042 for ν = 30, and the
  /// normal limit 1.960 for ν = ∞): the p-value must cross 0.05 between the printed value ± half a unit of
  /// the last digit.
  @Test(
    "5% critical values of the printed t table",
    arguments: [(1.0, 12.706), (10, 2.228), (30, 2.042), (.infinity, 1.960)])
  func table(_ nu: Double, _ critical: Double) {
    #expect(StudentT.twoSidedPValue(critical - 0.0005, degreesOfFreedom: nu) > 0.05)
    #expect(StudentT.twoSidedPValue(critical + 0.0005, degreesOfFreedom: nu) < 0.05)
  }

  /// The normal limit at its exact 97.5% quantile 1.959963984540054 (Φ⁻¹(0.975) =
  /// 1.95996398454005423552…, A&S 26.2.23 table / `mpmath.sqrt(2)*mpmath.erfinv(0.95)`): erfc is accurate
  /// to a few ulps, so 1e-14. At ν = 10⁷ the gap to the normal is its first-order term (A&S 26.7.5:
  /// `F_t(z) ≈ Φ(z) − φ(z)(z³ + z)/(4ν)`, so the two-sided p exceeds the normal's by `φ(z)(z³ + z)/(2ν)`);
  /// the next term is O(1/ν²) ≈ 1e-14 relative to it, hence 1e-12 on the difference.
  @Test func normalLimit() {
    let z = 1.959963984540054
    #expect(abs(StudentT.twoSidedPValue(z, degreesOfFreedom: .infinity) - 0.05) < 1e-14)
    let density = exp(-z * z / 2) / (2 * Double.pi).squareRoot()
    let firstOrder = density * (z * z * z + z) / (2 * 1e7)
    #expect(abs(StudentT.twoSidedPValue(z, degreesOfFreedom: 1e7) - 0.05 - firstOrder) < 1e-12)
  }

  /// (t, ν, P(|T| ≥ |t|)) from mpmath at `mp.dps = 40`: `binc(nu/2, mpf(1)/2, nu/(nu + t*t))` with
  /// `t = mpf(float(t))` and `binc` as in ``IncompleteBetaTests``.
  static let references: [(t: Double, nu: Double, p: Double)] = [
    (2.228, 10, 0.0500117718171113653617497710682),
    (12.706, 1, 0.0500008023581331879045212599974),
    (0.5, 5, 0.638298871640929006706811053953),
    (10, 3, 0.00212839905841415005740368018766),
    (40, 30, 1.37260451944064027871498351405e-27),
    (3, 100_000, 0.00270046088406471919007343871808),
    (0.001, 20, 0.999212022966473116004749373114),
    (1.7, 2.5, 0.205612217159883853676799640915),
    (2.5, 1000, 0.0125785678010907968097462463098),
    (6, 4, 0.00388253704696051042034853350369),
  ]

  /// The p-values and both CDF sides to 1e-13 relative (the documented accuracy), for ±t.
  @Test("matches 30-digit mpmath p-values to 1e-13 relative", arguments: references.indices)
  func reference(_ index: Int) {
    let c = Self.references[index]
    for t in [c.t, -c.t] {
      let p = StudentT.twoSidedPValue(t, degreesOfFreedom: c.nu)
      #expect(close(p, c.p, relative: 1e-13), "p(\(t); \(c.nu)) = \(p), expected \(c.p)")
    }
    #expect(close(StudentT.cdf(-c.t, degreesOfFreedom: c.nu), c.p / 2, relative: 1e-13))
    #expect(close(StudentT.cdf(c.t, degreesOfFreedom: c.nu), 1 - c.p / 2, relative: 1e-15))
  }

  /// Closed forms (Johnson, Kotz & Balakrishnan, ch. 28): ν = 1 is Cauchy, `F = ½ + atan(t)/π`; ν = 2 has
  /// `F = ½ + t / (2√(2 + t²))`. The CDF is `p/2` or `1 − p/2` with p's relative error ≤ 1e-13, so its
  /// absolute error is at most 5e-14 (observed: a few 1e-15).
  @Test func closedForms() {
    for t in [-30.0, -2.5, -0.3, 0, 0.01, 1, 4.2, 100] {
      #expect(abs(StudentT.cdf(t, degreesOfFreedom: 1) - (0.5 + atan(t) / Double.pi)) < 5e-14, "t = \(t)")
      #expect(abs(StudentT.cdf(t, degreesOfFreedom: 2) - (0.5 + t / (2 * (2 + t * t).squareRoot()))) < 5e-14)
    }
  }

  /// Degenerate arguments.
  @Test func degenerate() {
    #expect(StudentT.twoSidedPValue(0, degreesOfFreedom: 5) == 1)
    #expect(StudentT.twoSidedPValue(.infinity, degreesOfFreedom: 5) == 0)
    #expect(StudentT.twoSidedPValue(-.infinity, degreesOfFreedom: 5) == 0)
    #expect(StudentT.twoSidedPValue(1e200, degreesOfFreedom: 5) == 0)
    #expect(StudentT.cdf(-.infinity, degreesOfFreedom: 5) == 0)
    #expect(StudentT.cdf(.infinity, degreesOfFreedom: 5) == 1)
    #expect(StudentT.cdf(0, degreesOfFreedom: 5) == 0.5)
    #expect(StudentT.twoSidedPValue(.nan, degreesOfFreedom: 5).isNaN)
    #expect(StudentT.twoSidedPValue(1, degreesOfFreedom: 0).isNaN)
    #expect(StudentT.twoSidedPValue(1, degreesOfFreedom: -3).isNaN)
    #expect(StudentT.cdf(1, degreesOfFreedom: .nan).isNaN)
  }
}

/// The paired t-test, the randomization test and their degenerate inputs.
@Suite("Paired significance tests")
struct PairedTestTests {
  /// Student's (1908) sleep data (Cushny & Peebles): extra hours of sleep under two drugs, 10 patients.
  static let group1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
  /// The second drug, same patients.
  static let group2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]

  /// R's `t.test(extra ~ group, data = sleep, paired = TRUE)` prints t = -4.0621, df = 9,
  /// p-value = 0.002833, mean difference -1.58. The high-precision values, from the exact decimal data with
  /// mpmath at `mp.dps = 40` (d = g1 − g2, t = mean(d)/(sd(d)/√n),
  /// `p = betainc(9/2, 1/2, 0, 9/(9 + t²), regularized=True)`): t = -4.06212768338203610965978559482,
  /// p = 0.00283289019738427274033502686586. The data's decimal-to-binary rounding moves t by ~1e-16
  /// relative and p by < 1e-14, so 1e-12 is tight and safe.
  @Test func sleepData() throws {
    let result = try PairedTest.t.run(Self.group1, Self.group2)
    #expect(abs(result.meanDifference - -1.58) < 1e-14)
    #expect(result.degreesOfFreedom == 9)
    #expect(close(result.statistic, -4.06212768338203610965978559482, relative: 1e-13))
    #expect(close(result.pValue, 0.00283289019738427274033502686586, relative: 1e-12))
    // The published 5 and 4 significant digits.
    #expect(abs(result.statistic - -4.0621) < 0.00005)
    #expect(abs(result.pValue - 0.002833) < 0.0000005)
  }

  /// The randomization test on the sleep data: 2 of the 2¹⁰ sign patterns... (exactly: 1024 patterns, of
  /// which those with |S| ≥ |S_obs| give the exact p); here the exact p, counted by enumerating all 1024
  /// patterns in the test, and the estimate within 4 Monte-Carlo standard errors.
  @Test func sleepRandomization() throws {
    let d = try PairedTest.differences(Self.group1, Self.group2)
    // Tenths are exact integers: enumerate all patterns in integer arithmetic.
    let tenths = d.map { Int(($0 * 10).rounded()) }
    let observed = abs(tenths.reduce(0, +))
    var extreme = 0
    for pattern in 0..<1024 {
      var sum = 0
      for (index, value) in tenths.enumerated() { sum += (pattern >> index) & 1 == 1 ? -value : value }
      extreme += abs(sum) >= observed ? 1 : 0
    }
    let exact = Double(extreme) / 1024
    let permutations = 20_000
    let result = PairedTest.randomizationTest(differences: d, permutations: permutations, seed: 11)
    let standardError = (exact * (1 - exact) / Double(permutations)).squareRoot()
    #expect(abs(result.pValue - exact) <= 4 * standardError + 1.0 / Double(permutations), "exact \(exact)")
    #expect(abs(result.meanDifference - -1.58) < 1e-14)
    #expect(result.statistic == abs(result.meanDifference))
    #expect(result.degreesOfFreedom == nil)
  }

  /// Ties of sums equal in exact arithmetic but not in floating point count: d = [0.1, 0.2, −0.3, 0.6] has
  /// |S| = 0.6 for 10 of the 16 sign patterns (enumerated by hand in tenths: ±1 ±2 ∓3 ±6), while in
  /// Double `0.1 + 0.2 − 0.3 + 0.6 = 0.6000000000000001` and `−0.1 − 0.2 + 0.3 + 0.6 = 0.5999999999999999`.
  /// Without the tie tolerance the estimate would fall well below 10/16.
  @Test func floatingPointTies() {
    let permutations = 20_000
    let result = PairedTest.randomizationTest(
      differences: [0.1, 0.2, -0.3, 0.6], permutations: permutations, seed: 5)
    let exact = 10.0 / 16
    let standardError = (exact * (1 - exact) / Double(permutations)).squareRoot()
    #expect(abs(result.pValue - exact) <= 4 * standardError, "p = \(result.pValue)")
  }

  /// The same seed gives bit-identical results; other seeds give slightly different p-values, within the
  /// Monte-Carlo error (5 standard errors of each other, i.e. ~3.5 of the difference's).
  @Test func reproducible() {
    var random = SplitMix64(seed: 2024)
    let d = (0..<610).map { _ in 0.05 + random.nextGaussian() }
    let permutations = 5000
    let first = PairedTest.randomizationTest(differences: d, permutations: permutations, seed: 1)
    let again = PairedTest.randomizationTest(differences: d, permutations: permutations, seed: 1)
    #expect(first == again)
    let p = first.pValue
    #expect(p > 0.05 && p < 0.95, "the sample should be in the unclear range: p = \(p)")
    let standardError = (p * (1 - p) / Double(permutations)).squareRoot()
    var distinct = Set<Double>()
    for seed: UInt64 in 2...6 {
      let other = PairedTest.randomizationTest(differences: d, permutations: permutations, seed: seed)
      #expect(abs(other.pValue - p) <= 5 * standardError)
      #expect(other.meanDifference == first.meanDifference)
      distinct.insert(other.pValue)
    }
    #expect(distinct.count > 1)
    #expect(PairedTest.randomization(permutations: permutations, seed: 1).run(differences: d) == first)
  }

  /// On 2,000 normal differences with a small shift the randomization p-value agrees with the t-test's to
  /// within 4 Monte-Carlo standard errors `√(p(1 − p)/N)`, N = 20,000 (the exact permutation p and the t p
  /// differ by O(1/n), far less).
  @Test func agreesWithTTest() {
    var random = SplitMix64(seed: 77)
    let d = (0..<2000).map { _ in 0.05 + random.nextGaussian() }
    let t = PairedTest.tTest(differences: d)
    #expect(t.pValue > 0.01 && t.pValue < 0.2, "the sample should give a borderline p: \(t.pValue)")
    let permutations = 20_000
    let randomized = PairedTest.randomizationTest(differences: d, permutations: permutations, seed: 3)
    let standardError = (t.pValue * (1 - t.pValue) / Double(permutations)).squareRoot()
    #expect(abs(randomized.pValue - t.pValue) <= 4 * standardError, "\(randomized.pValue) vs \(t.pValue)")
    #expect(
      randomized.meanDifference == t.meanDifference
        || close(randomized.meanDifference, t.meanDifference, relative: 1e-13))
  }

  /// Users past the first 64-bit word and a count that is not a multiple of 64 or 2 (the padding must not
  /// matter): exact p for n = 67 with a single nonzero difference at the last index is 1 (every pattern
  /// ties), and with two equal differences at indices 0 and 66 it is ½ (|S| = 2 or 0).
  @Test func padding() {
    var d = [Double](repeating: 0, count: 67)
    d[66] = 0.25
    #expect(PairedTest.randomizationTest(differences: d, permutations: 1000, seed: 1).pValue == 1)
    d[0] = 0.25
    let permutations = 20_000
    let p = PairedTest.randomizationTest(differences: d, permutations: permutations, seed: 1).pValue
    #expect(abs(p - 0.5) <= 4 * (0.25 / Double(permutations)).squareRoot(), "p = \(p)")
  }

  /// Degenerate inputs of the t-test, each with its documented result.
  @Test func degenerateT() throws {
    #expect(
      PairedTest.tTest(differences: [])
        == PairedTestResult(meanDifference: 0, statistic: 0, degreesOfFreedom: 0, pValue: 1))
    #expect(
      PairedTest.tTest(differences: [0.4])
        == PairedTestResult(meanDifference: 0.4, statistic: 0, degreesOfFreedom: 0, pValue: 1))
    #expect(
      PairedTest.tTest(differences: [0, 0, 0])
        == PairedTestResult(meanDifference: 0, statistic: 0, degreesOfFreedom: 2, pValue: 1))
    // The mean of three 0.1s rounds to 0.10000000000000002: one ulp.
    let constant = PairedTest.tTest(differences: [0.1, 0.1, 0.1])
    #expect(abs(constant.meanDifference - 0.1) <= 0.1.ulp)
    #expect(constant.statistic == .infinity && constant.pValue == 0 && constant.degreesOfFreedom == 2)
    #expect(PairedTest.tTest(differences: [-2, -2]).statistic == -.infinity)
    let nan = PairedTest.tTest(differences: [1, .nan, 2])
    #expect(nan.pValue.isNaN && nan.meanDifference.isNaN && nan.statistic.isNaN)
    #expect(PairedTest.tTest(differences: [1, .infinity]).pValue.isNaN)
    // Scale invariance, including values whose squares overflow: exact powers of two scale exactly.
    let small = PairedTest.tTest(differences: [1, 2, 4, -0.5])
    let huge = PairedTest.tTest(differences: [1, 2, 4, -0.5].map { $0 * 0x1p1000 })
    #expect(huge.statistic == small.statistic && huge.pValue == small.pValue)
    #expect(huge.meanDifference == small.meanDifference * 0x1p1000)
  }

  /// Degenerate inputs of the randomization test.
  @Test func degenerateRandomization() {
    #expect(
      PairedTest.randomizationTest(differences: [], permutations: 100, seed: 1)
        == PairedTestResult(meanDifference: 0, statistic: 0, degreesOfFreedom: nil, pValue: 1))
    #expect(PairedTest.randomizationTest(differences: [0.3], permutations: 100, seed: 1).pValue == 1)
    #expect(PairedTest.randomizationTest(differences: [0, 0, 0, 0], permutations: 100, seed: 1).pValue == 1)
    #expect(PairedTest.randomizationTest(differences: [1, 2, 3], permutations: 0, seed: 1).pValue == 1)
    #expect(PairedTest.randomizationTest(differences: [1, 2, 3], permutations: -5, seed: 1).pValue == 1)
    // Identical large shifts: only the all-plus and all-minus patterns reach |S|, so p ≈ 2/2¹⁰⁰ → 1/(1 + N).
    let shifted = PairedTest.randomizationTest(
      differences: [Double](repeating: 1, count: 100), permutations: 999, seed: 1)
    #expect(shifted.pValue == 0.001)
    let nan = PairedTest.randomizationTest(differences: [1, .nan], permutations: 10, seed: 1)
    #expect(nan.pValue.isNaN && nan.meanDifference.isNaN && nan.degreesOfFreedom == nil)
  }

  /// `run` checks its arrays and throws the documented errors.
  @Test func runErrors() {
    #expect(throws: PairedTestError.lengthMismatch(first: 2, second: 3)) {
      try PairedTest.t.run([1, 2], [1, 2, 3])
    }
    #expect(throws: PairedTestError.nonFinite(index: 1)) {
      try PairedTest.randomization(permutations: 10, seed: 1).run([1, .nan, 3], [1, 2, 3])
    }
    #expect(throws: PairedTestError.nonFinite(index: 0)) { try PairedTest.t.run([.infinity], [1]) }
    // Finite values whose difference overflows.
    #expect(throws: PairedTestError.nonFinite(index: 0)) { try PairedTest.t.run([1e308], [-1e308]) }
    #expect(PairedTestError.lengthMismatch(first: 2, second: 3).description == "paired test: 2 values against 3")
    #expect(
      (try? PairedTest.t.run([], []))
        == PairedTestResult(meanDifference: 0, statistic: 0, degreesOfFreedom: 0, pValue: 1))
  }
}

/// Multiple-comparison corrections.
@Suite("P-value corrections")
struct PValueCorrectionTests {
  /// The values are products like 3 × 0.01 that round differently from the decimal, hence 1e-15 absolute.
  private func expectClose(_ actual: [Double], _ expected: [Double], sourceLocation: SourceLocation = #_sourceLocation)
  {
    #expect(actual.count == expected.count, sourceLocation: sourceLocation)
    for (a, e) in zip(actual, expected) {
      #expect(abs(a - e) <= 1e-15 || (a.isNaN && e.isNaN), "\(actual) vs \(expected)", sourceLocation: sourceLocation)
    }
  }

  /// The worked example: sorted 0.005, 0.01, 0.03, 0.04 get 4·0.005 = 0.02, 3·0.01 = 0.03, 2·0.03 = 0.06,
  /// max(0.06, 1·0.04) = 0.06.
  @Test func workedExample() {
    let p = [0.01, 0.04, 0.03, 0.005]
    expectClose(PValueCorrection.holm.adjust(p), [0.03, 0.06, 0.06, 0.02])
    expectClose(PValueCorrection.bonferroni.adjust(p), [0.04, 0.16, 0.12, 0.02])
    #expect(PValueCorrection.none.adjust(p) == p)
  }

  /// R's `p.adjust(c(0.01, 0.02, 0.03, 0.04, 0.05), "holm")` = 0.05 0.08 0.09 0.09 0.09 (the step-down
  /// maximum keeps 0.09 after 2·0.04 = 0.08), Bonferroni 0.05 0.10 0.15 0.20 0.25; and capping at 1.
  @Test func rStyleExamples() {
    let p = [0.01, 0.02, 0.03, 0.04, 0.05]
    expectClose(PValueCorrection.holm.adjust(p), [0.05, 0.08, 0.09, 0.09, 0.09])
    expectClose(PValueCorrection.bonferroni.adjust(p), [0.05, 0.10, 0.15, 0.20, 0.25])
    expectClose(PValueCorrection.holm.adjust([0.3, 0.6, 0.2]), [0.6, 0.6, 0.6])
    expectClose(PValueCorrection.bonferroni.adjust([0.3, 0.6, 0.2]), [0.9, 1, 0.6])
  }

  /// Ties get equal adjusted values whatever their order; NaN stays NaN and counts in m (as R's default
  /// n = length(p)); out-of-range values are clamped; empty input gives empty output.
  @Test func degenerate() {
    expectClose(PValueCorrection.holm.adjust([0.02, 0.01, 0.02]), [0.04, 0.03, 0.04])
    expectClose(PValueCorrection.holm.adjust([0.01, .nan, 0.04]), [0.03, .nan, 0.08])
    expectClose(PValueCorrection.bonferroni.adjust([0.01, .nan]), [0.02, .nan])
    expectClose(PValueCorrection.holm.adjust([-0.1, 1.5]), [0, 1])
    expectClose(PValueCorrection.none.adjust([-0.1, 1.5]), [0, 1])
    for correction in PValueCorrection.allCases { #expect(correction.adjust([]).isEmpty) }
    #expect(PValueCorrection(rawValue: "holm") == .holm)
  }
}
