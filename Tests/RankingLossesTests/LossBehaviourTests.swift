import LossLabTestSupport
import RankingLosses
import RealModule
import Testing

@Suite("Loss behaviour beyond the golden file")
struct LossBehaviourTests {
  @Test("WARP warns when num_items is below the number of tries, and keeps the reference's value")
  func warpWarning() throws {
    // Golden case warp/num_items_less_than_tries: first violations at tries 1, 3 and 5 with num_items 2.
    let golden = try #require(GoldenCase.all.first { $0.id == "warp/num_items_less_than_tries" })
    let output = try golden.makeLoss().evaluate(golden.batch(Double.self), computeGradients: false)
    #expect(abs(output.value - golden.expectedLoss!) <= 1e-6 * abs(golden.expectedLoss!))
    #expect(output.warnings.count == 1)
    #expect(output.warnings.first?.loss == "warp")
    let message = try #require(output.warnings.first?.message)
    #expect(message.hasPrefix("num_items (2) is smaller than the number of tries (up to "))
    // No warning where every weight is >= 0, including tries == num_items (weight exactly 0).
    let equal = try #require(GoldenCase.all.first { $0.id == "warp/num_items_equals_tries" })
    #expect(try equal.makeLoss().evaluate(equal.batch(Double.self), computeGradients: false).warnings.isEmpty)
  }

  @Test(
    "log_sigmoid_bpr is the textbook −log σ(d), stable in both tails",
    arguments: [Double](arrayLiteral: -800, -40, -3.5, -1e-9, 0, 0.7, 12, 40, 800))
  func logSigmoid(_ d: Double) throws {
    let loss = try LossRegistry.standard.makeLoss("log_sigmoid_bpr")
    let output = try loss.evaluate(LossBatch<Double>(positiveScores: [d], negativeScores: [0]), computeGradients: true)
    // −log σ(d) = log(1 + e^{−d}); for d < −30, e^{−d} dominates and it is −d + log1p(e^{d}).
    let expected = d > -30 ? Double.log(onePlus: Double.exp(-d)) : -d + Double.log(onePlus: Double.exp(d))
    #expect(abs(output.value - expected) <= 4 * expected.ulp, "d = \(d): \(output.value) vs \(expected)")
    // ∂/∂pos = −σ(−d) = −1 / (1 + e^{d}).
    let expectedGradient = -1 / (1 + Double.exp(d))
    let gradient = try #require(output.gradients?.positiveScores.first)
    #expect(abs(gradient - expectedGradient) <= 4 * abs(expectedGradient).ulp, "d = \(d)")
    #expect(output.gradients?.negativeScores[0, 0] == -gradient)
  }

  @Test("log_sigmoid_bpr with partial credit shifts the difference: softplus(m − 1 − d)")
  func logSigmoidCredit() throws {
    let metadata = try ItemMetadata(["genre": [0, 0, 1]])
    let loss = try LogSigmoidBPRLoss().withPartialCredit(metadata: metadata, weights: ["genre": 0.25])
    let batch = LossBatch<Double>(
      positiveScores: [1, 1], negativeScores: [3, 3], positiveItems: [0, 0], negativeItems: [1, 2])
    // Item 1 shares the genre: m = 0.75, term softplus(−0.25 + 2); item 2 does not: softplus(2).
    let expected = (Double.log(onePlus: Double.exp(1.75)) + Double.log(onePlus: Double.exp(2))) / 2
    #expect(abs(try loss.value(of: batch) - expected) <= 2 * expected.ulp)
  }

