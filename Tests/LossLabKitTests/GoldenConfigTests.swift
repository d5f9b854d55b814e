import Foundation
import LossLabKit
import LossLabTestSupport
import RankingLosses
import Testing

/// Every golden case, written as a YAML config, parsed by libyaml, decoded and run by the runner.
@Suite("Golden cases through configs")
struct GoldenConfigTests {
  /// The case as a config: its loss (with num_items and partial credit), metadata and one scenario.
  static func yaml(_ golden: GoldenCase) -> String {
    func list<T>(_ xs: [T]) -> String { "[" + xs.map { "\($0)" }.joined(separator: ", ") + "]" }
    func matrix<T>(_ rows: [[T]], flat: Bool) -> String {
      flat ? list(rows[0]) : "[" + rows.map(list).joined(separator: ", ") + "]"
    }
    let flat = golden.loss == "bpr" || golden.loss == "hinge"
    var lines = ["experiment: \(golden.id)"]
    if let metadata = golden.metadata {
      lines.append("metadata:")
      for (field, codes) in metadata { lines.append("  \(field): \(list(codes))") }
    }
    lines.append("losses:")
    lines.append("  - loss: \(golden.loss)")
    if let n = golden.numItems { lines.append("    params: {num_items: \(n)}") }
    if let weights = golden.metadataWeights {
      lines.append("    partial_credit: {" + weights.map { "\($0.0): \($0.1)" }.joined(separator: ", ") + "}")
    }
    lines.append("scenarios:")
    lines.append("  - name: case")
    lines.append("    positive_scores: \(list(golden.positiveScores))")
    lines.append("    negative_scores: \(matrix(golden.negativeScores, flat: flat))")
    if let items = golden.positiveItems { lines.append("    positive_items: \(list(items))") }
    if let items = golden.negativeItems { lines.append("    negative_items: \(matrix(items, flat: flat))") }
    return lines.joined(separator: "\n") + "\n"
  }

