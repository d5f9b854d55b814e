/// A hint for libyaml's block-structure errors, which are almost always indentation mistakes: where the
/// offending line starts against the columns that the lines above open, and what to align it with.
///
/// libyaml reports such a mistake as "did not find expected '-' indicator", "did not find expected key" or
/// "mapping values are not allowed in this context", at a place that follows from the grammar rather than
/// from what the writer meant. The hint names the line above (``YAMLError/relatedLine``, quoted with the
/// error) and the columns in play:
///
/// ```
/// losses:
///   - loss: warp
///   params: {num_items: 10}   # 3:3: … (indentation: line 3 starts at column 3 without '- ', where the
///                             #  list of line 2 puts its '-'; begin it with '- ' for a new item, or indent
///                             #  it to column 5, like 'loss' on line 2, to continue that item)
/// ```
struct IndentationHint {
  /// The text appended to the error message, in parentheses.
  var text: String
  /// The line above that the text refers to.
  var relatedLine: Int

  /// The libyaml problems that a hint explains.
  static let blockProblems: Set<String> = [
    "did not find expected '-' indicator", "did not find expected key",
  ]
  /// The scanner problem of a key deeper than the line above (or a `: ` inside a plain value).
  static let mappingValues = "mapping values are not allowed in this context"

  /// The hint for `problem` at 1-based line `line` of `lines` (each line's text without its break), or
  /// `nil` when the lines give no clear story.
  static func make(problem: String, line: Int, lines: [Substring.UnicodeScalarView]) -> IndentationHint? {
    guard blockProblems.contains(problem) || problem == mappingValues, line >= 1, line <= lines.count,
      let here = LineShape(lines[line - 1])
    else { return nil }
    let above = (1..<line).reversed().lazy.compactMap { number in LineShape(lines[number - 1]).map { (number, $0) } }
      .first
    if problem == mappingValues {
      if let (number, shape) = above, here.indent > shape.contentColumn, let key = shape.key, shape.hasValue {
        return IndentationHint(
          text: "indentation: line \(line) starts at column \(here.indent), deeper than '\(key)' at column "
            + "\(shape.contentColumn) on line \(number), so YAML reads it as more of the value of '\(key)'; start "
            + "it at column \(shape.contentColumn) to make it a key beside '\(key)'",
          relatedLine: number)
      }
      return nil
    }
    guard let (aboveNumber, aboveShape) = above else { return nil }
    let open = openColumns(above: line, lines: lines)
    if let match = open.first(where: { $0.column == here.indent }) {
      guard match.isDash, here.dashes.isEmpty else { return nil }
      var text =
        "indentation: line \(line) starts at column \(here.indent) without '- ', where the list of line "
        + "\(match.line) puts its '-'; begin it with '- ' for a new item"
      if aboveShape.contentColumn > here.indent, let key = aboveShape.key {
        text +=
          ", or indent it to column \(aboveShape.contentColumn), like '\(key)' on line \(aboveNumber), to "
          + "continue that item"
      }
      return IndentationHint(text: text, relatedLine: aboveNumber)
    }
    let named = open.prefix(3).map { entry in
      "\(entry.isDash ? "the '-'" : "'\(entry.name)'") at column \(entry.column) (line \(entry.line))"
    }
    guard !named.isEmpty else { return nil }
    return IndentationHint(
      text: "indentation: line \(line) starts at column \(here.indent), which lines up with nothing above: "
        + named.joined(separator: ", ") + "; align it with the one it belongs to",
      relatedLine: aboveNumber)
  }

  /// One column that the lines above `line` leave open for a line at their level: a key, or the `-` of a
  /// list item; nearest (innermost) first.
  private struct OpenColumn {
    var column: Int
    var line: Int
    var isDash: Bool
    var name: String
  }

  /// The columns open to the line `line`: walking up, each content line's dashes and key left of every
  /// column already seen (its ancestors' entries, not its siblings' children).
  private static func openColumns(above line: Int, lines: [Substring.UnicodeScalarView]) -> [OpenColumn] {
    var result: [OpenColumn] = []
    var limit = Int.max
    for number in (1..<line).reversed() {
      guard limit > 1 else { break }
      guard let shape = LineShape(lines[number - 1]), shape.indent < limit else { continue }
      var entries: [OpenColumn] = shape.dashes.map { OpenColumn(column: $0, line: number, isDash: true, name: "-") }
      if let key = shape.key {
        entries.append(OpenColumn(column: shape.contentColumn, line: number, isDash: false, name: key))
      }
      for entry in entries.reversed()
      where entry.column < limit && !result.contains(where: { $0.column == entry.column }) {
        result.append(entry)
      }
      limit = shape.indent
    }
    return result
  }
}

/// The indentation structure of one line of block YAML: its leading spaces, the `- ` of list items, and
/// the key that follows them, if any.
private struct LineShape {
  /// The 1-based column of the first character that is not a space.
  var indent: Int
  /// The 1-based columns of the leading `-` indicators (`- - x` has two).
  var dashes: [Int]
  /// The 1-based column where the content after the indicators starts.
  var contentColumn: Int
  /// The plain key at the start of the content (`name` of `name: value`), if the content is a key.
  var key: String?
  /// Whether the key has a value on the same line (not only a comment).
  var hasValue: Bool

  /// The shape of `line`, or `nil` for a blank line, a comment line, or a line indented with tabs.
  init?(_ line: Substring.UnicodeScalarView) {
    let scalars = Array(line)
    var index = 0
    while index < scalars.count, scalars[index] == " " { index += 1 }
    guard index < scalars.count, scalars[index] != "#", scalars[index] != "\t" else { return nil }
    indent = index + 1
    dashes = []
    while index < scalars.count, scalars[index] == "-", index + 1 == scalars.count || scalars[index + 1] == " " {
      dashes.append(index + 1)
      index += 1
      while index < scalars.count, scalars[index] == " " { index += 1 }
    }
    contentColumn = index + 1
    key = nil
    hasValue = false
    // A plain key: up to the first ':' followed by a space or the end of the line.
    guard index < scalars.count, !"\"'[{#&*!|>".unicodeScalars.contains(scalars[index]) else { return }
    var end = index
    while end < scalars.count {
      if scalars[end] == ":", end + 1 == scalars.count || scalars[end + 1] == " " { break }
      if scalars[end] == " ", end + 1 < scalars.count, scalars[end + 1] == "#" { return }
      end += 1
    }
    guard end < scalars.count else { return }
    var name = String.UnicodeScalarView()
    name.append(contentsOf: scalars[index..<end])
    key = String(name)
    var rest = end + 1
    while rest < scalars.count, scalars[rest] == " " { rest += 1 }
    hasValue = rest < scalars.count && scalars[rest] != "#"
  }
}
