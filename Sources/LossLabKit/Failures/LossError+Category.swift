import RankingLosses

extension LossError: CategorizedError {
  /// Always ``FailureCategory/badData``: a loss rejects its input or its parameters.
  public var category: FailureCategory { .badData }
}
