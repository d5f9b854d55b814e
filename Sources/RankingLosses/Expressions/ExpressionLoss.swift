/// A pairwise loss whose term is a ``LossExpression`` over `d` and `m`: what a config's `custom_losses:`
/// declares.
///
/// ```swift
/// let squaredHinge = try ExpressionLoss(name: "squared_hinge", expression: "max(0, m - d)^2", reduction: .mean)
/// let adaptive = AdaptiveLoss(squaredHinge)   // adaptive_squared_hinge
/// ```
public struct ExpressionLoss: PairwiseLoss {
  /// The loss's name.
  public let name: String
  /// The term `l(d, m)`.
  public let expression: LossExpression
  /// How the terms are reduced.
  public let reduction: LossReduction

  /// Creates the loss from the text of its term.
  ///
  /// - Throws: ``LossExpressionError`` for an expression that does not parse.
  public init(name: String, expression: String, reduction: LossReduction) throws(LossExpressionError) {
    self.name = name
    self.expression = try LossExpression(expression)
    self.reduction = reduction
  }

  /// `l(d, m)` and `∂l/∂d` by forward-mode automatic differentiation.
  public func term<Scalar: LossScalar>(difference: Scalar, idealDifference: Scalar) -> PairTerm<Scalar> {
    expression.evaluate(difference: difference, idealDifference: idealDifference)
  }

  /// ``term(difference:idealDifference:)`` for `count` pairs, the expression's program run pair by pair on
  /// one value stack (the same numbers, without setting the stack up per pair).
  public func terms<Scalar: LossScalar>(
    differences: UnsafePointer<Scalar>, idealDifferences: UnsafePointer<Scalar>?, count: Int,
    values: UnsafeMutablePointer<Scalar>, derivatives: UnsafeMutablePointer<Scalar>
  ) {
    expression.evaluate(
      differences: differences, idealDifferences: idealDifferences, count: count, values: values,
      derivatives: derivatives)
  }
}
