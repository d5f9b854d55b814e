import LossLabTestSupport
import RankingLosses
import Testing

/// A loss that forwards to another without being recognised as one: partial credit over it takes the
/// path that writes every pair's margin, so the two paths can be compared.
private struct Opaque: LossProtocol {
  let wrapped: AnyLoss
  var name: String { wrapped.name }
  var kind: LossKind { wrapped.kind }
  func evaluate<Scalar: LossScalar>(
    _ batch: LossBatch<Scalar>, computeGradients: Bool
  ) throws(LossError) -> LossOutput<Scalar> {
    try wrapped.evaluate(batch, computeGradients: computeGradients)
  }
  func evaluate<Scalar: LossScalar>(
    _ scores: ScoreBuffers<Scalar>, gradients: GradientBuffers<Scalar>?, workspace: LossWorkspace<Scalar>
  ) throws(LossError) -> LossValue<Scalar> {
    try wrapped.evaluate(scores, gradients: gradients, workspace: workspace)
  }
}

/// Partial credit over an adaptive loss computes only the picked pairs' margins; over any other loss it
/// writes all N × B. Both must give the same numbers, bit for bit, and the same errors.
@Suite("Partial credit on the picked pairs only")
struct PickedMarginTests {
  static let metadata = try! ItemMetadata([
    "genre": (0..<50).map { $0 % 4 }, "decade": (0..<50).map { $0 % 3 }, "studio": (0..<50).map { $0 / 10 },
  ])
  static let weights: MetadataWeights = ["genre": 0.25, "decade": 0.125, "studio": 0.5]

  static func batch<S: LossScalar>(_: S.Type, rows: Int, columns: Int, seed: UInt64) throws -> LossBatch<S> {
    var random = SplitMix64(seed: seed)
    func score() -> S { S(Double(Int(random.next() % 9)) / 4 - 1) }  // ties between rows are common
    func item() -> Int { Int(random.next() % 50) }
    return LossBatch(
      positiveScores: (0..<columns).map { _ in score() },
      negativeScores: try ScoreMatrix(
        rows: rows, columns: columns, storage: (0..<(rows * columns)).map { _ in score() }),
      positiveItems: (0..<columns).map { _ in item() },
      negativeItems: try ScoreMatrix(rows: rows, columns: columns, storage: (0..<(rows * columns)).map { _ in item() }))
  }

  @Test(
    "equal to the margins written for every pair",
    arguments: ["adaptive_bpr", "adaptive_hinge", "adaptive_log_sigmoid_bpr"])
  func sameNumbers(_ name: String) throws {
    let loss = try LossRegistry.standard.makeLoss(name)
    let picked = try AnyLoss(loss).withPartialCredit(metadata: Self.metadata, weights: Self.weights)
    let full = try Opaque(wrapped: AnyLoss(loss)).withPartialCredit(metadata: Self.metadata, weights: Self.weights)
    /// The two decorators on the same batch of `S`, with a fresh workspace each.
    func agree<S: LossScalar>(_: S.Type, rows: Int, columns: Int, threads: Int) throws {
      let batch = try Self.batch(S.self, rows: rows, columns: columns, seed: UInt64(rows * columns))
      func run(_ loss: some LossProtocol) throws -> LossOutput<S> {
        try loss.evaluate(
          batch, computeGradients: true, workspace: LossWorkspace(threads: threads, parallelThreshold: 0))
      }
      #expect(try run(picked) == run(full), "\(name) \(S.self) \(rows) × \(columns), \(threads) threads")
    }
    for (rows, columns) in [(1, 5), (7, 13), (9, 1_030)] {
      for threads in [1, 2] {
        try agree(Double.self, rows: rows, columns: columns, threads: threads)
        try agree(Float.self, rows: rows, columns: columns, threads: threads)
      }
    }
    // Credit changes the value here (the check would pass vacuously if the margins were ignored).
    let batch = try Self.batch(Double.self, rows: 7, columns: 13, seed: 91)
    #expect(try picked.value(of: batch) != loss.value(of: batch))
  }

  @Test("an id out of range in a row that is not picked is still an error, with its place")
  func idsChecked() throws {
    let loss = try AnyLoss(LossRegistry.standard.makeLoss("adaptive_hinge"))
      .withPartialCredit(metadata: Self.metadata, weights: Self.weights)
    var batch = try Self.batch(Double.self, rows: 7, columns: 13, seed: 5)
    batch.negativeScores[6, 11] = -100  // never the maximum of its column
    batch.negativeItems![6, 11] = 50
    let message = thrownMessage {
      _ = try loss.evaluate(batch, computeGradients: true, workspace: LossWorkspace(threads: 2, parallelThreshold: 0))
    }
    #expect(message == "negative_items[6][11] is 50, outside the metadata's item ids 0..<50")
  }
}
