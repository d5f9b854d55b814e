import RankingLosses

/// One property a loss failed, with the input that showed it.
public struct ConformanceFailure: Sendable, Hashable, CustomStringConvertible {
  /// The loss's name.
  public var loss: String
  /// Which check failed: `finite-value`, `gradient-shape`, `unused-negative-gradient`,
  /// `column-permutation`, `finite-difference`, `rejects-nan`, `rejects-empty-batch`, `evaluates`.
  public var check: String
  /// What was wrong, with the trial and the offending element.
  public var message: String

  /// `"<loss>: <check>: <message>"`.
  public var description: String { "\(loss): \(check): \(message)" }
}

/// The outcome of ``LossConformanceChecker/check(_:)``.
public struct ConformanceReport: Sendable, CustomStringConvertible {
  /// The loss's name.
  public var loss: String
  /// How many individual assertions were made (so that an empty failure list is not vacuous).
  public var assertions: Int
  /// How many finite-difference coordinates were skipped because the loss has a kink or a jump there.
  public var skippedCoordinates: Int
  /// Everything that failed.
  public var failures: [ConformanceFailure]

  /// Whether no check failed.
  public var passed: Bool { failures.isEmpty }

  /// A one-line summary followed by one line per failure.
  public var description: String {
    let head = "\(loss): \(assertions) assertions, \(failures.count) failures, \(skippedCoordinates) kinks skipped"
    return ([head] + failures.map { "  \($0)" }).joined(separator: "\n")
  }
}

/// Checks the properties every loss must have, on seeded random batches, for any ``LossProtocol``.
///
/// For each trial it draws B positives and N × B negatives (N = 1 for pairwise losses) with item ids in
/// `0..<itemCount`, and checks that
///
/// 1. **finite-value**: the value is finite for finite input;
/// 2. **gradient-shape**: the gradients have B positive and N × B negative entries;
/// 3. **unused-negative-gradient**: a negative whose decrease by `probe` leaves the value bit-for-bit
///    unchanged (one the loss does not use, such as a non-maximal negative of an adaptive loss or a negative
///    after WARP's first violation) has gradient exactly 0 — unless the gradient is so small that
///    `|g| · probe` is within 16 ulps of the value, where rounding hides any change;
/// 4. **column-permutation**: permuting the columns together with their items changes the value by at most
///    `permutationTolerance` relative, and permutes the gradients;
/// 5. **finite-difference**: every gradient element matches the central difference
///    `(f(x + h) − f(x − h)) / 2h` within `atol + rtol · max|∇f|`, in `Double`, except at kinks, where the
///    two one-sided differences disagree (those are counted in ``ConformanceReport/skippedCoordinates``);
///
/// and, once per loss, that a NaN score and an empty batch are rejected with an error.
///
/// ```swift
/// let report = LossConformanceChecker().check(try LossRegistry.standard.makeLoss("bpr"))
/// assert(report.passed, report.description)
/// ```
public struct LossConformanceChecker: Sendable {
  /// The seed of the random inputs.
  public var seed: UInt64
  /// The number of random batches per loss.
  public var trials: Int
  /// The largest batch size drawn (B is drawn from 1 ... maxBatchSize).
  public var maxBatchSize: Int
  /// The largest number of negatives per positive drawn for adaptive losses.
  public var maxNegatives: Int
  /// The catalog size of the drawn item ids.
  public var itemCount: Int
  /// The standard deviation of the drawn scores.
  public var scoreScale: Double
  /// The finite-difference step `h`.
  public var step: Double
  /// The relative tolerance of the finite-difference check, against the largest gradient element.
  public var rtol: Double
  /// The absolute tolerance of the finite-difference check.
  public var atol: Double
  /// How far a negative is lowered to see whether the loss uses it.
  public var probe: Double
  /// The relative tolerance of the permutation check (sums in another order round differently).
  public var permutationTolerance: Double
  /// 1 checks the loss's ``LossProtocol/evaluate(_:computeGradients:)``; above 1, its fast path
  /// (``LossProtocol/evaluate(_:gradients:workspace:)``) on that many threads, splitting every batch.
  public var threads: Int

