import Dispatch
import Foundation
import RankingLosses

/// The settings of `losslab bench`.
public struct BenchmarkOptions: Sendable, Hashable {
  /// The scalar type timed.
  public enum ScalarType: String, Sendable, Hashable, CaseIterable {
    /// `Float` (what training uses).
    case float
    /// `Double`.
    case double
  }

  /// Registered loss names to time.
  public var losses: [String]
  /// B, positives per call.
  public var batch: Int
  /// N, negatives per positive, for adaptive losses. Pairwise losses are timed on the same number of pairs
  /// as `B·N` columns of one negative.
  public var negatives: Int
  /// Threads per call.
  public var threads: Int
  /// `Float` or `Double`.
  public var scalar: ScalarType
  /// Whether to time the loss with partial credit (one field of 20 categories over 1,000 items, weight 0.25).
  public var partialCredit: Bool
  /// Timed calls after the warm-up.
  public var repeats: Int
  /// Untimed calls first.
  public var warmup: Int
  /// WARP's catalog size.
  public var numItems: Int

  /// Creates options.
  public init(
    losses: [String], batch: Int = 65_536, negatives: Int = 100, threads: Int = onlineProcessorCount(),
    scalar: ScalarType = .float, partialCredit: Bool = false, repeats: Int = 20, warmup: Int = 3,
    numItems: Int = 1_000
  ) {
    self.losses = losses
    self.batch = batch
    self.negatives = negatives
    self.threads = threads
    self.scalar = scalar
    self.partialCredit = partialCredit
    self.repeats = repeats
    self.warmup = warmup
    self.numItems = numItems
  }
}

/// One loss's timing.
public struct BenchmarkResult: Sendable, Hashable {
  /// The loss's name.
  public var loss: String
  /// B used (pairwise losses: `B·N`).
  public var batch: Int
  /// N used (pairwise losses: 1).
  public var negatives: Int
  /// Threads per call.
  public var threads: Int
  /// `float` or `double`.
  public var scalar: String
  /// Whether partial credit was on.
  public var partialCredit: Bool
  /// Timed calls.
  public var repeats: Int
  /// Median, fastest and slowest seconds per call (value and gradients).
  public var medianSeconds: Double
  /// The fastest call.
  public var minSeconds: Double
  /// The slowest call.
  public var maxSeconds: Double
  /// `B·N / median`.
  public var pairsPerSecond: Double
  /// Bytes read and written per call (scores in, gradients out; with partial credit the ids, and the
  /// margins unless only the picked pairs' are computed) divided by the median.
  public var bytesPerSecond: Double
  /// A plain copy's bytes per second (read plus written), over as many bytes as the loss moves, timed
  /// alternately with the loss's calls so that both see the same state of the machine.
  public var copyBytesPerSecond: Double
  /// ``bytesPerSecond`` over ``copyBytesPerSecond``.
  public var bandwidthFraction: Double
  /// The process's peak resident memory after the timing (Linux `VmHWM`), or 0 where unknown.
  public var peakMemoryBytes: Int
}

/// A whole `losslab bench` run.
public struct BenchmarkReport: Sendable {
  /// The options.
  public var options: BenchmarkOptions
  /// The CPU model, from `/proc/cpuinfo` where available.
  public var cpu: String
  /// The instruction-set path the kernels ran (``KernelISA/active``).
  public var isa: KernelISA
  /// The machine's copy bandwidth: the median over the losses of ``BenchmarkResult/copyBytesPerSecond``.
  public var copyBandwidth: Double
  /// One result per loss.
  public var results: [BenchmarkResult]
}

