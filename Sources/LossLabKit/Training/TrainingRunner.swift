import Foundation
import RankingLosses
import Recommender

/// One trained model's outcome: a variant and a seed.
public struct SeedRun: Sendable {
  /// The seed.
  public var seed: UInt64
  /// Per-epoch records (the metrics' means where evaluated).
  public var history: [EpochRecord]
  /// The held-out (test) metrics of every evaluated user after the last epoch, one column per
  /// ``EvaluationOptions/columns``.
  public var table: MetricTable
  /// The held-out metrics after the last epoch: the mean of each column over the evaluated users
  /// (``MetricTable/means`` of ``table``).
  public var metrics: MetricValues { table.means }
  /// Seconds spent training.
  public var trainingSeconds: Double
  /// Training interactions per second.
  public var interactionsPerSecond: Double
  /// The model, kept for `--save-model` and `--save-run`; `nil` when the models were not kept (a run
  /// without those options, or a report assembled from a results store).
  public var model: FactorModel?
  /// The epoch whose model was tested: the best validation epoch under early stopping, else the last.
  public var selectedEpoch: Int
  /// The model's validation score (the selection metric on the validation split), when there is one.
  public var validation: Double?
  /// Seconds spent on validation scores during training (every epoch under early stopping).
  public var validationSeconds: Double = 0
}

/// How one point of a variant's grid scored on the validation split.
public struct PointScore: Sendable {
  /// The point.
  public var point: TrainingPoint
  /// The validation score of each seed's model, in seed order.
  public var seedScores: [Double]
  /// The selected epoch of each seed's model, in seed order.
  public var seedEpochs: [Int]
  /// The mean over seeds of the validation score: what the choice compares.
  public var score: Double { seedScores.reduce(0, +) / Double(max(1, seedScores.count)) }
}

/// How a variant's training settings were chosen: every point's validation score and the choice.
public struct VariantSelection: Sendable {
  /// The selection metric's name (`"ndcg@10"`).
  public var metric: String
  /// The selection metric's display name (`"NDCG@10"`).
  public var metricDisplayName: String
  /// Every trained point, in grid order.
  public var points: [PointScore]
  /// The index in ``points`` of the chosen point: the highest mean validation score, the first of equal
  /// ones.
  public var chosen: Int
  /// The points of the whole grid (above `points.count` under a random search).
  public var gridSize: Int

  /// The chosen point's score.
  public var chosenScore: PointScore { points[chosen] }
}

/// One variant's runs over every seed.
public struct VariantResult: Sendable {
  /// The variant.
  public var variant: TrainingVariant
  /// The loss parameters used, defaults and `num_items` from the data included.
  public var parameters: [String: LossParameterValue]
  /// Negatives sampled per positive (1 for pairwise losses).
  public var negativesPerPositive: Int
  /// One run per seed, with the chosen training settings.
  public var runs: [SeedRun]
  /// The training settings the runs used (the chosen point of a grid).
  public var point: TrainingPoint
  /// How ``point`` was chosen on the validation split; `nil` without a validation split.
  public var selection: VariantSelection?

  /// Mean and sample standard deviation over seeds of a value of each run.
  public func summary(_ value: (SeedRun) -> Double) -> (mean: Double, std: Double) {
    let (mean, std) = meanAndSampleStd(runs.map(value))
    return (mean, std ?? 0)
  }

  /// Mean and sample standard deviation over seeds of one metric column's final value (NaN for a column
  /// that was not computed).
  public func summary(_ column: MetricColumn) -> (mean: Double, std: Double) {
    summary { $0.metrics[column] ?? .nan }
  }
}

/// The result of a training config: data facts and one ``VariantResult`` per variant.
public struct TrainingReport: Sendable {
  /// The config.
  public var config: TrainingConfig
  /// Users, items, training and test interactions.
  public var users: Int
  /// Items in the data set.
  public var items: Int
  /// Training interactions.
  public var trainInteractions: Int
  /// Held-out interactions.
  public var testInteractions: Int
  /// Validation interactions (0 when the split has no validation part).
  public var validationInteractions: Int
  /// Users with at least one held-out interaction (the ones metrics average over).
  public var evaluatedUsers: Int
  /// Remarks from loading and splitting the data.
  public var notes: [String]
  /// One result per variant, in config order.
  public var results: [VariantResult]
  /// Remarks about the report itself, shown under the table (e.g. the cells a partial report lacks).
  public var remarks: [String] = []
  /// When the run was stopped before its last cell (Ctrl-C), what the report holds — `partial: 12 of 81
  /// cells finished, interrupted` —: the first line of a text or Markdown report, `partial` in JSON.
  public var partial: String? = nil
  /// With `evaluation.significance` and two variants or more: one comparison of every pair of variants per
  /// metric column, in column order (each user's test value averaged over seeds); empty otherwise.
  public var significance: [MetricComparison] = []
}