  /// Creates a checker; the defaults suit losses of order-1 scores in `Double`.
  ///
  /// - Parameters:
  ///   - seed: The seed of the random inputs.
  ///   - trials: Random batches per loss, `≥ 1`.
  ///   - maxBatchSize: B is drawn from `1 ... maxBatchSize`.
  ///   - maxNegatives: N is drawn from `1 ... maxNegatives` for adaptive losses.
  ///   - itemCount: Item ids are drawn from `0..<itemCount`.
  ///   - scoreScale: Standard deviation of the scores.
  ///   - step: Finite-difference step, default `1e-6` (central differences err by `O(h²)` plus `O(ε/h)`).
  ///   - rtol: Relative tolerance of the gradient check, default `1e-6`.
  ///   - atol: Absolute tolerance of the gradient check, default `1e-8`.
  ///   - probe: Step used to find unused negatives, default `1e-3`.
  ///   - permutationTolerance: Relative tolerance of the permutation check, default `1e-12`.
  ///   - threads: Threads of the fast path, default 1; more split even the smallest batch.
  public init(
    seed: UInt64 = 0x5EED, trials: Int = 25, maxBatchSize: Int = 9, maxNegatives: Int = 6,
    itemCount: Int = 6, scoreScale: Double = 1.5, step: Double = 1e-6, rtol: Double = 1e-6,
    atol: Double = 1e-8, probe: Double = 1e-3, permutationTolerance: Double = 1e-12, threads: Int = 1
  ) {
    self.threads = max(1, threads)
    precondition(trials >= 1 && maxBatchSize >= 1 && maxNegatives >= 1 && itemCount >= 1)
    self.seed = seed
    self.trials = trials
    self.maxBatchSize = maxBatchSize
    self.maxNegatives = maxNegatives
    self.itemCount = itemCount
    self.scoreScale = scoreScale
    self.step = step
    self.rtol = rtol
    self.atol = atol
    self.probe = probe
    self.permutationTolerance = permutationTolerance
  }

  /// Runs every check on `loss` and reports what failed.
  public func check(_ loss: any LossProtocol) -> ConformanceReport {
    var run = CheckRun(loss: loss, checker: self)
    run.checkRejections()
    var random = SplitMix64(seed: seed)
    for trial in 0..<trials {
      let batch = randomBatch(kind: loss.kind, using: &random)
      run.checkTrial(trial, batch: batch, using: &random)
    }
    return ConformanceReport(
      loss: loss.name, assertions: run.assertions, skippedCoordinates: run.skipped, failures: run.failures)
  }

  /// A random batch for a loss of the given kind, with item ids.
  public func randomBatch(kind: LossKind, using random: inout SplitMix64) -> LossBatch<Double> {
    let b = Int.random(in: 1...maxBatchSize, using: &random)
    let n = kind == .pairwise ? 1 : Int.random(in: 1...maxNegatives, using: &random)
    let positives = (0..<b).map { _ in scoreScale * random.nextGaussian() }
    let negatives = (0..<(n * b)).map { _ in scoreScale * random.nextGaussian() }
    let positiveItems = (0..<b).map { _ in Int.random(in: 0..<itemCount, using: &random) }
    let negativeItems = (0..<(n * b)).map { _ in Int.random(in: 0..<itemCount, using: &random) }
    return LossBatch(
      positiveScores: positives,
      negativeScores: try! ScoreMatrix(rows: n, columns: b, storage: negatives),
      positiveItems: positiveItems,
      negativeItems: try! ScoreMatrix(rows: n, columns: b, storage: negativeItems))
  }
}

/// The state of one ``LossConformanceChecker/check(_:)`` call.
private struct CheckRun {
  let loss: any LossProtocol
  let checker: LossConformanceChecker
  var assertions = 0
  var skipped = 0
  var failures: [ConformanceFailure] = []

