import RankingLosses

/// How negatives are drawn for each positive.
public enum SamplerKind: String, Sendable, Hashable, CaseIterable {
  /// Uniformly over all items.
  case uniform
  /// In proportion to each item's number of training interactions (popular items are harder negatives).
  case popularity
}

/// Draws negative items for a user, rejecting the user's training positives.
///
/// A draw that hits a training positive is redrawn, up to ``maxAttempts`` times; after that the last draw is
/// kept (only a user who has interacted with nearly every item can get there).
struct NegativeSampler: Sendable {
  let kind: SamplerKind
  let itemCount: Int
  /// For `popularity`: cumulative training counts, `cumulative[i] = Σ_{j ≤ i} count(j)`.
  let cumulative: [UInt64]
  static let maxAttempts = 64

  init(kind: SamplerKind, itemCount: Int, train: [Interaction]) {
    self.kind = kind
    self.itemCount = itemCount
    guard kind == .popularity else {
      cumulative = []
      return
    }
    var counts = [UInt64](repeating: 0, count: itemCount)
    for interaction in train { counts[Int(interaction.item)] += 1 }
    var running: UInt64 = 0
    cumulative = counts.map { count in
      running += count
      return running
    }
  }

  /// One negative for a user whose training items are `positives` (sorted).
  @inline(__always)
  func draw(excluding positives: [Int32], using random: inout SplitMix64) -> Int {
    var item = 0
    for _ in 0..<Self.maxAttempts {
      item = drawAny(using: &random)
      if !contains(positives, Int32(item)) { return item }
    }
    return item
  }

  @inline(__always)
  private func drawAny(using random: inout SplitMix64) -> Int {
    switch kind {
    case .uniform:
      return Int(random.next() % UInt64(itemCount))
    case .popularity:
      let target = random.next() % cumulative[itemCount - 1]
      // The first item whose cumulative count exceeds the target.
      var low = 0
      var high = itemCount - 1
      while low < high {
        let mid = (low + high) / 2
        if cumulative[mid] > target { high = mid } else { low = mid + 1 }
      }
      return low
    }
  }
}

/// Whether sorted `values` contains `x` (binary search).
@inline(__always)
func contains(_ values: [Int32], _ x: Int32) -> Bool {
  var low = 0
  var high = values.count
  while low < high {
    let mid = (low + high) / 2
    if values[mid] < x { low = mid + 1 } else { high = mid }
  }
  return low < values.count && values[low] == x
}
