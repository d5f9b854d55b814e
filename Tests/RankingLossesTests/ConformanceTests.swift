import LossConformance
import LossLabTestSupport
import RankingLosses
import Testing

/// A custom pairwise loss registered from test code: the mean squared hinge `max(m − d, 0)²`.
struct SquaredHingeLoss: PairwiseLoss {
  var name: String { "squared_hinge" }
  var reduction: LossReduction { .mean }
  func term<S: LossScalar>(difference d: S, idealDifference m: S) -> PairTerm<S> {
    let x = m - d
    return x > 0 ? PairTerm(value: x * x, derivative: -2 * x) : PairTerm(value: 0, derivative: 0)
  }
}

/// The standard registry plus the custom loss (and its free adaptive variant).
func registryWithCustomLoss() throws -> LossRegistry {
  var registry = LossRegistry.standard
  try registry.registerPairwise(name: "squared_hinge", summary: "mean of max(m - d, 0)^2") { _ in
    SquaredHingeLoss()
  }
  return registry
}

/// Every registered loss, built with parameters that suit the checker's random batches.
func everyRegisteredLoss(_ registry: LossRegistry) throws -> [any LossProtocol] {
  try registry.names.map { name in
    try registry.makeLoss(name, parameters: name == "warp" ? ["num_items": .integer(50)] : [:])
  }
}

@Suite("Conformance of every registered loss")
struct ConformanceTests {
  static let registry = try! registryWithCustomLoss()
  static let names = registry.names
  static let metadata = try! ItemMetadata(["genre": [0, 0, 1, 1, 2, 0], "decade": [0, 1, 0, 1, 0, 1]])

  @Test("the registry lists the seed losses, log_sigmoid_bpr and the custom loss, each with its adaptive variant")
  func registeredNames() {
    #expect(
      Self.names == [
        "bpr", "adaptive_bpr", "hinge", "adaptive_hinge", "warp", "log_sigmoid_bpr", "adaptive_log_sigmoid_bpr",
        "squared_hinge", "adaptive_squared_hinge",
      ])
  }

  /// Value finite, gradients shaped like the input, zero gradient on unused negatives, permutation
  /// invariance, finite differences (Double, central, h = 1e-6, rtol 1e-6 against the largest gradient),
  /// rejection of NaN and of an empty batch.
  @Test("plain loss conforms, on every path", arguments: names)
  func plain(_ name: String) throws {
    try forEachKernelISA { isa in
      let loss = try Self.registry.makeLoss(name, parameters: name == "warp" ? ["num_items": .integer(50)] : [:])
      let report = LossConformanceChecker(trials: 30).check(loss)
      #expect(report.passed, "\(isa): \(report)")
      // Not vacuous: every trial checks at least the value, the shape, the permutation and B + N·B gradients.
      #expect(report.assertions > 30 * 5)
      #expect(report.skippedCoordinates < report.assertions / 20, "\(report)")
    }
  }

  /// The same on two threads: every random batch, however small, is split between them.
  @Test("plain loss conforms on two threads, on every path", arguments: names)
  func twoThreads(_ name: String) throws {
    try forEachKernelISA { isa in
      let loss = try Self.registry.makeLoss(name, parameters: name == "warp" ? ["num_items": .integer(50)] : [:])
      let report = LossConformanceChecker(seed: 3, trials: 20, maxBatchSize: 150, threads: 2).check(loss)
      #expect(report.passed, "\(isa): \(report)")
    }
  }

  @Test("loss with partial credit conforms, on every path", arguments: names)
  func partialCredit(_ name: String) throws {
    try forEachKernelISA { isa in
      let base = try Self.registry.makeLoss(name, parameters: name == "warp" ? ["num_items": .integer(50)] : [:])
      let loss = try AnyLoss(base).withPartialCredit(
        metadata: Self.metadata, weights: ["genre": 0.25, "decade": 0.5])
      let report = LossConformanceChecker(seed: 99, trials: 30).check(loss)
      #expect(report.passed, "\(isa): \(report)")
      #expect(report.assertions > 30 * 5)
    }
  }

  @Test("finite differences hold in the tails and at large scale", arguments: names)
  func wideScores(_ name: String) throws {
    let loss = try Self.registry.makeLoss(name, parameters: name == "warp" ? ["num_items": .integer(7)] : [:])
    // Scores of order 8: sigmoids near saturation, hinges far from their kinks, WARP weights of both signs.
    let report = LossConformanceChecker(seed: 7, trials: 20, scoreScale: 8, rtol: 1e-5).check(loss)
    #expect(report.passed, "\(report)")
  }
}

