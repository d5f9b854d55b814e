import RankingLosses

/// Renders loss-table reports as JSON: for one config
/// `{"experiment": …, "description": …, "file": …, "results": [{"scenario": …, "loss": …, "value": …, …}]}`,
/// and an array of those for several. Numbers follow ``JSONValue``'s rule: a value that is not finite is
/// `null`.
struct JSONRenderer {
  func render(_ reports: [ExperimentReport]) -> String {
    if reports.count == 1 { return object(reports[0]).document }
    return JSONValue.array(reports.map(object)).document
  }

  private func object(_ report: ExperimentReport) -> JSONValue {
    var root = JSONObject()
    root["experiment"] = .string(report.experiment)
    root["description"] = report.config.description.map(JSONValue.string)
    root["file"] = .string(report.config.file)
    var results: [JSONValue] = []
    for (s, row) in report.cells.enumerated() {
      let scenario = report.config.scenarios[s]
      for cell in row { results.append(result(cell, scenario: scenario)) }
    }
    root["results"] = .array(results)
    return root.value
  }

  private func result(_ cell: ReportCell, scenario: Scenario) -> JSONValue {
    var fields = JSONObject()
    fields["scenario"] = .string(cell.scenario)
    fields["loss"] = .string(cell.loss)
    fields["value"] = cell.value.map(JSONValue.number) ?? .null
    if let g = cell.gradients {
      let negatives: JSONValue =
        scenario.negativesGivenFlat
        ? numbers(g.negativeScores.rowArrays[0]) : .array(g.negativeScores.rowArrays.map(numbers))
      fields["gradients"] = .object([("positive_scores", numbers(g.positiveScores)), ("negative_scores", negatives)])
    }
    if cell.firstRowOnly { fields["note"] = .string("pairwise loss: first row of negatives only") }
    if let reason = cell.skipReason { fields["note"] = .string("n/a: \(reason)") }
    if let reason = cell.nonFinite { fields["error"] = .string("not finite: \(reason)") }
    if !cell.warnings.isEmpty { fields["warnings"] = .array(cell.warnings.map { .string($0.message) }) }
    return fields.value
  }

  private func numbers(_ xs: [Double]) -> JSONValue { .array(xs.map(JSONValue.number)) }
}
