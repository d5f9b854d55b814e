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

  /// Draws the scenario's scores and items: positives first (B), then the negatives row by row (N × B),
  /// then positive items, then negative items, all from one SplitMix64 stream.
  public func generate() -> LossBatch<Double> {
    var random = SplitMix64(seed: seed)
    func draw() -> Double {
      switch distribution {
      case .normal: return location + scale * random.nextGaussian()
      case .uniform: return location + scale * Double.random(in: 0..<1, using: &random)
      }
    }
    let positives = (0..<batch).map { _ in draw() + positiveShift }
    let negatives = (0..<(batch * negatives)).map { _ in draw() }
    let positiveItems = (0..<batch).map { _ in Int.random(in: 0..<numItems, using: &random) }
    let negativeItems = (0..<(batch * self.negatives)).map { _ in Int.random(in: 0..<numItems, using: &random) }
    return LossBatch(
      positiveScores: positives,
      negativeScores: try! ScoreMatrix(rows: self.negatives, columns: batch, storage: negatives),
      positiveItems: positiveItems,
      negativeItems: try! ScoreMatrix(rows: self.negatives, columns: batch, storage: negativeItems))
  }
}