/// Times losses' fused paths (value and gradients into reused buffers), against a plain copy of the same
/// bytes as the bandwidth bound.
public enum LossBenchmark {
  /// Runs the benchmark.
  ///
  /// - Throws: ``LossError`` for an unknown loss name or bad sizes.
  public static func run(_ options: BenchmarkOptions, registry: LossRegistry = .standard) throws(LossError)
    -> BenchmarkReport
  {
    guard options.batch >= 1, options.negatives >= 1, options.repeats >= 1, options.threads >= 1 else {
      throw .custom("batch, negatives, repeats and threads must be at least 1")
    }
    let (pairs, overflow) = options.batch.multipliedReportingOverflow(by: options.negatives)
    guard !overflow, pairs <= 1 << 31 else { throw .custom("batch × negatives must be at most 2^31") }
    switch options.scalar {
    case .float: return try run(Float.self, options, registry)
    case .double: return try run(Double.self, options, registry)
    }
  }

  private static func run<S: LossScalar>(_: S.Type, _ options: BenchmarkOptions, _ registry: LossRegistry)
    throws(LossError)
    -> BenchmarkReport
  {
    let pairs = options.batch * options.negatives
    // One set of inputs and outputs sized for the largest layout (B·N negatives + B positives).
    var random = SplitMix64(seed: 42)
    let positives = (0..<pairs).map { _ in S(random.nextGaussian() + 1) }
    let negatives = (0..<pairs).map { _ in S(random.nextGaussian()) }
    let items = (0..<pairs).map { _ in Int.random(in: 0..<1_000, using: &random) }
    let metadata = try ItemMetadata(fields: [
      .init(name: "genre", codes: (0..<1_000).map { _ in Int.random(in: 0..<20, using: &random) })
    ])
    // Gradient buffers aligned to 64 bytes (a cache line, an AVX-512 register), as PyTorch aligns its tensors:
    // large batches then get streaming stores (see CLossKernels).
    let gradientPositive = allocateAligned(S.self, count: pairs)
    let gradientNegative = allocateAligned(S.self, count: pairs)
    gradientPositive.initialize(repeating: 0)
    gradientNegative.initialize(repeating: 0)
    defer {
      gradientPositive.deallocate()
      gradientNegative.deallocate()
    }
    let workspace = LossWorkspace<S>(threads: options.threads)
    // A plain copy over as many bytes as each loss moves, timed alternately with the loss's calls.
    let copySource = [S](repeating: 1, count: 4 * pairs)
    let copyDestination = UnsafeMutableBufferPointer<S>.allocate(capacity: 4 * pairs)
    copyDestination.initialize(repeating: 0)
    defer { copyDestination.deallocate() }
    var results: [BenchmarkResult] = []
    for name in options.losses {
      let descriptor = try registry.descriptor(named: name)
      var loss = try descriptor.makeLoss(
        descriptor.parameters.contains { $0.name == "num_items" } ? ["num_items": .integer(options.numItems)] : [:])
      var marginsWritten = false
      if options.partialCredit {
        let credited = try AnyLoss(loss).withPartialCredit(metadata: metadata, weights: ["genre": 0.25])
        marginsWritten = !credited.computesPickedMarginsOnly
        loss = credited
      }
      let (b, n) = loss.kind == .pairwise ? (pairs, 1) : (options.batch, options.negatives)
      let scalarBytes = MemoryLayout<S>.size
      // Scores in and gradients out; with partial credit also the ids (8 bytes each) and, unless the loss
      // picks one negative per column and gets only those margins, the margins written and read once.
      var bytes = scalarBytes * 2 * (b * n + b)
      if options.partialCredit { bytes += 8 * (b * n + b) + (marginsWritten ? 2 * scalarBytes * b * n : 0) }
      let copyCount = min(copySource.count, bytes / (2 * scalarBytes))
      var copyTimes: [Double] = []
      let times: [Double] = try positives.withUnsafeBufferPointer { p throws(LossError) in
        try negatives.withUnsafeBufferPointer { neg throws(LossError) in
          try items.withUnsafeBufferPointer { ids throws(LossError) in
            let scores = ScoreBuffers(
              positiveScores: UnsafeBufferPointer(rebasing: p[0..<b]),
              negativeScores: UnsafeBufferPointer(rebasing: neg[0..<(b * n)]),
              rows: n, positiveItems: UnsafeBufferPointer(rebasing: ids[0..<b]),
              negativeItems: UnsafeBufferPointer(rebasing: ids[0..<(b * n)]))
            let gradients = GradientBuffers(
              positiveScores: UnsafeMutableBufferPointer(rebasing: gradientPositive[0..<b]),
              negativeScores: UnsafeMutableBufferPointer(rebasing: gradientNegative[0..<(b * n)]))
            for _ in 0..<options.warmup {
              _ = try loss.evaluate(scores, gradients: gradients, workspace: workspace)
              _ = copyPass(copySource, copyDestination, count: copyCount, threads: options.threads)
            }
            var times: [Double] = []
            for _ in 0..<options.repeats {
              copyTimes.append(copyPass(copySource, copyDestination, count: copyCount, threads: options.threads))
              let start = DispatchTime.now().uptimeNanoseconds
              _ = try loss.evaluate(scores, gradients: gradients, workspace: workspace)
              times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            }
            return times
          }
        }
      }
      let sorted = times.sorted()
      let median = sorted[sorted.count / 2]
      let bytesPerSecond = Double(bytes) / median
      let copyBytesPerSecond = Double(2 * copyCount * scalarBytes) / copyTimes.sorted()[copyTimes.count / 2]
      results.append(
        BenchmarkResult(
          loss: name, batch: b, negatives: n, threads: options.threads, scalar: options.scalar.rawValue,
          partialCredit: options.partialCredit, repeats: options.repeats, medianSeconds: median, minSeconds: sorted[0],
          maxSeconds: sorted[sorted.count - 1], pairsPerSecond: Double(b * n) / median, bytesPerSecond: bytesPerSecond,
          copyBytesPerSecond: copyBytesPerSecond, bandwidthFraction: bytesPerSecond / copyBytesPerSecond,
          peakMemoryBytes: peakResidentBytes()))
    }
    let copies = results.map(\.copyBytesPerSecond).sorted()
    return BenchmarkReport(
      options: options, cpu: cpuModel(), isa: KernelISA.active,
      copyBandwidth: copies.isEmpty ? 0 : copies[copies.count / 2], results: results)
  }

