/// The UTF-8 bytes being parsed, with conversions between byte offsets and libyaml's line and column.
///
/// libyaml counts a line break at `\n`, `\r\n` (one break), `\r`, U+0085, U+2028 and U+2029, and counts
/// columns in characters (Unicode scalars). These conversions follow the same rules, so a mark found here
/// agrees with the marks that libyaml reports.
struct SourceText {
  /// The source, valid for as long as the parse that uses it.
  let bytes: UnsafeBufferPointer<UInt8>

  /// The 1-based mark of the character that starts at (or contains) byte `offset`.
  ///
  /// Used for libyaml's reader errors, which give a byte offset instead of a mark. The bytes before the
  /// offset are valid UTF-8 (libyaml has decoded them), so the column counts Unicode scalars as everywhere
  /// else.
  ///
  /// - Parameter offset: A byte offset; clamped to the source's length.
  /// - Returns: The 1-based line and column.
  func mark(atByteOffset offset: Int) -> YAMLMark {
    let end = min(max(offset, 0), bytes.count)
    var result = YAMLMark(line: 1, column: 1)
    walk { index, mark, _ in
      result = mark
      return index < end
    }
    return result
  }

  /// The first byte of the character at `mark`, or `nil` when the mark is past the end of its line or of the
  /// source.
  ///
  /// - Parameter mark: A 1-based mark, as libyaml reports it.
  /// - Returns: The byte, for example 0x09 for a tab.
  func byte(at mark: YAMLMark) -> UInt8? {
    var found: UInt8? = nil
    walk { index, here, isBreak in
      guard here.line <= mark.line else { return false }
      if here == mark {
        found = isBreak || index >= bytes.count ? nil : bytes[index]
        return false
      }
      return true
    }
    return found
  }

  /// Visits the start of every character with its byte index, 1-based mark and whether it is a line break,
  /// then the end of the source (with `isBreak` false), until `visit` returns `false`.
  private func walk(_ visit: (_ index: Int, _ mark: YAMLMark, _ isBreak: Bool) -> Bool) {
    var mark = YAMLMark(line: 1, column: 1)
    var index = 0
    while index < bytes.count {
      let (width, isBreak) = character(at: index)
      guard visit(index, mark, isBreak) else { return }
      mark = isBreak ? YAMLMark(line: mark.line + 1, column: 1) : YAMLMark(line: mark.line, column: mark.column + 1)
      index += width
    }
    _ = visit(index, mark, false)
  }

  /// The length in bytes of the character starting at `index`, and whether it is a line break.
  ///
  /// A byte that cannot start a UTF-8 sequence counts as a character of one byte.
  private func character(at index: Int) -> (width: Int, isBreak: Bool) {
    let remaining = bytes.count - index
    func next(_ distance: Int) -> UInt8? { distance < remaining ? bytes[index + distance] : nil }
    let lead = bytes[index]
    switch lead {
    case 0x0A:
      return (1, true)
    case 0x0D:
      return (next(1) == 0x0A ? 2 : 1, true)
    case 0xC2 where next(1) == 0x85:
      return (2, true)
    case 0xE2 where next(1) == 0x80 && (next(2) == 0xA8 || next(2) == 0xA9):
      return (3, true)
    case 0xC0..<0xE0:
      return (min(2, remaining), false)
    case 0xE0..<0xF0:
      return (min(3, remaining), false)
    case 0xF0...:
      return (min(4, remaining), false)
    default:
      return (1, false)
    }
  }
}
