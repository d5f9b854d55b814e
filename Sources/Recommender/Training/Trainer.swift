import Dispatch
import RankingLosses

/// The settings of one training run.
public struct TrainingOptions: Sendable, Hashable {
  /// Latent factors per user and item, `≥ 1`.
  public var factors: Int = 32
  /// Standard deviation of the initial factors.
  public var initScale: Double = 0.1
  /// Passes over the training interactions, `≥ 1`.
  public var epochs: Int = 10
  /// Positives per mini-batch, `≥ 1`.
  public var batchSize: Int = 256
  /// Sampled negatives per positive for adaptive losses, `≥ 1` (pairwise losses sample one).
  public var negatives: Int = 5
  /// How negatives are drawn.
  public var sampler: SamplerKind = .uniform
  /// The update rule.
  public var optimizer: OptimizerKind = .adagrad
  /// The learning rate `η`, `> 0`.
  public var learningRate: Double = 0.05
  /// L2 penalty `λ` added to the gradient of every touched row (`g ← g + λθ`), `≥ 0`.
  public var l2: Double = 0
  /// Training threads, `≥ 1`. One thread is deterministic; more update the model concurrently (Hogwild).
  public var threads: Int = 1
  /// The seed of initialisation, shuffling and sampling.
  public var seed: UInt64 = 0

  /// Default options.
  public init() {}
}

/// What one epoch did.
public struct EpochRecord: Sendable, Equatable {
  /// The epoch, from 1.
  public var epoch: Int
  /// The mean loss over the epoch's mini-batches.
  public var loss: Double
  /// The held-out metrics after the epoch, when evaluated.
  public var metrics: RankingMetrics?
  /// Training seconds so far (evaluation excluded).
  public var seconds: Double
}

/// The outcome of a training run.
public struct TrainingResult: Sendable {
  /// The trained model.
  public var model: FactorModel
  /// One record per epoch.
  public var history: [EpochRecord]
  /// Seconds spent training (evaluation excluded).
  public var trainingSeconds: Double
  /// Training positives processed per second: `train interactions × epochs / trainingSeconds`.
  public var interactionsPerSecond: Double
}

/// Why training stopped.
public enum TrainingError: Error, Sendable, CustomStringConvertible {
  /// The loss or the scores became NaN or infinite.
  case diverged(epoch: Int, learningRate: Double, detail: String)
  /// The loss rejected its input for another reason.
  case loss(LossError)

  /// A readable message that says what to do.
  public var description: String {
    switch self {
    case .diverged(let epoch, let learningRate, let detail):
      return
        "training diverged in epoch \(epoch) (\(detail)); lower the learning rate (now \(learningRate)) or raise l2"
    case .loss(let error):
      return "the loss rejected a training batch: \(error)"
    }
  }
}

/// Progress of a training run, reported after each mini-batch of the first thread.
public struct TrainingProgress: Sendable {
  /// The current epoch, from 1.
  public var epoch: Int
  /// Epochs in all.
  public var epochs: Int
  /// Fraction of the epoch done, 0 … 1.
  public var fraction: Double
}

/// Trains a ``FactorModel`` with any loss's gradients.
///
/// Each epoch shuffles the training interactions and walks them in mini-batches of ``TrainingOptions/batchSize``
/// positives. For every positive `(u, i)` it draws N negatives `n_k` (N = 1 for pairwise losses), scores
/// `s = p_u · q + b`, and asks the loss for `∂L/∂s`. The per-example gradients `B · ∂L/∂s` (so that the learning
/// rate does not depend on the batch size) flow back to the factors:
///
/// ```
/// ∂/∂p_u = g⁺ q_i + Σ_k g⁻_k q_{n_k} + λ p_u
/// ∂/∂q_i = g⁺ p_u + λ q_i,       ∂/∂b_i = g⁺
/// ∂/∂q_n = g⁻ p_u + λ q_n,       ∂/∂b_n = g⁻      (only for negatives with g⁻ ≠ 0)
/// ```
///
/// and the optimizer updates each touched row. Mini-batches are spread over ``TrainingOptions/threads``
/// threads that update the shared model without locks; with one thread the run is deterministic.
public struct Trainer: Sendable {
  /// The options.
  public var options: TrainingOptions

