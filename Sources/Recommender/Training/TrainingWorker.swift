import Dispatch
import RankingLosses

/// Everything an epoch's threads share.
///
/// Internal, not private, only because `Trainer.train` (in Trainer.swift) creates it and calls
/// ``runEpoch(_:positives:progress:)``; the rest of the epoch machinery (`ThreadOutcome`, `SharedPointer`, `Worker`)
/// stays private to this file.
struct EpochContext: @unchecked Sendable {
  let model: FactorModel
  let split: DataSplit
  let loss: any LossProtocol
  let options: TrainingOptions
  let sampler: NegativeSampler
  let userState: OptimizerState
  let itemState: OptimizerState
  let biasState: OptimizerState
  let negatives: Int

  /// Runs one epoch over `positives` (the training interactions in the epoch's order, taken `batch_size`
  /// at a time); returns the mean batch loss, or ``TrainingError/interrupted(epoch:)`` when `shouldStop`
  /// said so before a batch.
  func runEpoch(
    _ epoch: Int, positives: [Interaction], progress: (@Sendable (TrainingProgress) -> Void)?,
    shouldStop: (@Sendable () -> Bool)? = nil
  ) -> Result<Double, TrainingError> {
    let batchSize = options.batchSize
    let batchCount = (positives.count + batchSize - 1) / batchSize
    let threads = max(1, min(options.threads, batchCount))
    let results = UnsafeMutableBufferPointer<ThreadOutcome>.allocate(capacity: threads)
    results.initialize(repeating: ThreadOutcome())
    defer {
      // The outcomes hold errors (with strings): deinitialize them before freeing the memory.
      results.deinitialize()
      results.deallocate()
    }
    positives.withUnsafeBufferPointer { positives in
      let shared = SharedPointer(positives: positives, results: results)
      DispatchQueue.concurrentPerform(iterations: threads) { thread in
        let worker = Worker(context: self, epoch: epoch)
        var outcome = ThreadOutcome()
        var batch = thread
        while batch < batchCount {
          if let shouldStop, shouldStop() {
            outcome.error = .interrupted(epoch: epoch)
            shared.results[thread] = outcome
            return
          }
          let range = (batch * batchSize)..<min((batch + 1) * batchSize, shared.positives.count)
          switch worker.run(batch: batch, positives: UnsafeBufferPointer(rebasing: shared.positives[range])) {
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
  let positives: UnsafeBufferPointer<Interaction>
  let results: UnsafeMutableBufferPointer<ThreadOutcome>
}

/// One thread's scratch space and the per-batch work.
private final class Worker {
  let context: EpochContext
  let epoch: Int
  let factors: Int
  /// The user's gradient, `factors` floats (an item row's gradient is computed in its optimizer step).
  let userGradient: UnsafeMutablePointer<Float>
  /// The loss's scratch memory, reused by every batch of this thread. One thread per call: the training
  /// threads are the parallelism, and a batch's loss does not depend on the machine's core count.
  let workspace = LossWorkspace<Float>(threads: 1)

  init(context: EpochContext, epoch: Int) {
    self.context = context
    self.epoch = epoch
    self.factors = context.options.factors
    userGradient = .allocate(capacity: factors)
  }

  deinit {
    userGradient.deallocate()
  }

  func run(batch: Int, positives: UnsafeBufferPointer<Interaction>) -> Result<Double, TrainingError> {
    let model = context.model
    let split = context.split
    let sampler = context.sampler
    let b = positives.count
    let n = context.negatives
    var random = SplitMix64(
      seed: context.options.seed ^ (UInt64(epoch) << 40) ^ (UInt64(batch) &* 0x2545_F491_4F6C_DD1D))
    var users = [Int](repeating: 0, count: b)
    var positiveItems = [Int](repeating: 0, count: b)
    var positiveScores = [Float](repeating: 0, count: b)
    var negativeItems = [Int](repeating: 0, count: n * b)
    var negativeScores = [Float](repeating: 0, count: n * b)
    // The loops of the path in use, fetched once per batch.
    let kernels = ModelKernels.active
    split.trainItemsByUser.withUnsafeBufferPointer { trainItems in
      for j in 0..<b {
        let interaction = positives[j]
        let (u, i) = (Int(interaction.user), Int(interaction.item))
        users[j] = u
        positiveItems[j] = i
        for k in 0..<n {
          negativeItems[k * b + j] = sampler.draw(excluding: trainItems[u], using: &random)
        }
      }
    }
    // The scores s = p_u · q + b of every pair, after the draws (which do not depend on them).
    let (p, q, bias, f) = (
      model.userFactors.baseAddress!, model.itemFactors.baseAddress!, model.itemBias.baseAddress!, factors
    )
    kernels.scorePairs(
      users: p, items: q, bias: bias, users, positiveItems, count: b, factors: f, into: &positiveScores)
    users.withUnsafeBufferPointer { users in
      negativeItems.withUnsafeBufferPointer { items in
        negativeScores.withUnsafeMutableBufferPointer { scores in
          for k in 0..<n {
            kernels.scorePairs(
              users: p, items: q, bias: bias, users.baseAddress!, items.baseAddress! + k * b, count: b, factors: f,
              into: scores.baseAddress! + k * b)
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
    guard let gradients = output.gradients else { return .failure(.loss(.custom("the loss gave no gradients"))) }
    if let detail = nonFiniteDetail(value: output.value, gradients: gradients, columns: b) {
      let largest = (positiveScores + negativeScores).lazy.map { Double(abs($0)) }.max() ?? 0
      return .failure(
        .nonFiniteLoss(
          epoch: epoch, loss: context.loss.name, detail: detail, largestScore: largest,
          learningRate: context.options.learningRate))
    }
    gradients.positiveScores.withUnsafeBufferPointer { gPositive in
      gradients.negativeScores.storage.withUnsafeBufferPointer { gNegative in
        apply(
          gPositive: gPositive, gNegative: gNegative, users: users, positives: positiveItems,
          negatives: negativeItems, b: b, n: n, kernels: kernels)
      }
    }
    return .success(Double(output.value))
  }

  /// Back-propagates the per-example gradients `B · ∂L/∂s` to the factors and applies the optimizer; the
  /// loops over a row's factors are `kernels`'.
  private func apply(
    gPositive: UnsafeBufferPointer<Float>, gNegative: UnsafeBufferPointer<Float>, users: [Int], positives: [Int],
    negatives: [Int], b: Int, n: Int, kernels: ModelKernels
  ) {
    let model = context.model
    let f = factors
    let l2 = Float(context.options.l2)
    let scale = Float(b)
    let p = model.userFactors.baseAddress!
    let q = model.itemFactors.baseAddress!
    let bias = model.itemBias.baseAddress!
    let gu = userGradient
    for j in 0..<b {
      let gp = gPositive[j] * scale
      guard gp != 0 || (0..<n).contains(where: { gNegative[$0 * b + j] != 0 }) else { continue }
      let u = users[j]
      let i = positives[j]
      let pu = p + u * f
      let qi = q + i * f
      // The user's gradient, from the items' factors before they move.
      kernels.combine(gu, gp, qi, l2, pu, f)
      for k in 0..<n {
        let gn = gNegative[k * b + j] * scale
        guard gn != 0 else { continue }
        kernels.accumulate(gu, gn, q + negatives[k * b + j] * f, f)
      }
      // The items' gradients `g·p_u + λ·q`, from the user's factors before they move.
      if gp != 0 {
        context.itemState.step(q, row: i, gradient: gp, times: pu, plus: l2, kernels: kernels)
        var gb = gp
        context.biasState.step(bias, row: i, gradient: &gb, kernels: kernels)
      }
      for k in 0..<n {
        let gn = gNegative[k * b + j] * scale
        guard gn != 0 else { continue }
        let negative = negatives[k * b + j]
        context.itemState.step(q, row: negative, gradient: gn, times: pu, plus: l2, kernels: kernels)
        var gb = gn
        context.biasState.step(bias, row: negative, gradient: &gb, kernels: kernels)
      }
      context.userState.step(p, row: u, gradient: gu, kernels: kernels)
    }
  }
}

/// What is not finite in a loss's output — `"the value nan"`, `"the gradient inf at negative_scores[0][5]"` —
/// or `nil` when everything is.
func nonFiniteDetail(value: Float, gradients: LossGradients<Float>, columns: Int) -> String? {
  if !value.isFinite { return "the value \(value)" }
  if let j = gradients.positiveScores.firstIndex(where: { !$0.isFinite }) {
    return "the gradient \(gradients.positiveScores[j]) at positive_scores[\(j)]"
  }
  let storage = gradients.negativeScores.storage
  if let k = storage.firstIndex(where: { !$0.isFinite }) {
    return "the gradient \(storage[k]) at negative_scores[\(k / columns)][\(k % columns)]"
  }
  return nil
}
