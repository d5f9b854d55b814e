import RankingLosses

/// Renders reports as JSON: for one config
/// `{"experiment": …, "description": …, "file": …, "results": [{"scenario": …, "loss": …, "value": …, …}]}`,
/// and an array of those for several. Numbers are the shortest text that reads back as the same `Double`;
/// a value that overflowed is `null`.
struct JSONRenderer {
  func render(_ reports: [ExperimentReport]) -> String {
    if reports.count == 1 { return object(reports[0], indent: "") + "\n" }
    return "[\n" + reports.map { "  " + object($0, indent: "  ") }.joined(separator: ",\n") + "\n]\n"
  }

  private func object(_ report: ExperimentReport, indent: String) -> String {
    var fields = ["\"experiment\": \(string(report.experiment))"]
    if let description = report.config.description { fields.append("\"description\": \(string(description))") }
    fields.append("\"file\": \(string(report.config.file))")
    var results: [String] = []
    for (s, row) in report.cells.enumerated() {
      let scenario = report.config.scenarios[s]
      for cell in row { results.append(result(cell, scenario: scenario)) }
    }
    let inner = indent + "  "
    let resultList =
      results.isEmpty ? "[]" : "[\n" + results.map { inner + "  " + $0 }.joined(separator: ",\n") + "\n\(inner)]"
    fields.append("\"results\": \(resultList)")
    return "{\n" + fields.map { inner + $0 }.joined(separator: ",\n") + "\n\(indent)}"
  }

  private func result(_ cell: ReportCell, scenario: Scenario) -> String {
    var fields = [
      "\"scenario\": \(string(cell.scenario))", "\"loss\": \(string(cell.loss))",
      "\"value\": \(cell.value.map(number) ?? "null")",
    ]
    if let g = cell.gradients {
      let positives = array(g.positiveScores)
      let negatives =
        scenario.negativesGivenFlat
        ? array(g.negativeScores.rowArrays[0])
        : "[" + g.negativeScores.rowArrays.map(array).joined(separator: ", ") + "]"
      fields.append("\"gradients\": {\"positive_scores\": \(positives), \"negative_scores\": \(negatives)}")
    }
    if cell.firstRowOnly { fields.append("\"note\": \(string("pairwise loss: first row of negatives only"))") }
    if let reason = cell.skipReason { fields.append("\"note\": \(string("n/a: \(reason)"))") }
    if !cell.warnings.isEmpty {
      fields.append("\"warnings\": [" + cell.warnings.map { string($0.message) }.joined(separator: ", ") + "]")
    }
    return "{" + fields.joined(separator: ", ") + "}"
  }

  private func array(_ xs: [Double]) -> String { "[" + xs.map(number).joined(separator: ", ") + "]" }

  private func number(_ x: Double) -> String { x.isFinite ? roundTrip(x) : "null" }

  private func string(_ s: String) -> String { jsonString(s) }
}