  /// Creates a trainer.
  public init(options: TrainingOptions) {
    self.options = options
  }

  /// Trains a model on `split.train`.
  ///
  /// - Parameters:
  ///   - split: The training (and test) interactions.
  ///   - userCount: Users in the data set.
  ///   - itemCount: Items in the data set.
  ///   - loss: Any loss; partial credit needs the batch's item ids, which are always given.
  ///   - evaluateEvery: Evaluate after every this many epochs (and after the last); 0 evaluates only after the
  ///     last epoch; `nil` never.
  ///   - evaluate: Computes held-out metrics of the model.
  ///   - progress: Called from the first thread after each of its mini-batches (fraction below 1), and once
  ///     more with fraction 1 when the epoch is done.
  /// - Throws: ``TrainingError`` when the loss or scores become non-finite, or the loss rejects a batch.
  public func train(
    split: DataSplit, userCount: Int, itemCount: Int, loss: any LossProtocol, evaluateEvery: Int? = 0,
    evaluate: ((FactorModel) -> RankingMetrics)? = nil, progress: (@Sendable (TrainingProgress) -> Void)? = nil
  ) throws(TrainingError) -> TrainingResult {
    let options = self.options
    let model = FactorModel(
      userCount: userCount, itemCount: itemCount, factors: options.factors, initScale: Float(options.initScale),
      seed: options.seed)
    let lr = Float(options.learningRate)
    let userState = OptimizerState(kind: options.optimizer, learningRate: lr, rows: userCount, width: options.factors)
    let itemState = OptimizerState(kind: options.optimizer, learningRate: lr, rows: itemCount, width: options.factors)
    let biasState = OptimizerState(kind: options.optimizer, learningRate: lr, rows: itemCount, width: 1)
    let sampler = NegativeSampler(kind: options.sampler, itemCount: itemCount, train: split.train)
    let context = EpochContext(
      model: model, split: split, loss: loss, options: options, sampler: sampler, userState: userState,
      itemState: itemState, biasState: biasState,
      negatives: loss.kind == .pairwise ? 1 : options.negatives)

    var history: [EpochRecord] = []
    var seconds = 0.0
    var order = Array(0..<split.train.count)
    for epoch in 1...options.epochs {
      var shuffler = SplitMix64(seed: options.seed &+ 0x9E37_79B9 &* UInt64(epoch))
      order.shuffle(using: &shuffler)
      let start = DispatchTime.now().uptimeNanoseconds
      let outcome = context.runEpoch(epoch, order: order, progress: progress)
      progress?(TrainingProgress(epoch: epoch, epochs: options.epochs, fraction: 1))
      seconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
      let meanLoss: Double
      switch outcome {
      case .success(let value): meanLoss = value
      case .failure(let error): throw error
      }
      var record = EpochRecord(epoch: epoch, loss: meanLoss, metrics: nil, seconds: seconds)
      if let evaluate, let every = evaluateEvery,
        epoch == options.epochs || (every > 0 && epoch % every == 0)
      {
        record.metrics = evaluate(model)
      }
      history.append(record)
    }
    let processed = Double(split.train.count) * Double(options.epochs)
    return TrainingResult(
      model: model, history: history, trainingSeconds: seconds,
      interactionsPerSecond: seconds > 0 ? processed / seconds : 0)
  }
}

/// Everything an epoch's threads share.
private struct EpochContext: @unchecked Sendable {
  let model: FactorModel
  let split: DataSplit
  let loss: any LossProtocol
  let options: TrainingOptions
  let sampler: NegativeSampler
  let userState: OptimizerState
  let itemState: OptimizerState
  let biasState: OptimizerState
  let negatives: Int

