import LossLabTestSupport
import RankingLosses
import Testing

/// Evaluates a golden case through the buffer API with a given workspace. The gradient buffers start as
/// NaN, so that a kernel that leaves an element unwritten fails the comparison.
func evaluateWithBuffers<S: LossScalar>(
  _ golden: GoldenCase, _: S.Type, workspace: LossWorkspace<S>
) throws -> (value: S, positive: [S], negative: [S]) {
  let loss = try golden.makeLoss()
  let batch = try golden.batch(S.self)
  let (rows, b) = (batch.negativeScores.rows, batch.batchSize)
  var positive = [S](repeating: .nan, count: b)
  var negative = [S](repeating: .nan, count: rows * b)
  let value = try batch.positiveScores.withUnsafeBufferPointer { p in
    try batch.negativeScores.storage.withUnsafeBufferPointer { n in
      try (batch.positiveItems ?? []).withUnsafeBufferPointer { pi in
        try (batch.negativeItems?.storage ?? []).withUnsafeBufferPointer { ni in
          try positive.withUnsafeMutableBufferPointer { gp in
            try negative.withUnsafeMutableBufferPointer { gn in
              let scores = ScoreBuffers(
                positiveScores: p, negativeScores: n, rows: rows,
                positiveItems: batch.positiveItems == nil ? nil : pi,
                negativeItems: batch.negativeItems == nil ? nil : ni)
              return try loss.evaluate(
                scores, gradients: GradientBuffers(positiveScores: gp, negativeScores: gn), workspace: workspace
              ).value
            }
          }
        }
      }
    }
  }
  return (value, positive, negative)
}

@Suite("Fused kernels through caller-owned buffers")
struct FastPathTests {
  /// Every golden case on one thread and on two (with the parallel threshold at 0, so that even B = 1
  /// splits), in Double and Float, against the same tolerances as the array API.
  @Test("golden cases, 1 and 2 threads, on every path", arguments: GoldenCase.all.filter { !$0.lossLabRejects })
  func golden(_ golden: GoldenCase) throws {
    try forEachKernelISA { isa in
      for threads in [1, 2] {
        let workspace = LossWorkspace<Double>(threads: threads, parallelThreshold: 0)
        let (value, positive, negative) = try evaluateWithBuffers(golden, Double.self, workspace: workspace)
        let expected = golden.expectedLoss!
        #expect(abs(value - expected) <= golden.valueTolerance, "\(isa): \(golden.id), \(threads) threads")
        #expect(positive.count + negative.count == golden.expectedGradients.count)
        let tolerance = golden.gradientTolerance  // computed from every expected gradient: once, not per element
        for (got, want) in zip(positive + negative, golden.expectedGradients) {
          #expect(abs(got - want) <= tolerance, "\(isa): \(golden.id), \(threads) threads: \(got) vs \(want)")
        }
        let float = try evaluateWithBuffers(
          golden, Float.self, workspace: LossWorkspace<Float>(threads: threads, parallelThreshold: 0))
        let expected32 = golden.expectedLossFloat32!
        #expect(abs(Double(float.value) - expected32) <= 1e-6 + 1e-5 * abs(expected32), "\(isa): \(golden.id) Float")
      }
    }
  }

  /// One thread and two differ only in the order the chunks' `Double` sums are added: the gradients are
  /// identical and the values agree to a few ulps of the sum of |l| (bound: 2 · B · 2⁻⁵³ · Σ|l| / B).
  @Test("1 and 2 threads agree", arguments: LossRegistry.standard.names)
  func threadsAgree(_ name: String) throws {
    let loss = try LossRegistry.standard.makeLoss(name, parameters: name == "warp" ? ["num_items": .integer(500)] : [:])
    var random = SplitMix64(seed: 9)
    let (b, n) = loss.kind == .pairwise ? (20_000, 1) : (3_000, 17)
    let batch = LossBatch<Float>(
      positiveScores: (0..<b).map { _ in Float(random.nextGaussian() + 1) },
      negativeScores: try ScoreMatrix(
        rows: n, columns: b, storage: (0..<(n * b)).map { _ in Float(random.nextGaussian()) }))
    func run(_ threads: Int) throws -> LossOutput<Float> {
      try loss.evaluate(
        batch, computeGradients: true, workspace: LossWorkspace(threads: threads, parallelThreshold: 0))
    }
    let one = try run(1)
    let two = try run(2)
    #expect(one.gradients == two.gradients)
    #expect(abs(Double(one.value) - Double(two.value)) <= 4 * Double(one.value.ulp), "\(one.value) vs \(two.value)")
    // And the default workspace (one chunk at this size) gives the same gradients.
    let array = try loss.evaluate(batch, computeGradients: true)
    #expect(array.gradients == one.gradients)
  }

