import RankingLosses
import YAMLNodes

/// One problem found in a config file: where (file, line, column, key path) and what.
///
/// Printed as `PATH:LINE:COLUMN: error: KEYPATH: MESSAGE`, followed by the offending source line and a
/// caret under the column, in the style of compilers:
///
/// ```
/// configs/x.yaml:7:11: error: losses[1].loss: unknown loss 'warpp' (did you mean 'warp'?); known losses: …
///     7 |   - loss: warpp
///       |           ^
/// ```
public struct ConfigDiagnostic: Error, Sendable, Hashable, CustomStringConvertible {
  /// How serious the problem is.
  public enum Severity: String, Sendable, Hashable {
    /// The config cannot be run.
    case error
    /// The config runs, but probably not as meant.
    case warning
  }

  /// The file the problem is in, as the user named it.
  public var file: String
  /// Where in the file, when the problem has a place there.
  public var mark: YAMLMark?
  /// The key path of the offending value, e.g. `scenarios[0].negative_scores[2][1]`; the root for the whole
  /// file.
  public var keyPath: ConfigPath
  /// What is wrong.
  public var message: String
  /// Error or warning.
  public var severity: Severity
  /// What kind of problem: ``FailureCategory/badData`` for the file's content (syntax, types, names, shapes,
  /// values), ``FailureCategory/unreadableInput`` when the file or a file it names cannot be read.
  public var category: FailureCategory
  /// An earlier line the message refers to (the line above an indentation mistake), quoted above the
  /// offending line.
  public var relatedLine: Int?

  /// Creates a diagnostic.
  public init(
    file: String, mark: YAMLMark?, keyPath: ConfigPath = .root, message: String, severity: Severity = .error,
    category: FailureCategory = .badData, relatedLine: Int? = nil
  ) {
    self.file = file
    self.mark = mark
    self.keyPath = keyPath
    self.message = message
    self.severity = severity
    self.category = category
    self.relatedLine = relatedLine
  }

  /// The first line: `PATH:LINE:COLUMN: error: KEYPATH: MESSAGE` (no line and column without a mark, no key
  /// path for the file as a whole). Control characters quoted from the input (in a key, a name, the file's
  /// name) are escaped (`\n`, `\u{85}`), so that it stays one line.
  public var description: String {
    let place = mark.map { "\(file):\($0.line):\($0.column)" } ?? file
    let path = keyPath.isRoot ? "" : "\(keyPath): "
    return escapingControlCharacters("\(place): \(severity.rawValue): \(path)\(message)")
  }

  /// The diagnostic with the offending source line and a caret under the column, when the line is known.
  ///
  /// A line longer than ``SourceExcerpt/width`` characters is cut to that many around the column, with `…`
  /// where it was cut.
  ///
  /// - Parameter source: The file's bytes, to quote the line from.
  public func rendered(source: [UInt8]?) -> String {
    rendered(lines: source.map { SourceLines($0, upTo: mark?.line ?? 0) })
  }

  /// ``rendered(source:)`` with the file's lines indexed already.
  func rendered(lines: SourceLines?) -> String {
    guard let mark, let lines, let line = lines.line(mark.line) else { return description }
    let excerpt = SourceExcerpt(line: line, column: mark.column)
    let number = String(mark.line)
    let gutter = String(repeating: " ", count: number.count)
    var text = description
    if let related = relatedLine, related < mark.line, let relatedText = lines.line(related) {
      let shown = String(related)
      let pad = String(repeating: " ", count: number.count - shown.count)
      text += "\n \(pad)\(shown) | \(SourceExcerpt(line: relatedText, column: 1).text)"
    }
    return "\(text)\n \(number) | \(excerpt.text)\n \(gutter) | \(excerpt.caretPrefix)^"
  }
}

