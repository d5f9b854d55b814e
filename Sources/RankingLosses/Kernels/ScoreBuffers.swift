/// Read-only views of a batch for the fast path: the caller's memory, no copies.
///
/// Layout as in ``LossBatch``: `negativeScores` holds N rows × B columns, row by row; `idealDifferences`
/// and `negativeItems`, when given, have the same layout. The views must stay valid for the call.
public struct ScoreBuffers<Scalar: LossScalar> {
  /// B positive scores.
  public var positiveScores: UnsafeBufferPointer<Scalar>
  /// N × B negative scores, row by row.
  public var negativeScores: UnsafeBufferPointer<Scalar>
  /// N, the number of rows (negatives per positive).
  public var rows: Int
  /// N × B ideal differences, or `nil` for 1 everywhere.
  public var idealDifferences: UnsafeBufferPointer<Scalar>?
  /// B positive item ids, for partial credit.
  public var positiveItems: UnsafeBufferPointer<Int>?
  /// N × B negative item ids, for partial credit.
  public var negativeItems: UnsafeBufferPointer<Int>?
  /// Partial credit's margins computed on demand, for a loss that reads only the pair it picks per column
  /// (set by ``PartialCreditLoss`` for an ``AdaptiveLoss`` base; `idealDifferences` is then `nil`).
  var marginLookup: MarginLookup<Scalar>?

  /// Creates views of a batch.
  ///
  /// - Parameters:
  ///   - positiveScores: B scores.
  ///   - negativeScores: N × B scores, row by row.
  ///   - rows: N.
  ///   - idealDifferences: N × B margins, or `nil`.
  ///   - positiveItems: B ids, or `nil`.
  ///   - negativeItems: N × B ids, or `nil`.
  public init(
    positiveScores: UnsafeBufferPointer<Scalar>, negativeScores: UnsafeBufferPointer<Scalar>, rows: Int,
    idealDifferences: UnsafeBufferPointer<Scalar>? = nil, positiveItems: UnsafeBufferPointer<Int>? = nil,
    negativeItems: UnsafeBufferPointer<Int>? = nil
  ) {
    self.positiveScores = positiveScores
    self.negativeScores = negativeScores
    self.rows = rows
    self.idealDifferences = idealDifferences
    self.positiveItems = positiveItems
    self.negativeItems = negativeItems
  }

  /// B, the number of columns.
  public var columns: Int { positiveScores.count }

  /// Checks the shapes (B ≥ 1, N ≥ 1, every N × B view of N·B elements).
  ///
  /// Finiteness is checked by the kernels while they read, at no extra pass.
  ///
  /// - Throws: ``LossError/emptyBatch``, ``LossError/noNegatives`` or ``LossError/shapeMismatch(_:)``.
  public func validateShape() throws(LossError) {
    let b = columns
    guard b > 0 else { throw .emptyBatch }
    guard rows > 0 else { throw .noNegatives }
    let (pairs, overflow) = rows.multipliedReportingOverflow(by: b)
    guard !overflow, negativeScores.count == pairs else {
      throw .shapeMismatch(
        "negative_scores has \(negativeScores.count) values but \(rows) rows of \(b) positive scores need \(pairs)")
    }
    if let idealDifferences, idealDifferences.count != pairs {
      throw .shapeMismatch("ideal differences have \(idealDifferences.count) values, expected \(pairs)")
    }
    if let positiveItems, positiveItems.count != b {
      throw .shapeMismatch(
        "positive_items has \(counted(positiveItems.count, "id")) but there are \(b) positive scores")
    }
    if let negativeItems, negativeItems.count != pairs {
      throw .shapeMismatch("negative_items has \(negativeItems.count) ids, expected \(pairs)")
    }
  }

  /// The first non-finite score or margin, as the error the slow path would throw.
  func nonFiniteError() -> LossError? {
    if let j = positiveScores.firstIndex(where: { !$0.isFinite }) {
      return .nonFiniteValue(path: "positive_scores[\(j)]", value: Double(positiveScores[j]))
    }
    for (buffer, name) in [(negativeScores, "negative_scores"), (idealDifferences, "ideal_differences")] {
      guard let buffer, let index = buffer.firstIndex(where: { !$0.isFinite }) else { continue }
      return .nonFiniteValue(
        path: elementPath(name, index: index, rows: rows, columns: columns), value: Double(buffer[index]))
    }
    return nil
  }
}

