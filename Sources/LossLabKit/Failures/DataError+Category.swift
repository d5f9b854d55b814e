import Recommender

extension DataError: CategorizedError {
  /// ``FailureCategory/unreadableInput`` for a file that cannot be read, ``FailureCategory/badData`` for
  /// its content, ``FailureCategory/unwritableOutput`` for a cache folder that cannot be written.
  public var category: FailureCategory {
    switch kind {
    case .badData: return .badData
    case .unreadableInput: return .unreadableInput
    case .unwritableCache: return .unwritableOutput
    }
  }
}

extension DataErrors: CategorizedError {
  /// The highest category among the problems (an unreadable file outranks a bad row).
  public var category: FailureCategory {
    errors.map(\.category).max() ?? .badData
  }
}
