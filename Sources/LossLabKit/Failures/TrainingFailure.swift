import Recommender

extension TrainingRunError: CategorizedError {
  /// ``FailureCategory/unreadableInput`` when a data file cannot be read; ``FailureCategory/badData``
  /// otherwise (bad rows, a split with no test interactions, a setting that does not fit the data, a loss
  /// that cannot be built, training that diverged).
  public var category: FailureCategory {
    if case .data(let errors) = self { return errors.category }
    if case .store(let error) = self { return error.category }
    return .badData
  }
}

/// A training run's failure placed in its config file, as `losslab train` and `split` print it: data
/// problems as `FILE:LINE: error: …` in the data file, the rest as `CONFIG: error: …`.
public struct TrainingFailure: CategorizedError, Sendable {
  /// The config file, as the user named it.
  public var config: String
  /// What went wrong.
  public var error: TrainingRunError

  /// Creates a failure.
  public init(config: String, error: TrainingRunError) {
    self.config = config
    self.error = error
  }

  /// The category of ``error``.
  public var category: FailureCategory { error.category }

  /// The message, one problem per line.
  public var description: String {
    switch error {
    case .data(let errors): return errors.description  // FILE:LINE: error: … already
    case .store(let error): return error.description  // STORE: error: … already
    case .split(let problem): return "\(config): error: split: \(problem.message)"
    default: return "\(config): error: \(error)"
    }
  }
}