  /// Runs one epoch over `order`; returns the mean batch loss.
  func runEpoch(
    _ epoch: Int, order: [Int], progress: (@Sendable (TrainingProgress) -> Void)?
  ) -> Result<Double, TrainingError> {
    let batchSize = options.batchSize
    let batchCount = (order.count + batchSize - 1) / batchSize
    let threads = max(1, min(options.threads, batchCount))
    let results = UnsafeMutableBufferPointer<ThreadOutcome>.allocate(capacity: threads)
    results.initialize(repeating: ThreadOutcome())
    defer { results.deallocate() }
    order.withUnsafeBufferPointer { order in
      let shared = SharedPointer(order: order, results: results)
      DispatchQueue.concurrentPerform(iterations: threads) { thread in
        let worker = Worker(context: self, epoch: epoch)
        var outcome = ThreadOutcome()
        var batch = thread
        while batch < batchCount {
          let range = (batch * batchSize)..<min((batch + 1) * batchSize, shared.order.count)
          switch worker.run(batch: batch, positives: UnsafeBufferPointer(rebasing: shared.order[range])) {
          case .success(let value):
            outcome.lossSum += value
            outcome.batches += 1
          case .failure(let error):
            outcome.error = error
            shared.results[thread] = outcome
            return
          }
          if thread == 0, let progress {
            progress(
              TrainingProgress(
                epoch: epoch, epochs: options.epochs, fraction: min(0.99, Double(batch + 1) / Double(batchCount))))
          }
          batch += threads
        }
        shared.results[thread] = outcome
      }
    }
    var lossSum = 0.0
    var batches = 0
    for outcome in results {
      if let error = outcome.error { return .failure(error) }
      lossSum += outcome.lossSum
      batches += outcome.batches
    }
    return .success(batches > 0 ? lossSum / Double(batches) : 0)
  }
}

private struct ThreadOutcome {
  var lossSum = 0.0
  var batches = 0
  var error: TrainingError? = nil
}

private struct SharedPointer: @unchecked Sendable {
  let order: UnsafeBufferPointer<Int>
  let results: UnsafeMutableBufferPointer<ThreadOutcome>
}

/// One thread's scratch space and the per-batch work.
private final class Worker {
  let context: EpochContext
  let epoch: Int
  let factors: Int
  /// The user's gradient and one item row's gradient, `factors` each.
  let userGradient: UnsafeMutablePointer<Float>
  let rowGradient: UnsafeMutablePointer<Float>
  /// The loss's scratch memory, reused by every batch of this thread. One thread per call: the training
  /// threads are the parallelism, and a batch's loss does not depend on the machine's core count.
  let workspace = LossWorkspace<Float>(threads: 1)

  init(context: EpochContext, epoch: Int) {
    self.context = context
    self.epoch = epoch
    self.factors = context.options.factors
    userGradient = .allocate(capacity: factors)
    rowGradient = .allocate(capacity: factors)
  }

  deinit {
    userGradient.deallocate()
    rowGradient.deallocate()
  }

