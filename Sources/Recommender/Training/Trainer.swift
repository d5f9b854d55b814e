import Dispatch
import RankingLosses

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
  ///   - evaluate: Computes held-out metrics of the model (for example ``MetricTable/means``).
  ///   - validate: The validation score of the model (higher is better), for model selection. With
  ///     ``TrainingOptions/patience`` it is computed after every epoch: training stops after `patience`
  ///     epochs in a row without a score above the best so far, and the returned model is a copy of the best
  ///     epoch's (the first of equal scores). Without patience it is computed once, after the last epoch.
  ///   - progress: Called from the first thread after each of its mini-batches (fraction below 1), and once
  ///     more with fraction 1 and the epoch's mean loss when the epoch is done.
  ///   - shouldStop: Asked before every mini-batch (from the training threads) and before every epoch;
  ///     once it returns `true`, training stops within a batch and throws ``TrainingError/interrupted(epoch:)``.
  /// - Throws: ``TrainingError`` when the loss or scores become non-finite, the loss rejects a batch, or
  ///   `shouldStop` stopped the training.
  public func train(
    split: DataSplit, userCount: Int, itemCount: Int, loss: any LossProtocol, evaluateEvery: Int? = 0,
    evaluate: ((FactorModel) -> MetricValues)? = nil, validate: ((FactorModel) -> Double)? = nil,
    progress: (@Sendable (TrainingProgress) -> Void)? = nil, shouldStop: (@Sendable () -> Bool)? = nil
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
    // The training interactions in this epoch's order. Shuffling the pairs themselves (rather than an index
    // array into `split.train`) lets the epoch read them in sequence; `shuffle(using:)` makes the same
    // swaps for any element type, so the order is the one an index array shuffled alike would give.
    var shuffled = split.train
    // Early stopping: the best validation score so far, its epoch and a copy of its model.
    let patience = validate == nil ? nil : options.patience
    var best: (score: Double, epoch: Int, model: FactorModel)? = nil
    var epochsRun = 0
    var validationSeconds = 0.0
    /// The validation score, timed.
    func timedScore(_ validate: (FactorModel) -> Double) -> Double {
      let start = DispatchTime.now().uptimeNanoseconds
      defer { validationSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
      return validate(model)
    }
    for epoch in 1...options.epochs {
      if let shouldStop, shouldStop() { throw .interrupted(epoch: epoch) }
      // The shuffle is part of the epoch's time, as it is of LightFM's.
      let start = DispatchTime.now().uptimeNanoseconds
      var shuffler = SplitMix64(seed: options.seed &+ 0x9E37_79B9 &* UInt64(epoch))
      shuffled.shuffle(using: &shuffler)
      let outcome = context.runEpoch(epoch, positives: shuffled, progress: progress, shouldStop: shouldStop)
      seconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
      epochsRun = epoch
      let meanLoss: Double
      switch outcome {
      case .success(let value): meanLoss = value
      case .failure(let error): throw error
      }
      progress?(TrainingProgress(epoch: epoch, epochs: options.epochs, fraction: 1, loss: meanLoss))
      var record = EpochRecord(epoch: epoch, loss: meanLoss, metrics: nil, seconds: seconds)
      if let evaluate, let every = evaluateEvery,
        epoch == options.epochs || (every > 0 && epoch % every == 0)
      {
        record.metrics = evaluate(model)
      }
      var stop = false
      if let validate, let patience {
        let score = timedScore(validate)
        record.validation = score
        if let current = best {
          if score > current.score {
            current.model.assign(from: model)
            best = (score, epoch, current.model)
          } else if epoch - current.epoch >= patience {
            stop = true
          }
        } else {
          best = (score, epoch, FactorModel(copying: model))
        }
      } else if let validate, epoch == options.epochs {
        record.validation = timedScore(validate)
      }
      history.append(record)
      if stop { break }
    }
    let processed = Double(split.train.count) * Double(epochsRun)
    let interactionsPerSecond = seconds > 0 ? processed / seconds : 0
    if let best {
      return TrainingResult(
        model: best.model, history: history, trainingSeconds: seconds, interactionsPerSecond: interactionsPerSecond,
        selectedEpoch: best.epoch, validation: best.score, validationSeconds: validationSeconds)
    }
    return TrainingResult(
      model: model, history: history, trainingSeconds: seconds, interactionsPerSecond: interactionsPerSecond,
      selectedEpoch: epochsRun, validation: history.last?.validation, validationSeconds: validationSeconds)
  }
}
