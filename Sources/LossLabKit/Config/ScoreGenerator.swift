import RankingLosses

/// How a generated scenario draws its scores and items.
public struct ScoreGenerator: Sendable, Hashable {
  /// The score distribution.
  public enum Distribution: String, Sendable, Hashable, CaseIterable {
    /// Normal with mean `location` and standard deviation `scale`.
    case normal
    /// Uniform on `[location, location + scale)`.
    case uniform
  }

  /// The batch size B, `≥ 1`.
  public var batch: Int
  /// Negatives per positive N, `≥ 1`.
  public var negatives: Int
  /// The catalog size; item ids are drawn uniformly from `0..<numItems`.
  public var numItems: Int
  /// The distribution of every score.
  public var distribution: Distribution
  /// Mean (normal) or lower end (uniform).
  public var location: Double
  /// Standard deviation (normal) or width (uniform), `> 0`.
  public var scale: Double
  /// Added to every positive score, so that positives tend to rank higher; default 0.
  public var positiveShift: Double
  /// The seed: the same seed gives the same scenario on every machine.
  public var seed: UInt64

  /// Creates a generator.
  public init(
    batch: Int, negatives: Int, numItems: Int, distribution: Distribution = .normal, location: Double = 0,
    scale: Double = 1, positiveShift: Double = 0, seed: UInt64 = 0
  ) {
    self.batch = batch
    self.negatives = negatives
    self.numItems = numItems
    self.distribution = distribution
    self.location = location
    self.scale = scale
    self.positiveShift = positiveShift
    self.seed = seed
  }

  /// The number of scores the scenario has, `B · (N + 1)`; `nil` when it does not fit in an `Int`.
  public var scoreCount: Int? {
    let (rows, rowsOverflow) = negatives.addingReportingOverflow(1)
    let (count, countOverflow) = batch.multipliedReportingOverflow(by: rows)
    return rowsOverflow || countOverflow ? nil : count
  }

  /// Draws the scenario's scores and items: positives first (B), then the negatives row by row (N × B),
  /// then positive items, then negative items, all from one SplitMix64 stream.
  ///
  /// - Throws: ``GeneratorError`` when `batch`, `negatives` or `numItems` is below 1, or `B · (N + 1)`
  ///   does not fit in an `Int`.
  public func generate() throws(GeneratorError) -> LossBatch<Double> {
    for (key, value) in [("batch", batch), ("negatives", negatives), ("num_items", numItems)] where value < 1 {
      throw GeneratorError(description: "\(key) must be >= 1, got \(value)")
    }
    guard scoreCount != nil else {
      throw GeneratorError(
        description: "generate asks for \(batch) x \(UInt(negatives) + 1) scores, more than a 64-bit count holds")
    }
    var random = SplitMix64(seed: seed)
    func draw() -> Double {
      switch distribution {
      case .normal: return location + scale * random.nextGaussian()
      case .uniform: return location + scale * Double.random(in: 0..<1, using: &random)
      }
    }
    let positives = (0..<batch).map { _ in draw() + positiveShift }
    let cells = batch * negatives  // below scoreCount, which fits
    let negativeScores = (0..<cells).map { _ in draw() }
    let positiveItems = (0..<batch).map { _ in Int.random(in: 0..<numItems, using: &random) }
    let negativeItems = (0..<cells).map { _ in Int.random(in: 0..<numItems, using: &random) }
    return LossBatch(
      positiveScores: positives,
      negativeScores: try! ScoreMatrix(rows: negatives, columns: batch, storage: negativeScores),
      positiveItems: positiveItems,
      negativeItems: try! ScoreMatrix(rows: negatives, columns: batch, storage: negativeItems))
  }
}

/// Why a ``ScoreGenerator`` cannot draw its scenario: a count below 1, or more scores than an `Int` counts.
public struct GeneratorError: CategorizedError, Sendable, Hashable {
  /// The message, e.g. `batch must be >= 1, got 0`.
  public var description: String
  /// Always ``FailureCategory/badData``.
  public var category: FailureCategory { .badData }
}
