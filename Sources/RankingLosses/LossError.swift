/// Everything that can be wrong with the input of a loss, a partial-credit setup or a registry request.
///
/// Each case carries what is needed to say *where* and *what*; ``description`` is the readable message.
/// Losses never trap on bad input: they throw one of these.
///
/// Paths name the inputs with the keys of LossLab's config and JSON formats
/// (`positive_scores[3]`, `negative_scores[1][3]`, `negative_items[0][2]`), so that a caller that read
/// them from a file can point at the offending value.
public enum LossError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The batch has no positives (B = 0). The reference would return NaN (0 / 0).
  case emptyBatch
  /// There are no negatives per positive (N = 0).
  case noNegatives
  /// A score or ideal difference is NaN or infinite. `path` names it, e.g. `negative_scores[1][3]`.
  case nonFiniteValue(path: String, value: Double)
  /// The inputs' shapes do not fit together; the message says how.
  case shapeMismatch(String)
  /// A pairwise loss was given several negatives per positive.
  case pairwiseNeedsOneNegative(loss: String, rows: Int)
  /// Partial credit needs item ids, and `missing` (`positive_items` or `negative_items`) was not given.
  case missingItems(missing: String)
  /// An item id is negative or not below the metadata's item count.
  case itemOutOfRange(path: String, id: Int, itemCount: Int)
  /// Partial credit was asked for with no metadata (no fields, or no items).
  case missingMetadata
  /// Metadata fields cover different numbers of items.
  case metadataLengthMismatch(field: String, count: Int, expected: Int, firstField: String)
  /// Partial credit was asked for with no weights.
  case noWeights
  /// A weight names a field that the metadata lacks.
  case unknownMetadataField(field: String, available: [String])
  /// A weight is negative, NaN or infinite.
  case invalidWeight(field: String, weight: Double)
  /// The same field is weighted twice.
  case duplicateWeight(field: String)
  /// More fields are weighted than partial credit supports (16).
  case tooManyWeightedFields(Int)
  /// The weights add up to more than 1 (the seed's check, in float64, in the order given).
  case weightSumAboveOne(Double)
  /// No loss of that name is registered.
  case unknownLoss(name: String, known: [String], suggestion: String?)
  /// A loss of that name is registered already.
  case duplicateLoss(name: String)
  /// A loss name is not lower-case snake case (`[a-z][a-z0-9_]*`).
  case invalidLossName(String)
  /// A parameter is not one that the loss declares.
  case unknownParameter(loss: String, parameter: String, known: [String], suggestion: String?)
  /// A parameter without a default was not given.
  case missingParameter(loss: String, parameter: String, expected: String)
  /// A parameter has the wrong type or is out of its valid range.
  case invalidParameter(loss: String, parameter: String, message: String)
  /// A custom loss rejected its input; the message is the loss's own.
  case custom(String)

  /// The readable message, without a location prefix.
  public var description: String {
    switch self {
    case .emptyBatch:
      return "the batch is empty: positive_scores has no elements (B must be at least 1)"
    case .noNegatives:
      return "there are no negative scores: negative_scores needs at least one row"
    case .nonFiniteValue(let path, let value):
      return "\(path) is \(value.isNaN ? "NaN" : String(describing: value)); scores must be finite"
    case .shapeMismatch(let message):
      return message
    case .pairwiseNeedsOneNegative(let loss, let rows):
      return
        "\(loss) is a pairwise loss and takes one negative per positive, but negative_scores has \(counted(rows, "row")); "
        + "use adaptive_\(loss) for many negatives"
    case .missingItems(let missing):
      return "partial credit needs item ids, but \(missing) was not given"
    case .itemOutOfRange(let path, let id, let itemCount):
      return "\(path) is \(id), outside the metadata's item ids 0..<\(itemCount)"
    case .missingMetadata:
      return "partial credit needs item metadata (at least one field covering at least one item)"
    case .metadataLengthMismatch(let field, let count, let expected, let firstField):
      return
        "metadata field '\(field)' has \(counted(count, "item")) but '\(firstField)' has \(expected); every field needs one code per item"
    case .noWeights:
      return "partial credit needs at least one metadata weight"
    case .unknownMetadataField(let field, let available):
      let hint = closestName(to: field, among: available).map { " (did you mean '\($0)'?)" } ?? ""
      return
        "metadata weight for '\(field)', but the metadata has no such field\(hint) (fields: \(available.joined(separator: ", ")))"
    case .invalidWeight(let field, let weight):
      return "metadata weight for '\(field)' is \(weight); weights must be finite and >= 0"
    case .duplicateWeight(let field):
      return "metadata field '\(field)' is weighted twice"
    case .tooManyWeightedFields(let count):
      return "\(count) metadata fields are weighted; partial credit takes at most \(MetadataWeights.maximumFields)"
    case .weightSumAboveOne(let sum):
      return "sum of metadata weights was \(sum), must be <=1"
    case .unknownLoss(let name, let known, let suggestion):
      let hint = suggestion.map { " (did you mean '\($0)'?)" } ?? ""
      return "unknown loss '\(name)'\(hint); known losses: \(known.joined(separator: ", "))"
    case .duplicateLoss(let name):
      return "a loss named '\(name)' is registered already"
    case .invalidLossName(let name):
      return "'\(name)' is not a valid loss name: use lower-case letters, digits and '_', starting with a letter"
    case .unknownParameter(let loss, let parameter, let known, let suggestion):
      let hint = suggestion.map { " (did you mean '\($0)'?)" } ?? ""
      let list = known.isEmpty ? "it takes no parameters" : "parameters: \(known.joined(separator: ", "))"
      return "\(loss) has no parameter '\(parameter)'\(hint); \(list)"
    case .missingParameter(let loss, let parameter, let expected):
      return "\(loss) needs parameter '\(parameter)' (\(expected))"
    case .invalidParameter(let loss, let parameter, let message):
      return "parameter '\(parameter)' of \(loss) \(message)"
    case .custom(let message):
      return message
    }
  }
}

/// `"1 column"`, `"3 entries"`: a count with its noun, for messages (a `y` after a consonant becomes
/// `ies`). Shared by the package's modules.
package func counted(_ count: Int, _ noun: String) -> String {
  guard count != 1 else { return "1 \(noun)" }
  if noun.hasSuffix("y"), let before = noun.dropLast().last, !"aeiou".contains(before) {
    return "\(count) \(noun.dropLast())ies"
  }
  return "\(count) \(noun)s"
}

/// Where element `index` of an N × B row-by-row layout is, as messages name it: `name[j]` when there is
/// one row, `name[k][j]` otherwise.
func elementPath(_ name: String, index: Int, rows: Int, columns: Int) -> String {
  let (k, j) = index.quotientAndRemainder(dividingBy: columns)
  return rows == 1 ? "\(name)[\(j)]" : "\(name)[\(k)][\(j)]"
}
