import Foundation
import RankingLosses
import Recommender

/// One unit of a training run: a variant, one point of its grid and one seed — one model trained and
/// tested. A run is its cells; a report is assembled from their results.
public struct TrainingCell: Sendable, Hashable, CustomStringConvertible {
  /// The cell's position in the run's order (``TrainingRunner/plan(_:)``), from 0.
  public var index: Int
  /// The variant's index in ``TrainingConfig/variants``.
  public var variant: Int
  /// The point's index in the variant's ``TrainingVariant/points``.
  public var point: Int
  /// The seed's index in ``TrainingConfig/seeds``.
  public var seedIndex: Int
  /// The seed.
  public var seed: UInt64

  /// Creates a cell.
  public init(index: Int, variant: Int, point: Int, seedIndex: Int, seed: UInt64) {
    self.index = index
    self.variant = variant
    self.point = point
    self.seedIndex = seedIndex
    self.seed = seed
  }

  /// `variant V, point P, seed S` with indices from 0 (for messages; ``describe(in:)`` names the variant).
  public var description: String { "variant \(variant), point \(point + 1), seed \(seed)" }

  /// The cell as a person reads it: `bpr (point 2 of 3: training.learning_rate=0.2) seed 3`, without the
  /// point when the variant has one.
  public func describe(in config: TrainingConfig) -> String {
    let variant = config.variants[self.variant]
    var text = variant.loss.label
    if variant.hasGrid {
      let settings = variant.points[point].variedDescription
      text += " (point \(point + 1) of \(variant.points.count)\(settings.isEmpty ? "" : ": " + settings))"
    }
    return text + " seed \(seed)"
  }
}

/// What one cell produced: everything a report needs from it, self-contained (a store keeps it as it is).
public struct CellResult: Sendable {
  /// The cell.
  public var cell: TrainingCell
  /// Per-epoch records (the test metrics' means where evaluated, the validation score where computed).
  public var history: [EpochRecord]
  /// The test metrics of every evaluated user for the cell's selected model (the best validation epoch's
  /// under early stopping, else the last epoch's), one column per ``EvaluationOptions/columns``.
  public var table: MetricTable
  /// Seconds spent training.
  public var trainingSeconds: Double
  /// Training interactions per second.
  public var interactionsPerSecond: Double
  /// The epoch whose model was tested.
  public var selectedEpoch: Int
  /// The selected model's validation score, when there is a validation split.
  public var validation: Double?
  /// Seconds spent on validation scores during training.
  public var validationSeconds: Double
  /// The trained model, when the run keeps models (``TrainingRunner/execute(_:prepared:cells:keepModels:progress:finished:shouldStop:)``).
  public var model: FactorModel?
  /// When the cell started training.
  public var started: Date
  /// When the cell was tested.
  public var finished: Date

  /// Creates a cell result.
  public init(
    cell: TrainingCell, history: [EpochRecord], table: MetricTable, trainingSeconds: Double,
    interactionsPerSecond: Double, selectedEpoch: Int, validation: Double?, validationSeconds: Double,
    model: FactorModel? = nil, started: Date, finished: Date
  ) {
    self.cell = cell
    self.history = history
    self.table = table
    self.trainingSeconds = trainingSeconds
    self.interactionsPerSecond = interactionsPerSecond
    self.selectedEpoch = selectedEpoch
    self.validation = validation
    self.validationSeconds = validationSeconds
    self.model = model
    self.started = started
    self.finished = finished
  }

  /// The cell as one seed's run of a variant.
  var seedRun: SeedRun {
    SeedRun(
      seed: cell.seed, history: history, table: table, trainingSeconds: trainingSeconds,
      interactionsPerSecond: interactionsPerSecond, model: model, selectedEpoch: selectedEpoch,
      validation: validation, validationSeconds: validationSeconds)
  }
}

/// The facts of a run's data and split that its report shows.
public struct TrainingDataSummary: Sendable, Equatable {
  /// Users in the data set.
  public var users: Int
  /// Items in the data set.
  public var items: Int
  /// Training interactions.
  public var trainInteractions: Int
  /// Validation interactions (0 without a validation split).
  public var validationInteractions: Int
  /// Held-out (test) interactions.
  public var testInteractions: Int
  /// The dense ids of the users with at least one test interaction, in order: the rows of every cell's
  /// test table.
  public var evaluatedUsers: [Int]
  /// Remarks from loading and splitting the data.
  public var notes: [String]