  @Test("the seed notebook's printed numbers, on every path")
  func notebook() throws {
    try forEachKernelISA { isa in
      func value(_ name: String, _ pos: Double, _ negs: [Double], numItems: Int? = nil) throws -> Double {
        let loss = try LossRegistry.standard.makeLoss(
          name, parameters: numItems.map { ["num_items": .integer($0)] } ?? [:])
        let batch =
          loss.kind == .pairwise
          ? LossBatch<Double>(positiveScores: [pos], negativeScores: negs)
          : try LossBatch<Double>(positiveScores: [pos], negativeScores: negs.map { [$0] })
        return try loss.value(of: batch)
      }
      func rounded(_ x: Double) -> Double { (x * 10_000).rounded() / 10_000 }
      let printed = [
        rounded(try value("bpr", 3, [1.5])), rounded(try value("bpr", 1.5, [3])),
        try value("hinge", 3, [1.5]), try value("hinge", 1.5, [3]),
        rounded(try value("adaptive_bpr", 3, [1.5, 0.5, 1])), rounded(try value("adaptive_bpr", 1.5, [2, 3, 2.5])),
        rounded(try value("adaptive_bpr", 1.5, [1, 4, 1.49])), try value("adaptive_hinge", 1.5, [2, 3, 2.5]),
        try value("warp", 3, [1.5, 0.5, 1], numItems: 3),
      ]
      #expect(printed == [0.2157, 1.4860, 0, 8.75, 0.2157, 1.4860, 1.7782, 8.75, 0], "\(isa)")
    }
  }

  @Test("adaptive partial credit uses the margin of the negative picked per column")
  func adaptivePicksMargin() throws {
    let metadata = try ItemMetadata(["genre": [0, 0, 1]])
    let loss = try AdaptiveLoss(HingeLoss()).withPartialCredit(metadata: metadata, weights: ["genre": 0.5])
    // Column 0: the highest negative is row 1 (item 1, same genre, m = 0.5); row 0 (item 2) is lower.
    let batch = try LossBatch<Double>(
      positiveScores: [1], negativeScores: [[0.25], [0.75]], positiveItems: [0], negativeItems: [[2], [1]])
    let output = try loss.evaluate(batch, computeGradients: true)
    // l = max(0.5 − (1 − 0.75), 0) = 0.25; loss = 0.25 + 0.0625.
    #expect(output.value == 0.3125)
    #expect(output.gradients?.negativeScores.rowArrays == [[0], [1.5]])
  }

  @Test("ideal differences given in the batch are honoured and combine with partial credit")
  func givenMargins() throws {
    var batch = LossBatch<Double>(positiveScores: [1], negativeScores: [0.5], positiveItems: [0], negativeItems: [1])
    batch.idealDifferences = ScoreMatrix(row: [2])
    #expect(try HingeLoss().value(of: batch) == 1.5 + 2.25)
    let credited = try HingeLoss().withPartialCredit(metadata: try ItemMetadata(["g": [0, 0]]), weights: ["g": 0.5])
    #expect(try credited.value(of: batch) == 1 + 1)
  }

  @Test("stacked partial credit subtracts both credits, through the fast path too")
  func stackedCredit() throws {
    let metadata = try ItemMetadata(["genre": [0, 0, 1], "decade": [0, 1, 1]])
    let inner = try HingeLoss().withPartialCredit(metadata: metadata, weights: ["genre": 0.25])
    let outer = try inner.withPartialCredit(metadata: metadata, weights: ["decade": 0.5])
    // Item 0 vs 1: same genre (0.25), other decade; item 0 vs 2: nothing; item 1 vs 2: same decade (0.5).
    let batch = LossBatch<Double>(
      positiveScores: [0, 0, 0], negativeScores: [0, 0, 0], positiveItems: [0, 0, 1], negativeItems: [1, 2, 2])
    // Margins 0.75, 1, 0.5 with d = 0: l = 0.75, 1, 0.5; (Σl + Σl²)/3 = (2.25 + 1.8125) / 3.
    let expected = (2.25 + 1.8125) / 3
    #expect(abs(try outer.value(of: batch) - expected) <= 1e-15)
    let workspace = LossWorkspace<Double>(threads: 2, parallelThreshold: 0)
    let output = try outer.evaluate(batch, computeGradients: true, workspace: workspace)
    #expect(abs(output.value - expected) <= 1e-15)
    // The same workspace again: the two margin buffers alternate, nothing is overwritten while read.
    #expect(try outer.evaluate(batch, computeGradients: true, workspace: workspace) == output)
  }
}
