import LossLabTestSupport
@testable import RankingLosses
import Testing

/// The bits of an output: the value, then every gradient (positives, then the negatives row by row).
private func bits<S: LossScalar & BinaryFloatingPoint>(_ output: LossOutput<S>) -> [UInt64] {
  var all = [output.value] + (output.gradients?.positiveScores ?? [])
  all += output.gradients?.negativeScores.storage ?? []
  return all.map { UInt64(truncatingIfNeeded: $0.bitPatternValue) }
}

extension BinaryFloatingPoint {
  /// The bit pattern (`Float` and `Double`).
  fileprivate var bitPatternValue: UInt64 {
    if let f = self as? Float { return UInt64(f.bitPattern) }
    if let d = self as? Double { return d.bitPattern }
    return 0
  }
}

/// A random batch of `b` columns and `n` rows, with item ids (for partial credit) and, when `margins`,
/// per-pair margins. Scores are Gaussian, a few far out in the tails (|x| up to 60), so that the vector
/// `exp` meets its whole range.
private func randomBatch<S: LossScalar>(
  _: S.Type, b: Int, n: Int, margins: Bool, seed: UInt64
) throws -> LossBatch<S> {
  var random = SplitMix64(seed: seed)
  func score() -> S {
    let x = random.nextGaussian()
    return S(random.next() % 17 == 0 ? 20 * x : x)
  }
  let positives = (0..<b).map { _ in score() + 1 }
  let negatives = (0..<(n * b)).map { _ in score() }
  let items = (0..<(n * b)).map { _ in Int(random.next() % 40) }
  return LossBatch(
    positiveScores: positives, negativeScores: try ScoreMatrix(rows: n, columns: b, storage: negatives),
    positiveItems: (0..<b).map { _ in Int(random.next() % 40) },
    negativeItems: try ScoreMatrix(rows: n, columns: b, storage: items),
    idealDifferences: margins
      ? try ScoreMatrix(rows: n, columns: b, storage: (0..<(n * b)).map { _ in S(random.next() % 4) / 4 + 0.25 })
      : nil)
}

@Suite("Every instruction-set path gives bit-identical results")
struct KernelPathTests {
  static let names = LossRegistry.standard.names
  static let metadata = try! ItemMetadata(["genre": (0..<40).map { $0 % 5 }, "decade": (0..<40).map { $0 % 3 }])

  /// Column counts around the vector widths (8, 16) and the tile (1,024), and a threaded size; row counts
  /// around the scans' four-row step.
  static let shapes: [(b: Int, n: Int)] = [
    (1, 1), (7, 1), (8, 1), (15, 1), (16, 1), (17, 1), (33, 1), (1_025, 1), (40_007, 1),
    (1, 3), (9, 4), (17, 5), (31, 8), (1_030, 17), (3_001, 13),
  ]

  /// Value and every gradient, bit for bit, of each path against the first (the baseline), for `Float` and
  /// `Double`, plain, with margins in the batch, and with partial credit, on one thread and on two.
  @Test("every registered loss, Float and Double, plain, with margins and with partial credit", arguments: names)
  func lossesAgree(_ name: String) throws {
    let plain = try LossRegistry.standard.makeLoss(
      name, parameters: name == "warp" ? ["num_items": .integer(20)] : [:])
    let credited = try AnyLoss(plain).withPartialCredit(
      metadata: Self.metadata, weights: ["genre": 0.25, "decade": 0.5])
    var compared = 0
    for (index, shape) in Self.shapes.enumerated() where plain.kind != .pairwise || shape.n == 1 {
      for (variant, loss) in [("plain", AnyLoss(plain)), ("partial credit", AnyLoss(credited))] {
        for margins in variant == "plain" ? [false, true] : [false] {
          let seed = UInt64(index * 10 + (margins ? 1 : 0))
          let floatBatch = try randomBatch(Float.self, b: shape.b, n: shape.n, margins: margins, seed: seed)
          let doubleBatch = try randomBatch(Double.self, b: shape.b, n: shape.n, margins: margins, seed: seed)
          var reference: (float: [UInt64], double: [UInt64])?
          try forEachKernelISA { isa in
            let threads = shape.b > 1_000 ? 2 : 1
            let f = bits(
              try loss.evaluate(
                floatBatch, computeGradients: true, workspace: LossWorkspace(threads: threads, parallelThreshold: 0)))
            let d = bits(
              try loss.evaluate(
                doubleBatch, computeGradients: true, workspace: LossWorkspace(threads: threads, parallelThreshold: 0)))
            if let reference {
              // Counted, not compared as arrays: a failure prints a number, not a diff of 80,000 values.
              let floats = zip(f, reference.float).count { $0 != $1 } + abs(f.count - reference.float.count)
              let doubles = zip(d, reference.double).count { $0 != $1 } + abs(d.count - reference.double.count)
              #expect(floats == 0, "\(name) \(variant) margins \(margins) \(shape) Float on \(isa): \(floats) differ")
              #expect(
                doubles == 0, "\(name) \(variant) margins \(margins) \(shape) Double on \(isa): \(doubles) differ")
              compared += 1
            } else {
              reference = (f, d)
            }
          }
        }
      }
    }
    // Not vacuous where the machine has more than the baseline.
    #expect(compared > 0 || KernelISA.supported.count == 1)
  }

  /// `exp` over 2²⁰ random `Float` bit patterns (every sign and exponent) and 2¹⁸ random `Double` inputs in
  /// the finite range, and `log1p` over 2²⁰ values in `[0, 1]`: the same bits on every path.
  @Test("exp and log1p give the same bits on every path")
  func elementaryFunctionsAgree() {
    var random = SplitMix64(seed: 42)
    let floats = (0..<(1 << 20)).map { _ in Float(bitPattern: UInt32(truncatingIfNeeded: random.next())) }
    let doubles = (0..<(1 << 18)).map { _ in Double.random(in: -800...800, using: &random) }
    let units = (0..<(1 << 20)).map { _ in Float.random(in: 0...1, using: &random) }
    let base = KernelISA.baseline
    let expected = (vectorExp(floats, isa: base), vectorExp(doubles, isa: base), vectorLog1pUnit(units, isa: base))
    for isa in KernelISA.supported where isa != base {
      let f = vectorExp(floats, isa: isa)
      #expect(
        zip(f, expected.0).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }, "Float exp, \(isa)")
      let d = vectorExp(doubles, isa: isa)
      #expect(zip(d, expected.1).allSatisfy { $0.bitPattern == $1.bitPattern }, "Double exp, \(isa)")
      let l = vectorLog1pUnit(units, isa: isa)
      #expect(zip(l, expected.2).allSatisfy { $0.bitPattern == $1.bitPattern }, "log1p, \(isa)")
    }
  }

  @Test("the path can be chosen, and one this machine lacks is refused")
  func selection() {
    forEachKernelISA { isa in
      #expect(KernelISA.active == isa)
      #expect(isa.isSupported)
    }
    #expect(KernelISA.supported.first == .baseline)
    #expect(KernelISA.supported.contains(KernelISA.best))
    for isa in KernelISA.allCases where !isa.isSupported {
      let before = KernelISA.active
      #expect(KernelISA.select(isa) == false)
      #expect(KernelISA.active == before)
    }
  }
}

