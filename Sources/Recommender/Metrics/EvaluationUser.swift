/// One user's ids for evaluation: who they are, which items they trained on and which were held out.
///
/// The user's candidates are every item id in `0..<itemCount` except `trainItems`; the relevant items
/// are `testItems`, which must be candidates. A user with no test items is skipped by
/// ``Evaluator/evaluate(itemCount:users:score:)``.
///
/// ```swift
/// let alice = EvaluationUser(user: 0, trainItems: [2, 5, 9], testItems: [4])
/// ```
public struct EvaluationUser: Sendable {
  /// The user's dense index, passed as is to the score function.
  public var user: Int
  /// The items the model trained on for this user, sorted ascending (repeats allowed), each in
  /// `0..<itemCount`; excluded from the ranking.
  public var trainItems: [Int32]
  /// The held-out items: distinct, each in `0..<itemCount` and not in ``trainItems``.
  public var testItems: [Int32]

  /// Creates a user's evaluation record.
  ///
  /// - Parameters:
  ///   - user: The user's dense index, passed to the score function.
  ///   - trainItems: The training items, sorted ascending; excluded from the ranking.
  ///   - testItems: The held-out items, any order, distinct and not among `trainItems`.
  public init(user: Int, trainItems: [Int32], testItems: [Int32]) {
    self.user = user
    self.trainItems = trainItems
    self.testItems = testItems
  }
}
