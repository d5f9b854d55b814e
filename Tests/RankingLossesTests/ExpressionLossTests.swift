import LossConformance
import LossLabTestSupport
import RankingLosses
import Testing

@Suite("Losses declared by an expression")
struct ExpressionLossTests {
  static let pairwiseCases = GoldenCase.all.filter { ($0.loss == "hinge" || $0.loss == "bpr") && !$0.lossLabRejects }

  /// `softplus(-d)` (mean) is the textbook BPR and `max(0, m - d)` (seed reduction) the seed's hinge:
  /// values and gradients agree with the built-ins to 1e-12 on every golden input, with partial credit too.
  @Test("softplus(-d) = log_sigmoid_bpr and max(0, m - d) = hinge on the golden inputs", arguments: pairwiseCases)
  func matchesBuiltIns(_ golden: GoldenCase) throws {
    let softplus = try ExpressionLoss(name: "softplus_bpr", expression: "softplus(-d)", reduction: .mean)
    let hinge = try ExpressionLoss(
      name: "expression_hinge", expression: "max(0, m - d)", reduction: .sumPlusSumOfSquares)
    // log_sigmoid_bpr's term is softplus(m − 1 − d): softplus(-d) without margins, the full form with them.
    let shifted = try ExpressionLoss(name: "shifted_bpr", expression: "softplus(m - 1 - d)", reduction: .mean)
    let pairs: [(AnyLoss, AnyLoss, credit: Bool)] = [
      (AnyLoss(softplus), AnyLoss(LogSigmoidBPRLoss()), false),
      (AnyLoss(AdaptiveLoss(softplus)), AnyLoss(AdaptiveLoss(LogSigmoidBPRLoss())), false),
      (AnyLoss(shifted), AnyLoss(LogSigmoidBPRLoss()), true),
      (AnyLoss(hinge), AnyLoss(HingeLoss()), true),
      (AnyLoss(AdaptiveLoss(hinge)), AnyLoss(AdaptiveLoss(HingeLoss())), true),
    ]
    for (declared, reference, credit) in pairs {
      let batch = try golden.batch(Double.self)
      let a = try (credit ? golden.partialCredit(declared) : declared).evaluate(batch, computeGradients: true)
      let b = try (credit ? golden.partialCredit(reference) : reference).evaluate(batch, computeGradients: true)
      let tolerance: Double = 1e-12 * max(1, abs(b.value))
      #expect(abs(a.value - b.value) <= tolerance, "\(golden.id) \(declared.name)")
      let expected = b.gradients!.positiveScores + b.gradients!.negativeScores.storage
      let got = a.gradients!.positiveScores + a.gradients!.negativeScores.storage
      let scale: Double = max(1e-300, expected.map { abs($0) }.max() ?? 0)
      for (x, y) in zip(got, expected) {
        #expect(abs(x - y) <= 1e-12 * scale, "\(golden.id) \(declared.name)")
      }
    }
  }

  @Test(
    "finite differences on declared expressions",
    arguments: [
      "max(0, m - d)^2", "log1p(exp(-d))", "sigmoid(m - d) * 2 + relu(0.5 - d)", "sqrt(1 + (m - d)^2) - 1",
      "exp(-d / 3) / (1 + abs(d))", "min(3, max(0, m - d))^1.5", "-log(sigmoid(d - m + 1))",
    ])
  func finiteDifferences(_ text: String) throws {
    let loss = try ExpressionLoss(name: "declared", expression: text, reduction: .mean)
    for candidate in [AnyLoss(loss), AnyLoss(AdaptiveLoss(loss))] {
      let report = LossConformanceChecker(seed: 17, trials: 20, rtol: 1e-5).check(candidate)
      #expect(report.passed, "\(text): \(report)")
    }
  }

  func error(_ text: String) -> String { thrownMessage { _ = try LossExpression(text) } }

