/// Whether a loss compares each positive with one negative or with many.
public enum LossKind: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
  /// One negative per positive (N = 1): `bpr`, `hinge`, `log_sigmoid_bpr`.
  case pairwise
  /// Many negatives per positive (N ≥ 1): `adaptive_*`, `warp`.
  case adaptive

  /// `"pairwise"` or `"adaptive"`.
  public var description: String { rawValue }
}

/// The protocol every loss conforms to: built-in, decorated or custom.
///
/// A loss maps a ``LossBatch`` — B positive scores, N × B negative scores, optional per-pair ideal
/// differences — to a scalar value and, when asked, its gradients with respect to every score.
///
/// The method is generic over the scalar type, so one loss value computes in `Float` or `Double`:
///
/// ```swift
/// let loss = BPRLoss()
/// let batch = LossBatch<Double>(positiveScores: [3.0], negativeScores: [1.5])
/// let output = try loss.evaluate(batch, computeGradients: true)
/// output.value                          // 0.2157…
/// output.gradients!.positiveScores      // [-0.2035…]
/// ```
///
/// Conformers must not trap on user input: call ``LossBatch/validate()`` (or check what they need) and
/// throw a ``LossError``. A pairwise loss usually conforms to ``PairwiseLoss`` instead, which needs only
/// the per-pair term and gets ``evaluate(_:computeGradients:)``, the adaptive variant
/// (``AdaptiveLoss``) and partial credit (``PartialCreditLoss``) for free.
public protocol LossProtocol: Sendable {
  /// The loss's registered name, e.g. `bpr` or `adaptive_hinge`.
  var name: String { get }
  /// Whether the loss takes one negative per positive or many.
  var kind: LossKind { get }

  /// Computes the loss of a batch and, when asked, its gradients.
  ///
  /// - Parameters:
  ///   - batch: The scores (and, for partial credit, item ids and ideal differences).
  ///   - computeGradients: Whether to compute `∂loss/∂score` for every positive and negative score.
  /// - Returns: The value, the gradients (shaped like the inputs) when asked, and any warnings.
  /// - Throws: ``LossError`` when the batch is empty, has non-finite values or shapes that don't fit.
  func evaluate<Scalar: LossScalar>(
    _ batch: LossBatch<Scalar>, computeGradients: Bool
  ) throws(LossError) -> LossOutput<Scalar>

  /// The fast path: computes the loss of the caller's buffers and writes the gradients into the caller's
  /// buffers, allocating nothing once `workspace` has grown to the batch's size.
  ///
  /// The built-in losses run fused single-pass kernels here (eight columns at a time, column chunks on
  /// `workspace.threads` threads for large batches). The default implementation, which custom losses get,
  /// copies the buffers into a ``LossBatch`` and calls ``evaluate(_:computeGradients:)``.
  ///
  /// - Parameters:
  ///   - scores: Views of the scores (and margins and item ids).
  ///   - gradients: Where to write `∂loss/∂score`, entirely overwritten; `nil` for the value only. When a
  ///     call throws, their contents are unspecified.
  ///   - workspace: Scratch memory and the thread count; reuse it across calls.
  /// - Returns: The value and any warnings.
  /// - Throws: ``LossError`` as ``evaluate(_:computeGradients:)`` does.
  func evaluate<Scalar: LossScalar>(
    _ scores: ScoreBuffers<Scalar>, gradients: GradientBuffers<Scalar>?, workspace: LossWorkspace<Scalar>
  ) throws(LossError) -> LossValue<Scalar>
}

