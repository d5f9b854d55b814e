import RankingLosses

/// What one epoch did.
public struct EpochRecord: Sendable, Equatable {
  /// The epoch, from 1.
  public var epoch: Int
  /// The mean loss over the epoch's mini-batches.
  public var loss: Double
  /// The held-out metrics after the epoch, when evaluated: the mean of each evaluated column over the
  /// evaluated users (``MetricTable/means``).
  public var metrics: MetricValues?
  /// Training seconds so far (evaluation excluded).
  public var seconds: Double
  /// The validation score after the epoch (the selection metric on the validation split), when computed.
  public var validation: Double? = nil

  /// Creates a record (a results store reads them back with it).
  public init(epoch: Int, loss: Double, metrics: MetricValues?, seconds: Double, validation: Double? = nil) {
    self.epoch = epoch
    self.loss = loss
    self.metrics = metrics
    self.seconds = seconds
    self.validation = validation
  }
}

/// The outcome of a training run.
public struct TrainingResult: Sendable {
  /// The trained model.
  public var model: FactorModel
  /// One record per epoch.
  public var history: [EpochRecord]
  /// Seconds spent training (evaluation excluded).
  public var trainingSeconds: Double
  /// Training positives processed per second: `train interactions × epochs run / trainingSeconds`.
  public var interactionsPerSecond: Double
  /// The epoch whose model ``model`` is: the best validation epoch under early stopping, else the last.
  public var selectedEpoch: Int
  /// The validation score of ``model``, when a validation score was computed.
  public var validation: Double?
  /// Seconds spent computing validation scores (not part of ``trainingSeconds``).
  public var validationSeconds: Double = 0
}

/// Why training stopped.
public enum TrainingError: Error, Sendable, CustomStringConvertible {
  /// The loss or the scores became NaN or infinite.
  case diverged(epoch: Int, learningRate: Double, detail: String)
  /// The loss gave a value or gradient that is not finite on finite scores: its term is undefined there
  /// (`log` of a negative number, `0/0`), or the scores grew too large for it.
  case nonFiniteLoss(epoch: Int, loss: String, detail: String, largestScore: Double, learningRate: Double)
  /// The loss rejected its input for another reason.
  case loss(LossError)
  /// Training was stopped from outside (``Trainer/train(split:userCount:itemCount:loss:evaluateEvery:evaluate:validate:progress:shouldStop:)``'s
  /// `shouldStop`, e.g. after Ctrl-C) before the epoch ended; the epoch's work is abandoned.
  case interrupted(epoch: Int)

  /// A readable message that says what to do.
  public var description: String {
    switch self {
    case .diverged(let epoch, let learningRate, let detail):
      return
        "training diverged in epoch \(epoch) (\(detail)); lower the learning rate (now \(learningRate)) or raise l2"
    case .nonFiniteLoss(let epoch, let loss, let detail, let largestScore, let learningRate):
      return
        "in epoch \(epoch) the loss '\(loss)' gave \(detail) on finite scores (the largest |score| is "
        + "\(Float(largestScore))); its term is undefined there (e.g. a log of a negative number or 0/0) or the scores "
        + "grew too large: check the loss, lower the learning rate (now \(learningRate)) or raise l2"
    case .loss(let error):
      return "the loss rejected a training batch: \(error)"
    case .interrupted(let epoch):
      return "training was interrupted in epoch \(epoch)"
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
  /// The mean loss over the epoch's mini-batches, in the report that ends the epoch (fraction 1); `nil`
  /// in the reports during the epoch.
  public var loss: Double? = nil
}
