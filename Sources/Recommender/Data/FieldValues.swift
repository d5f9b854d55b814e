/// A field read as a value, or why it is not one (the end of a message that starts with the column's name
/// and the field).
enum FieldValue<Value> {
  case value(Value)
  case problem(String)
}

/// A rating: a plain decimal number (see ``isDecimalNumber(_:)``) within the range of `Double`.
///
/// Swift's `Double(_:)` also reads hexadecimal (`0x10` as 16), `nan`, `inf` and `infinity`; those are refused.
func parseRating(_ text: String) -> FieldValue<Double> {
  guard let value = Double(text) else { return .problem("is not a number") }
  guard isDecimalNumber(text) else { return .problem("is not a decimal number (such as 4, 3.5, -1 or 2e-3)") }
  guard value.isFinite else { return .problem("is out of range (beyond ±1.8e308)") }
  return .value(value)
}

/// A timestamp: a decimal whole number (an optional sign and digits) that fits in 64 bits.
func parseTimestamp(_ text: String) -> FieldValue<Int64> {
  if let value = Int64(text) { return .value(value) }  // only a sign and decimal digits are read
  guard isDecimalNumber(text, whole: true) else { return .problem("is not a whole number") }
  return .problem("is out of range (timestamps are 64-bit whole numbers)")
}

/// Whether `text` is a plain decimal number: an optional sign (`+` or `-`), digits with an optional
/// fraction (`12`, `1.5`, `.5`, `5.`; at least one digit), and an optional exponent (`e` or `E`, an
/// optional sign, digits). With `whole`, only the sign and the digits.
func isDecimalNumber(_ text: String, whole: Bool = false) -> Bool {
  var bytes = text.utf8.makeIterator()
  var byte = bytes.next()
  func isDigit(_ byte: UInt8?) -> Bool { byte.map { $0 >= 0x30 && $0 <= 0x39 } ?? false }
  func skipSign() { if byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") { byte = bytes.next() } }
  func digits() -> Int {
    var count = 0
    while isDigit(byte) {
      count += 1
      byte = bytes.next()
    }
    return count
  }
  skipSign()
  var count = digits()
  if whole { return count > 0 && byte == nil }
  if byte == UInt8(ascii: ".") {
    byte = bytes.next()
    count += digits()
  }
  guard count > 0 else { return false }
  if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
    byte = bytes.next()
    skipSign()
    guard digits() > 0 else { return false }
  }
  return byte == nil
}