  init(loss: any LossProtocol, checker: LossConformanceChecker) {
    self.loss = loss
    self.checker = checker
  }

  mutating func expect(_ condition: Bool, _ check: String, _ message: @autoclosure () -> String) {
    assertions += 1
    if !condition { failures.append(ConformanceFailure(loss: loss.name, check: check, message: message())) }
  }

  func evaluate(_ batch: LossBatch<Double>, gradients: Bool) -> Result<LossOutput<Double>, LossError> {
    guard checker.threads > 1 else {
      return Result { () throws(LossError) in try loss.evaluate(batch, computeGradients: gradients) }
    }
    // The fast path on several threads, splitting even the smallest batch.
    let workspace = LossWorkspace<Double>(threads: checker.threads, parallelThreshold: 0)
    return Result { () throws(LossError) in
      try loss.evaluate(batch, computeGradients: gradients, workspace: workspace)
    }
  }

  mutating func checkRejections() {
    let nan = LossBatch<Double>(
      positiveScores: [Double.nan, 1], negativeScores: [0.5, 0.25], positiveItems: [0, 0], negativeItems: [0, 0])
    if case .success = evaluate(nan, gradients: true) {
      expect(false, "rejects-nan", "a NaN positive score was accepted")
    } else {
      expect(true, "rejects-nan", "")
    }
    let empty = LossBatch<Double>(
      positiveScores: [], negativeScores: [Double](), positiveItems: [], negativeItems: [Int]())
    if case .success = evaluate(empty, gradients: true) {
      expect(false, "rejects-empty-batch", "an empty batch was accepted")
    } else {
      expect(true, "rejects-empty-batch", "")
    }
  }

  mutating func checkTrial(_ trial: Int, batch: LossBatch<Double>, using random: inout SplitMix64) {
    let (n, b) = (batch.negativeScores.rows, batch.negativeScores.columns)
    let output: LossOutput<Double>
    switch evaluate(batch, gradients: true) {
    case .success(let value): output = value
    case .failure(let error):
      expect(false, "evaluates", "trial \(trial) (B=\(b), N=\(n)) threw: \(error)")
      return
    }
    expect(output.value.isFinite, "finite-value", "trial \(trial): value \(output.value)")
    guard let gradients = output.gradients else {
      expect(false, "gradient-shape", "trial \(trial): no gradients returned though asked for")
      return
    }
    let shapeOK =
      gradients.positiveScores.count == b && gradients.negativeScores.rows == n
      && gradients.negativeScores.columns == b
    expect(
      shapeOK, "gradient-shape",
      "trial \(trial): gradients are \(gradients.positiveScores.count) and "
        + "\(gradients.negativeScores.rows) x \(gradients.negativeScores.columns), inputs \(b) and \(n) x \(b)")
    guard shapeOK else { return }
    checkUnusedNegatives(trial, batch, output.value, gradients)
    checkPermutation(trial, batch, output, gradients, using: &random)
    checkFiniteDifferences(trial, batch, gradients)
  }

  mutating func checkUnusedNegatives(
    _ trial: Int, _ batch: LossBatch<Double>, _ value: Double, _ gradients: LossGradients<Double>
  ) {
    for k in 0..<batch.negativeScores.rows {
      for j in 0..<batch.negativeScores.columns {
        var lowered = batch
        lowered.negativeScores[k, j] -= checker.probe
        guard case .success(let out) = evaluate(lowered, gradients: false), out.value == value else { continue }
        let g = gradients.negativeScores[k, j]
        // A gradient whose effect over the probe is below the value's rounding is no evidence either way.
        guard abs(g) * checker.probe > 16 * value.ulp else { continue }
        expect(
          g == 0, "unused-negative-gradient",
          "trial \(trial): negative [\(k)][\(j)] does not change the value but has gradient \(g)")
      }
    }
  }

