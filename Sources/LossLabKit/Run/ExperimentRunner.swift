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