  /// The one-pass BPR and hinge loop checks its inputs through `d − d` (NaN when p or n is not finite):
  /// a bad value in any SIMD lane or in the scalar tail, in either score, alone or with a matching infinity
  /// on the other side (`∞ − ∞`), is reported with its own index; finite scores whose difference
  /// overflows are not an error.
  @Test("non-finite scores in any lane of the one-pass pairwise loop are named", arguments: ["bpr", "hinge"])
  func pairwiseNonFinite(_ name: String) throws {
    let loss = try LossRegistry.standard.makeLoss(name)
    let inf = Float.infinity
    let bad: [(p: Float, n: Float, path: String, text: String)] = [
      (.nan, 0, "positive_scores", "NaN"), (0, .nan, "negative_scores", "NaN"), (inf, 0, "positive_scores", "inf"),
      (0, -inf, "negative_scores", "-inf"), (inf, inf, "positive_scores", "inf"),
      (-inf, -inf, "positive_scores", "-inf"),
    ]
    for j in [0, 7, 9, 31, 36] {
      for (p, n, path, text) in bad {
        var positives = [Float](repeating: 1, count: 37)
        var negatives = [Float](repeating: 0.5, count: 37)
        positives[j] = p
        negatives[j] = n
        let message = thrownMessage {
          _ = try loss.evaluate(
            LossBatch(
              positiveScores: positives, negativeScores: try ScoreMatrix(rows: 1, columns: 37, storage: negatives)),
            computeGradients: true, workspace: LossWorkspace(threads: 2, parallelThreshold: 0))
        }
        #expect(message == "\(path)[\(j)] is \(text); scores must be finite", "\(name) at \(j): \(p), \(n)")
      }
    }
    // 3e38 − (−3e38) overflows to +∞ although both scores are finite: no error, the reference's value.
    var positives = [Float](repeating: 1, count: 37)
    var negatives = [Float](repeating: 0.5, count: 37)
    positives[9] = 3e38
    negatives[9] = -3e38
    let output = try loss.evaluate(
      LossBatch(positiveScores: positives, negativeScores: try ScoreMatrix(rows: 1, columns: 37, storage: negatives)),
      computeGradients: true, workspace: LossWorkspace(threads: 2, parallelThreshold: 0))
    #expect(output.value.isFinite)
    #expect(output.gradients!.positiveScores[9] == 0)
  }

  @Test("the fast path rejects NaN and bad shapes with the array API's messages")
  func errors() throws {
    let loss = try LossRegistry.standard.makeLoss("adaptive_hinge")
    let workspace = LossWorkspace<Double>(threads: 2, parallelThreshold: 0)
    let positives: [Double] = [1, 2, 3]
    let negatives: [Double] = [0, 1, 2, 3, .nan, 5]
    func message(rows: Int) -> String {
      positives.withUnsafeBufferPointer { p in
        negatives.withUnsafeBufferPointer { n in
          thrownMessage {
            _ = try loss.evaluate(
              ScoreBuffers(positiveScores: p, negativeScores: n, rows: rows), gradients: nil, workspace: workspace)
          }
        }
      }
    }
    #expect(message(rows: 2) == "negative_scores[1][1] is NaN; scores must be finite")
    let shape = message(rows: 4)
    #expect(shape == "negative_scores has 6 values but 4 rows of 3 positive scores need 12")
  }
}
