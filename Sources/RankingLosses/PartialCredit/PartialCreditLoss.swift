/// A decorator that gives any loss *partial credit* from item metadata.
///
/// For every pair of positive item `i_j` and negative item `i_kj` it computes the ideal difference
///
/// ```
/// m_kj = m⁰_kj − Σ_f w_f · [code_f(i_j) = code_f(i_kj)]
/// ```
///
/// where `m⁰` is the batch's own ideal difference (1 when it has none), and hands the batch with those
/// margins to the wrapped loss. A negative that shares the positive's genre then needs a smaller score
/// gap to cost nothing — it is "partly right". The same item as positive and negative matches on every
/// field and gets `1 − Σ_f w_f`.
///
/// Adaptive losses use the margin of the negative they pick per column (``AdaptiveLoss``); WARP uses
/// the margin of every negative it scans — as the seed does.
///
/// ```swift
/// let metadata = try ItemMetadata(["genre": [0, 0, 1]])
/// let loss = try BPRLoss().withPartialCredit(metadata: metadata, weights: ["genre": 0.25])
/// let batch = LossBatch<Double>(positiveScores: [1], negativeScores: [3], positiveItems: [0], negativeItems: [1])
/// try loss.value(of: batch)   // 1.0287…  (ideal difference 0.75: same genre)
/// ```
///
/// Unlike the seed, missing metadata and weights naming fields the metadata lacks are errors, not
/// silent no-ops. Credits are summed in `Double` and rounded once to the scalar type.
public struct PartialCreditLoss<Base: LossProtocol>: LossProtocol {
  /// The decorated loss.
  public let base: Base
  /// The item metadata.
  public let metadata: ItemMetadata
  /// The weights, checked against ``metadata``.
  public let weights: MetadataWeights
  /// The weighted fields' codes, field by field (`codes[f * itemCount + item]`), in the weights' order.
  private let codes: [Int]
  /// The credit of each match pattern (bit `f` set: field `f` matches), summed in `Double` in the
  /// weights' order, exactly as a per-pair sum would be.
  private let credits: [Double]

  /// Decorates a loss with partial credit.
  ///
  /// - Parameters:
  ///   - base: Any loss.
  ///   - metadata: The item metadata; `nil` is an error.
  ///   - weights: Field → weight; checked by ``MetadataWeights/validate(against:)``.
  /// - Throws: ``LossError/missingMetadata`` or any error of ``MetadataWeights/validate(against:)``.
  public init(_ base: Base, metadata: ItemMetadata?, weights: MetadataWeights) throws(LossError) {
    guard let metadata else { throw .missingMetadata }
    try weights.validate(against: metadata)
    self.base = base
    self.metadata = metadata
    self.weights = weights
    let fields = weights.entries.compactMap { entry in
      metadata.field(named: entry.field).map { ($0.codes, entry.weight) }
    }
    self.codes = fields.flatMap(\.0)
    self.credits = (0..<(1 << fields.count)).map { pattern in
      var credit = 0.0
      for (f, field) in fields.enumerated() where pattern & (1 << f) != 0 { credit += field.1 }
      return credit
    }
  }

  /// Whether the fast path computes only the margins of the negatives the base picks — one per column,
  /// for an ``AdaptiveLoss`` base (directly or in an ``AnyLoss``) — rather than writing all N × B, when
  /// the batch has no ideal differences of its own.
  public var computesPickedMarginsOnly: Bool {
    ((base as? AnyLoss)?.base ?? base) is any PicksOneNegativePerColumn
  }

  /// The base loss's name.
  public var name: String { base.name }
  /// The base loss's kind.
  public var kind: LossKind { base.kind }

  /// Computes the ideal difference of every pair from the items' metadata and evaluates the base loss.
  ///
  /// - Throws: ``LossError/missingItems(missing:)`` when the batch has no item ids,
  ///   ``LossError/itemOutOfRange(path:id:itemCount:)`` for an id outside `0..<itemCount`, and whatever
  ///   ``LossBatch/validate()`` or the base loss throws.
  public func evaluate<Scalar: LossScalar>(
    _ batch: LossBatch<Scalar>, computeGradients: Bool
  ) throws(LossError) -> LossOutput<Scalar> {
    try evaluateThroughBuffers(self, batch, computeGradients: computeGradients)
  }

