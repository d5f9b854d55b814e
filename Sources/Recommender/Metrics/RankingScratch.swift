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
  /// How many candidates are above each of ``values``.
  var greater: [Int] = []
  /// How many candidates equal each of ``values``.
  var equal: [Int] = []
  /// How many candidates fall strictly between consecutive ``values`` (one more slot than `values`).
  var between: [Int] = []
  /// The relevant items' ranks `r_i`, ascending.
  var ranks: [Double] = []
  /// ``values`` followed by +∞ up to a multiple of 8: chunks of eight (for
  /// ``countLess(padded:splitters:splitterChunks:than:)``).
  var padded: [Float] = []
  /// The last element of each chunk of ``padded`` but the last chunk, followed by +∞ up to a multiple of 8.
  var splitters: [Float] = []
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

/// The number of elements of `padded` (`8 · chunks` ascending floats, the last ones +∞) that are `< x`;
/// `x` is not NaN. Equals ``countLess(_:than:)`` on the elements before the +∞ padding.
///
/// Branch-free: every element is compared, eight lanes at a time, and the hits are counted in the lanes.
/// For a few dozen elements this beats a binary search, whose branches mispredict about every other step
/// when the candidates' scores fall anywhere among the elements.
@inline(__always)
func countLess(padded: UnsafePointer<Float>, chunks: Int, than x: Float) -> Int {
  let threshold = SIMD8<Float>(repeating: x)
  let one = SIMD8<Int32>(repeating: 1)
  var hits = SIMD8<Int32>()
  for chunk in 0..<chunks {
    let values = UnsafeRawPointer(padded + 8 * chunk).loadUnaligned(as: SIMD8<Float>.self)
    hits &+= SIMD8<Int32>().replacing(with: one, where: values .< threshold)
  }
  return Int(hits.wrappedSum())
}

/// The number of elements of `padded` (ascending floats in chunks of eight, the last ones +∞) that are
/// `< x`, where `splitters` (`8 · splitterChunks` floats) holds the last element of every chunk of `padded`
/// but the last, then +∞; `x` is not NaN.
///
/// Two branch-free steps: the splitters below `x` are counted, which is the chunk `c` where `x` falls
/// (every element of the chunks before it is `< x`, none after it is), and then the elements of chunk
/// `c` below `x`: `8c` plus that count. The same count as ``countLess(_:than:)`` on the elements before
/// the padding, in `splitterChunks + 1` comparisons of eight lanes.
@inline(__always)
func countLess(
  padded: UnsafePointer<Float>, splitters: UnsafePointer<Float>, splitterChunks: Int, than x: Float
) -> Int {
  let chunk = countLess(padded: splitters, chunks: splitterChunks, than: x)
  return 8 * chunk + countLess(padded: padded + 8 * chunk, chunks: 1, than: x)
}

/// The DCG discount of 0-based rank `r`: `1 / log2(r + 2)`.
@inline(__always)
func discount(rank r: Double) -> Double {
  1 / log2(r + 2)
}
