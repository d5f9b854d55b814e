/// The seed notebook's WARP loss (Collie's `warp`): each positive is charged for its first violating
/// negative, weighted by how quickly that violation was found.
///
/// For column `j` with positive `p_j`, negatives `n_kj` (k = 0 … N−1) and ideal differences `m_kj`
/// (1 without partial credit):
///
/// ```
/// h_kj  = (m_kj − p_j) + n_kj                     (a hinge, in the reference's order of operations)
/// k*_j  = the first k with h_kj > 0 (strictly)    tries_j = k*_j + 1
/// w_j   = log(num_items / tries_j)                (no floor, no "− 1")
/// L_j   = w_j · h_{k*_j, j},  or 0 if no k has h_kj > 0
/// loss  = (Σ_j L_j + Σ_j L_j²) / B
/// ∂loss/∂n_{k*_j, j} = w_j (1 + 2 L_j) / B = −∂loss/∂p_j
/// ```
///
/// Every other negative gets gradient exactly 0, and so does a column without a violation.
///
/// **Quirks kept from the reference:** a hinge exactly 0 is not a violation; a violation at the last
/// row (`tries = N`) counts; the weight has no floor, so it is 0 when `tries = num_items` and negative when
/// `tries > num_items`. That last case gets a ``LossWarning`` but the value is not changed.
///
/// Reference: Weston, Bengio & Usunier, "WSABIE: Scaling Up To Large Vocabulary Image Annotation",
/// IJCAI 2011; the seed notebook's `warp_loss` (which replaces WSABIE's `⌊(num_items − 1)/tries⌋`).
public struct WARPLoss: LossProtocol {
  /// The catalog size used in the weight `log(num_items / tries)`; at least 1.
  public let numItems: Int

  /// The parameters the registry declares for `warp`.
  public static let parameters: [LossParameterSpec] = [
    LossParameterSpec(
      name: "num_items", type: .integer, defaultValue: nil, minimum: 1,
      doc: "catalog size in the weight log(num_items / tries); the number of items a positive competes with")
  ]

  /// Creates the loss for a catalog of `numItems` items.
  ///
  /// - Parameter numItems: The catalog size, `≥ 1`.
  /// - Throws: ``LossError/invalidParameter(loss:parameter:message:)`` when `numItems < 1`.
  public init(numItems: Int) throws(LossError) {
    guard numItems >= 1 else {
      throw .invalidParameter(loss: "warp", parameter: "num_items", message: "must be >= 1, got \(numItems)")
    }
    self.numItems = numItems
  }

  /// `"warp"`.
  public var name: String { "warp" }

  /// ``LossKind/adaptive``.
  public var kind: LossKind { .adaptive }

  /// Computes WARP over the batch (through the fused kernel).
  ///
  /// - Throws: whatever ``LossBatch/validate()`` throws.
  public func evaluate<Scalar: LossScalar>(
    _ batch: LossBatch<Scalar>, computeGradients: Bool
  ) throws(LossError) -> LossOutput<Scalar> {
    try evaluateThroughBuffers(self, batch, computeGradients: computeGradients)
  }

  /// The fused WARP kernel: per tile of columns, one pass down the rows finds each column's first strict
  /// violation, eight columns at a time; weights `log(num_items / t)` computed once per call.
  public func evaluate<Scalar: LossScalar>(
    _ scores: ScoreBuffers<Scalar>, gradients: GradientBuffers<Scalar>?, workspace: LossWorkspace<Scalar>
  ) throws(LossError) -> LossValue<Scalar> {
    try warpKernel(numItems: numItems, scores, gradients: gradients, workspace: workspace)
  }

  /// The warning for columns whose first violation came after more than `num_items` tries.
  static func negativeWeightWarning(numItems: Int, largestTries: Int, columns: Int, of b: Int) -> LossWarning {
    LossWarning(
      loss: "warp",
      message:
        "num_items (\(numItems)) is smaller than the number of tries (up to \(largestTries)) in "
        + "\(columns) of \(b) columns, so log(num_items / tries) < 0 weights those "
        + "violations negatively; num_items should be the catalog size")
  }
}