/// The lines of a source, found once: the byte offset where each starts. Lines end where libyaml ends
/// them: at `\n`, `\r\n`, a lone `\r`, U+0085, U+2028 or U+2029 (so that line numbers agree with its
/// marks). A byte-order mark at the start is not part of line 1 (libyaml does not count it as a column).
struct SourceLines {
  private let source: [UInt8]
  /// `(start, end)` byte offsets of each line, without its break.
  private var bounds: [(start: Int, end: Int)] = []

  /// Indexes `source`; with `upTo`, stops after that line (a caller that needs one line scans no further).
  init(_ source: [UInt8], upTo last: Int = .max) {
    self.source = source
    var start = source.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    var index = start
    while index < source.count, bounds.count < last {
      let byte = source[index]
      let breakLength: Int
      switch byte {
      case UInt8(ascii: "\n"): breakLength = 1
      case UInt8(ascii: "\r"): breakLength = index + 1 < source.count && source[index + 1] == UInt8(ascii: "\n") ? 2 : 1
      case 0xC2 where index + 1 < source.count && source[index + 1] == 0x85: breakLength = 2
      case 0xE2
      where index + 2 < source.count && source[index + 1] == 0x80
        && (source[index + 2] == 0xA8 || source[index + 2] == 0xA9):
        breakLength = 3
      default: breakLength = 0
      }
      if breakLength == 0 {
        index += 1
        continue
      }
      bounds.append((start, index))
      index += breakLength
      start = index
    }
    // The last line: what follows the last break, possibly nothing (libyaml's end-of-file marks point there).
    if bounds.count < last { bounds.append((start, source.count)) }
  }

  /// The text of 1-based line `number` (without its line break), or `nil` past the end.
  func line(_ number: Int) -> String? {
    guard number >= 1, number <= bounds.count else { return nil }
    let (start, end) = bounds[number - 1]
    return String(decoding: source[start..<end], as: UTF8.self)
  }
}

/// The text of 1-based line `number` of `source` (without its line break), or `nil` past the end; see
/// ``SourceLines``.
func sourceLine(_ number: Int, in source: [UInt8]) -> String? {
  SourceLines(source, upTo: number).line(number)
}

/// A source line as a diagnostic quotes it: at most ``width`` characters around the column, `…` where it
/// was cut, and the spacing that puts a caret under the column.
struct SourceExcerpt {
  /// The most characters (Unicode scalars) of a line that a diagnostic quotes, besides the `…` marks.
  static let width = 120

  /// The quoted text: control characters other than tab shown as visible symbols (␀ … ␟, ␡; U+FFFD for
  /// the others), one character each, so that the caret stays in place.
  let text: String
  /// What goes before the caret: a tab under a tab, nothing under a zero-width character, two spaces under
  /// a wide one, a space under the rest.
  let caretPrefix: String

  /// Cuts `line` around 1-based `column` (counted in Unicode scalars, as marks are).
  init(line: String, column: Int, width: Int = Self.width) {
    let scalars = Array(line.unicodeScalars)
    let caret = column > 0 ? min(column - 1, scalars.count) : 0
    var start = 0
    var end = scalars.count
    if scalars.count > width {
      start = min(max(0, caret - width / 2), scalars.count - width)
      end = start + width
    }
    var text = start > 0 ? "…" : ""
    var prefix = start > 0 ? " " : ""
    for (offset, scalar) in scalars[start..<end].enumerated() {
      text.unicodeScalars.append(Self.visible(scalar))
      if start + offset < caret { prefix += Self.spacing(under: scalar) }
    }
    if end < scalars.count { text += "…" }
    self.text = text
    self.caretPrefix = prefix
  }

  /// `scalar`, or the symbol that shows it when it is a control character other than tab.
  static func visible(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
    guard scalar != "\t", isForbiddenInNames(scalar) else { return scalar }
    switch scalar.value {
    case 0..<0x20: return Unicode.Scalar(0x2400 + scalar.value) ?? "\u{FFFD}"
    case 0x7F: return "\u{2421}"
    default: return "\u{FFFD}"
    }
  }

