/// How much a match on each metadata field is worth: field → weight, in a fixed order.
///
/// A pair whose positive and negative items share the category of field `f` earns credit `w_f`; the
/// ideal difference of the pair is `1 − Σ_f w_f·[code_f(pos) = code_f(neg)]`. With
/// `["genre": 0.3, "director": 0.2]` a different item with the same genre and director is a 50 % match
/// (ideal difference 0.5), one with only the same genre a 30 % match (0.7).
///
/// The order matters only for the sum check, which adds the weights in the order given in float64 —
/// as the seed's `sum(metadata_weights.values())` does — and rejects a sum above 1.
public struct MetadataWeights: Sendable, Equatable, ExpressibleByDictionaryLiteral {
  /// One field's weight.
  public struct Entry: Sendable, Equatable {
    /// The metadata field.
    public var field: String
    /// The credit for a match on it, `≥ 0`.
    public var weight: Double

    /// Creates an entry.
    public init(field: String, weight: Double) {
      self.field = field
      self.weight = weight
    }
  }

  /// The weights, in the order given.
  public var entries: [Entry]

  /// Creates weights from entries in a given order. Checked by ``PartialCreditLoss`` against the metadata.
  public init(_ entries: [Entry]) {
    self.entries = entries
  }

  /// Creates weights from a literal, keeping its order: `["genre": 0.25]`.
  public init(dictionaryLiteral elements: (String, Double)...) {
    self.entries = elements.map { Entry(field: $0.0, weight: $0.1) }
  }

  /// The most fields partial credit can weigh (its kernel keeps one precomputed credit per match pattern,
  /// 2^16 at most).
  public static let maximumFields = 16

  /// `Σ_f w_f`, added in order in float64.
  public var sum: Double {
    entries.reduce(0) { $0 + $1.weight }
  }

  /// Checks the weights against item metadata.
  ///
  /// In this order: at least one weight and at most ``maximumFields``; every weight finite and `≥ 0`; no field twice; the float64 sum
  /// in the given order at most 1 (exactly 1 is allowed); every field present in `metadata`.
  ///
  /// - Throws: ``LossError/noWeights``, ``LossError/invalidWeight(field:weight:)``,
  ///   ``LossError/duplicateWeight(field:)``, ``LossError/weightSumAboveOne(_:)`` or
  ///   ``LossError/unknownMetadataField(field:available:)``.
  public func validate(against metadata: ItemMetadata) throws(LossError) {
    try validate(fieldNames: metadata.fieldNames)
  }

  /// Checks the weights against the names of the metadata fields, before any metadata is loaded (a config
  /// checks its `partial_credit:` against the fields it declares).
  ///
  /// The same checks, in the same order, as ``validate(against:)``.
  ///
  /// - Parameter fieldNames: The fields the metadata has or will have, in order.
  /// - Throws: as ``validate(against:)``.
  public func validate(fieldNames: [String]) throws(LossError) {
    guard !entries.isEmpty else { throw .noWeights }
    guard entries.count <= Self.maximumFields else { throw .tooManyWeightedFields(entries.count) }
    var seen: Set<String> = []
    for entry in entries {
      guard entry.weight.isFinite, entry.weight >= 0 else {
        throw .invalidWeight(field: entry.field, weight: entry.weight)
      }
      guard seen.insert(entry.field).inserted else { throw .duplicateWeight(field: entry.field) }
    }
    let total = sum
    guard total <= 1 else { throw .weightSumAboveOne(total) }
    for entry in entries where !fieldNames.contains(entry.field) {
      throw .unknownMetadataField(field: entry.field, available: fieldNames)
    }
  }
}
