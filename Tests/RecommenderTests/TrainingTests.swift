import RankingLosses
import Testing

@testable import Recommender

@Suite("Training on planted structure")
struct TrainingTests {
  static let data = plantedData()
  static let split = try! DataSplit(data, method: .random, testFraction: 0.3, seed: 1)
  static let users = split.testItemsByUser.enumerated().compactMap { user, test in
    test.isEmpty ? nil : EvaluationUser(user: user, trainItems: split.trainItemsByUser[user], testItems: test)
  }

  static func options(seed: UInt64 = 7) -> TrainingOptions {
    var options = TrainingOptions()
    options.factors = 8
    options.epochs = 15
    options.batchSize = 32
    options.negatives = 4
    options.learningRate = 0.1
    options.initScale = 0.1
    options.seed = seed
    return options
  }

  static func train(_ loss: any LossProtocol, _ options: TrainingOptions = options()) throws -> (
    TrainingResult, RankingMetrics
  ) {
    let result = try Trainer(options: options).train(
      split: split, userCount: data.userCount, itemCount: data.itemCount, loss: loss)
    let metrics = Evaluator(k: 5).evaluate(itemCount: data.itemCount, users: users) { user, scores in
      result.model.scoreAll(user: user, into: scores)
    }
    return (result, metrics)
  }

  static let losses: [String] = LossRegistry.standard.names

  /// Random scores give AUC 0.5; a model that learned the four groups ranks a user's held-out items (all
  /// in their group) above the three other groups' items: AUC near 0.75 at least, far above chance.
  @Test("every registered loss learns the groups", arguments: losses)
  func learns(_ name: String) throws {
    let loss = try LossRegistry.standard.makeLoss(name, parameters: name == "warp" ? ["num_items": .integer(60)] : [:])
    let (result, metrics) = try Self.train(loss)
    #expect(metrics.auc > 0.7, "\(name): AUC \(metrics.auc)")
    #expect(result.history.count == 15)
    #expect(result.history.allSatisfy { $0.loss.isFinite })
  }

  @Test("partial credit on the group trains too", arguments: ["adaptive_hinge", "warp"])
  func partialCredit(_ name: String) throws {
    let loss = try AnyLoss(
      LossRegistry.standard.makeLoss(name, parameters: name == "warp" ? ["num_items": .integer(60)] : [:])
    ).withPartialCredit(metadata: Self.data.metadata, weights: ["cluster": 0.25])
    let (_, metrics) = try Self.train(loss)
    #expect(metrics.auc > 0.7, "\(name): AUC \(metrics.auc)")
  }

  @Test("one thread and one seed give the same model, bit for bit", arguments: OptimizerKind.allCases)
  func deterministic(_ optimizer: OptimizerKind) throws {
    var options = Self.options()
    options.optimizer = optimizer
    options.learningRate = optimizer == .adam ? 0.01 : 0.1
    let loss = try LossRegistry.standard.makeLoss("adaptive_bpr")
    let (a, ma) = try Self.train(loss, options)
    let (b, mb) = try Self.train(loss, options)
    #expect(Array(a.model.userFactors) == Array(b.model.userFactors))
    #expect(Array(a.model.itemFactors) == Array(b.model.itemFactors))
    #expect(Array(a.model.itemBias) == Array(b.model.itemBias))
    #expect(ma == mb)
    #expect(a.history.map(\.loss) == b.history.map(\.loss))
    options.seed = 8
    let (c, _) = try Self.train(loss, options)
    #expect(Array(a.model.userFactors) != Array(c.model.userFactors))
  }

  @Test("several threads train a model as good")
  func threads() throws {
    var options = Self.options()
    options.threads = 2
    let (_, metrics) = try Self.train(try LossRegistry.standard.makeLoss("adaptive_hinge"), options)
    #expect(metrics.auc > 0.7)
  }

  @Test("divergence stops with the epoch and the learning rate to lower")
  func divergence() throws {
    var options = Self.options()
    options.optimizer = .sgd
    options.learningRate = 1e30
    do {
      _ = try Self.train(try LossRegistry.standard.makeLoss("hinge"), options)
      Issue.record("training must diverge")
    } catch let error as TrainingError {
      #expect(error.description.hasPrefix("training diverged in epoch "))
      #expect(error.description.hasSuffix("; lower the learning rate (now 1e+30) or raise l2"))
    }
  }

  @Test("popularity sampling draws popular items more often and never a user's training item")
  func sampler() {
    let train =
      [Interaction(user: 0, item: 0), Interaction(user: 1, item: 2), Interaction(user: 2, item: 2)]
      + (0..<7).map { Interaction(user: Int32($0 + 3), item: 3) }
    let sampler = NegativeSampler(kind: .popularity, itemCount: 4, train: train)
    var random = SplitMix64(seed: 1)
    var counts = [0, 0, 0, 0]
    for _ in 0..<10_000 { counts[sampler.draw(excluding: [0], using: &random)] += 1 }
    #expect(counts[0] == 0)  // the user's own item
    #expect(counts[1] == 0)  // never interacted with: weight 0
    #expect(counts[3] > 3 * counts[2])  // 7 : 2
  }
}