  mutating func checkPermutation(
    _ trial: Int, _ batch: LossBatch<Double>, _ output: LossOutput<Double>,
    _ gradients: LossGradients<Double>, using random: inout SplitMix64
  ) {
    let (n, b) = (batch.negativeScores.rows, batch.negativeScores.columns)
    let order = Array(0..<b).shuffled(using: &random)
    func permuted<T>(_ m: ScoreMatrix<T>) -> ScoreMatrix<T> {
      var storage: [T] = []
      for k in 0..<n { for j in 0..<b { storage.append(m[k, order[j]]) } }
      return try! ScoreMatrix(rows: n, columns: b, storage: storage)
    }
    let shuffled = LossBatch(
      positiveScores: order.map { batch.positiveScores[$0] }, negativeScores: permuted(batch.negativeScores),
      positiveItems: batch.positiveItems.map { items in order.map { items[$0] } },
      negativeItems: batch.negativeItems.map(permuted),
      idealDifferences: batch.idealDifferences.map(permuted))
    guard case .success(let other) = evaluate(shuffled, gradients: true), let otherGradients = other.gradients
    else {
      expect(false, "column-permutation", "trial \(trial): the permuted batch was rejected")
      return
    }
    let scale = max(abs(output.value), Double.leastNormalMagnitude)
    expect(
      abs(other.value - output.value) <= checker.permutationTolerance * scale, "column-permutation",
      "trial \(trial): value \(output.value) became \(other.value) with columns permuted by \(order)")
    let largest = (gradients.positiveScores + gradients.negativeScores.storage).map(abs).max() ?? 0
    let tolerance = checker.permutationTolerance * max(largest, 1e-300)
    var worst = 0.0
    for j in 0..<b {
      worst = max(worst, abs(otherGradients.positiveScores[j] - gradients.positiveScores[order[j]]))
      for k in 0..<n {
        worst = max(worst, abs(otherGradients.negativeScores[k, j] - gradients.negativeScores[k, order[j]]))
      }
    }
    expect(
      worst <= tolerance, "column-permutation",
      "trial \(trial): gradients are not permuted with the columns (largest difference \(worst))")
  }

  mutating func checkFiniteDifferences(_ trial: Int, _ batch: LossBatch<Double>, _ gradients: LossGradients<Double>) {
    let h = checker.step
    let largest = (gradients.positiveScores + gradients.negativeScores.storage).map(abs).max() ?? 0
    let tolerance = checker.atol + checker.rtol * largest
    func value(_ change: (inout LossBatch<Double>) -> Void) -> Double? {
      var copy = batch
      change(&copy)
      guard case .success(let out) = evaluate(copy, gradients: false) else { return nil }
      return out.value
    }
    guard let center = value({ _ in }) else { return }
    func compare(_ label: String, _ analytic: Double, _ shift: (inout LossBatch<Double>, Double) -> Void) {
      guard let up = value({ shift(&$0, h) }), let down = value({ shift(&$0, -h) }) else {
        expect(false, "finite-difference", "trial \(trial): \(label) shifted by ±\(h) was rejected")
        return
      }
      let forward = (up - center) / h
      let backward = (center - down) / h
      // A kink or a jump between x − h and x + h: the one-sided slopes disagree; no derivative to compare.
      if abs(forward - backward) > 10 * tolerance + 1e-6 * max(abs(forward), abs(backward)) {
        skipped += 1
        return
      }
      let central = (up - down) / (2 * h)
      expect(
        abs(central - analytic) <= tolerance, "finite-difference",
        "trial \(trial): d loss / d \(label) is \(analytic), finite difference \(central) (tolerance \(tolerance))")
    }
    for j in 0..<batch.positiveScores.count {
      compare("positive_scores[\(j)]", gradients.positiveScores[j]) { $0.positiveScores[j] += $1 }
    }
    for k in 0..<batch.negativeScores.rows {
      for j in 0..<batch.negativeScores.columns {
        compare("negative_scores[\(k)][\(j)]", gradients.negativeScores[k, j]) { $0.negativeScores[k, j] += $1 }
      }
    }
  }
}
