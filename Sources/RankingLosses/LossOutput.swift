/// The derivatives of a loss with respect to every score of its batch, shaped like the inputs.
public struct LossGradients<Scalar: LossScalar>: Sendable, Equatable {
  /// `∂loss/∂positive_scores[j]`, one per positive (B).
  public var positiveScores: [Scalar]
  /// `∂loss/∂negative_scores[k][j]`, shaped like the negatives (N × B). Negatives that the loss does
  /// not use (not the column's maximum, not WARP's first violation) have exactly 0.
  public var negativeScores: ScoreMatrix<Scalar>

  /// Creates gradients from their parts.
  public init(positiveScores: [Scalar], negativeScores: ScoreMatrix<Scalar>) {
    self.positiveScores = positiveScores
    self.negativeScores = negativeScores
  }

  /// All-zero gradients for `rows × columns` negatives and `columns` positives.
  public static func zeros(rows: Int, columns: Int) -> Self {
    Self(
      positiveScores: Array(repeating: 0, count: columns),
      negativeScores: ScoreMatrix(repeating: 0, rows: rows, columns: columns))
  }
}

/// A remark about a computation that is valid but probably not what the caller meant.
///
/// Warnings never change a value. For example WARP with `num_items` smaller than the number of tries
/// weights a violation by `log(num_items / tries) < 0`, exactly as the reference does, and says so.
public struct LossWarning: Sendable, Hashable, CustomStringConvertible {
  /// The name of the loss that raised the warning.
  public var loss: String
  /// The readable message.
  public var message: String

  /// Creates a warning.
  public init(loss: String, message: String) {
    self.loss = loss
    self.message = message
  }

  /// `"<loss>: <message>"`.
  public var description: String { "\(loss): \(message)" }
}

/// What a loss returns: its value, the gradients when they were asked for, and any warnings.
public struct LossOutput<Scalar: LossScalar>: Sendable, Equatable {
  /// The loss value.
  public var value: Scalar
  /// The gradients with respect to every score, or `nil` when they were not asked for.
  public var gradients: LossGradients<Scalar>?
  /// Remarks about the input that did not change the value (see ``LossWarning``).
  public var warnings: [LossWarning]

  /// Creates an output.
  public init(value: Scalar, gradients: LossGradients<Scalar>? = nil, warnings: [LossWarning] = []) {
    self.value = value
    self.gradients = gradients
    self.warnings = warnings
  }
}