  /// `count` uninitialized values at an address aligned to 64 bytes; free with `deallocate()`.
  static func allocateAligned<S>(_: S.Type, count: Int) -> UnsafeMutableBufferPointer<S> {
    UnsafeMutableRawBufferPointer.allocate(byteCount: count * MemoryLayout<S>.stride, alignment: 64)
      .bindMemory(to: S.self)
  }

  /// Seconds for one plain copy of `count` values from `source` to `destination`, in `threads` chunks.
  static func copyPass<S: LossScalar>(
    _ source: [S], _ destination: UnsafeMutableBufferPointer<S>, count: Int, threads: Int
  ) -> Double {
    source.withUnsafeBufferPointer { source in
      let shared = UnsafeSendableBox((source.baseAddress!, destination.baseAddress!))
      let chunk = (count + threads - 1) / threads
      let start = DispatchTime.now().uptimeNanoseconds
      DispatchQueue.concurrentPerform(iterations: threads) { t in
        let (from, to) = shared.value
        let range = min(count, t * chunk)..<min(count, (t + 1) * chunk)
        (to + range.lowerBound).update(from: from + range.lowerBound, count: range.count)
      }
      return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
  }

  /// The process's peak resident set size (`VmHWM` in `/proc/self/status`), or 0.
  static func peakResidentBytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
      let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
    else { return 0 }
    let kilobytes = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
    return kilobytes * 1024
  }

  /// The CPU model from `/proc/cpuinfo`, or "unknown".
  static func cpuModel() -> String {
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
      let line = info.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
      let value = line.split(separator: ":", maxSplits: 1).last
    else { return "unknown" }
    return value.trimmingCharacters(in: .whitespaces)
  }
}

/// A value shared read-only (or written in disjoint parts) by concurrent workers.
struct UnsafeSendableBox<T>: @unchecked Sendable {
  let value: T
  init(_ value: T) { self.value = value }
}
