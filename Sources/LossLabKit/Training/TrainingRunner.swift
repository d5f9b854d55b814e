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
  /// The model, kept for `--save-model`.
  public var model: FactorModel
}

/// One variant's runs over every seed.
public struct VariantResult: Sendable {
  /// The variant.
  public var variant: TrainingVariant
  /// The loss parameters used, defaults and `num_items` from the data included.
  public var parameters: [String: LossParameterValue]
  /// Negatives sampled per positive (1 for pairwise losses).
  public var negativesPerPositive: Int
  /// One run per seed.
  public var runs: [SeedRun]

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

  /// A readable message.
  public var description: String {
    switch self {
    case .data(let errors): return errors.description
    case .split(let error): return error.description
    case .setting(let message): return message
    case .loss(let variant, let message): return "\(variant): \(message)"
    case .training(let variant, let seed, let error): return "\(variant) (seed \(seed)): \(error)"
    }
  }
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
    let data: InteractionData
    do {
      data = try DataLoader.load(config.interactions, items: config.items)
    } catch {
      throw .data(error)
    }
    do {
      let split = try DataSplit(
        data, method: config.split.method, testFraction: config.split.testFraction,
        validationFraction: config.split.validationFraction, seed: config.split.seed)
      return (data, split)
    } catch {
      throw .split(error)
    }
  }

  /// Runs the experiment.
  ///
  /// - Parameter progress: Called with the variant's label, the seed index and the training progress.
  /// - Throws: ``TrainingRunError``.
  public func run(
    _ config: TrainingConfig, prepared: (InteractionData, DataSplit)? = nil,
    progress: (@Sendable (String, Int, TrainingProgress) -> Void)? = nil
  ) throws(TrainingRunError) -> TrainingReport {
    let (data, split): (InteractionData, DataSplit)
    if let prepared { (data, split) = prepared } else { (data, split) = try prepare(config) }
    let k = config.evaluation.largestCutoff
    let columns = config.evaluation.columns
    let candidates = data.itemCount - (split.trainItemsByUser.map(\.count).max() ?? 0)
    guard k <= data.itemCount else {
      throw .setting("evaluation.k is \(k) but the catalog has only \(data.itemCount) items")
    }
    if k > candidates {
      throw .setting(
        "evaluation.k is \(k) but a user has only \(candidates) items left to rank after their training items")
    }
    let users = split.testItemsByUser.enumerated().compactMap { user, test in
      test.isEmpty ? nil : EvaluationUser(user: user, trainItems: split.trainItemsByUser[user], testItems: test)
    }
    var results: [VariantResult] = []
    for variant in config.variants {
      let built: BuiltLoss
      do {
        built = try variant.loss.makeLoss(registry: config.registry, numItems: data.itemCount, metadata: data.metadata)
      } catch {
        throw .loss(variant: variant.loss.label, message: error.description)
      }
      let (loss, parameters) = (built.loss, built.parameters)
      let negatives = loss.kind == .pairwise ? 1 : variant.training.negatives
      let evaluator = Evaluator(ties: config.evaluation.ties, threads: variant.training.threads)
      var runs: [SeedRun] = []
      for (seedIndex, seed) in config.seeds.enumerated() {
        var options = variant.training
        options.seed = seed
        let label = variant.loss.label
        let result: TrainingResult
        var finalTable: MetricTable? = nil
        do {
          result = try Trainer(options: options).train(
            split: split, userCount: data.userCount, itemCount: data.itemCount, loss: loss,
            evaluateEvery: evalEveryOverride ?? config.evaluation.evalEvery,
            evaluate: { model in
              let table = evaluator.evaluateTable(columns: columns, itemCount: data.itemCount, users: users) {
                user, scores in model.scoreAll(user: user, into: scores)
              }
              finalTable = table
              return table.means
            },
            progress: progress.map { report in { @Sendable p in report(label, seedIndex, p) } })
        } catch {
          throw .training(variant: label, seed: seed, error: error)
        }
        runs.append(
          SeedRun(
            seed: seed, history: result.history,
            table: finalTable ?? MetricTable(columns: columns, users: [], values: []),
            trainingSeconds: result.trainingSeconds, interactionsPerSecond: result.interactionsPerSecond,
            model: result.model))
      }
      results.append(
        VariantResult(variant: variant, parameters: parameters, negativesPerPositive: negatives, runs: runs))
    }
    return TrainingReport(
      config: config, users: data.userCount, items: data.itemCount, trainInteractions: split.train.count,
      testInteractions: split.test.count, validationInteractions: split.validation.count, evaluatedUsers: users.count,
      notes: data.notes + (split.note.map { [$0] } ?? []), results: results)
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
