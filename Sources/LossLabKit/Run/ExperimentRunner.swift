import RankingLosses

/// One cell of a report: a loss variant evaluated on a scenario.
public struct ReportCell: Sendable {
  /// The scenario's name (the row).
  public var scenario: String
  /// The loss variant's label (the column).
  public var loss: String
  /// The loss value; `nil` when the cell does not apply (see ``skipReason``).
  public var value: Double?
  /// The gradients, shaped like the scenario's inputs, when asked for.
  public var gradients: LossGradients<Double>?
  /// Whether a pairwise loss was given the first row of a scenario with several negatives per positive.
  public var firstRowOnly: Bool
  /// Why the cell does not apply, e.g. partial credit on a scenario without item ids.
  public var skipReason: String?
  /// Warnings the loss raised (for example WARP's negative weights).
  public var warnings: [LossWarning]
  /// Why the cell's result cannot be trusted: its value, or a gradient, is not finite (`nan`, `inf`), e.g.
  /// `"the value is inf"`. The run still shows the cell, marked, and ends with a non-zero exit.
  public var nonFinite: String? = nil
}

/// The result of running one config: a table of cells, scenario by loss variant.
public struct ExperimentReport: Sendable {
  /// The config that was run.
  public var config: ExperimentConfig
  /// `cells[s][l]` is scenario `s` with loss variant `l`.
  public var cells: [[ReportCell]]
  /// Whether gradients were computed.
  public var includesGradients: Bool

  /// The experiment's name.
  public var experiment: String { config.experiment }
  /// The column labels, in order.
  public var labels: [String] { config.losses.map(\.label) }
  /// The row labels, in order.
  public var scenarioNames: [String] { config.scenarios.map(\.name) }

  /// One error per cell whose value or gradient is not finite, placed at its scenario:
  /// `"bpr on scenario 'huge': the value is inf, so its cell is marked 'not finite'"`. Empty when every number is finite.
  public var nonFiniteDiagnostics: [ConfigDiagnostic] {
    zip(config.scenarios, cells).flatMap { scenario, row in
      row.compactMap { cell in
        cell.nonFinite.map { reason in
          ConfigDiagnostic(
            file: config.file, mark: scenario.mark, keyPath: scenario.keyPath,
            message: "\(cell.loss) on scenario '\(cell.scenario)': \(reason), so its cell is marked "
              + "'\(TableRenderer.notFinite)'")
        }
      }
    }
  }
}

/// Why `output` is not finite — `"the value is inf"`, `"the gradient is nan at negative_scores[1][3]"` —
/// or `nil` when the value and every gradient entry are finite.
func nonFiniteReason(_ output: LossOutput<Double>) -> String? {
  if !output.value.isFinite { return "the value is \(nonFiniteText(output.value))" }
  guard let gradients = output.gradients else { return nil }
  if let j = gradients.positiveScores.firstIndex(where: { !$0.isFinite }) {
    return "the gradient is \(nonFiniteText(gradients.positiveScores[j])) at positive_scores[\(j)]"
  }
  let negatives = gradients.negativeScores
  if let k = negatives.storage.firstIndex(where: { !$0.isFinite }) {
    return "the gradient is \(nonFiniteText(negatives.storage[k])) at negative_scores[\(k / negatives.columns)]"
      + "[\(k % negatives.columns)]"
  }
  return nil
}

/// Runs experiments: every scenario × every loss variant → value and, optionally, gradients.
///
/// ```swift
/// let config = try ConfigLoader().loadLossTable(path: "configs/seed-examples.yaml")
/// let report = try ExperimentRunner().run(config)
/// report.cells[0][0].value   // bpr on the first scenario
/// ```
public struct ExperimentRunner: Sendable {
  /// Whether to compute gradients.
  public var computeGradients: Bool

  /// Creates a runner. The losses come from each config's registry (``ExperimentConfig/registry``: the
  /// standard losses, plugins and custom losses).
  ///
  /// - Parameter computeGradients: Whether to compute gradients too.
  public init(computeGradients: Bool = false) {
    self.computeGradients = computeGradients
  }

  /// Runs one config.
  ///
  /// A pairwise loss on a scenario with N > 1 negatives per positive is evaluated on the first row (what a
  /// one-negative sampler would draw) and its cell is marked; a loss with partial credit on a scenario
  /// without item ids does not apply and its cell says why.
  ///
  /// A cell whose value or gradient is not finite keeps its numbers and says why in
  /// ``ReportCell/nonFinite``; ``ExperimentReport/nonFiniteDiagnostics`` turns those into errors.
  ///
  /// - Throws: ``ConfigErrors`` listing every cell that failed, placed at its scenario.
  public func run(_ config: ExperimentConfig) throws(ConfigErrors) -> ExperimentReport {
    var diagnostics: [ConfigDiagnostic] = []
    var rows: [[ReportCell]] = []
    for scenario in config.scenarios {
      var row: [ReportCell] = []
      for variant in config.losses {
        var cell = ReportCell(
          scenario: scenario.name, loss: variant.label, value: nil, gradients: nil, firstRowOnly: false,
          skipReason: nil, warnings: [])
        if variant.partialCredit != nil, !scenario.hasItems {
          cell.skipReason = "partial credit needs positive_items and negative_items, which this scenario does not give"
          row.append(cell)
          continue
        }
        do {
          let loss = try config.buildLoss(variant, on: scenario)
          let output = try evaluate(loss, on: scenario, cell: &cell)
          cell.value = output.value
          cell.warnings = output.warnings
          cell.gradients = output.gradients
          cell.nonFinite = nonFiniteReason(output)
        } catch {
          diagnostics.append(
            ConfigDiagnostic(
              file: config.file, mark: scenario.mark, keyPath: scenario.keyPath,
              message: "\(variant.label) on scenario '\(scenario.name)': \(error)"))
        }
        row.append(cell)
      }
      rows.append(row)
    }
    guard diagnostics.isEmpty else { throw ConfigErrors(diagnostics: diagnostics) }
    return ExperimentReport(config: config, cells: rows, includesGradients: computeGradients)
  }

  private func evaluate(
    _ loss: any LossProtocol, on scenario: Scenario, cell: inout ReportCell
  ) throws -> LossOutput<Double> {
    let batch = scenario.batch
    guard loss.kind == .pairwise, batch.negativeScores.rows > 1 else {
      return try loss.evaluate(batch, computeGradients: computeGradients)
    }
    // A pairwise loss sees the first row, as a one-negative sampler would have drawn it.
    cell.firstRowOnly = true
    let b = batch.batchSize
    let firstRow = LossBatch(
      positiveScores: batch.positiveScores,
      negativeScores: ScoreMatrix(row: Array(batch.negativeScores.storage[0..<b])),
      positiveItems: batch.positiveItems,
      negativeItems: batch.negativeItems.map { ScoreMatrix(row: Array($0.storage[0..<b])) })
    var output = try loss.evaluate(firstRow, computeGradients: computeGradients)
    if let gradients = output.gradients {
      // Shaped like the inputs: the rows the loss did not see get 0.
      var negatives = ScoreMatrix<Double>(repeating: 0, rows: batch.negativeScores.rows, columns: b)
      for j in 0..<b { negatives[0, j] = gradients.negativeScores[0, j] }
      output.gradients = LossGradients(positiveScores: gradients.positiveScores, negativeScores: negatives)
    }
    return output
  }
}