/// Runs `loss` on `batch` through the buffer API with its gradients written to buffers that start `offset`
/// scalars after a 64-byte boundary, and returns the value and gradients.
private func evaluateIntoBuffers(
  _ loss: AnyLoss, _ batch: LossBatch<Float>, offset: Int
) throws -> (value: Float, positive: [Float], negative: [Float]) {
  let (rows, b) = (batch.negativeScores.rows, batch.batchSize)
  let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: (rows * b + b + 2 * offset + 32) * 4, alignment: 64)
  defer { raw.deallocate() }
  let all = raw.bindMemory(to: Float.self)
  all.initialize(repeating: .nan)
  let gp = UnsafeMutableBufferPointer(rebasing: all[offset..<(offset + b)])
  let start = (offset + b + 15) / 16 * 16 + offset  // the negatives' gradients at the same offset from 64 bytes
  let gn = UnsafeMutableBufferPointer(rebasing: all[start..<(start + rows * b)])
  let value = try batch.positiveScores.withUnsafeBufferPointer { p in
    try batch.negativeScores.storage.withUnsafeBufferPointer { n in
      try loss.evaluate(
        ScoreBuffers(positiveScores: p, negativeScores: n, rows: rows),
        gradients: GradientBuffers(positiveScores: gp, negativeScores: gn),
        workspace: LossWorkspace(threads: 2, parallelThreshold: 0)
      ).value
    }
  }
  return (value, Array(gp), Array(gn))
}

@Suite("Streaming stores")
struct StreamingStoreTests {
  /// The one-pass BPR and hinge loop writes large gradients with streaming stores when the buffers are
  /// aligned to the vector size; the adaptive losses and WARP always write their gradient rows that way after
  /// an aligned start. Aligned and misaligned buffers must get the same bits, on every path.
  @Test("aligned and misaligned gradient buffers get the same bits, on every path")
  func alignedEqualsMisaligned() throws {
    var random = SplitMix64(seed: 5)
    for (name, b, n) in [
      ("bpr", 1 << 19, 1), ("hinge", (1 << 19) + 37, 1), ("adaptive_bpr", 4_133, 9), ("warp", 4_133, 9),
    ] {
      let loss = AnyLoss(
        try LossRegistry.standard.makeLoss(name, parameters: name == "warp" ? ["num_items": .integer(30)] : [:]))
      let batch = LossBatch<Float>(
        positiveScores: (0..<b).map { _ in Float(random.nextGaussian() + 1) },
        negativeScores: try ScoreMatrix(
          rows: n, columns: b, storage: (0..<(n * b)).map { _ in Float(random.nextGaussian()) }))
      let reference = try loss.evaluate(batch, computeGradients: true)
      try forEachKernelISA { isa in
        for offset in [0, 1, 3] {
          let got = try evaluateIntoBuffers(loss, batch, offset: offset)
          #expect(got.value.bitPattern == reference.value.bitPattern, "\(name) \(isa) offset \(offset)")
          // Counted, not compared as arrays: a failure then prints a number, not a diff of a million floats.
          let differing =
            zip(got.positive, reference.gradients!.positiveScores).count { $0.bitPattern != $1.bitPattern }
            + zip(got.negative, reference.gradients!.negativeScores.storage).count { $0.bitPattern != $1.bitPattern }
          #expect(differing == 0, "\(name) \(isa) offset \(offset): \(differing) gradients differ")
        }
      }
    }
  }
}
