import Foundation
import RankingLosses

/// One case of `Fixtures/golden-losses.json`: inputs and the PyTorch float64 reference results of the seed
/// notebook's functions (see `Fixtures/golden-README.md`).
public struct GoldenCase: Sendable, CustomStringConvertible {
  /// Unique, stable name: `<loss>/<group>/<name>`.
  public let id: String
  /// `bpr`, `adaptive_bpr`, `hinge`, `adaptive_hinge` or `warp`.
  public let loss: String
  /// One score per positive (B).
  public let positiveScores: [Double]
  /// N × B (a 1-D reference input is one row).
  public let negativeScores: [[Double]]
  /// The catalog size (WARP only).
  public let numItems: Int?
  /// The positives' item ids, if given.
  public let positiveItems: [Int]?
  /// The negatives' item ids, N × B, if given.
  public let negativeItems: [[Int]]?
  /// Field → codes, sorted by field name (JSON objects carry no order).
  public let metadata: [(String, [Int])]?
  /// Field → weight, sorted by field name.
  public let metadataWeights: [(String, Double)]?
  /// The float64 reference value.
  public let expectedLoss: Double?
  /// The value the reference gives on float32 inputs.
  public let expectedLossFloat32: Double?
  /// `∂loss/∂positive_scores`.
  public let expectedGradPositive: [Double]?
  /// `∂loss/∂negative_scores`, N × B.
  public let expectedGradNegative: [[Double]]?
  /// The reference's exception, `"<Type>: <message>"`, for cases that raise.
  public let error: String?

  /// The case's id, shown by the test runner.
  public var description: String { id }

  /// Whether LossLab must reject the case: the reference raises, or — stricter than the seed — weights
  /// are given without metadata or name a field the metadata lacks.
  public var lossLabRejects: Bool {
    if error != nil { return true }
    guard let weights = metadataWeights else { return false }
    guard let metadata else { return true }
    return weights.contains { w in !metadata.contains { $0.0 == w.0 } }
  }

  /// Whether the case needs the looser tolerance: the reference rounds WARP weights and non-dyadic
  /// ideal differences through float32.
  public var needsFloat32Tolerance: Bool {
    if loss == "warp" { return true }
    guard metadata != nil, let weights = metadataWeights else { return false }
    return weights.contains { w in (w.1 * 1024).rounded() != w.1 * 1024 }
  }

  /// The tolerance on the Double value: `1e-15 + rtol·|expected|`, with `rtol` 1e-6 where the reference
  /// rounds through float32 (``needsFloat32Tolerance``) and 1e-12 elsewhere.
  public var valueTolerance: Double { 1e-15 + relativeTolerance * abs(expectedLoss ?? 0) }

  /// The tolerance on every Double gradient: `1e-15 + rtol·max|expected gradient|`.
  public var gradientTolerance: Double { 1e-15 + relativeTolerance * (expectedGradients.map(abs).max() ?? 0) }

  /// Every expected gradient: the positives', then the negatives' row by row.
  public var expectedGradients: [Double] { (expectedGradPositive ?? []) + (expectedGradNegative ?? []).flatMap { $0 } }

  private var relativeTolerance: Double { needsFloat32Tolerance ? 1e-6 : 1e-12 }

  /// Where the fixture is: beside this file.
  public static let fixtureURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures/golden-losses.json")

  /// Every case of the fixture, in file order.
  public static let all: [GoldenCase] = {
    do {
      let data = try Data(contentsOf: fixtureURL)
      let root = try JSONSerialization.jsonObject(with: data) as! [String: Any]
      return (root["cases"] as! [[String: Any]]).map(GoldenCase.init(json:))
    } catch {
      fatalError("cannot read the golden fixture at \(fixtureURL.path): \(error)")
    }
  }()

  /// Reads a case from its JSON object.
  init(json c: [String: Any]) {
    func doubles(_ v: Any?) -> [Double]? { (v as? [NSNumber])?.map(\.doubleValue) }
    func matrix(_ v: Any?) -> [[Double]]? {
      if let rows = v as? [[NSNumber]] { return rows.map { $0.map(\.doubleValue) } }
      return doubles(v).map { [$0] }
    }
    func intMatrix(_ v: Any?) -> [[Int]]? {
      if let rows = v as? [[NSNumber]] { return rows.map { $0.map(\.intValue) } }
      return (v as? [NSNumber]).map { [$0.map(\.intValue)] }
    }
    id = c["id"] as! String
    loss = c["loss"] as! String
    positiveScores = doubles(c["positive_scores"])!
    negativeScores = matrix(c["negative_scores"])!
    numItems = (c["num_items"] as? NSNumber)?.intValue
    positiveItems = (c["positive_items"] as? [NSNumber])?.map(\.intValue)
    negativeItems = intMatrix(c["negative_items"])
    metadata = (c["metadata"] as? [String: [NSNumber]])?.map { ($0.key, $0.value.map(\.intValue)) }
      .sorted { $0.0 < $1.0 }
    metadataWeights = (c["metadata_weights"] as? [String: NSNumber])?.map { ($0.key, $0.value.doubleValue) }
      .sorted { $0.0 < $1.0 }
    expectedLoss = (c["expected_loss"] as? NSNumber)?.doubleValue
    expectedLossFloat32 = (c["expected_loss_float32"] as? NSNumber)?.doubleValue
    expectedGradPositive = doubles(c["expected_grad_positive"])
    expectedGradNegative = matrix(c["expected_grad_negative"])
    error = c["error"] as? String
  }

  /// The loss as LossLab builds it: from the registry, with partial credit when weights are given.
  public func makeLoss(registry: LossRegistry = .standard) throws -> any LossProtocol {
    var parameters: [String: LossParameterValue] = [:]
    if let numItems { parameters["num_items"] = .integer(numItems) }
    let base = try registry.makeLoss(loss, parameters: parameters)
    guard let weights = metadataWeights else { return base }
    let itemMetadata = try metadata.map { fields in
      try ItemMetadata(fields: fields.map { ItemMetadata.Field(name: $0.0, codes: $0.1) })
    }
    return try AnyLoss(base).withPartialCredit(
      metadata: itemMetadata, weights: MetadataWeights(weights.map { .init(field: $0.0, weight: $0.1) }))
  }

  /// The case's inputs as a batch in `Scalar`.
  public func batch<Scalar: LossScalar>(_: Scalar.Type) throws -> LossBatch<Scalar> {
    try LossBatch(
      positiveScores: positiveScores.map { Scalar($0) },
      negativeScores: negativeScores.map { $0.map { Scalar($0) } },
      positiveItems: positiveItems, negativeItems: negativeItems)
  }
}
