#if canImport(Darwin)
  import Darwin
#elseif canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Android)
  import Android
#elseif canImport(WASILibc)
  import WASILibc
#elseif canImport(ucrt)
  import ucrt
#endif

/// Buffers reused from user to user so that ranking one user allocates nothing once they have grown to
/// the largest user: one per thread, never shared.
final class RankingScratch {
  /// The relevant indices, ascending (to check that they are distinct).
  var sortedRelevant: [Int] = []
  /// The distinct relevant score keys, ascending.
  var values: [Float] = []
  /// How many relevant items have each of ``values``.
  var relevantCounts: [Int] = []
  /// How many candidates equal each of ``values``.
  var equal: [Int] = []
  /// How many candidates fall strictly between consecutive ``values`` (one more slot than `values`).
  var between: [Int] = []
  /// The relevant items' ranks `r_i`, ascending.
  var ranks: [Double] = []
}

/// The score used for ranking: the score itself, with NaN mapped to −∞ so that every key is ordered.
@inline(__always)
func rankingKey(_ score: Float) -> Float {
  score.isNaN ? -.infinity : score
}

/// The number of elements of the ascending `values` that are `< x`.
func countLess(_ values: UnsafeBufferPointer<Float>, than x: Float) -> Int {
  var low = 0
  var high = values.count
  while low < high {
    let middle = low + (high - low) / 2
    if values[middle] < x { low = middle + 1 } else { high = middle }
  }
  return low
}

/// The DCG discount of 0-based rank `r`: `1 / log2(r + 2)`.
@inline(__always)
func discount(rank r: Double) -> Double {
  1 / log2(r + 2)
}