  @Test("expression errors say where and what")
  func errors() {
    #expect(error("") == "column 1: the expression is empty")
    #expect(
      error("max(0, m - d")
        == "column 13: expected ')' after the arguments of 'max'")
    #expect(error("2 * (d - m") == "column 11: '(' at column 5 is not closed")
    #expect(
      error("sigmod(d)")
        == "column 1: unknown name 'sigmod' (did you mean 'sigmoid'?); use d, m, numbers and the functions abs, exp, "
        + "log, log1p, max, min, relu, sigmoid, softplus, sqrt")
    #expect(error("max(d)") == "column 1: 'max' takes 2 arguments, got 1")
    #expect(error("d + * m") == "column 5: unexpected '*'; expected a number, d, m, a function or '('")
    #expect(error("d m") == "column 3: unexpected 'm'")
    #expect(error("exp d") == "column 5: 'exp' needs its argument in parentheses")
    #expect(error("1e999 * d") == "column 1: '1e999' is not a number")
  }

  @Test("ties: max and min pass the gradient to their first argument")
  func ties() throws {
    let hinge = try LossExpression("max(0, m - d)")
    let atKink = hinge.evaluate(difference: 1.0, idealDifference: 1.0)
    #expect(atKink.value == 0 && atKink.derivative == 0)
    let flipped = try LossExpression("max(m - d, 0)")
    #expect(flipped.evaluate(difference: 1.0, idealDifference: 1.0).derivative == -1)
    let power = try LossExpression("(m - d)^2")
    #expect(power.evaluate(difference: 3.0, idealDifference: 1.0).value == 4)
    #expect(power.evaluate(difference: 3.0, idealDifference: 1.0).derivative == 4)
  }
}

extension ExpressionLossTests {
  @Test("the fused kernels' batched terms are evaluate's, pair by pair, to the bit")
  func batchedTerms() throws {
    let loss = try ExpressionLoss(
      name: "mixed", expression: "max(0, m - d)^2 + sigmoid(d)^d - log1p(abs(d)) / min(m, 2)", reduction: .mean)
    let d: [Double] = [-3, -1, -0.0, 0, 0.25, 1, 2.5, 40, .infinity, .nan, 1e300]
    let m: [Double] = [1, 0.5, 0, 1, 0.75, 1, -1, 2, 1, 1, 3]
    var values = [Double](repeating: 7, count: d.count)
    var derivatives = [Double](repeating: 7, count: d.count)
    func same(_ a: Double, _ b: Double) -> Bool { a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN) }
    for margins in [m, nil] {
      d.withUnsafeBufferPointer { d in
        guard let margins else {
          return loss.terms(
            differences: d.baseAddress!, idealDifferences: nil, count: d.count, values: &values,
            derivatives: &derivatives)
        }
        margins.withUnsafeBufferPointer { m in
          loss.terms(
            differences: d.baseAddress!, idealDifferences: m.baseAddress, count: d.count, values: &values,
            derivatives: &derivatives)
        }
      }
      for i in d.indices {
        let term = loss.expression.evaluate(difference: d[i], idealDifference: margins?[i] ?? 1)
        #expect(same(values[i], term.value) && same(derivatives[i], term.derivative), "pair \(i)")
      }
    }
  }

  @Test("expressions are equal when their text is")
  func equality() throws {
    let a = try LossExpression("max(0, m - d)")
    #expect(a == (try LossExpression("max(0, m - d)")))
    #expect(a != (try LossExpression("max(0,m-d)")))
    #expect(Set([a, try LossExpression("max(0, m - d)"), try LossExpression("d")]).count == 2)
  }
}

extension GoldenCase {
  /// `loss` with the case's partial credit, or `loss` itself without metadata.
  func partialCredit(_ loss: AnyLoss) throws -> any LossProtocol {
    guard let weights = metadataWeights, let metadata else { return loss }
    let itemMetadata = try ItemMetadata(fields: metadata.map { ItemMetadata.Field(name: $0.0, codes: $0.1) })
    return try loss.withPartialCredit(
      metadata: itemMetadata, weights: MetadataWeights(weights.map { .init(field: $0.0, weight: $0.1) }))
  }
}
