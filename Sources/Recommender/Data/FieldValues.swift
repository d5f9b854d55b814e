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

// MARK: Fast paths over bytes

/// Powers of ten that `Double` holds exactly, `1e0` to `1e22`.
private let exactPowersOfTen: [Double] = (0...22).map { k in (0..<k).reduce(1.0) { x, _ in x * 10 } }

/// A rating read from a field's bytes: the value ``parseRating(_:)`` gives for the same text.
///
/// A plain decimal whose digits make an integer `m < 2^53` and whose decimal exponent `e` has `|e| ≤ 22` is
/// computed as `m · 10^e` or `m / 10^(−e)`: both operands are exact, so the one rounding of the product or
/// quotient gives the correctly rounded value, the same as `Double(_:)`. Anything else goes through
/// ``parseRating(_:)``.
func parseRating(_ bytes: UnsafeBufferPointer<UInt8>) -> FieldValue<Double> {
  if let value = fastDecimal(bytes) { return .value(value) }
  return parseRating(String(decoding: bytes, as: UTF8.self))
}

/// An optional leading `-` or `+` of a field's bytes: whether it is `-`, and the index after it.
@inline(__always)
func leadingSign(_ bytes: UnsafeBufferPointer<UInt8>) -> (negative: Bool, end: Int) {
  guard let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") else { return (false, 0) }
  return (first == UInt8(ascii: "-"), 1)
}

/// The value of a plain decimal in `bytes` when the fast path applies (see ``parseRating(_:)-(UnsafeBufferPointer<UInt8>)``),
/// `nil` otherwise.
@inline(__always)
func fastDecimal(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
  let count = bytes.count
  var (negative, i) = leadingSign(bytes)
  var mantissa: UInt64 = 0
  var digits = 0
  var exponent = 0
  while i < count, bytes[i] &- 0x30 < 10 {
    mantissa = mantissa &* 10 &+ UInt64(bytes[i] &- 0x30)
    guard mantissa < 1 << 53 else { return nil }
    digits += 1
    i += 1
  }
  if i < count, bytes[i] == UInt8(ascii: ".") {
    i += 1
    while i < count, bytes[i] &- 0x30 < 10 {
      mantissa = mantissa &* 10 &+ UInt64(bytes[i] &- 0x30)
      guard mantissa < 1 << 53 else { return nil }
      digits += 1
      exponent -= 1
      i += 1
    }
  }
  guard digits > 0 else { return nil }
  if i < count, bytes[i] | 0x20 == UInt8(ascii: "e") {
    i += 1
    var negativeExponent = false
    if i < count, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
      negativeExponent = bytes[i] == UInt8(ascii: "-")
      i += 1
    }
    var value = 0
    var exponentDigits = 0
    while i < count, bytes[i] &- 0x30 < 10 {
      value = value * 10 + Int(bytes[i] &- 0x30)
      guard value < 10_000 else { return nil }
      exponentDigits += 1
      i += 1
    }
    guard exponentDigits > 0 else { return nil }
    exponent += negativeExponent ? -value : value
  }
  guard i == count else { return nil }
  let magnitude: Double
  if mantissa == 0 {
    magnitude = 0
  } else if exponent >= 0 {
    guard exponent <= 22 else { return nil }
    magnitude = Double(mantissa) * exactPowersOfTen[exponent]
  } else {
    guard exponent >= -22 else { return nil }
    magnitude = Double(mantissa) / exactPowersOfTen[-exponent]
  }
  return negative ? -magnitude : magnitude
}

/// A timestamp read from a field's bytes: the value ``parseTimestamp(_:)`` gives for the same text (an
/// optional sign and up to 18 digits are read directly, anything else through ``parseTimestamp(_:)``).
///
/// With `allowWholeReal` (a RecBole `float` column), a decimal number with a whole value within 64 bits
/// (`978300760.0`, `9.783e8`) is accepted too; a fractional one is not a whole number.
func parseTimestamp(_ bytes: UnsafeBufferPointer<UInt8>, allowWholeReal: Bool = false) -> FieldValue<Int64> {
  let count = bytes.count
  var (negative, i) = leadingSign(bytes)
  if count - i > 0, count - i <= 18 {
    var value: Int64 = 0
    while i < count, bytes[i] &- 0x30 < 10 {
      value = value * 10 + Int64(bytes[i] &- 0x30)
      i += 1
    }
    if i == count { return .value(negative ? -value : value) }
  }
  let text = String(decoding: bytes, as: UTF8.self)
  let parsed = parseTimestamp(text)
  guard allowWholeReal, case .problem = parsed, isDecimalNumber(text) else { return parsed }
  guard let value = Double(text), value.isFinite, value.rounded() == value else {
    return .problem("is not a whole number")
  }
  // Int64's range is [-2^63, 2^63); both bounds are exact doubles.
  guard value >= -9_223_372_036_854_775_808.0, value < 9_223_372_036_854_775_808.0 else {
    return .problem("is out of range (timestamps are 64-bit whole numbers)")
  }
  return .value(Int64(value))
}