/// The checker must be able to fail: broken losses are caught, each by the check meant for it.
@Suite("The conformance checker catches broken losses")
struct CheckerCatchesBrokenLosses {
  /// Hinge whose derivative is off by a factor 1.01.
  struct WrongGradient: PairwiseLoss {
    var name: String { "wrong_gradient" }
    var reduction: LossReduction { .mean }
    func term<S: LossScalar>(difference d: S, idealDifference m: S) -> PairTerm<S> {
      PairTerm(value: (m - d) * (m - d), derivative: -2.02 * (m - d))
    }
  }

  /// An adaptive loss that uses the first row only but puts gradient on every row.
  struct GradientOnUnusedRows: LossProtocol {
    var name: String { "gradient_on_unused_rows" }
    var kind: LossKind { .adaptive }
    func evaluate<S: LossScalar>(_ batch: LossBatch<S>, computeGradients: Bool) throws(LossError) -> LossOutput<S> {
      try batch.validate()
      let b = batch.batchSize
      var value: S = 0
      var gradients = LossGradients<S>.zeros(rows: batch.negativeScores.rows, columns: b)
      for j in 0..<b {
        value += (batch.negativeScores[0, j] - batch.positiveScores[j]) / S(b)
        gradients.positiveScores[j] = -1 / S(b)
        for k in 0..<batch.negativeScores.rows { gradients.negativeScores[k, j] = 1 / S(b) }
      }
      return LossOutput(value: value, gradients: computeGradients ? gradients : nil)
    }
  }

  /// A loss that weighs the first column more than the others.
  struct OrderSensitive: PairwiseLoss {
    var name: String { "order_sensitive" }
    var reduction: LossReduction { .mean }
    func term<S: LossScalar>(difference d: S, idealDifference m: S) -> PairTerm<S> {
      PairTerm(value: d, derivative: 1)
    }
    func evaluate<S: LossScalar>(_ batch: LossBatch<S>, computeGradients: Bool) throws(LossError) -> LossOutput<S> {
      try batch.validate()
      let b = batch.batchSize
      let weights = (0..<b).map { S($0 + 1) }
      var value: S = 0
      for j in 0..<b { value += weights[j] * (batch.positiveScores[j] - batch.negativeScores[0, j]) }
      return LossOutput(
        value: value,
        gradients: computeGradients
          ? LossGradients(positiveScores: weights, negativeScores: ScoreMatrix(row: weights.map { -$0 })) : nil)
    }
  }

  /// A loss that does not validate its input.
  struct AcceptsAnything: LossProtocol {
    var name: String { "accepts_anything" }
    var kind: LossKind { .pairwise }
    func evaluate<S: LossScalar>(_ batch: LossBatch<S>, computeGradients: Bool) throws(LossError) -> LossOutput<S> {
      LossOutput(
        value: 0,
        gradients: computeGradients
          ? LossGradients.zeros(rows: batch.negativeScores.rows, columns: batch.batchSize) : nil)
    }
  }

  func failedChecks(_ loss: any LossProtocol) -> Set<String> {
    Set(LossConformanceChecker(trials: 10).check(loss).failures.map(\.check))
  }

  @Test func wrongGradientFailsFiniteDifferences() {
    #expect(failedChecks(WrongGradient()) == ["finite-difference"])
  }

  @Test func gradientOnUnusedRowsIsCaught() {
    #expect(failedChecks(GradientOnUnusedRows()).contains("unused-negative-gradient"))
  }

  @Test func orderSensitivityIsCaught() {
    #expect(failedChecks(OrderSensitive()).contains("column-permutation"))
  }

  @Test func acceptingNaNAndEmptyBatchesIsCaught() {
    #expect(failedChecks(AcceptsAnything()).isSuperset(of: ["rejects-nan", "rejects-empty-batch"]))
  }
}