  /// Writes every pair's margin into the workspace in one pass (checking the item ids), then runs the base
  /// loss's fast path with those margins. An ``AdaptiveLoss`` base (directly or in an ``AnyLoss``) without
  /// margins of its own skips the write: the ids are checked in one pass and the kernel computes the
  /// margin of the one pair it picks per column, the same value from the same table.
  @_specialize(where Base == AnyLoss, Scalar == Float)
  @_specialize(where Base == AnyLoss, Scalar == Double)
  public func evaluate<Scalar: LossScalar>(
    _ scores: ScoreBuffers<Scalar>, gradients: GradientBuffers<Scalar>?, workspace: LossWorkspace<Scalar>
  ) throws(LossError) -> LossValue<Scalar> {
    try scores.validateShape()
    guard let positiveItems = scores.positiveItems else { throw .missingItems(missing: "positive_items") }
    guard let negativeItems = scores.negativeItems else { throw .missingItems(missing: "negative_items") }
    let (rows, b) = (scores.rows, scores.columns)
    let itemCount = metadata.itemCount
    if let j = positiveItems.firstIndex(where: { $0 < 0 || $0 >= itemCount }) {
      throw .itemOutOfRange(path: "positive_items[\(j)]", id: positiveItems[j], itemCount: itemCount)
    }
    let given = scores.idealDifferences
    // The table of margins (no given margins) or credits per match pattern, on the stack.
    let result = withUnsafeTemporaryAllocation(of: Scalar.self, capacity: credits.count) { table in
      for (pattern, credit) in credits.enumerated() {
        table[pattern] = given == nil ? Scalar(1 - credit) : Scalar(credit)
      }
      return codes.withUnsafeBufferPointer { codes -> Result<LossValue<Scalar>?, LossError> in
        let lookup = MarginLookup(
          positiveItems: positiveItems, negativeItems: negativeItems, codes: codes,
          fieldCount: credits.count.trailingZeroBitCount, itemCount: itemCount, table: UnsafeBufferPointer(table))
        do throws(LossError) {
          return .success(try credit(scores, lookup: lookup, gradients: gradients, workspace: workspace))
        } catch {
          return .failure(error)
        }
      }
    }
    if let value = try result.get() { return value }
    let index = negativeItems.firstIndex(where: { $0 < 0 || $0 >= itemCount }) ?? 0
    throw .itemOutOfRange(
      path: elementPath("negative_items", index: index, rows: rows, columns: b), id: negativeItems[index],
      itemCount: itemCount)
  }

  /// Checks the negative ids and evaluates the base with partial credit's margins: all N × B written to the
  /// workspace, or, for a base that picks one negative per column (and a batch without margins of its own),
  /// looked up by the base's kernel for the picked pairs only. `nil` when a negative id is out of range
  /// (the caller finds and names it).
  private func credit<Scalar: LossScalar>(
    _ scores: ScoreBuffers<Scalar>, lookup: MarginLookup<Scalar>, gradients: GradientBuffers<Scalar>?,
    workspace: LossWorkspace<Scalar>
  ) throws(LossError) -> LossValue<Scalar>? {
    let (rows, b, itemCount) = (scores.rows, scores.columns, lookup.itemCount)
    let given = scores.idealDifferences
    let threads = workspace.threadCount(pairs: rows * b)
    var credited = scores
    if given == nil, computesPickedMarginsOnly {
      let ids = UnsafeSendable(lookup.negativeItems.baseAddress!)
      let checked = forEachChunk(columns: b, threads: threads) { range in
        var sums = ChunkSums()
        for k in 0..<rows {
          let row = ids.value + k * b
          for j in range where UInt(bitPattern: row[j]) >= UInt(itemCount) { sums.nonFinite = true }
        }
        return sums
      }
      if checked.nonFinite { return nil }
      credited.marginLookup = lookup
      return try base.evaluate(credited, gradients: gradients, workspace: workspace)
    }
    // A decorator over another decorator reads its margins from this same buffer: each element is read
    // before it is written, at the same index, so the update in place is exact.
    let margins = workspace.marginBuffer(rows * b)
    let shared = UnsafeSendable((margins, lookup, given))
    let outcome = forEachChunk(columns: b, threads: threads) { range in
      let (margins, lookup, given) = shared.value
      var sums = ChunkSums()
      for k in 0..<rows {
        let offset = k * b
        for j in range {
          guard UInt(bitPattern: lookup.negativeItems[offset + j]) < UInt(itemCount) else {
            sums.nonFinite = true  // an id out of range: reported by the caller, with its place
            margins[offset + j] = 1
            continue
          }
          let entry = lookup.table[lookup.pattern(column: j, pair: offset + j)]
          // The margin itself, or the credit taken from the batch's own margin.
          if let given { margins[offset + j] = given[offset + j] - entry } else { margins[offset + j] = entry }
        }
      }
      return sums
    }
    if outcome.nonFinite { return nil }
    credited.idealDifferences = UnsafeBufferPointer(margins)
    return try base.evaluate(credited, gradients: gradients, workspace: workspace)
  }
}

extension LossProtocol {
  /// Returns this loss with partial credit from item metadata (see ``PartialCreditLoss``).
  ///
  /// - Parameters:
  ///   - metadata: The item metadata; `nil` is an error.
  ///   - weights: Field → weight, at least one, each `≥ 0`, summing to at most 1.
  /// - Throws: as ``PartialCreditLoss/init(_:metadata:weights:)``.
  public func withPartialCredit(
    metadata: ItemMetadata?, weights: MetadataWeights
  ) throws(LossError) -> PartialCreditLoss<Self> {
    try PartialCreditLoss(self, metadata: metadata, weights: weights)
  }
}
