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

  /// How many users ``scoreBlock(users:into:)`` scores per pass over the item factors: 8.
  public static let scoreBlockSize = 8

  /// The scores of every item for each of `users`, written row after row to `scores`: row `r` (the
  /// `itemCount` floats from `r * itemCount`) holds the scores of `users[r]`, indexed by item id.
  ///
  /// Every score equals ``scoreAll(user:into:)``'s bit for bit: each (user, item) pair takes the same
  /// arithmetic in the same order (eight-lane products summed factor chunk by factor chunk, the lanes
  /// summed, the scalar tail, then the bias). The users are taken ``scoreBlockSize`` at a time, and each
  /// item's factors are loaded once per block (four users share each load) while they are in L1, so the
  /// item factors stream from memory once per block rather than once per user.
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
    let (factors, itemCount) = (factors, itemCount)
    let (p, q, bias) = (UnsafePointer(userFactors.baseAddress!), UnsafePointer(itemFactors.baseAddress!), itemBias)
    var start = 0
    while start < users.count {
      let count = min(Self.scoreBlockSize, users.count - start)
      let block = firstUser + start
      let rows = output + start * itemCount
      for item in 0..<itemCount {
        let qi = q + item * factors
        let b = bias[item]
        var r = 0
        while r + 4 <= count {
          let s = dot4(
            p + block[r] * factors, p + block[r + 1] * factors, p + block[r + 2] * factors,
            p + block[r + 3] * factors, qi, factors)
          rows[r * itemCount + item] = s.0 + b
          rows[(r + 1) * itemCount + item] = s.1 + b
          rows[(r + 2) * itemCount + item] = s.2 + b
          rows[(r + 3) * itemCount + item] = s.3 + b
          r += 4
        }
        while r < count {
          rows[r * itemCount + item] = dot(p + block[r] * factors, qi, factors) + b
          r += 1
        }
      }
      start += count
    }
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

/// Four of ``dot(_:_:_:)`` sharing `b`: `Σ_f a_j[f]·b[f]` for `j = 0…3`, each with exactly `dot`'s
/// arithmetic (eight-lane products accumulated chunk by chunk, `lanes.sum()`, then the scalar tail), so
/// each result equals `dot(a_j, b, n)` bit for bit; `b` is loaded once for the four.
@inline(__always)
func dot4(
  _ a0: UnsafePointer<Float>, _ a1: UnsafePointer<Float>, _ a2: UnsafePointer<Float>, _ a3: UnsafePointer<Float>,
  _ b: UnsafePointer<Float>, _ n: Int
) -> (Float, Float, Float, Float) {
  var lanes0 = SIMD8<Float>()
  var lanes1 = SIMD8<Float>()
  var lanes2 = SIMD8<Float>()
  var lanes3 = SIMD8<Float>()
  var f = 0
  while f + 8 <= n {
    let bv = UnsafeRawPointer(b + f).loadUnaligned(as: SIMD8<Float>.self)
    lanes0 += UnsafeRawPointer(a0 + f).loadUnaligned(as: SIMD8<Float>.self) * bv
    lanes1 += UnsafeRawPointer(a1 + f).loadUnaligned(as: SIMD8<Float>.self) * bv
    lanes2 += UnsafeRawPointer(a2 + f).loadUnaligned(as: SIMD8<Float>.self) * bv
    lanes3 += UnsafeRawPointer(a3 + f).loadUnaligned(as: SIMD8<Float>.self) * bv
    f += 8
  }
  var sum0 = lanes0.sum()
  var sum1 = lanes1.sum()
  var sum2 = lanes2.sum()
  var sum3 = lanes3.sum()
  while f < n {
    sum0 += a0[f] * b[f]
    sum1 += a1[f] * b[f]
    sum2 += a2[f] * b[f]
    sum3 += a3[f] * b[f]
    f += 1
  }
  return (sum0, sum1, sum2, sum3)
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
  /// Each (user, item) pair takes ``dot(_:_:_:)``'s arithmetic in its order — the eight partial sums of
  /// factors `j, j + 8, j + 16, …` from zero, added together from `-0` in order `j = 0 … 7`, then the
  /// factors past the last multiple of eight, then the bias — but the lanes of the vectors are
  /// ``panelWidth`` items rather than eight factors, so the products and sums of a panel go through the
  /// vector units together and no lane sum is needed. A panel's factors stay in L1 while every user of the
  /// block is scored against them.
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
    guard let output = scores.baseAddress else { return }
    let (factors, itemCount) = (factors, itemCount)
    let p = UnsafePointer(userFactors.baseAddress!)
    panels.values.withUnsafeBufferPointer { values in
      panels.bias.withUnsafeBufferPointer { bias in
        let base = values.baseAddress!
        for panel in 0..<panels.count {
          let q = base + panel * factors * width
          let b = UnsafeRawPointer(bias.baseAddress! + panel * width).loadUnaligned(as: SIMD16<Float>.self)
          let first = panel * width
          let lanes = min(width, itemCount - first)
          for (row, user) in users.enumerated() {
            let s = panelDot(p + user * factors, q, factors) + b
            let target = output + row * itemCount + first
            if lanes == width {
              UnsafeMutableRawPointer(target).storeBytes(of: s, as: SIMD16<Float>.self)
            } else {
              for lane in 0..<lanes { target[lane] = s[lane] }
            }
          }
        }
      }
    }
  }
}

/// `dot(a, q_i, n)` for the sixteen items `i` of a panel `q` (`n` rows of sixteen floats), in the lanes:
/// exactly ``dot(_:_:_:)``'s operations on each item, in the same order.
@inline(__always)
func panelDot(_ a: UnsafePointer<Float>, _ q: UnsafePointer<Float>, _ n: Int) -> SIMD16<Float> {
  let chunks = n / 8
  var sum = SIMD16<Float>(repeating: -0.0)
  for j in 0..<8 {
    // dot's lane j: the products of factors j, j + 8, … added from zero.
    var lane = SIMD16<Float>()
    var f = j
    for _ in 0..<chunks {
      lane += SIMD16<Float>(repeating: a[f]) * UnsafeRawPointer(q + 16 * f).loadUnaligned(as: SIMD16<Float>.self)
      f += 8
    }
    sum += lane
  }
  var f = 8 * chunks
  while f < n {
    sum += SIMD16<Float>(repeating: a[f]) * UnsafeRawPointer(q + 16 * f).loadUnaligned(as: SIMD16<Float>.self)
    f += 1
  }
  return sum
}
