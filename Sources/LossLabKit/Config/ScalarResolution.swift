import YAMLNodes

/// What a YAML scalar means, resolved by the YAML 1.2 core schema (plain scalars only; quoted ones are
/// strings).
enum ResolvedScalar: Equatable {
  case null
  case boolean(Bool)
  case integer(Int)
  case real(Double)
  case string(String)
}

/// Why a plain scalar that looks like a number is not one we can use.
enum NumberProblem: Error, Equatable {
  case integerOverflow(String)
  case realOverflow(String)
}

private let coreStringTag = "tag:yaml.org,2002:str"

/// Resolves a scalar: `null`/`~`/empty → null, `true`/`false` → Boolean, decimal integers, decimal reals
/// (`1.5`, `-2e3`, `.5`), `.inf`, `-.inf`, `.nan`; anything else, and every quoted scalar or `!!str`, is a
/// string.
///
/// - Throws: ``NumberProblem`` for an integer beyond 64 bits or a real that overflows to infinity.
func resolve(_ scalar: YAMLScalar, tag: String?) throws(NumberProblem) -> ResolvedScalar {
  let text = scalar.text
  guard scalar.style == .plain, tag != coreStringTag else { return .string(text) }
  switch text {
  case "", "~", "null", "Null", "NULL": return .null
  case "true", "True", "TRUE": return .boolean(true)
  case "false", "False", "FALSE": return .boolean(false)
  case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .real(.infinity)
  case "-.inf", "-.Inf", "-.INF": return .real(-.infinity)
  case ".nan", ".NaN", ".NAN": return .real(.nan)
  default: break
  }
  let bytes = Array(text.utf8)
  if isDecimalInteger(bytes) {
    guard let value = Int(text.hasPrefix("+") ? String(text.dropFirst()) : text) else {
      throw .integerOverflow(text)
    }
    return .integer(value)
  }
  if isDecimalReal(bytes) {
    guard let value = Double(text), value.isFinite else { throw .realOverflow(text) }
    return .real(value)
  }
  return .string(text)
}

/// `[-+]?[0-9]+`
private func isDecimalInteger(_ b: [UInt8]) -> Bool {
  var i = 0
  if i < b.count, b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") { i += 1 }
  guard i < b.count else { return false }
  return b[i...].allSatisfy(isDigit)
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
private func isDecimalReal(_ b: [UInt8]) -> Bool {
  var i = 0
  func digits() -> Int {
    let start = i
    while i < b.count, isDigit(b[i]) { i += 1 }
    return i - start
  }
  if i < b.count, b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") { i += 1 }
  let whole = digits()
  var fraction = 0
  if i < b.count, b[i] == UInt8(ascii: ".") {
    i += 1
    fraction = digits()
  }
  guard whole + fraction > 0 else { return false }
  if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
    i += 1
    if i < b.count, b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") { i += 1 }
    guard digits() > 0 else { return false }
  }
  return i == b.count
}

private func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
