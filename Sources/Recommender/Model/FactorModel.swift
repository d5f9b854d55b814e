import RankingLosses

/// A matrix-factorization recommender: user factors `p_u`, item factors `q_i` and item biases `b_i`, scoring
///
/// ```
/// s(u, i) = p_u · q_i + b_i
/// ```
///
/// Parameters live in flat `Float` buffers (row-major, `factors` per row) so that training threads can update
/// them in place (Hogwild-style, as LightFM does). The model owns its buffers.
public final class FactorModel: @unchecked Sendable {
  /// The number of users.
  public let userCount: Int
  /// The number of items.
  public let itemCount: Int
  /// The number of latent factors per user and item.
  public let factors: Int
  /// User factors, `userCount × factors`.
  public let userFactors: UnsafeMutableBufferPointer<Float>
  /// Item factors, `itemCount × factors`.
  public let itemFactors: UnsafeMutableBufferPointer<Float>
  /// Item biases, `itemCount`.
  public let itemBias: UnsafeMutableBufferPointer<Float>

  /// Creates a model with factors drawn from `N(0, initScale²)` and zero biases.
  ///
  /// - Parameters:
  ///   - userCount: Users, `≥ 1`.
  ///   - itemCount: Items, `≥ 1`.
  ///   - factors: Factors per row, `≥ 1`.
  ///   - initScale: Standard deviation of the initial factors.
  ///   - seed: The seed of the initialisation.
  public init(userCount: Int, itemCount: Int, factors: Int, initScale: Float, seed: UInt64) {
    precondition(userCount >= 1 && itemCount >= 1 && factors >= 1)
    self.userCount = userCount
    self.itemCount = itemCount
    self.factors = factors
    userFactors = allocateLargeTable(Float.self, count: userCount * factors)
    itemFactors = allocateLargeTable(Float.self, count: itemCount * factors)
    itemBias = .allocate(capacity: itemCount)
    var random = SplitMix64(seed: seed)
    for index in userFactors.indices { userFactors[index] = initScale * Float(random.nextGaussian()) }
    for index in itemFactors.indices { itemFactors[index] = initScale * Float(random.nextGaussian()) }
    itemBias.initialize(repeating: 0)
  }

  /// A model with a copy of `other`'s parameters (the snapshot early stopping keeps of its best epoch).
  ///
  /// - Parameter other: The model to copy; it is not changed.
  public init(copying other: FactorModel) {
    userCount = other.userCount
    itemCount = other.itemCount
    factors = other.factors
    userFactors = .allocate(capacity: other.userFactors.count)
    itemFactors = .allocate(capacity: other.itemFactors.count)
    itemBias = .allocate(capacity: other.itemBias.count)
    _ = userFactors.initialize(from: other.userFactors)
    _ = itemFactors.initialize(from: other.itemFactors)
    _ = itemBias.initialize(from: other.itemBias)
  }

  /// Overwrites this model's parameters with `other`'s, which has the same shape.
  ///
  /// - Parameter other: A model with the same user, item and factor counts.
  /// - Precondition: The shapes match.
  public func assign(from other: FactorModel) {
    precondition(
      userCount == other.userCount && itemCount == other.itemCount && factors == other.factors,
      "the models' shapes differ")
    _ = userFactors.update(fromContentsOf: other.userFactors)
    _ = itemFactors.update(fromContentsOf: other.itemFactors)
    _ = itemBias.update(fromContentsOf: other.itemBias)
  }

  deinit {
    userFactors.deallocate()
    itemFactors.deallocate()
    itemBias.deallocate()
  }

  /// The score of `item` for `user`.
  public func score(user: Int, item: Int) -> Float {
    ModelKernels.active.dot(
      userFactors.baseAddress! + user * factors, itemFactors.baseAddress! + item * factors, factors)
      + itemBias[item]
  }

  /// The scores of every item for `user`, written to `scores` (count `itemCount`).
  public func scoreAll(user: Int, into scores: UnsafeMutableBufferPointer<Float>) {
    precondition(scores.count >= itemCount, "scores holds \(scores.count) floats; \(itemCount) items need one each")
    ModelKernels.active.scoreAll(
      userFactors.baseAddress! + user * factors, items: itemFactors.baseAddress!, bias: itemBias.baseAddress!,
      itemCount: itemCount, factors: factors, into: scores.baseAddress!)
  }

  /// How many users ``scoreBlock(users:into:)`` scores per pass over the item factors: 8.
  public static let scoreBlockSize = 8

