import LossLabTestSupport
import Foundation
import RankingLosses
import Testing

/// The adaptive and WARP kernels scan the negatives four rows at a time (columns eight lanes at a time,
/// then a scalar tail). These tests compare them with a plain scalar oracle written here, on small
/// integer scores — so that ties between rows, hinge terms exactly at 0 and first violations in every
/// position of a four-row block are common — for every row count from 1 to 11 and batch sizes with and
/// without a tail, on one thread and on two.
@Suite("Row-blocked scans against a scalar oracle")
struct RowBlockTests {
  struct Case: CustomStringConvertible {
    let rows: Int
    let columns: Int
    var description: String { "\(rows) × \(columns)" }
  }

  static let cases: [Case] = (1...11).flatMap { rows in [1, 8, 13, 1_029].map { Case(rows: rows, columns: $0) } }

  /// Integer scores in [−2, 2] (positives in [−1, 2]).
  static func batch(_ shape: Case, seed: UInt64) throws -> LossBatch<Double> {
    var random = SplitMix64(seed: seed)
    func draw(_ low: Int, _ high: Int) -> Double { Double(low + Int(random.next() % UInt64(high - low + 1))) }
    let positives = (0..<shape.columns).map { _ in draw(-1, 2) }
    let negatives = (0..<(shape.rows * shape.columns)).map { _ in draw(-2, 2) }
    return LossBatch(
      positiveScores: positives,
      negativeScores: try ScoreMatrix(rows: shape.rows, columns: shape.columns, storage: negatives))
  }

  /// The seed's reduction `(Σl + Σl²)/B` and its gradient factor `(1 + 2l)/B`, from per-column terms:
  /// `picked[j]` is the row that gets the gradient (nil: none), `l[j]` the term and `dl[j]` its derivative
  /// with respect to the positive score.
  static func reduce(
    _ terms: [(row: Int?, l: Double, dl: Double)], rows: Int
  ) -> (value: Double, positive: [Double], negative: [Double]) {
    let b = terms.count
    var positive = [Double](repeating: 0, count: b)
    var negative = [Double](repeating: 0, count: rows * b)
    var sum = 0.0
    for (j, t) in terms.enumerated() {
      sum += t.l + t.l * t.l
      guard let k = t.row else { continue }
      let g = (1 + 2 * t.l) / Double(b) * t.dl
      positive[j] = g
      negative[k * b + j] = -g
    }
    return (sum / Double(b), positive, negative)
  }

  /// The adaptive loss: the first maximal row of each column, then the base term on that pair.
  static func adaptiveOracle(_ batch: LossBatch<Double>, bpr: Bool) -> (Double, [Double], [Double]) {
    let (rows, b) = (batch.negativeScores.rows, batch.batchSize)
    let terms = (0..<b).map { j -> (row: Int?, l: Double, dl: Double) in
      var k = 0
      for r in 1..<max(1, rows) where batch.negativeScores[r, j] > batch.negativeScores[k, j] { k = r }
      let d = batch.positiveScores[j] - batch.negativeScores[k, j]
      if bpr {
        let y = 1 / (1 + exp(-d))
        return (k, 1 - y, -(1 - y) * y)
      }
      return 1 - d > 0 ? (k, 1 - d, -1) : (k, 0, 0)
    }
    return reduce(terms, rows: rows)
  }

  /// WARP: the first row with `1 − p + n > 0`, weighted by `log(numItems / tries)`.
  static func warpOracle(_ batch: LossBatch<Double>, numItems: Int) -> (Double, [Double], [Double]) {
    let (rows, b) = (batch.negativeScores.rows, batch.batchSize)
    let terms = (0..<b).map { j -> (row: Int?, l: Double, dl: Double) in
      for k in 0..<rows {
        let h = 1 - batch.positiveScores[j] + batch.negativeScores[k, j]
        if h > 0 {
          let w = log(Double(numItems) / Double(k + 1))
          return (k, w * h, -w)
        }
      }
      return (nil, 0, 0)
    }
    return reduce(terms, rows: rows)
  }

  @Test("adaptive_bpr, adaptive_hinge and warp equal the oracle", arguments: cases)
  func agree(_ shape: Case) throws {
    let batch = try Self.batch(shape, seed: UInt64(shape.rows * 10_007 + shape.columns))
    let losses: [(String, [String: LossParameterValue], (Double, [Double], [Double]))] = [
      ("adaptive_bpr", [:], Self.adaptiveOracle(batch, bpr: true)),
      ("adaptive_hinge", [:], Self.adaptiveOracle(batch, bpr: false)),
      ("warp", ["num_items": .integer(1_000)], Self.warpOracle(batch, numItems: 1_000)),
    ]
    for (name, parameters, expected) in losses {
      let loss = try LossRegistry.standard.makeLoss(name, parameters: parameters)
      for threads in [1, 2] {
        let workspace = LossWorkspace<Double>(threads: threads, parallelThreshold: 0)
        let got = try loss.evaluate(batch, computeGradients: true, workspace: workspace)
        let gradients = got.gradients!
        // The oracle adds the same terms in another order (and BPR's exp is LossLab's own, within 1 ulp
        // of libm's): a few ulps of the value and of the largest gradient.
        let scale = (expected.1 + expected.2).map(abs).max() ?? 0
        #expect(abs(got.value - expected.0) <= 1e-13 * max(1, abs(expected.0)), "\(name) \(shape) \(threads)t")
        for (a, e) in zip(gradients.positiveScores + gradients.negativeScores.storage, expected.1 + expected.2) {
          #expect(abs(a - e) <= 1e-14 * scale, "\(name) \(shape) \(threads)t: \(a) vs \(e)")
        }
        // The rows that get a gradient are exactly the oracle's (no tolerance can hide a wrong row).
        #expect(gradients.negativeScores.storage.map { $0 != 0 } == expected.2.map { $0 != 0 }, "\(name) \(shape)")
      }
    }
  }

  @Test("a NaN anywhere in a four-row block is found and named")
  func nanInBlock() throws {
    for (k, j) in [(5, 1_028), (8, 3), (10, 1_024)] {
      var batch = try Self.batch(Case(rows: 11, columns: 1_029), seed: 3)
      batch.negativeScores[k, j] = .nan
      for name in ["adaptive_hinge", "warp"] {
        let loss = try LossRegistry.standard.makeLoss(
          name, parameters: name == "warp" ? ["num_items": .integer(50)] : [:])
        let message = thrownMessage {
          _ = try loss.evaluate(
            batch, computeGradients: true, workspace: LossWorkspace(threads: 2, parallelThreshold: 0))
        }
        #expect(message == "negative_scores[\(k)][\(j)] is NaN; scores must be finite", "\(name)")
      }
    }
  }
}
