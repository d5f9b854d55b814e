import Foundation

// The one number rule of every output format (documented in `Docs/Configs.md`, "Numbers in the output"):
//
// - text and Markdown tables: `fixed(_:digits:)`, a fixed number of digits after the point (`--precision`,
//   default 4), `-0` as `0`, exponent form from 1e15;
// - CSV: `fixed` when `--precision` is given, else `roundTrip`;
// - JSON: `JSONValue` — whole quantities (counts, seeds, epochs) as integers, every real as `roundTrip`
//   (always with a `.` or an exponent, so a reader sees a real), non-finite as `null`;
// - everywhere but JSON a value that is not finite prints as `nan`, `inf` or `-inf` (`nonFiniteText`).

/// `x` with `digits` digits after the point (`-0` printed as `0`), or in exponent form from 1e15; `nan`,
/// `inf` or `-inf` when it is not finite.
func fixed(_ x: Double, digits: Int) -> String {
  guard x.isFinite else { return nonFiniteText(x) }
  let value = x == 0 ? 0 : x
  if abs(value) >= 1e15 { return String(format: "%.\(digits)e", value) }
  let text = String(format: "%.\(digits)f", value)
  // A tiny negative value rounds to "-0.0000": print it as zero.
  if text.hasPrefix("-"), text.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) { return String(text.dropFirst()) }
  return text
}

/// The shortest text that reads back as exactly `x`, always with a `.` or an exponent (`0.0`, `2.0`,
/// `0.21570459554237983`, `1e-05`, `1e+16`); `nan`, `inf` or `-inf` when it is not finite.
func roundTrip(_ x: Double) -> String {
  guard x.isFinite else { return nonFiniteText(x) }
  return x == 0 ? "0.0" : "\(x)"
}

/// How every format but JSON writes a value that is not finite: `nan` (whatever its sign bit), `inf`,
/// `-inf`.
func nonFiniteText(_ x: Double) -> String {
  x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf")
}
