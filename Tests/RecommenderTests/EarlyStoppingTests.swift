import RankingLosses
import Testing

@testable import Recommender

/// A validation score read from a script, one value per call: lets a test decide where the best epoch is.
private final class ScriptedScores {
  let scores: [Double]
  var calls = 0

  init(_ scores: [Double]) {
    self.scores = scores
  }

  func next(_ model: FactorModel) -> Double {
    defer { calls += 1 }
    return scores[calls]
  }
}

@Suite("Early stopping on a validation score")
struct EarlyStoppingTests {
  static func options(epochs: Int, patience: Int?) -> TrainingOptions {
    var options = TrainingTests.options(seed: 5)
    options.epochs = epochs
    options.patience = patience
    options.threads = 1
    return options
  }

  static func train(_ options: TrainingOptions, validate: ((FactorModel) -> Double)?) throws -> TrainingResult {
    let (data, split) = (TrainingTests.data, TrainingTests.split)
    return try Trainer(options: options).train(
      split: split, userCount: data.userCount, itemCount: data.itemCount,
      loss: try LossRegistry.standard.makeLoss("adaptive_bpr"), evaluateEvery: nil, validate: validate)
  }

  static func parameters(_ model: FactorModel) -> [Float] {
    Array(model.userFactors) + Array(model.itemFactors) + Array(model.itemBias)
  }

  /// Scores 0.1, 0.3, 0.2, 0.25, 0.3, …: the best is epoch 2 (epoch 5 only ties it, and a tie is not an
  /// improvement), so with patience 3 training stops after epoch 5 and returns epoch 2's model — which must be
  /// bit for bit the model of a one-thread run of exactly 2 epochs.
  @Test("training stops after `patience` epochs without a better score and returns the best epoch's model")
  func stopsAndReturnsBest() throws {
    let script = ScriptedScores([0.1, 0.3, 0.2, 0.25, 0.3, 0.9, 0.9, 0.9, 0.9, 0.9])
    let stopped = try Self.train(Self.options(epochs: 10, patience: 3), validate: script.next)
    #expect(script.calls == 5)
    #expect(stopped.history.map(\.epoch) == [1, 2, 3, 4, 5])
    #expect(stopped.history.map(\.validation) == [0.1, 0.3, 0.2, 0.25, 0.3])
    #expect(stopped.selectedEpoch == 2)
    #expect(stopped.validation == 0.3)

    let retrained = try Self.train(Self.options(epochs: 2, patience: nil), validate: nil)
    #expect(retrained.selectedEpoch == 2)
    #expect(Self.parameters(stopped.model) == Self.parameters(retrained.model))
    // The model after epoch 5 differs: the snapshot is not the live model.
    let five = try Self.train(Self.options(epochs: 5, patience: nil), validate: nil)
    #expect(Self.parameters(stopped.model) != Self.parameters(five.model))
  }

  @Test("a score that keeps improving trains every epoch and returns the last model")
  func improvingRunsToTheEnd() throws {
    let script = ScriptedScores([0.1, 0.2, 0.3, 0.4])
    let result = try Self.train(Self.options(epochs: 4, patience: 1), validate: script.next)
    #expect(result.history.count == 4 && result.selectedEpoch == 4 && result.validation == 0.4)
    let plain = try Self.train(Self.options(epochs: 4, patience: nil), validate: nil)
    #expect(Self.parameters(result.model) == Self.parameters(plain.model))
  }

  @Test("without patience the validation score is computed once, after the last epoch")
  func validatesOnceWithoutPatience() throws {
    let script = ScriptedScores([0.42])
    let result = try Self.train(Self.options(epochs: 3, patience: nil), validate: script.next)
    #expect(script.calls == 1)
    #expect(result.history.map(\.validation) == [nil, nil, 0.42])
    #expect(result.selectedEpoch == 3 && result.validation == 0.42)
  }

  @Test("on a real validation metric, the selected epoch is the first best one and training stops after it")
  func realMetric() throws {
    let data = TrainingTests.data
    let users = TrainingTests.users
    let evaluator = Evaluator(k: 5)
    let patience = 2
    let result = try Self.train(Self.options(epochs: 40, patience: patience)) { model in
      evaluator.evaluate(itemCount: data.itemCount, users: users) { user, scores in
        model.scoreAll(user: user, into: scores)
      }.ndcg
    }
    let scores = result.history.compactMap(\.validation)
    #expect(scores.count == result.history.count)
    let best = try #require(scores.max())
    #expect(result.selectedEpoch == scores.firstIndex(of: best)! + 1)
    #expect(result.validation == best)
    #expect(result.history.count == 40 || result.history.count == result.selectedEpoch + patience)
    let retrained = try Self.train(Self.options(epochs: result.selectedEpoch, patience: nil), validate: nil)
    #expect(Self.parameters(result.model) == Self.parameters(retrained.model))
  }
}
