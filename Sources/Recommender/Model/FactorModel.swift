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
    userFactors = .allocate(capacity: userCount * factors)
    itemFactors = .allocate(capacity: itemCount * factors)
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
  @inlinable
  public func score(user: Int, item: Int) -> Float {
    dot(userFactors.baseAddress! + user * factors, itemFactors.baseAddress! + item * factors, factors) + itemBias[item]
  }

  /// The scores of every item for `user`, written to `scores` (count `itemCount`).
  public func scoreAll(user: Int, into scores: UnsafeMutableBufferPointer<Float>) {
    let p = userFactors.baseAddress! + user * factors
    let q = itemFactors.baseAddress!
    for item in 0..<itemCount { scores[item] = dot(p, q + item * factors, factors) + itemBias[item] }
  }
}

/// `Σ_f a[f]·b[f]`, eight lanes at a time.
@inlinable
func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
  var lanes = SIMD8<Float>()
  var f = 0
  while f + 8 <= n {
    lanes +=
      UnsafeRawPointer(a + f).loadUnaligned(as: SIMD8<Float>.self)
      * UnsafeRawPointer(b + f).loadUnaligned(as: SIMD8<Float>.self)
    f += 8
  }
  var sum = lanes.sum()
  while f < n {
    sum += a[f] * b[f]
    f += 1
  }
  return sum
}
