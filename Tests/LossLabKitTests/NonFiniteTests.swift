import Foundation
import LossLabKit
import LossLabTestSupport
import RankingLosses
import Recommender
import Testing

/// A loss table whose built-in hinge overflows on finite scores and whose custom loss leaves its domain.
private let overflowing = """
  experiment: nonfinite
  custom_losses:
    - name: neglog
      expression: -log(d)
    - name: root
      expression: sqrt(abs(d))
  losses: [bpr, hinge, neglog, root]
  scenarios:
    - name: ok
      positive_scores: [3.0]
      negative_scores: [1.5]
    - name: huge
      positive_scores: [-1.0e308]
      negative_scores: [1.0e308]
    - name: tie
      positive_scores: [1.0]
      negative_scores: [1.0]

  """

@Suite("Non-finite results are never silent")
struct NonFiniteTests {
  @Test("a cell whose value or gradient is not finite says which and where")
  func cellsSayWhy() throws {
    let report = try run(overflowing, gradients: true)
    let reasons = report.cells.map { $0.map(\.nonFinite) }
    #expect(
      reasons == [
        [nil, nil, nil, nil],
        [nil, "the value is inf", "the value is nan", "the value is inf"],
        // sqrt(abs(d)) at d = 0: value 0, derivative 0 / 0.
        [nil, nil, "the value is inf", "the gradient is nan at positive_scores[0]"],
      ])
    #expect(
      report.nonFiniteDiagnostics.map(\.description) == [
        "test.yaml:12:5: error: scenarios[1]: hinge on scenario 'huge': the value is inf, so its cell is marked "
          + "'not finite'",
        "test.yaml:12:5: error: scenarios[1]: neglog on scenario 'huge': the value is nan, so its cell is marked "
          + "'not finite'",
        "test.yaml:12:5: error: scenarios[1]: root on scenario 'huge': the value is inf, so its cell is marked "
          + "'not finite'",
        "test.yaml:15:5: error: scenarios[2]: neglog on scenario 'tie': the value is inf, so its cell is marked "
          + "'not finite'",
        "test.yaml:15:5: error: scenarios[2]: root on scenario 'tie': the gradient is nan at positive_scores[0], so "
          + "its cell is marked 'not finite'",
      ])
  }

  @Test("without gradients only the value is checked: nothing unshown is judged")
  func valueOnlyWithoutGradients() throws {
    let report = try run(overflowing)
    #expect(report.cells[2][3].nonFinite == nil)
    #expect(report.cells[2][3].value == 0)
  }

  @Test("every format marks the cell; run prints the table and exits 65")
  func runMarksAndFails() throws {
    let folder = try temporaryFolder()
    try overflowing.write(to: folder.appendingPathComponent("nf.yaml"), atomically: true, encoding: .utf8)
    let text = try losslab(["run", "nf.yaml"], in: folder)
    #expect(text.status == 65)
    #expect(
      text.stdout == """
        nonfinite

        scenario     bpr       hinge      neglog        root
        --------  ------  ----------  ----------  ----------
        ok        0.2157      0.0000     -0.4055      1.2247
        huge      2.0000  not finite  not finite  not finite
        tie       0.7500      2.0000  not finite      0.0000

        not finite: hinge on 'huge': the value is inf.
        not finite: neglog on 'huge': the value is nan.
        not finite: root on 'huge': the value is inf.
        not finite: neglog on 'tie': the value is inf.

        """)
    #expect(
      text.stderr.hasPrefix(
        """
        nf.yaml:12:5: error: scenarios[1]: hinge on scenario 'huge': the value is inf, so its cell is marked \
        'not finite'
         12 |   - name: huge
            |     ^

        """))
    let json = try losslab(["run", "nf.yaml", "--format", "json"], in: folder)
    #expect(json.status == 65)
    #expect(
      json.stdout.contains(
        #"{"scenario": "huge", "loss": "hinge", "value": null, "error": "not finite: the value is inf"}"#))
    let csv = try losslab(["run", "nf.yaml", "--format", "csv", "--output", "out.csv"], in: folder)
    #expect(csv.status == 65)
    let written = try String(contentsOf: folder.appendingPathComponent("out.csv"), encoding: .utf8)
    #expect(written.contains("nonfinite,huge,neglog,nan,not finite: the value is nan\n"))
    let finite = try losslab(["run", "configs/seed-examples.yaml", "--gradients"])
    #expect(finite.status == 0)
    #expect(!finite.stdout.contains("not finite"))
  }

  @Test("training stops with the loss, the epoch and what is not finite")
  func trainingNonFinite() throws {
    let path = try plantedTrainingConfig(
      losses: "  - neglog", extra: "custom_losses:\n  - {name: neglog, expression: -log(d)}\n")
    let config = try ConfigLoader().loadTraining(path: path)
    var failure: TrainingError?
    do {
      _ = try TrainingRunner().run(config)
    } catch {
      if case .training(let variant, let seed, let error) = error {
        #expect(variant == "neglog" && seed == 1)
        failure = error
      }
    }
    guard case .nonFiniteLoss(let epoch, let loss, let detail, let largest, let learningRate)? = failure else {
      Issue.record("expected a non-finite loss, got \(String(describing: failure))")
      return
    }
    #expect(epoch == 1 && loss == "neglog" && detail == "the value nan" && learningRate == 0.1)
    #expect(largest > 0 && largest < 1)
    #expect(
      TrainingError.nonFiniteLoss(
        epoch: 3, loss: "root", detail: "the gradient nan at negative_scores[0][5]",
        largestScore: 0.5, learningRate: 0.1
      ).description
        == "in epoch 3 the loss 'root' gave the gradient nan at negative_scores[0][5] on finite scores (the largest "
        + "|score| is 0.5); its term is undefined there (e.g. a log of a negative number or 0/0) or the scores grew "
        + "too large: check the loss, lower the learning rate (now 0.1) or raise l2")
  }
}
