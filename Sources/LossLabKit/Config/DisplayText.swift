/// Checks and escapes for text that LossLab prints: names and labels from configs and plugins end up in
/// one-line messages, text tables and Markdown tables, where a line break, a tab or another control
/// character would break the layout.

/// Whether `scalar` may not appear in a name or label: a control character (Unicode general category Cc,
/// which includes tab, line feed, carriage return and U+0085), or the line and paragraph separators
/// U+2028 and U+2029.
func isForbiddenInNames(_ scalar: Unicode.Scalar) -> Bool {
  scalar.properties.generalCategory == .control || scalar.value == 0x2028 || scalar.value == 0x2029
}

/// The first character of `text` that ``isForbiddenInNames(_:)`` rejects, with its 1-based position
/// counted in Unicode scalars (as columns are); `nil` when there is none.
func firstForbiddenCharacter(in text: String) -> (scalar: Unicode.Scalar, position: Int)? {
  for (offset, scalar) in text.unicodeScalars.enumerated() where isForbiddenInNames(scalar) {
    return (scalar, offset + 1)
  }
  return nil
}

/// `U+000A`: a scalar as messages name it (at least four upper-case hex digits).
func codePoint(_ scalar: Unicode.Scalar) -> String {
  let hex = String(scalar.value, radix: 16, uppercase: true)
  return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
}

/// The problem with `text` as a name or label, as the end of a message — `may not contain control
/// characters (found U+000A at character 5)` — or `nil` when it has none.
func forbiddenCharacterProblem(in text: String) -> String? {
  guard let (scalar, position) = firstForbiddenCharacter(in: text) else { return nil }
  return "may not contain control characters (found \(codePoint(scalar)) at character \(position))"
}

/// `text` with every character that ``isForbiddenInNames(_:)`` rejects written as an escape (`\n`, `\r`,
/// `\t`, else `\u{85}`), so that quoting user text in a one-line message keeps it one line.
func escapingControlCharacters(_ text: String) -> String {
  guard text.unicodeScalars.contains(where: isForbiddenInNames) else { return text }
  var escaped = ""
  for scalar in text.unicodeScalars {
    switch scalar {
    case "\n": escaped += "\\n"
    case "\r": escaped += "\\r"
    case "\t": escaped += "\\t"
    case _ where isForbiddenInNames(scalar): escaped += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
    default: escaped.unicodeScalars.append(scalar)
    }
  }
  return escaped
}
