/// A text table for the terminal: the first `leftAligned` columns left-aligned, the others right-aligned,
/// two spaces between columns, a dashed rule under the header, no trailing spaces. In a column where some
/// cells end with `mark` (`†`, ` *`), the other cells get as many spaces instead, so that the numbers line up.
func alignedTable(_ header: [String], _ rows: [[String]], mark: String? = nil, leftAligned: Int = 1) -> [String] {
  func width(_ s: String) -> Int { s.unicodeScalars.count }
  let padded = rows.map { row in
    row.enumerated().map { c, text -> String in
      guard let mark, c >= leftAligned, !text.hasSuffix(mark), rows.contains(where: { $0[c].hasSuffix(mark) }) else {
        return text
      }
      return text + String(repeating: " ", count: width(mark))
    }
  }
  let widths = header.indices.map { c in ([header[c]] + padded.map { $0[c] }).map(width).max() ?? 0 }
  func line(_ cells: [String]) -> String {
    let text = cells.enumerated().map { c, text in
      let fill = String(repeating: " ", count: widths[c] - width(text))
      return c < leftAligned ? text + fill : fill + text
    }.joined(separator: "  ")
    return String(text.reversed().drop(while: { $0 == " " }).reversed())
  }
  return [line(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")] + padded.map(line)
}

/// A GitHub-flavoured Markdown table: the first column left-aligned, the others right-aligned, `|` in a
/// cell escaped.
func markdownTable(_ header: [String], _ rows: [[String]], leftAligned: Int = 1) -> [String] {
  func line(_ cells: [String]) -> String {
    "| " + cells.map { $0.replacingAll("|", with: "\\|") }.joined(separator: " | ") + " |"
  }
  return [line(header), "|" + header.indices.map { $0 < leftAligned ? " --- |" : " ---: |" }.joined()] + rows.map(line)
}

/// A CSV field, quoted when it holds a comma, a quote or a line break.
func csvField(_ s: String) -> String {
  s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
    ? "\"" + s.replacingAll("\"", with: "\"\"") + "\"" : s
}

/// `text` wrapped at spaces into lines of at most `width` characters (Unicode scalars), every line after
/// the first starting with `indent`; a word longer than a line stays whole on its own line.
///
/// A line that must break breaks after its last clause (a word ending in `;`) when that keeps at least half
/// the width on it, so that a clause such as `epochs 30, 12, 27 (best of 3 points)` stays on one line;
/// otherwise at its last space.
func wrapText(_ text: String, width: Int, indent: String = "") -> [String] {
  func length(_ s: String) -> Int { s.unicodeScalars.count }
  func joined(_ words: ArraySlice<String>) -> String { words.joined(separator: " ") }
  guard length(text) > width else { return [text] }
  var lines: [String] = []
  var words: [String] = []  // the current line's words, the first with the line's indent
  for word in text.split(separator: " ", omittingEmptySubsequences: false).map(String.init) {
    if words.isEmpty {
      words = [(lines.isEmpty ? "" : indent) + word]
    } else if length(joined(words[...])) + 1 + length(word) <= width {
      words.append(word)
    } else {
      var rest: [String] = []
      if let cut = words.indices.dropLast().last(where: { words[$0].hasSuffix(";") }),
        length(joined(words[...cut])) >= width / 2
      {
        rest = Array(words[(cut + 1)...])
        words = Array(words[...cut])
      }
      lines.append(joined(words[...]))
      words = rest.isEmpty ? [indent + word] : [indent + rest[0]] + rest.dropFirst()
      if !rest.isEmpty {
        if length(joined(words[...])) + 1 + length(word) <= width {
          words.append(word)
        } else {
          lines.append(joined(words[...]))
          words = [indent + word]
        }
      }
    }
  }
  lines.append(joined(words[...]))
  return lines
}