  /// The blank that takes the room of `scalar` in a terminal.
  static func spacing(under scalar: Unicode.Scalar) -> String {
    if scalar == "\t" { return "\t" }
    switch scalar.properties.generalCategory {
    case .nonspacingMark, .enclosingMark, .format: return ""
    default: break
    }
    return isWide(scalar) ? "  " : " "
  }

  /// Whether a terminal gives `scalar` two columns: East Asian wide and full-width characters, and emoji
  /// shown as emoji.
  static func isWide(_ scalar: Unicode.Scalar) -> Bool {
    if scalar.properties.isEmojiPresentation { return true }
    switch scalar.value {
    case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
      0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x20000...0x3FFFD:
      return true
    default:
      return false
    }
  }
}

/// The problems found in one or more config files; thrown when a config cannot be loaded or run.
public struct ConfigErrors: CategorizedError, Sendable {
  /// Every problem, file by file, each file's in the order of their place in it.
  public var diagnostics: [ConfigDiagnostic]
  /// The sources by file name, to quote lines from.
  public var sources: [String: [UInt8]]

  /// How many diagnostics of one file are printed (``description``, `losslab`); the rest are counted.
  public static let limit = 20

  /// Creates the error.
  public init(diagnostics: [ConfigDiagnostic], sources: [String: [UInt8]] = [:]) {
    self.diagnostics = diagnostics
    self.sources = sources
  }

  /// The category that decides the exit code: the highest among the errors (an unreadable file outranks bad
  /// data); ``FailureCategory/badData`` when there are none.
  public var category: FailureCategory {
    diagnostics.filter { $0.severity == .error }.map(\.category).max() ?? .badData
  }

  /// The first ``limit`` diagnostics of each file with their source lines and carets, then how many more
  /// there are (``render(_:sources:limit:)``).
  public var description: String {
    Self.render(diagnostics, sources: sources)
  }

  /// Diagnostics with their source lines and carets, one after another: at most `limit` of each file, then
  /// one line per file with more, `… and 12 more errors and 1 more warning in FILE`.
  ///
  /// Each file's lines are indexed once, so the time grows with the sizes of the files and the number of
  /// diagnostics printed, not with their product.
  ///
  /// - Parameters:
  ///   - diagnostics: Errors and warnings, in the order to print them.
  ///   - sources: The files' bytes by file name, to quote lines from.
  ///   - limit: The most diagnostics printed per file; `nil` prints all.
  /// - Returns: The text, without a final line break; empty for no diagnostics.
  public static func render(
    _ diagnostics: [ConfigDiagnostic], sources: [String: [UInt8]], limit: Int? = Self.limit
  ) -> String {
    var printed: [String: Int] = [:]
    var omitted: [(file: String, errors: Int, warnings: Int)] = []
    var omittedIndex: [String: Int] = [:]
    var lines: [String: SourceLines] = [:]
    var parts: [String] = []
    for diagnostic in diagnostics {
      let file = diagnostic.file
      if let limit, printed[file, default: 0] >= limit {
        let index = omittedIndex[file] ?? omitted.count
        if index == omitted.count {
          omitted.append((file, 0, 0))
          omittedIndex[file] = index
        }
        if diagnostic.severity == .error { omitted[index].errors += 1 } else { omitted[index].warnings += 1 }
        continue
      }
      printed[file, default: 0] += 1
      if lines[file] == nil, let source = sources[file] { lines[file] = SourceLines(source) }
      parts.append(diagnostic.rendered(lines: lines[file]))
    }
    for (file, errors, warnings) in omitted {
      let counts = [(errors, "error"), (warnings, "warning")].filter { $0.0 > 0 }.map { counted($0.0, "more \($0.1)") }
      parts.append("… and \(counts.joined(separator: " and ")) in \(escapingControlCharacters(file))")
    }
    return parts.joined(separator: "\n")
  }
}
