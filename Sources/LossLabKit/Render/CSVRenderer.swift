import RankingLosses

/// Renders reports as one CSV table (RFC 4180 quoting, `\n` line ends), a row per cell: `experiment,scenario,loss,value,note`, plus
/// `grad_positive_scores,grad_negative_scores` when gradients were computed (numbers separated by spaces,
/// rows of negatives by `;`).
struct CSVRenderer {
  let precision: Int?

  func render(_ reports: [ExperimentReport]) -> String {
    let gradients = reports.contains(where: \.includesGradients)
    var header = ["experiment", "scenario", "loss", "value", "note"]
    if gradients { header += ["grad_positive_scores", "grad_negative_scores"] }
    var lines = [header.map(csvField).joined(separator: ",")]
    for report in reports {
      for row in report.cells {
        for cell in row {
          var fields = [report.experiment, cell.scenario, cell.loss, cell.value.map(number) ?? "", note(cell)]
          if gradients {
            fields.append(cell.gradients.map { $0.positiveScores.map(number).joined(separator: " ") } ?? "")
            fields.append(
              cell.gradients.map {
                $0.negativeScores.rowArrays.map { $0.map(number).joined(separator: " ") }.joined(separator: ";")
              } ?? "")
          }
          lines.append(fields.map(csvField).joined(separator: ","))
        }
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  private func number(_ x: Double) -> String {
    precision.map { fixed(x, digits: $0) } ?? roundTrip(x)
  }

  private func note(_ cell: ReportCell) -> String {
    var parts: [String] = []
    if cell.firstRowOnly { parts.append("pairwise loss: first row of negatives only") }
    if let reason = cell.skipReason { parts.append("n/a: \(reason)") }
    if let reason = cell.nonFinite { parts.append("not finite: \(reason)") }
    parts += cell.warnings.map { "warning: \($0.message)" }
    return parts.joined(separator: "; ")
  }
}
