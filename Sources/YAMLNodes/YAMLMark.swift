/// A 1-based position in the YAML source: the line, and the column counted in Unicode scalars.
///
/// libyaml counts from 0; every mark in this module has been converted, so `YAMLMark(line: 1, column: 1)` is
/// the first character of the source. A mark prints as `LINE:COLUMN`, the form editors and compilers use:
///
/// ```swift
/// let mark = YAMLMark(line: 7, column: 12)
/// print("config.yaml:\(mark): error: unknown key")  // config.yaml:7:12: error: unknown key
/// ```
public struct YAMLMark: Sendable, Hashable, Comparable, CustomStringConvertible {
  /// The line, counted from 1. libyaml's line breaks are `\n`, `\r\n`, `\r`, U+0085, U+2028 and U+2029.
  public var line: Int
  /// The column, counted from 1 in Unicode scalars (not bytes, not grapheme clusters): libyaml's column + 1.
  public var column: Int

  /// Creates a mark from a 1-based line and a 1-based column.
  ///
  /// - Parameters:
  ///   - line: The line, counted from 1.
  ///   - column: The column, counted from 1 in Unicode scalars.
  public init(line: Int, column: Int) {
    self.line = line
    self.column = column
  }

  /// The mark as `LINE:COLUMN`, for example `7:12`.
  public var description: String { "\(line):\(column)" }

  /// Orders marks by line, then by column: the order of their positions in the source.
  ///
  /// - Parameters:
  ///   - lhs: A mark.
  ///   - rhs: Another mark.
  /// - Returns: Whether `lhs` comes before `rhs` in the source.
  public static func < (lhs: YAMLMark, rhs: YAMLMark) -> Bool {
    (lhs.line, lhs.column) < (rhs.line, rhs.column)
  }
}