  @Test("value and gradients match the reference", arguments: GoldenCase.all)
  func golden(_ golden: GoldenCase) throws {
    let loaded = check(Self.yaml(golden), file: "golden.yaml")
    if golden.lossLabRejects {
      #expect(loaded.config == nil, "\(golden.id) must be rejected")
      #expect(!loaded.errors.isEmpty)
      return
    }
    let config = try #require(loaded.lossTable, "\(loaded.diagnostics)")
    let report = try ExperimentRunner(computeGradients: true).run(config)
    let cell = report.cells[0][0]
    let value = try #require(cell.value)
    let expected = try #require(golden.expectedLoss)
    #expect(abs(value - expected) <= golden.valueTolerance, "\(golden.id): \(value) vs \(expected)")
    let gradients = try #require(cell.gradients)
    let gotAll = gradients.positiveScores + gradients.negativeScores.storage
    #expect(gotAll.count == golden.expectedGradients.count)
    for (index, (got, want)) in zip(gotAll, golden.expectedGradients).enumerated() {
      #expect(
        abs(got - want) <= golden.gradientTolerance, "\(golden.id): gradient \(index) is \(got), expected \(want)")
    }
  }

  /// `softplus(m - 1 - d)` and `max(0, m - d)` declared in a config's `custom_losses:` give the built-ins'
  /// values and gradients (to 1e-12) on every golden input of bpr and hinge, partial credit included
  /// (`softplus(-d)` is the same loss where m = 1).
  @Test(
    "losses declared in YAML equal log_sigmoid_bpr and hinge",
    arguments: GoldenCase.all.filter { ($0.loss == "bpr" || $0.loss == "hinge") && !$0.lossLabRejects })
  func declaredLosses(_ golden: GoldenCase) throws {
    let base = Self.yaml(golden)
    let declarations = """
      custom_losses:
        - {name: declared_bpr, expression: "softplus(m - 1 - d)", reduction: mean}
        - {name: textbook_bpr, expression: "softplus(-d)", reduction: mean}
        - {name: declared_hinge, expression: "max(0, m - d)", reduction: seed}

      """
    let pairs =
      golden.metadata == nil
      ? [("declared_bpr", "log_sigmoid_bpr"), ("textbook_bpr", "log_sigmoid_bpr"), ("declared_hinge", "hinge")]
      : [("declared_bpr", "log_sigmoid_bpr"), ("declared_hinge", "hinge")]
    for (declared, builtIn) in pairs {
      func report(_ name: String) throws -> ReportCell {
        let yaml =
          declarations + base.replacingOccurrences(of: "  - loss: \(golden.loss)\n", with: "  - loss: \(name)\n")
        let config = try #require(check(yaml).lossTable, "\(check(yaml).diagnostics)")
        return try ExperimentRunner(computeGradients: true).run(config).cells[0][0]
      }
      let a = try report(declared)
      let b = try report(builtIn)
      #expect(abs(a.value! - b.value!) <= 1e-12 * max(1, abs(b.value!)), "\(golden.id) \(declared)")
      let expected = b.gradients!.positiveScores + b.gradients!.negativeScores.storage
      let got = a.gradients!.positiveScores + a.gradients!.negativeScores.storage
      let scale = max(1e-300, expected.map { abs($0) }.max() ?? 0)
      for (x, y) in zip(got, expected) { #expect(abs(x - y) <= 1e-12 * scale, "\(golden.id) \(declared)") }
    }
  }

  @Test("the JSON output carries the exact numbers")
  func jsonRoundTrip() throws {
    let golden = try #require(GoldenCase.all.first { $0.id == "adaptive_bpr/random/normal_sd10/B64_N20/seed10024" })
    let config = try #require(check(Self.yaml(golden)).lossTable)
    let report = try ExperimentRunner(computeGradients: true).run(config)
    let json = ReportRenderer(format: .json).render([report])
    let value = try #require(report.cells[0][0].value)
    #expect(json.contains("\"value\": \(value)"))
    #expect(Double("\(value)") == value)
    // Gradients are shaped like the inputs: 20 rows of 64.
    let gradients = try #require(report.cells[0][0].gradients)
    #expect(gradients.negativeScores.rows == 20 && gradients.negativeScores.columns == 64)
  }
}

@Suite("Shipped configs")
struct ShippedConfigTests {
  static let names = ["seed-examples.yaml", "warp-num-items.yaml", "compare-all.yaml"]

  @Test("each config in configs/ is tested here")
  func allListed() throws {
    let files = try FileManagerListing.yamlFiles(in: repositoryRoot.appendingPathComponent("configs").path)
    // movielens-losses.yaml is a training config, run by TrainingConfigTests.
    #expect(files == (Self.names + ["movielens-losses.yaml"]).sorted())
  }

  @Test("loads and runs without errors", arguments: names)
  func runs(_ name: String) throws {
    let loaded = ConfigLoader().load(path: shippedConfig(name))
    #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics)")
    let config = try #require(loaded.lossTable)
    let report = try ExperimentRunner(computeGradients: true).run(config)
    #expect(report.cells.count == config.scenarios.count)
    for row in report.cells {
      #expect(row.count == config.losses.count)
      for cell in row { #expect(cell.value.map(\.isFinite) ?? (cell.skipReason != nil)) }
    }
  }

  @Test("warp-num-items warns about negative weights and keeps the values")
  func warpGrid() throws {
    let report = try ExperimentRunner().run(ConfigLoader().loadLossTable(path: shippedConfig("warp-num-items.yaml")))
    #expect(report.labels.first == "warp(num_items=1)")
    #expect(report.labels.count == 7)
    let late = try #require(report.scenarioNames.firstIndex(of: "late-violations"))
    let cell = report.cells[late][0]  // num_items 1: weights log(1/tries) <= 0
    #expect(cell.warnings.count == 1)
    #expect(abs(cell.value! - 6.929665215223057) <= 1e-6 * 6.93)  // golden warp/num_items_one
  }
}
