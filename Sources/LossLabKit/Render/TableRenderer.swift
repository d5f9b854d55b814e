import RankingLosses

/// Renders one report as an aligned text table or a Markdown table, with the notes that explain marks.
struct TableRenderer {
  let markdown: Bool
  let precision: Int

  static let firstRowMark = "†"
  static let notApplicable = "n/a"
  static let notFinite = "not finite"

  func render(_ report: ExperimentReport) -> String {
    let header = ["scenario"] + report.labels
    let rows: [[String]] = report.cells.enumerated().map { s, row in
      [report.scenarioNames[s]] + row.map(cellText)
    }
    var lines: [String] = []
    let title = report.config.description.map { "\(report.experiment) — \($0)" } ?? report.experiment
    lines.append(markdown ? "### \(title)" : title)
    lines.append("")
    lines += markdown ? markdownTable(header, rows) : alignedTable(header, rows, mark: Self.firstRowMark)
    let notes = self.notes(report)
    if !notes.isEmpty {
      lines.append("")
      lines += notes
    }
    if report.includesGradients {
      lines.append("")
      lines += gradientLines(report)
    }
    return lines.joined(separator: "\n") + "\n"
  }

  private func cellText(_ cell: ReportCell) -> String {
    guard let value = cell.value else { return Self.notApplicable }
    if cell.nonFinite != nil { return Self.notFinite }
    return fixed(value, digits: precision) + (cell.firstRowOnly ? Self.firstRowMark : "")
  }

  private func notes(_ report: ExperimentReport) -> [String] {
    let cells = report.cells.flatMap { $0 }
    var notes: [String] = []
    let prefix = markdown ? "- " : ""
    if cells.contains(where: \.firstRowOnly) {
      notes.append(
        "\(prefix)\(Self.firstRowMark) a pairwise loss on a scenario with several negatives per positive: computed on "
          + "the first row, what a one-negative sampler would draw.")
    }
    var reasons: [String] = []
    for cell in cells { if let reason = cell.skipReason, !reasons.contains(reason) { reasons.append(reason) } }
    for reason in reasons { notes.append("\(prefix)\(Self.notApplicable): \(reason).") }
    for cell in cells {
      if let reason = cell.nonFinite {
        notes.append("\(prefix)\(Self.notFinite): \(cell.loss) on '\(cell.scenario)': \(reason).")
      }
    }
    for cell in cells {
      for warning in cell.warnings {
        notes.append("\(prefix)warning: \(cell.loss) on '\(cell.scenario)': \(warning.message)")
      }
    }
    return notes
  }

  private func gradientLines(_ report: ExperimentReport) -> [String] {
    var lines = [markdown ? "**Gradients**" : "gradients:"]
    let limit = 64
    for (s, row) in report.cells.enumerated() {
      let scenario = report.config.scenarios[s]
      for cell in row {
        guard let g = cell.gradients else { continue }
        let count = g.positiveScores.count + g.negativeScores.storage.count
        let head = "\(markdown ? "- " : "  ")\(cell.scenario) / \(cell.loss):"
        guard count <= limit else {
          lines.append("\(head) \(count) values (use --format json)")
          continue
        }
        let positives = "[" + g.positiveScores.map { fixed($0, digits: precision) }.joined(separator: ", ") + "]"
        let rows = g.negativeScores.rowArrays.map {
          "[" + $0.map { fixed($0, digits: precision) }.joined(separator: ", ") + "]"
        }
        let negatives = scenario.negativesGivenFlat ? rows[0] : "[" + rows.joined(separator: ", ") + "]"
        lines.append("\(head) positive_scores \(positives)  negative_scores \(negatives)")
      }
    }
    return lines
  }
}

extension String {
  func replacingAll(_ target: Character, with replacement: String) -> String {
    var out = ""
    for c in self { if c == target { out += replacement } else { out.append(c) } }
    return out
  }
}
