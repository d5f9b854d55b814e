import Dispatch

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The number of processors online, at least 1 (asked once per process: every default `LossWorkspace`
/// reads it).
public func onlineProcessorCount() -> Int { processorsOnline }

private let processorsOnline = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

/// What one chunk of columns contributes: `Σ l`, `Σ l²` (in `Double`, whatever the scalar), whether it saw a
/// non-finite input, and how many columns had a negative WARP weight (with the largest number of tries).
struct ChunkSums {
  var sum = 0.0
  var sumOfSquares = 0.0
  var nonFinite = false
  var negativeWeightColumns = 0
  var largestTries = 0
}

/// Runs `body` over `columns` split into `threads` contiguous chunks (boundaries multiples of 64), and
/// combines the chunks' sums in column order, so that the result depends only on the thread count.
func forEachChunk(
  columns: Int, threads: Int, _ body: (_ range: Range<Int>) -> ChunkSums
) -> ChunkSums {
  let chunks = max(1, min(threads, (columns + 63) / 64))
  guard chunks > 1 else { return body(0..<columns) }
  let size = ((columns + chunks - 1) / chunks + 63) / 64 * 64
  let results = UnsafeMutableBufferPointer<ChunkSums>.allocate(capacity: chunks)
  results.initialize(repeating: ChunkSums())
  defer { results.deallocate() }
  withoutActuallyEscaping(body) { body in
    let shared = UnsafeSendable((body, results))
    DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
      let range = min(columns, chunk * size)..<min(columns, (chunk + 1) * size)
      shared.value.1[chunk] = range.isEmpty ? ChunkSums() : shared.value.0(range)
    }
  }
  var total = ChunkSums()
  for chunk in results {
    total.sum += chunk.sum
    total.sumOfSquares += chunk.sumOfSquares
    total.nonFinite = total.nonFinite || chunk.nonFinite
    total.negativeWeightColumns += chunk.negativeWeightColumns
    total.largestTries = max(total.largestTries, chunk.largestTries)
  }
  return total
}

/// A value handed to concurrent workers that only read it or write disjoint parts of it.
struct UnsafeSendable<T>: @unchecked Sendable {
  let value: T
  init(_ value: T) { self.value = value }
}
