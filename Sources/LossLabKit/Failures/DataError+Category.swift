import Recommender

extension DataError: CategorizedError {
  /// ``FailureCategory/unreadableInput`` for a file that cannot be read, ``FailureCategory/badData`` for
  /// its content.
  public var category: FailureCategory {
    switch kind {
    case .badData: return .badData
    case .unreadableInput: return .unreadableInput
    }
  }
}

extension DataErrors: CategorizedError {
  /// The highest category among the problems (an unreadable file outranks a bad row).
  public var category: FailureCategory {
    errors.map(\.category).max() ?? .badData
  }
}
