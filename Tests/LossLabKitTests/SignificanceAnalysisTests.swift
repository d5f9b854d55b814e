import LossLabKit
import RankingLosses
import Recommender
import Testing

@Suite("Significance between variants")
struct SignificanceAnalysisTests {
  /// Three variants over 400 users: `a` = base + 0.05 (clearly better), `b` = base, `c` = base with noise of
  /// mean 0. `a` beats both; `b` and `c` do not differ.
  static func values() -> [[Double]] {
    var random = SplitMix64(seed: 4)
    let base = (0..<400).map { _ in Double.random(in: 0.2...0.6, using: &random) }
    let a = base.map { $0 + 0.05 + 0.01 * random.nextGaussian() }
    let c = base.map { $0 + 0.01 * random.nextGaussian() }
    return [a, base, c]
  }

  @Test("p-values are symmetric, corrected over the metric's pairs, and 'beats' needs a higher mean")
  func pairs() throws {
    let values = Self.values()
    let options = SignificanceOptions(test: .t, maxP: 0.05, correction: .holm)
    let result = SignificanceAnalysis.compare(metric: "ndcg@10", values: values, options: options)
    for i in 0..<3 {
      #expect(result.pValues[i][i] == 1 && result.adjustedPValues[i][i] == 1)
      for j in 0..<3 { #expect(result.pValues[i][j] == result.pValues[j][i]) }
    }
    // Each raw p-value is the paired t-test's on the pair's differences.
    let direct = try PairedTest.t.run(values[1], values[2]).pValue
    #expect(result.pValues[1][2] == direct)
    // The adjusted values are Holm's over the three pairs (0,1), (0,2), (1,2), in that order.
    let holm = PValueCorrection.holm.adjust([result.pValues[0][1], result.pValues[0][2], result.pValues[1][2]])
    #expect([result.adjustedPValues[0][1], result.adjustedPValues[0][2], result.adjustedPValues[1][2]] == holm)
    #expect(result.beats == [[1, 2], [], []])
    #expect(result.adjustedPValues[1][2] > 0.05)
  }

  @Test("with no correction the adjusted p-values are the raw ones; the randomization test agrees with the t-test")
  func noCorrectionAndRandomization() {
    let values = Self.values()
    let none = SignificanceAnalysis.compare(
      metric: "auc", values: values, options: SignificanceOptions(correction: .none))
    #expect(none.adjustedPValues == none.pValues)
    let randomization = SignificanceAnalysis.compare(
      metric: "auc", values: values,
      options: SignificanceOptions(test: .randomization, permutations: 2_000, seed: 1))
    #expect(randomization.beats == none.beats)
    // p = (1 + count) / (1 + N) with N = 2000: a difference this clear gives the smallest possible p.
    #expect(randomization.pValues[0][1] == 1.0 / 2_001)
  }

  @Test("rows are lettered a, b, …, z, aa, ab, …")
  func letters() {
    #expect((0..<3).map(SignificanceAnalysis.letter) == ["a", "b", "c"])
    #expect(SignificanceAnalysis.letter(25) == "z")
    #expect(SignificanceAnalysis.letter(26) == "aa" && SignificanceAnalysis.letter(27) == "ab")
  }
}
