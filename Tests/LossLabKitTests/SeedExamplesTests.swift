import Foundation
import LossLabKit
import Testing

@Suite("configs/seed-examples.yaml reproduces the seed notebook")
struct SeedExamplesTests {
  static let report: ExperimentReport = {
    let config = try! ConfigLoader().loadLossTable(path: shippedConfig("seed-examples.yaml"))
    return try! ExperimentRunner().run(config)
  }()

  func value(_ scenario: String, _ loss: String) -> String? {
    let report = Self.report
    guard let s = report.scenarioNames.firstIndex(of: scenario), let l = report.labels.firstIndex(of: loss),
      let value = report.cells[s][l].value
    else { return nil }
    return String(format: "%.4f", value)
  }

  /// The 19 numbers the notebook prints, each in its cell.
  @Test func everyPrintedNumber() {
    let expected: [(String, String, String)] = [
      ("ideal", "bpr", "0.2157"), ("less-than-ideal", "bpr", "1.4860"),
      ("ideal", "hinge", "0.0000"), ("less-than-ideal", "hinge", "8.7500"),
      ("many-ideal", "adaptive_bpr", "0.2157"), ("many-less-than-ideal", "adaptive_bpr", "1.4860"),
      ("many-correctable", "adaptive_bpr", "1.7782"),
      ("many-ideal", "adaptive_hinge", "0.0000"), ("many-less-than-ideal", "adaptive_hinge", "8.7500"),
      ("many-correctable", "adaptive_hinge", "15.7500"),
      ("many-ideal", "warp(num_items=3)", "0.0000"),
      ("many-less-than-ideal", "warp(num_items=3)", "4.3636"),
      ("many-less-than-ideal", "warp(num_items=30)", "31.1301"),
      ("many-correctable", "warp(num_items=3)", "0.8510"), ("many-correctable", "warp(num_items=30)", "4.5926"),
      ("star-wars-vs-star-trek", "bpr", "1.6566"), ("star-wars-vs-legally-blonde", "bpr", "1.6566"),
      ("star-wars-vs-star-trek", "bpr+genre", "1.0287"), ("star-wars-vs-legally-blonde", "bpr+genre", "1.6566"),
    ]
    #expect(expected.count == 19)
    for (scenario, loss, number) in expected {
      #expect(value(scenario, loss) == number, "\(scenario) / \(loss)")
    }
  }

  @Test func tableMarksAndNotes() {
    let text = ReportRenderer(format: .text).render([Self.report])
    #expect(text.hasPrefix("seed-examples — every number the seed notebook prints\n"))
    #expect(text.contains("many-correctable"))
    #expect(text.contains("0.2157†"))  // bpr on three negatives: the first row, 1.5, as in the pairwise example
    #expect(
      text.contains(
        "† a pairwise loss on a scenario with several negatives per positive: computed on the first row, what a one-negative sampler would draw."
      ))
    #expect(
      text.contains(
        "n/a: partial credit needs positive_items and negative_items, which this scenario does not give."))
    // Every number of the seed appears in the text table.
    for number in [
      "0.2157", "1.4860", "8.7500", "1.7782", "15.7500", "4.3636", "31.1301", "0.8510", "4.5926", "1.6566", "1.0287",
    ] {
      #expect(text.contains(number), "\(number)")
    }
  }
}