  /// The scores of every item for each of `users`, written row after row to `scores`: row `r` (the
  /// `itemCount` floats from `r * itemCount`) holds the scores of `users[r]`, indexed by item id.
  ///
  /// Every score equals ``scoreAll(user:into:)``'s bit for bit: each (user, item) pair takes the same
  /// arithmetic in the same order (eight-lane products summed factor chunk by factor chunk, the lanes
  /// summed, the scalar tail, then the bias). The users are taken ``scoreBlockSize`` at a time, and each
  /// item's factors are loaded once per block (four users share each load) while they are in L1, so the
  /// item factors stream from memory once per block rather than once per user. The loop is the active
  /// path's (``ModelKernels``), with the same results on every path.
  ///
  /// ```swift
  /// var scores = [Float](repeating: 0, count: 3 * model.itemCount)
  /// [4, 0, 9].withUnsafeBufferPointer { users in
  ///   scores.withUnsafeMutableBufferPointer { model.scoreBlock(users: users, into: $0) }
  /// }
  /// // scores[model.itemCount + 5] == model.score(user: 0, item: 5)
  /// ```
  ///
  /// - Parameters:
  ///   - users: The users to score, any order (repeats allowed), each in `0..<userCount`.
  ///   - scores: At least `users.count * itemCount` floats; the first `users.count * itemCount` are
  ///     overwritten, the rest are not touched.
  /// - Precondition: `scores` is large enough and every user is in `0..<userCount`.
  public func scoreBlock(users: UnsafeBufferPointer<Int>, into scores: UnsafeMutableBufferPointer<Float>) {
    precondition(
      scores.count >= users.count * itemCount,
      "scores holds \(scores.count) floats; \(users.count) users need \(users.count * itemCount)")
    for user in users { precondition(user >= 0 && user < userCount, "user \(user) is outside 0..<\(userCount)") }
    guard let firstUser = users.baseAddress, let output = scores.baseAddress else { return }
    ModelKernels.active.scoreBlock(
      userFactors.baseAddress!, users: firstUser, count: users.count, items: itemFactors.baseAddress!,
      bias: itemBias.baseAddress!, itemCount: itemCount, factors: factors, into: output)
  }
}

/// A copy of a model's item factors laid out for scoring many users: the items in panels of
/// ``FactorModel/panelWidth``, each panel holding factor `f` of its items side by side (`factors` rows of
/// `panelWidth` floats), so that one user's scores for a whole panel are computed in the lanes of a vector.
/// Items past the last one are zero. A snapshot: later changes to the model do not reach it.
struct ItemPanels: Sendable {
  /// The panels, one after another: `panelWidth · factors` floats each.
  let values: [Float]
  /// The item biases, padded with zeros to a whole number of panels.
  let bias: [Float]
  /// The number of panels, `⌈itemCount / panelWidth⌉`.
  let count: Int
}

extension FactorModel {
  /// How many items a panel of ``ItemPanels`` holds: 16.
  static let panelWidth = 16

  /// The model's item factors and biases as ``ItemPanels`` (a copy).
  func itemPanels() -> ItemPanels {
    let width = Self.panelWidth
    let count = (itemCount + width - 1) / width
    var values = [Float](repeating: 0, count: count * width * factors)
    var bias = [Float](repeating: 0, count: count * width)
    for item in 0..<itemCount {
      let (panel, lane) = item.quotientAndRemainder(dividingBy: width)
      for f in 0..<factors {
        values[(panel * factors + f) * width + lane] = itemFactors[item * factors + f]
      }
      bias[item] = itemBias[item]
    }
    return ItemPanels(values: values, bias: bias, count: count)
  }

  /// ``scoreBlock(users:into:)`` from the item panels of this model: the same scores, bit for bit.
  ///
  /// Each (user, item) pair takes ``ModelKernels/dot(_:_:_:)``'s arithmetic in its order — the eight partial sums of
  /// factors `j, j + 8, j + 16, …` from zero, added together from `-0` in order `j = 0 … 7`, then the
  /// factors past the last multiple of eight, then the bias — but the lanes of the vectors are
  /// ``panelWidth`` items rather than eight factors, so the products and sums of a panel go through the
  /// vector units together and no lane sum is needed. A panel's factors stay in L1 while every user of the
  /// block is scored against them. The loop is the active path's (``ModelKernels``): sixteen items in one
  /// AVX-512 register, two AVX2 or four SSE2/NEON ones, with the same results on every path.
  ///
  /// - Parameters:
  ///   - users: The users to score, each in `0..<userCount`.
  ///   - panels: ``itemPanels()`` of this model, taken since its parameters last changed.
  ///   - scores: At least `users.count * itemCount` floats; row `r` gets the scores of `users[r]`.
  /// - Precondition: `scores` is large enough, every user is in range and `panels` has this model's shape.
  func scoreBlock(
    users: UnsafeBufferPointer<Int>, panels: ItemPanels, into scores: UnsafeMutableBufferPointer<Float>
  ) {
    let width = Self.panelWidth
    precondition(
      scores.count >= users.count * itemCount,
      "scores holds \(scores.count) floats; \(users.count) users need \(users.count * itemCount)")
    precondition(panels.count * width >= itemCount && panels.values.count == panels.count * width * factors)
    for user in users { precondition(user >= 0 && user < userCount, "user \(user) is outside 0..<\(userCount)") }
    guard let firstUser = users.baseAddress, let output = scores.baseAddress else { return }
    let kernels = ModelKernels.active
    panels.values.withUnsafeBufferPointer { values in
      panels.bias.withUnsafeBufferPointer { bias in
        kernels.scorePanels(
          userFactors.baseAddress!, users: firstUser, count: users.count, panels: values.baseAddress!,
          bias: bias.baseAddress!, itemCount: itemCount, factors: factors, into: output)
      }
    }
  }
}