/// Why a training experiment could not run.
public enum TrainingRunError: Error, Sendable, CustomStringConvertible {
  /// The data files have problems.
  case data(DataErrors)
  /// The split failed (no timestamps, no test or validation interactions).
  case split(DataError)
  /// A setting does not fit the data (k above the catalog, a loss needing metadata the data lacks).
  case setting(String)
  /// A variant's loss could not be built.
  case loss(variant: String, message: String)
  /// Training stopped.
  case training(variant: String, seed: UInt64, error: TrainingError)
  /// The results store could not be written.
  case store(ResultStoreError)

  /// A readable message.
  public var description: String {
    switch self {
    case .data(let errors): return errors.description
    case .split(let error): return error.description
    case .setting(let message): return message
    case .loss(let variant, let message): return "\(variant): \(message)"
    case .training(let variant, let seed, let error): return "\(variant) (seed \(seed)): \(error)"
    case .store(let error): return error.description
    }
  }
}

/// The seconds ``TrainingRunner/prepare(_:times:)`` spent on each step.
public struct PreparationTimes: Sendable, Equatable {
  /// Reading the data: parsing the files, or mapping the binary cache.
  public var load: Double = 0
  /// Splitting it per user.
  public var split: Double = 0

  /// Creates zero times.
  public init() {}
}

/// Loads the data, splits it, trains one model per variant and seed, and evaluates each.
public struct TrainingRunner: Sendable {
  /// Overrides the config's evaluation interval (for example to plot every epoch).
  public var evalEveryOverride: Int?

  /// Creates a runner.
  ///
  /// The losses come from the config's registry (``TrainingConfig/registry``).
  public init(evalEveryOverride: Int? = nil) {
    self.evalEveryOverride = evalEveryOverride
  }

  /// Loads the config's data and splits it.
  ///
  /// - Throws: ``TrainingRunError/data(_:)`` or ``TrainingRunError/split(_:)``.
  public func prepare(_ config: TrainingConfig) throws(TrainingRunError) -> (InteractionData, DataSplit) {
    var times = PreparationTimes()
    return try prepare(config, times: &times)
  }

  /// A duration in seconds.
  static func seconds(_ duration: Duration) -> Double {
    let (whole, fraction) = duration.components
    return Double(whole) + Double(fraction) * 1e-18
  }

  /// ``prepare(_:)``, timing its two steps.
  ///
  /// - Parameters:
  ///   - config: The config.
  ///   - times: Set to the seconds the load (parsing, or reading the cache) and the split took.
  /// - Throws: ``TrainingRunError/data(_:)`` or ``TrainingRunError/split(_:)``.
  public func prepare(_ config: TrainingConfig, times: inout PreparationTimes) throws(TrainingRunError) -> (
    InteractionData, DataSplit
  ) {
    let clock = ContinuousClock()
    let start = clock.now
    let data: InteractionData
    do {
      data = try DataLoader.load(config.interactions, items: config.items, cache: config.dataCache)
    } catch {
      throw .data(error)
    }
    let loaded = clock.now
    times.load = Self.seconds(loaded - start)
    do {
      let split = try DataSplit(
        data, method: config.split.method, testFraction: config.split.testFraction,
        validationFraction: config.split.validationFraction, seed: config.split.seed)
      times.split = Self.seconds(clock.now - loaded)
      return (data, split)
    } catch {
      throw .split(error)
    }
  }

  /// Runs the experiment: plans its cells (``plan(_:)``), trains and tests each (``execute(_:prepared:cells:keepModels:progress:finished:shouldStop:)``)
  /// and assembles the report from their results (``TrainingReport/init(config:data:variants:cells:)``).
  ///
  /// - Parameters:
  ///   - config: The config.
  ///   - prepared: The config's data and split, when already loaded (``prepare(_:)``).
  ///   - keepModels: Whether the chosen point's models stay in memory (``SeedRun/model``), for `--save-model`
  ///     and `--save-run`; without them the models are dropped as soon as their cell is tested.
  ///   - progress: Called with the cell being trained and its training progress.
  /// - Throws: ``TrainingRunError``.
  public func run(
    _ config: TrainingConfig, prepared: (InteractionData, DataSplit)? = nil, keepModels: Bool = true,
    progress: (@Sendable (TrainingCell, TrainingProgress) -> Void)? = nil
  ) throws(TrainingRunError) -> TrainingReport {
    let (data, split): (InteractionData, DataSplit)
    if let prepared { (data, split) = prepared } else { (data, split) = try prepare(config) }
    let cells = Self.plan(config)
    let executed = try execute(
      config, prepared: (data, split), cells: cells, keepModels: keepModels, progress: progress)
    return TrainingReport(
      config: config, data: executed.data, variants: executed.variants, cells: executed.results)
  }

