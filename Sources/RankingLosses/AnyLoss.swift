/// A type-erased loss: wraps `any LossProtocol` in a concrete type, so that generic decorators and
/// combinators apply to losses built by the registry.
///
/// ```swift
/// let warp = try LossRegistry.standard.makeLoss("warp", parameters: ["num_items": .integer(100)])
/// let credited = try AnyLoss(warp).withPartialCredit(metadata: metadata, weights: ["genre": 0.25])
/// ```
public struct AnyLoss: LossProtocol {
  /// The wrapped loss.
  public let base: any LossProtocol

  /// Wraps a loss. Wrapping an `AnyLoss` again unwraps it first.
  public init(_ base: any LossProtocol) {
    self.base = (base as? AnyLoss)?.base ?? base
  }

  /// The wrapped loss's name.
  public var name: String { base.name }
  /// The wrapped loss's kind.
  public var kind: LossKind { base.kind }

  /// Evaluates the wrapped loss.
  @_specialize(where Scalar == Float)
  @_specialize(where Scalar == Double)
  public func evaluate<Scalar: LossScalar>(
    _ batch: LossBatch<Scalar>, computeGradients: Bool
  ) throws(LossError) -> LossOutput<Scalar> {
    try base.evaluate(batch, computeGradients: computeGradients)
  }

  /// The wrapped loss's fast path.
  @_specialize(where Scalar == Float)
  @_specialize(where Scalar == Double)
  public func evaluate<Scalar: LossScalar>(
    _ scores: ScoreBuffers<Scalar>, gradients: GradientBuffers<Scalar>?, workspace: LossWorkspace<Scalar>
  ) throws(LossError) -> LossValue<Scalar> {
    try base.evaluate(scores, gradients: gradients, workspace: workspace)
  }
}