  /// Creates a summary.
  public init(
    users: Int, items: Int, trainInteractions: Int, validationInteractions: Int, testInteractions: Int,
    evaluatedUsers: [Int], notes: [String]
  ) {
    self.users = users
    self.items = items
    self.trainInteractions = trainInteractions
    self.validationInteractions = validationInteractions
    self.testInteractions = testInteractions
    self.evaluatedUsers = evaluatedUsers
    self.notes = notes
  }
}

/// A variant's loss as built on the data: what a report says about it.
public struct VariantLoss: Sendable, Equatable {
  /// The parameters used, defaults and `num_items` from the data included.
  public var parameters: [String: LossParameterValue]
  /// Pairwise (one negative per positive) or adaptive (``TrainingOptions/negatives``).
  public var kind: LossKind

  /// Creates a variant's loss facts.
  public init(parameters: [String: LossParameterValue], kind: LossKind) {
    self.parameters = parameters
    self.kind = kind
  }
}

extension TrainingRunner {
  /// Every cell of `config`, in the run's order: variant by variant (config order), each variant's points
  /// in grid order, each point's seeds in `seeds` order. The order, and so each cell's
  /// ``TrainingCell/index``, depends only on the config.
  public static func plan(_ config: TrainingConfig) -> [TrainingCell] {
    var cells: [TrainingCell] = []
    for (v, variant) in config.variants.enumerated() {
      for p in variant.points.indices {
        for (s, seed) in config.seeds.enumerated() {
          cells.append(TrainingCell(index: cells.count, variant: v, point: p, seedIndex: s, seed: seed))
        }
      }
    }
    return cells
  }
}

extension TrainingReport {
  /// Assembles a report from cell results: for each variant, every point's validation scores, the chosen
  /// point (the highest mean validation score, the first of equal ones) and its seeds' runs; then the
  /// significance tests.
  ///
  /// Cells may come in any order and from several runs; a point counts with the seeds it has, and a
  /// variant with no cell is left out (a partial report).
  ///
  /// - Parameters:
  ///   - config: The config the cells were planned from.
  ///   - data: The data and split facts.
  ///   - variants: Each variant's loss facts, in config order.
  ///   - cells: The cell results, at most one per cell.
  public init(config: TrainingConfig, data: TrainingDataSummary, variants: [VariantLoss], cells: [CellResult]) {
    let hasValidation = config.split.validationFraction != nil
    let select = config.evaluation.select
    var byVariant: [Int: [CellResult]] = [:]
    for result in cells { byVariant[result.cell.variant, default: []].append(result) }
    var results: [VariantResult] = []
    for (v, variant) in config.variants.enumerated() {
      guard let present = byVariant[v] else { continue }
      let ordered = present.sorted { $0.cell.index < $1.cell.index }
      var scores: [PointScore] = []
      var pointRuns: [[SeedRun]] = []
      var pointIndices: [Int] = []
      for p in variant.points.indices {
        let runs = ordered.filter { $0.cell.point == p }.map(\.seedRun)
        guard !runs.isEmpty else { continue }
        scores.append(
          PointScore(
            point: variant.points[p], seedScores: runs.map { $0.validation ?? 0 }, seedEpochs: runs.map(\.selectedEpoch)
          ))
        pointRuns.append(runs)
        pointIndices.append(p)
      }
      var chosen = 0
      for index in scores.indices.dropFirst() where scores[index].score > scores[chosen].score { chosen = index }
      let point = variant.points[pointIndices[chosen]]
      let loss = variants[v]
      let selection =
        hasValidation
        ? VariantSelection(
          metric: select.name, metricDisplayName: select.displayName, points: scores, chosen: chosen,
          gridSize: variant.gridSize) : nil
      results.append(
        VariantResult(
          variant: variant, parameters: loss.parameters,
          negativesPerPositive: loss.kind == .pairwise ? 1 : point.options.negatives, runs: pointRuns[chosen],
          point: point, selection: selection))
    }
    self.init(
      config: config, users: data.users, items: data.items, trainInteractions: data.trainInteractions,
      testInteractions: data.testInteractions, validationInteractions: data.validationInteractions,
      evaluatedUsers: data.evaluatedUsers.count, notes: data.notes, results: results)
    if let options = config.evaluation.significance {
      significance = TrainingRunner.compare(results, columns: config.evaluation.columns, options: options)
    }
  }
}