/// Caller-owned gradient outputs for the fast path, overwritten entirely by every call.
public struct GradientBuffers<Scalar: LossScalar> {
  /// B values: `∂loss/∂positive_scores`.
  public var positiveScores: UnsafeMutableBufferPointer<Scalar>
  /// N × B values: `∂loss/∂negative_scores`, row by row.
  public var negativeScores: UnsafeMutableBufferPointer<Scalar>

  /// Creates output views.
  public init(positiveScores: UnsafeMutableBufferPointer<Scalar>, negativeScores: UnsafeMutableBufferPointer<Scalar>) {
    self.positiveScores = positiveScores
    self.negativeScores = negativeScores
  }

  func validate(against scores: ScoreBuffers<Scalar>) throws(LossError) {
    guard positiveScores.count == scores.columns, negativeScores.count == scores.negativeScores.count else {
      throw .shapeMismatch(
        "gradient buffers hold \(positiveScores.count) and \(negativeScores.count) values; the batch needs "
          + "\(scores.columns) and \(scores.negativeScores.count)")
    }
  }
}

/// What a fast-path call returns: the value and any warnings (gradients went to the caller's buffers).
public struct LossValue<Scalar: LossScalar>: Sendable, Equatable {
  /// The loss value.
  public var value: Scalar
  /// Remarks that did not change the value.
  public var warnings: [LossWarning]

  /// Creates a result.
  public init(value: Scalar, warnings: [LossWarning] = []) {
    self.value = value
    self.warnings = warnings
  }
}

/// Reusable scratch memory and the thread count of fast-path calls.
///
/// Keep one workspace per calling thread and pass it to every call: after the first call of a given size,
/// the fast path allocates nothing (partial credit's per-pair margins live here). Not safe to share between
/// threads that call at the same time.
public final class LossWorkspace<Scalar: LossScalar>: @unchecked Sendable {
  /// Threads a call may use (1 … 256); batches under ``parallelThreshold`` pairs use one.
  public var threads: Int
  /// Below this many pairs (N·B) a call runs on the calling thread alone: starting threads costs more.
  public var parallelThreshold: Int
  private var margins: UnsafeMutableBufferPointer<Scalar> = .init(start: nil, count: 0)

  /// Creates a workspace.
  ///
  /// - Parameters:
  ///   - threads: Threads per call; default every online core.
  ///   - parallelThreshold: Pairs below which calls stay single-threaded; default 32,768.
  public init(threads: Int = onlineProcessorCount(), parallelThreshold: Int = 32_768) {
    self.threads = max(1, min(256, threads))
    self.parallelThreshold = parallelThreshold
  }

  deinit { margins.deallocate() }

  /// The threads to use for `pairs` pairs.
  func threadCount(pairs: Int) -> Int {
    pairs < parallelThreshold ? 1 : threads
  }

  /// A buffer of at least `count` scalars for margins, grown (never shrunk) as needed.
  func marginBuffer(_ count: Int) -> UnsafeMutableBufferPointer<Scalar> {
    if margins.count < count {
      margins.deallocate()
      margins = .allocate(capacity: count)
    }
    return UnsafeMutableBufferPointer(rebasing: margins[0..<count])
  }
}

/// The ideal difference of one pair from the items' metadata: `table[pattern]`, where bit `f` of `pattern`
/// says whether field `f` gives the positive and the negative item the same code (see
/// ``PartialCreditLoss``). The views belong to the partial-credit call that made it; the ids are checked.
struct MarginLookup<Scalar: LossScalar> {
  let positiveItems: UnsafeBufferPointer<Int>
  let negativeItems: UnsafeBufferPointer<Int>
  /// Every field's code per item, field by field (`codes[f * itemCount + item]`).
  let codes: UnsafeBufferPointer<Int>
  let fieldCount: Int
  let itemCount: Int
  /// The margin (or, with margins given in the batch, the credit) per match pattern.
  let table: UnsafeBufferPointer<Scalar>

  /// Which fields match for the pair of column `j` whose negative is at `pair` (row × B + column).
  @inline(__always)
  func pattern(column j: Int, pair: Int) -> Int {
    let (positive, negative) = (positiveItems[j], negativeItems[pair])
    if fieldCount == 1 { return codes[positive] == codes[negative] ? 1 : 0 }  // the common case, no loop
    var pattern = 0
    for f in 0..<fieldCount where codes[f * itemCount + positive] == codes[f * itemCount + negative] {
      pattern |= 1 << f
    }
    return pattern
  }

  /// The margin of the pair of column `j` whose negative is at `pair`.
  @inline(__always)
  func margin(column j: Int, pair: Int) -> Scalar { table[pattern(column: j, pair: pair)] }
}
