/// Categorical item metadata: for each field (genre, director, …) one integer category code per item id.
///
/// Codes are arbitrary integers; only equality matters. Every field covers the same items, ids
/// `0..<itemCount`.
///
/// ```swift
/// // Star Wars (0), Star Trek (1), Legally Blonde (2): sci-fi is 0, comedy is 1.
/// let metadata = try ItemMetadata(["genre": [0, 0, 1]])
/// ```
public struct ItemMetadata: Sendable, Equatable {
  /// One metadata field: its name and a category code per item id.
  public struct Field: Sendable, Equatable {
    /// The field's name, e.g. `genre`.
    public var name: String
    /// `codes[item]` is the category of `item`.
    public var codes: [Int]

    /// Creates a field.
    public init(name: String, codes: [Int]) {
      self.name = name
      self.codes = codes
    }
  }

  /// The fields, in the order given.
  public let fields: [Field]
  /// The number of items every field covers.
  public let itemCount: Int

  /// Creates metadata from fields in a given order.
  ///
  /// - Parameter fields: At least one field; all of the same length, at least 1.
  /// - Throws: ``LossError/missingMetadata`` for no fields or no items,
  ///   ``LossError/metadataLengthMismatch(field:count:expected:firstField:)`` for fields of different
  ///   lengths, ``LossError/shapeMismatch(_:)`` for a field named twice.
  public init(fields: [Field]) throws(LossError) {
    guard let first = fields.first, !first.codes.isEmpty else { throw .missingMetadata }
    var seen: Set<String> = []
    for field in fields {
      guard seen.insert(field.name).inserted else {
        throw .shapeMismatch("metadata field '\(field.name)' is given twice")
      }
      guard field.codes.count == first.codes.count else {
        throw .metadataLengthMismatch(
          field: field.name, count: field.codes.count, expected: first.codes.count, firstField: first.name)
      }
    }
    self.fields = fields
    self.itemCount = first.codes.count
  }

  /// Creates metadata from a literal, keeping the literal's order: `["genre": [0, 0, 1]]`.
  ///
  /// - Throws: as ``init(fields:)``.
  public init(_ fields: KeyValuePairs<String, [Int]>) throws(LossError) {
    try self.init(fields: fields.map { Field(name: $0.key, codes: $0.value) })
  }

  /// The field named `name`, or `nil`.
  public func field(named name: String) -> Field? {
    fields.first { $0.name == name }
  }

  /// The names of the fields, in order.
  public var fieldNames: [String] { fields.map(\.name) }
}