  func run(batch: Int, positives order: UnsafeBufferPointer<Int>) -> Result<Double, TrainingError> {
    let model = context.model
    let split = context.split
    let sampler = context.sampler
    let b = order.count
    let n = context.negatives
    var random = SplitMix64(
      seed: context.options.seed ^ (UInt64(epoch) << 40) ^ (UInt64(batch) &* 0x2545_F491_4F6C_DD1D))
    var users = [Int](repeating: 0, count: b)
    var positiveItems = [Int](repeating: 0, count: b)
    var positiveScores = [Float](repeating: 0, count: b)
    var negativeItems = [Int](repeating: 0, count: n * b)
    var negativeScores = [Float](repeating: 0, count: n * b)
    split.train.withUnsafeBufferPointer { train in
      split.trainItemsByUser.withUnsafeBufferPointer { trainItems in
        for j in 0..<b {
          let interaction = train[order[j]]
          let (u, i) = (Int(interaction.user), Int(interaction.item))
          users[j] = u
          positiveItems[j] = i
          positiveScores[j] = model.score(user: u, item: i)
          for k in 0..<n {
            let negative = sampler.draw(excluding: trainItems[u], using: &random)
            negativeItems[k * b + j] = negative
            negativeScores[k * b + j] = model.score(user: u, item: negative)
          }
        }
      }
    }
    let lossBatch = LossBatch(
      positiveScores: positiveScores,
      negativeScores: try! ScoreMatrix(rows: n, columns: b, storage: negativeScores),
      positiveItems: positiveItems, negativeItems: try! ScoreMatrix(rows: n, columns: b, storage: negativeItems))
    let output: LossOutput<Float>
    do {
      output = try context.loss.evaluate(lossBatch, computeGradients: true, workspace: workspace)
    } catch {
      if case .nonFiniteValue(let path, _) = error {
        return .failure(
          .diverged(
            epoch: epoch, learningRate: context.options.learningRate, detail: "a score became non-finite at \(path)"))
      }
      return .failure(.loss(error))
    }
    guard output.value.isFinite, let gradients = output.gradients else {
      return .failure(
        .diverged(epoch: epoch, learningRate: context.options.learningRate, detail: "the loss is \(output.value)"))
    }
    gradients.positiveScores.withUnsafeBufferPointer { gPositive in
      gradients.negativeScores.storage.withUnsafeBufferPointer { gNegative in
        apply(
          gPositive: gPositive, gNegative: gNegative, users: users, positives: positiveItems,
          negatives: negativeItems, b: b, n: n)
      }
    }
    return .success(Double(output.value))
  }

  /// Back-propagates the per-example gradients `B · ∂L/∂s` to the factors and applies the optimizer.
  private func apply(
    gPositive: UnsafeBufferPointer<Float>, gNegative: UnsafeBufferPointer<Float>, users: [Int], positives: [Int],
    negatives: [Int], b: Int, n: Int
  ) {
    let model = context.model
    let f = factors
    let l2 = Float(context.options.l2)
    let scale = Float(b)
    let p = model.userFactors.baseAddress!
    let q = model.itemFactors.baseAddress!
    let bias = model.itemBias.baseAddress!
    let gu = userGradient
    let gr = rowGradient
    for j in 0..<b {
      let gp = gPositive[j] * scale
      guard gp != 0 || (0..<n).contains(where: { gNegative[$0 * b + j] != 0 }) else { continue }
      let u = users[j]
      let i = positives[j]
      let pu = p + u * f
      let qi = q + i * f
      // The user's gradient, from the items' factors before they move.
      for x in 0..<f { gu[x] = gp * qi[x] + l2 * pu[x] }
      for k in 0..<n {
        let gn = gNegative[k * b + j] * scale
        guard gn != 0 else { continue }
        let qn = q + negatives[k * b + j] * f
        for x in 0..<f { gu[x] += gn * qn[x] }
      }
      // The items' gradients, from the user's factors before they move.
      if gp != 0 {
        for x in 0..<f { gr[x] = gp * pu[x] + l2 * qi[x] }
        context.itemState.step(q, row: i, gradient: gr)
        var gb = gp
        context.biasState.step(bias, row: i, gradient: &gb)
      }
      for k in 0..<n {
        let gn = gNegative[k * b + j] * scale
        guard gn != 0 else { continue }
        let negative = negatives[k * b + j]
        let qn = q + negative * f
        for x in 0..<f { gr[x] = gn * pu[x] + l2 * qn[x] }
        context.itemState.step(q, row: negative, gradient: gr)
        var gb = gn
        context.biasState.step(bias, row: negative, gradient: &gb)
      }
      context.userState.step(p, row: u, gradient: gu)
    }
  }
}