  /// The facts of the data and split that a report shows.
  public static func dataSummary(_ data: InteractionData, _ split: DataSplit) -> TrainingDataSummary {
    let evaluated = split.testItemsByUser.indices.filter { !split.testItemsByUser[$0].isEmpty }
    return TrainingDataSummary(
      users: data.userCount, items: data.itemCount, trainInteractions: split.train.count,
      validationInteractions: split.validation.count, testInteractions: split.test.count,
      evaluatedUsers: evaluated, notes: data.notes + (split.note.map { [$0] } ?? []))
  }

  /// What each variant's loss is on the data: the parameters used (defaults and `num_items` included) and
  /// its kind.
  ///
  /// - Throws: ``TrainingRunError/loss(variant:message:)`` when a variant's loss cannot be built.
  public static func variantLosses(_ config: TrainingConfig, data: InteractionData) throws(TrainingRunError)
    -> [VariantLoss]
  {
    try buildLosses(config, data: data).map { VariantLoss(parameters: $0.parameters, kind: $0.loss.kind) }
  }

  /// Every variant's loss built on the data.
  static func buildLosses(_ config: TrainingConfig, data: InteractionData) throws(TrainingRunError) -> [BuiltLoss] {
    var losses: [BuiltLoss] = []
    for variant in config.variants {
      do {
        losses.append(
          try variant.loss.makeLoss(registry: config.registry, numItems: data.itemCount, metadata: data.metadata))
      } catch {
        throw .loss(variant: variant.loss.label, message: error.description)
      }
    }
    return losses
  }

