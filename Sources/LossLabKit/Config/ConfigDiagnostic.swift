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

  /// Creates a diagnostic.
  public init(
    file: String, mark: YAMLMark?, keyPath: ConfigPath = .root, message: String, severity: Severity = .error,
    category: FailureCategory = .badData
  ) {
    self.file = file
    self.mark = mark
    self.keyPath = keyPath
    self.message = message
    self.severity = severity
    self.category = category
  }

  /// The first line: `PATH:LINE:COLUMN: error: KEYPATH: MESSAGE` (no line and column without a mark, no key
  /// path for the file as a whole).
  public var description: String {
    let place = mark.map { "\(file):\($0.line):\($0.column)" } ?? file
    let path = keyPath.isRoot ? "" : "\(keyPath): "
    return "\(place): \(severity.rawValue): \(path)\(message)"
  }

  /// The diagnostic with the offending source line and a caret under the column, when the line is known.
  ///
  /// - Parameter source: The file's bytes, to quote the line from.
  public func rendered(source: [UInt8]?) -> String {
    guard let mark, let source, let line = sourceLine(mark.line, in: source) else { return description }
    let number = String(mark.line)
    let gutter = String(repeating: " ", count: number.count)
    // The caret goes under the column-th Unicode scalar; tabs are kept so that it lines up in a terminal.
    let prefix = line.unicodeScalars.prefix(max(0, mark.column - 1)).map { $0 == "\t" ? "\t" : " " }.joined()
    return "\(description)\n \(number) | \(line)\n \(gutter) | \(prefix)^"
  }
}

/// The text of 1-based line `number` of `source` (without its line break), or `nil` past the end. Lines end
/// at `\n`, `\r\n` or a lone `\r`, as libyaml counts them.
func sourceLine(_ number: Int, in source: [UInt8]) -> String? {
  var line = 1
  var start = 0
  var index = 0
  while index < source.count {
    let byte = source[index]
    if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
      if line == number { return String(decoding: source[start..<index], as: UTF8.self) }
      let crlf = byte == UInt8(ascii: "\r") && index + 1 < source.count && source[index + 1] == UInt8(ascii: "\n")
      index += crlf ? 2 : 1
      line += 1
      start = index
    } else {
      index += 1
    }
  }
  guard line == number else { return nil }
  return String(decoding: source[start...], as: UTF8.self)
}

/// The problems found in one or more config files; thrown when a config cannot be loaded or run.
public struct ConfigErrors: CategorizedError, Sendable {
  /// Every problem, file by file, each file's in the order of their place in it.
  public var diagnostics: [ConfigDiagnostic]
  /// The sources by file name, to quote lines from.
  public var sources: [String: [UInt8]]

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

  /// Every diagnostic with its source line and caret, one after another.
  public var description: String {
    diagnostics.map { $0.rendered(source: sources[$0.file]) }.joined(separator: "\n")
  }
}
