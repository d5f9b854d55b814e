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
  private let weightedFields: [(codes: [Int], weight: Double)]

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
    self.weightedFields = weights.entries.compactMap { entry in
      metadata.field(named: entry.field).map { ($0.codes, entry.weight) }
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
    // A decorator over another decorator reads its margins from this same buffer: each element is read
    // before it is written, at the same index, so the update in place is exact.
    let margins = workspace.marginBuffer(rows * b)
    // The credit depends only on which fields match: one entry per match pattern (2^F), summed in Double in
    // the weights' order and rounded once, exactly as a per-pair sum would be.
    let fieldCount = weightedFields.count
    let credits = (0..<(1 << fieldCount)).map { pattern in
      var credit = 0.0
      for (f, field) in weightedFields.enumerated() where pattern & (1 << f) != 0 { credit += field.weight }
      return credit
    }
    let given = scores.idealDifferences
    let table = credits.map { given == nil ? Scalar(1 - $0) : Scalar($0) }
    func outOfRange() -> LossError {
      let index = negativeItems.firstIndex(where: { $0 < 0 || $0 >= itemCount }) ?? 0
      let (k, j) = index.quotientAndRemainder(dividingBy: b)
      let path = rows == 1 ? "negative_items[\(j)]" : "negative_items[\(k)][\(j)]"
      return .itemOutOfRange(path: path, id: negativeItems[index], itemCount: itemCount)
    }
    if given == nil, computesPickedMarginsOnly {
      // An adaptive base reads one margin per column: check every id here, and let the base compute the
      // margins of the pairs it picks (the same table entries the full pass would write).
      let ids = UnsafeSendable(negativeItems.baseAddress!)
      let checked = forEachChunk(columns: b, threads: workspace.threadCount(pairs: rows * b)) { range in
        var sums = ChunkSums()
        for k in 0..<rows {
          let row = ids.value + k * b
          for j in range where UInt(bitPattern: row[j]) >= UInt(itemCount) { sums.nonFinite = true }
        }
        return sums
      }
      if checked.nonFinite { throw outOfRange() }
      let result = table.withUnsafeBufferPointer { table in
        withFieldCodes(weightedFields.map(\.codes)) { codes -> Result<LossValue<Scalar>, LossError> in
          var credited = scores
          credited.marginLookup = MarginLookup(
            positiveItems: positiveItems, negativeItems: negativeItems, codes: codes, table: table)
          do throws(LossError) {
            return .success(try base.evaluate(credited, gradients: gradients, workspace: workspace))
          } catch {
            return .failure(error)
          }
        }
      }
      return try result.get()
    }
    let outcome = table.withUnsafeBufferPointer { table in
      withFieldCodes(weightedFields.map(\.codes)) { codes in
        let shared = UnsafeSendable((margins, positiveItems, negativeItems, codes, table))
        return forEachChunk(columns: b, threads: workspace.threadCount(pairs: rows * b)) { range in
          let (margins, positiveItems, negativeItems, codes, table) = shared.value
          var sums = ChunkSums()
          if fieldCount == 1, given == nil {
            // One field, no given margins: a two-way choice per pair.
            let (field, hit, miss) = (codes[0], table[1], table[0])
            for k in 0..<rows {
              let offset = k * b
              for j in range {
                let negative = negativeItems[offset + j]
                if negative < 0 || negative >= itemCount {
                  sums.nonFinite = true
                  margins[offset + j] = 1
                } else {
                  margins[offset + j] = field[positiveItems[j]] == field[negative] ? hit : miss
                }
              }
            }
            return sums
          }
          for k in 0..<rows {
            let offset = k * b
            for j in range {
              let negative = negativeItems[offset + j]
              guard negative >= 0, negative < itemCount else {
                sums.nonFinite = true  // an id out of range: reported below, with its place
                margins[offset + j] = 1
                continue
              }
              let positive = positiveItems[j]
              var pattern = 0
              for f in 0..<fieldCount where codes[f][positive] == codes[f][negative] { pattern |= 1 << f }
              margins[offset + j] = given.map { $0[offset + j] - table[pattern] } ?? table[pattern]
            }
          }
          return sums
        }
      }
    }
    if outcome.nonFinite { throw outOfRange() }
    var credited = scores
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

/// Calls `body` with a pointer to each field's codes.
private func withFieldCodes<R>(_ fields: [[Int]], _ body: ([UnsafeBufferPointer<Int>]) -> R) -> R {
  var pointers: [UnsafeBufferPointer<Int>] = []
  func nest(_ index: Int) -> R {
    guard index < fields.count else { return body(pointers) }
    return fields[index].withUnsafeBufferPointer { buffer in
      pointers.append(buffer)
      return nest(index + 1)
    }
  }
  return nest(0)
}