  /// Trains and tests the given cells of `config`, in order, and returns their results.
  ///
  /// Each cell's model is trained, its selected model (the best validation epoch under early stopping,
  /// else the last) tested on the test split right away, and its result handed to `finished` before the
  /// next cell starts. With `keepModels`, the models of each variant's best point so far (by mean validation
  /// score, the first of equal ones) are kept, and the others dropped once their point is done; this
  /// assumes the cells of a point are contiguous, as ``plan(_:)`` orders them.
  ///
  /// - Parameters:
  ///   - config: The config.
  ///   - prepared: The config's data and split.
  ///   - cells: The cells to run, from ``plan(_:)``.
  ///   - keepModels: Keep the models of each variant's best point (see above).
  ///   - progress: Called with the cell being trained and its training progress (from a training thread).
  ///   - finished: Called with each cell's result as it finishes (to store it).
  ///   - shouldStop: Asked before every cell and, while one trains, before every mini-batch; once it returns
  ///     `true`, the cell in training is abandoned (its result is not kept) and the results so far are
  ///     returned with `interrupted` set.
  /// - Throws: ``TrainingRunError``, or what `finished` throws.
  public func execute(
    _ config: TrainingConfig, prepared: (InteractionData, DataSplit), cells: [TrainingCell], keepModels: Bool = false,
    progress: (@Sendable (TrainingCell, TrainingProgress) -> Void)? = nil,
    finished: ((CellResult) throws(TrainingRunError) -> Void)? = nil,
    shouldStop: (@Sendable () -> Bool)? = nil
  ) throws(TrainingRunError) -> (
    data: TrainingDataSummary, variants: [VariantLoss], results: [CellResult], interrupted: Bool
  ) {
    let (data, split) = prepared
    let k = config.evaluation.largestCutoff
    let columns = config.evaluation.columns
    // The fewest candidates a user's test ranking has.
    let excluded = split.trainItemsByUser.indices.map { split.testExcludedItems(of: $0).count }
    let candidates = data.itemCount - (excluded.max() ?? 0)
    guard k <= data.itemCount else {
      throw .setting("evaluation.k is \(k) but the catalog has only \(data.itemCount) items")
    }
    if k > candidates {
      throw .setting(
        "evaluation.k is \(k) but a user has only \(candidates) items left to rank after their training"
          + (split.hasValidation ? " and validation items" : " items"))
    }
    let hasValidation = split.hasValidation
    // Test ranking leaves out the items a user trained on and, with a validation split, the validated ones.
    let users = split.testItemsByUser.enumerated().compactMap { user, test -> EvaluationUser? in
      test.isEmpty ? nil : EvaluationUser(user: user, trainItems: split.testExcludedItems(of: user), testItems: test)
    }
    let validationUsers = split.validationItemsByUser.enumerated().compactMap { user, items -> EvaluationUser? in
      items.isEmpty ? nil : EvaluationUser(user: user, trainItems: split.trainItemsByUser[user], testItems: items)
    }
    let losses = try Self.buildLosses(config, data: data)
    let select = config.evaluation.select
    var results: [CellResult] = []
    // With keepModels: per variant, the best complete point so far (its mean validation score) and the
    // indices in `results` of its cells.
    var best: [Int: (score: Double, indices: [Int])] = [:]
    var current: (variant: Int, point: Int, indices: [Int])? = nil
    func closePoint() {
      guard keepModels, let done = current else { return }
      current = nil
      let scores = done.indices.map { results[$0].validation ?? 0 }
      let score = scores.reduce(0, +) / Double(max(1, scores.count))
      if let previous = best[done.variant], !(score > previous.score) {
        for index in done.indices { results[index].model = nil }
      } else {
        for index in best[done.variant]?.indices ?? [] { results[index].model = nil }
        best[done.variant] = (score, done.indices)
      }
    }
    var interrupted = false
    for cell in cells {
      if let shouldStop, shouldStop() {
        interrupted = true
        break
      }
      let variant = config.variants[cell.variant]
      let point = variant.points[cell.point]
      let label = variant.loss.label
      if let open = current, open.variant != cell.variant || open.point != cell.point { closePoint() }
      let evaluator = Evaluator(ties: config.evaluation.ties, threads: point.options.threads)
      let validate: ((FactorModel) -> Double)? =
        hasValidation
        ? { model in
          evaluator.evaluateTable(columns: [select], users: validationUsers, model: model).means.values[0]
        } : nil
      var options = point.options
      options.seed = cell.seed
      // Without a validation split the last epoch's test table is the cell's; with one, the selected model
      // is tested after training (test metrics of other epochs only when asked for, e.g. --plot).
      let every = evalEveryOverride ?? config.evaluation.evalEvery
      let started = Date()
      let result: TrainingResult
      var finalTable: MetricTable? = nil
      do {
        result = try Trainer(options: options).train(
          split: split, userCount: data.userCount, itemCount: data.itemCount, loss: losses[cell.variant].loss,
          evaluateEvery: hasValidation && every == 0 ? nil : every,
          evaluate: { model in
            let table = evaluator.evaluateTable(columns: columns, users: users, model: model)
            finalTable = table
            return table.means
          },
          validate: validate,
          progress: progress.map { report in { @Sendable p in report(cell, p) } }, shouldStop: shouldStop)
      } catch {
        if case .interrupted = error {
          interrupted = true
          break
        }
        throw .training(variant: label, seed: cell.seed, error: error)
      }
      let table =
        hasValidation
        ? evaluator.evaluateTable(columns: columns, users: users, model: result.model)
        : finalTable ?? MetricTable(columns: columns, users: [], values: [])
      let outcome = CellResult(
        cell: cell, history: result.history, table: table, trainingSeconds: result.trainingSeconds,
        interactionsPerSecond: result.interactionsPerSecond, selectedEpoch: result.selectedEpoch,
        validation: result.validation, validationSeconds: result.validationSeconds,
        model: keepModels ? result.model : nil, started: started, finished: Date())
      try finished?(outcome)
      results.append(outcome)
      if keepModels {
        if current == nil { current = (cell.variant, cell.point, []) }
        current?.indices.append(results.count - 1)
      }
    }
    closePoint()
    return (
      Self.dataSummary(data, split), losses.map { VariantLoss(parameters: $0.parameters, kind: $0.loss.kind) }, results,
      interrupted
    )
  }
}

extension TrainingRunner {
  /// Every pair of variants compared on each column: the paired test over the evaluated test users, each
  /// user's value averaged over the variant's seeds. Every variant ranks the same users in the same order.
  static func compare(_ results: [VariantResult], columns: [MetricColumn], options: SignificanceOptions)
    -> [MetricComparison]
  {
    guard results.count > 1 else { return [] }
    return columns.indices.map { c in
      let values = results.map { result -> [Double] in
        let tables = result.runs.map(\.table)
        let users = tables.map(\.users.count).min() ?? 0
        return (0..<users).map { u in
          var sum = 0.0
          for table in tables { sum += table[u, c] }
          return sum / Double(tables.count)
        }
      }
      return SignificanceAnalysis.compare(metric: columns[c].name, values: values, options: options)
    }
  }
}

/// The mean of `values` and their sample standard deviation (`nil` for fewer than two values; the mean of
/// no values is 0).
func meanAndSampleStd(_ values: [Double]) -> (mean: Double, std: Double?) {
  let mean = values.reduce(0, +) / Double(max(1, values.count))
  guard values.count > 1 else { return (mean, nil) }
  let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1)
  return (mean, variance.squareRoot())
}