extension LossProtocol {
  /// Copies the buffers into a ``LossBatch``, evaluates it, and copies the gradients out.
  public func evaluate<Scalar: LossScalar>(
    _ scores: ScoreBuffers<Scalar>, gradients: GradientBuffers<Scalar>?, workspace: LossWorkspace<Scalar>
  ) throws(LossError) -> LossValue<Scalar> {
    try scores.validateShape()
    try gradients?.validate(against: scores)
    let b = scores.columns
    let batch = LossBatch(
      positiveScores: Array(scores.positiveScores),
      negativeScores: try ScoreMatrix(rows: scores.rows, columns: b, storage: Array(scores.negativeScores)),
      positiveItems: scores.positiveItems.map(Array.init),
      negativeItems: try scores.negativeItems.map { items throws(LossError) in
        try ScoreMatrix(rows: scores.rows, columns: b, storage: Array(items))
      },
      idealDifferences: try scores.idealDifferences.map { ideal throws(LossError) in
        try ScoreMatrix(rows: scores.rows, columns: b, storage: Array(ideal))
      })
    let output = try evaluate(batch, computeGradients: gradients != nil)
    if let gradients, let computed = output.gradients {
      _ = gradients.positiveScores.update(fromContentsOf: computed.positiveScores)
      _ = gradients.negativeScores.update(fromContentsOf: computed.negativeScores.storage)
    }
    return LossValue(value: output.value, warnings: output.warnings)
  }
}

extension LossProtocol {
  /// Computes the loss of a batch through the fast path with a given workspace (and so its thread count),
  /// allocating the gradient arrays.
  ///
  /// - Throws: ``LossError`` as ``evaluate(_:computeGradients:)`` does.
  public func evaluate<Scalar: LossScalar>(
    _ batch: LossBatch<Scalar>, computeGradients: Bool, workspace: LossWorkspace<Scalar>
  ) throws(LossError) -> LossOutput<Scalar> {
    try evaluateThroughBuffers(self, batch, computeGradients: computeGradients, workspace: workspace)
  }
}

/// Evaluates a batch through a loss's fast path: shape checks, gradient arrays when asked, and views of the
/// batch's arrays handed to ``LossProtocol/evaluate(_:gradients:workspace:)``.
func evaluateThroughBuffers<Loss: LossProtocol, Scalar: LossScalar>(
  _ loss: Loss, _ batch: LossBatch<Scalar>, computeGradients: Bool, workspace: LossWorkspace<Scalar>? = nil
) throws(LossError) -> LossOutput<Scalar> {
  try batch.validateShape()
  let workspace = workspace ?? LossWorkspace()
  let (rows, b) = (batch.negativeScores.rows, batch.batchSize)
  var positiveGradient = computeGradients ? [Scalar](repeating: 0, count: b) : []
  var negativeGradient = computeGradients ? [Scalar](repeating: 0, count: rows * b) : []
  let result: Result<LossValue<Scalar>, LossError> = batch.positiveScores.withUnsafeBufferPointer { positives in
    batch.negativeScores.storage.withUnsafeBufferPointer { negatives in
      withOptionalBuffer(batch.idealDifferences?.storage) { ideal in
        withOptionalBuffer(batch.positiveItems) { positiveItems in
          withOptionalBuffer(batch.negativeItems?.storage) { negativeItems in
            positiveGradient.withUnsafeMutableBufferPointer { gp in
              negativeGradient.withUnsafeMutableBufferPointer { gn in
                let scores = ScoreBuffers(
                  positiveScores: positives, negativeScores: negatives, rows: rows, idealDifferences: ideal,
                  positiveItems: positiveItems, negativeItems: negativeItems)
                let gradients = computeGradients ? GradientBuffers(positiveScores: gp, negativeScores: gn) : nil
                return Result { () throws(LossError) in
                  try loss.evaluate(scores, gradients: gradients, workspace: workspace)
                }
              }
            }
          }
        }
      }
    }
  }
  let value = try result.get()
  let gradients =
    computeGradients
    ? LossGradients(
      positiveScores: positiveGradient,
      negativeScores: try ScoreMatrix(rows: rows, columns: b, storage: negativeGradient)) : nil
  return LossOutput(value: value.value, gradients: gradients, warnings: value.warnings)
}

/// Calls `body` with a view of `array`, or `nil`.
func withOptionalBuffer<T, R>(_ array: [T]?, _ body: (UnsafeBufferPointer<T>?) -> R) -> R {
  guard let array else { return body(nil) }
  return array.withUnsafeBufferPointer { body($0) }
}

extension LossProtocol {
  /// Computes only the value of the loss of a batch.
  ///
  /// - Throws: ``LossError`` for input the loss cannot take.
  public func value<Scalar: LossScalar>(of batch: LossBatch<Scalar>) throws(LossError) -> Scalar {
    try evaluate(batch, computeGradients: false).value
  }
}
