/// The one JSON model of every `--format json` (`run`, `train`, `bench`): a tree that keeps key order, and
/// its one writer.
///
/// Numbers follow one rule: ``integer(_:)`` makes whole quantities (counts, seeds, epochs, bytes), which
/// print as JSON integers; ``number(_:)`` holds reals (values, metrics, seconds, rates, real
/// parameters) and prints as the shortest decimal that reads back as the same `Double`, always with a `.`
/// or an exponent (`0.0`, `2.0`, `1e-05`), so that a reader keeps it a real; a real that is not finite
/// prints as `null`.
///
/// Layout: two-space indentation; an array of scalars on one line; an array of objects that hold no
/// array of objects (records, such as a table's cells or an epoch's history) one object per line; every
/// other array and object one member per line.
enum JSONValue: Sendable {
  /// `null`.
  case null
  /// `true` or `false`.
  case bool(Bool)
  /// A whole number, as its decimal digits (made by ``integer(_:)``).
  case wholeNumber(String)
  /// A real number; `null` when not finite.
  case number(Double)
  /// A string, escaped.
  case string(String)
  /// An array.
  case array([JSONValue])
  /// An object, its members in order.
  case object([(String, JSONValue)])

  /// A whole number of any integer type (a count, a seed, an epoch).
  static func integer<T: BinaryInteger>(_ n: T) -> JSONValue { .wholeNumber(String(n)) }

  /// The document: the value laid out as above, ending with a newline.
  var document: String { rendered(indent: "") + "\n" }

  /// The value laid out at `indent` (the indentation of the line it starts on).
  func rendered(indent: String) -> String {
    switch self {
    case .null: return "null"
    case .bool(let b): return b ? "true" : "false"
    case .wholeNumber(let digits): return digits
    case .number(let x): return x.isFinite ? roundTrip(x) : "null"
    case .string(let s): return jsonString(s)
    case .array(let values):
      guard !values.isEmpty else { return "[]" }
      if values.allSatisfy(\.isScalar) {
        return "[" + values.map { $0.rendered(indent: "") }.joined(separator: ", ") + "]"
      }
      let inner = indent + "  "
      let records = values.allSatisfy(\.isRecord)
      return "[\n"
        + values.map { inner + (records ? $0.inline : $0.rendered(indent: inner)) }.joined(separator: ",\n")
        + "\n\(indent)]"
    case .object(let fields):
      guard !fields.isEmpty else { return "{}" }
      let inner = indent + "  "
      return "{\n"
        + fields.map { inner + jsonString($0.0) + ": " + $0.1.rendered(indent: inner) }.joined(separator: ",\n")
        + "\n\(indent)}"
    }
  }

  /// The value on one line.
  var inline: String {
    switch self {
    case .array(let values): return "[" + values.map(\.inline).joined(separator: ", ") + "]"
    case .object(let fields):
      return "{" + fields.map { jsonString($0.0) + ": " + $0.1.inline }.joined(separator: ", ") + "}"
    default: return rendered(indent: "")
    }
  }

  /// Whether the value is neither an array nor an object.
  private var isScalar: Bool {
    switch self {
    case .array, .object: return false
    default: return true
    }
  }

  /// Whether the value is an object that holds no array of objects (printed on one line inside an array).
  private var isRecord: Bool {
    guard case .object(let fields) = self else { return false }
    return fields.allSatisfy { !$0.1.holdsArrayOfObjects }
  }

  /// Whether an array of objects is anywhere inside the value.
  private var holdsArrayOfObjects: Bool {
    switch self {
    case .array(let values):
      return values.contains { if case .object = $0 { return true } else { return false } }
        || values.contains(where: \.holdsArrayOfObjects)
    case .object(let fields): return fields.contains { $0.1.holdsArrayOfObjects }
    default: return false
    }
  }
}

/// An ordered JSON object under construction: members are appended in the order they are set, and setting
/// `nil` adds nothing.
struct JSONObject {
  private(set) var fields: [(String, JSONValue)] = []

  /// Appends `key` with its value (`nil`: nothing).
  subscript(key: String) -> JSONValue? {
    get { fields.first { $0.0 == key }?.1 }
    set {
      guard let newValue else { return }
      fields.append((key, newValue))
    }
  }

  /// The object.
  var value: JSONValue { .object(fields) }
}

/// `s` as a JSON string literal: `"` and `\` escaped, control characters as `\n`, `\r`, `\t` or `\u00XX`.
func jsonString(_ s: String) -> String {
  var out = "\""
  for scalar in s.unicodeScalars {
    switch scalar {
    case "\"": out += "\\\""
    case "\\": out += "\\\\"
    case "\n": out += "\\n"
    case "\r": out += "\\r"
    case "\t": out += "\\t"
    case let c where c.value < 0x20:
      let hex = String(c.value, radix: 16)
      out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    default: out.unicodeScalars.append(scalar)
    }
  }
  return out + "\""
}
