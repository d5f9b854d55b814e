import Testing
import YAMLNodes

/// Every failure is one typed error whose message and mark are asserted verbatim.
@Suite("Errors")
struct ErrorTests {
  @Test("a tab in indentation: libyaml's message, the hint and the tab's mark")
  func tabIndentation() {
    let error = parseError("a:\n\tb: 1\n")
    #expect(error?.kind == .syntax)
    #expect(
      error?.message
        == "while scanning for the next token: found character that cannot start any token"
        + " (a tab character: YAML indents with spaces only)")
    #expect(error?.mark == YAMLMark(line: 2, column: 1))
    #expect(
      error?.description
        == "2:1: while scanning for the next token: found character that cannot start any token"
        + " (a tab character: YAML indents with spaces only)")

    let afterDash = parseError("- é\n-\t- x\n")
    #expect(
      afterDash?.description
        == "2:2: while scanning for the next token: found character that cannot start any token"
        + " (a tab character: YAML indents with spaces only)")

    let inScalar = parseError("a:\n  b: 1\n \tc: 2\n")
    #expect(
      inScalar?.description
        == "3:2: while scanning a plain scalar: found a tab character that violates indentation"
        + " (a tab character: YAML indents with spaces only)")
  }

  @Test("bad indentation")
  func badIndentation() {
    let dedented = parseError("a:\n  b: 1\n c: 2\n")
    #expect(dedented?.kind == .syntax)
    #expect(
      dedented?.description
        == "3:2: while parsing a block mapping: did not find expected key (indentation: line 3 starts at column 2, "
        + "which lines up with nothing above: 'b' at column 3 (line 2), 'a' at column 1 (line 1); align it with the "
        + "one it belongs to)")
    #expect(dedented?.relatedLine == 2)

    let indented = parseError("a: 1\n  b: 2\n")
    #expect(indented?.kind == .syntax)
    #expect(
      indented?.description
        == "2:4: mapping values are not allowed in this context (indentation: line 2 starts at column 3, deeper "
        + "than 'a' at column 1 on line 1, so YAML reads it as more of the value of 'a'; start it at column 1 to "
        + "make it a key beside 'a')")
    #expect(indented?.relatedLine == 1)
  }

  @Test("a key without a colon: libyaml reports where it gave up looking, the start of the next line")
  func simpleKey() {
    let error = parseError("a: 1\nb\nc: 2\n")
    #expect(error?.kind == .syntax)
    #expect(error?.description == "3:1: while scanning a simple key: could not find expected ':'")
  }

  @Test("an unclosed flow sequence, quote and flow mapping")
  func unclosed() {
    let sequence = parseError("a: [1, 2\n")
    #expect(sequence?.kind == .syntax)
    #expect(sequence?.description == "2:1: while parsing a flow sequence: did not find expected ',' or ']'")

    let quote = parseError("a: \"abc\nb: 1\n")
    #expect(quote?.kind == .syntax)
    #expect(quote?.description == "3:1: while scanning a quoted scalar: found unexpected end of stream")

    let single = parseError("a: 'x")
    #expect(single?.description == "1:6: while scanning a quoted scalar: found unexpected end of stream")

    let mapping = parseError("a: {b: 1\n")
    #expect(mapping?.kind == .syntax)
    #expect(mapping?.description == "2:1: while parsing a flow mapping: did not find expected ',' or '}'")
  }

  @Test("invalid UTF-8 and forbidden characters are encoding errors with a mark and the value")
  func encoding() {
    let error = parseError([0x61, 0x3A, 0x20, 0xFF])
    #expect(error?.kind == .encoding)
    #expect(error?.message == "invalid leading UTF-8 octet 0xFF")
    #expect(error?.mark == YAMLMark(line: 1, column: 4))
    #expect(error?.description == "1:4: invalid leading UTF-8 octet 0xFF")

    // Columns count scalars: "ä" is two bytes but one column.
    let secondLine = parseError(Array("ä: 1\nb: ".utf8) + [0xC3, 0x28])
    #expect(secondLine?.description == "2:5: invalid trailing UTF-8 octet 0x28")

    let truncated = parseError(Array("a: ".utf8) + [0xC3])
    #expect(truncated?.description == "1:4: incomplete UTF-8 octet sequence")

    let control = parseError("a: [é, \u{7}]")
    #expect(control?.kind == .encoding)
    #expect(control?.description == "1:8: control characters are not allowed U+0007")
  }

  @Test("a duplicate key: the second key's mark and the first one's position")
  func duplicateKey() {
    let error = parseError("loss: warp\nmargin: 1\nloss: bpr\n")
    #expect(error?.kind == .duplicateKey)
    #expect(error?.message == "duplicate key 'loss' (first at line 1, column 1)")
    #expect(error?.mark == YAMLMark(line: 3, column: 1))

    let nested = parseError("outer:\n  a: 1\n  'a': 2\n")
    #expect(nested?.description == "3:3: duplicate key 'a' (first at line 2, column 3)")

    let flow = parseError("{x: 1, y: 2, x: 3}")
    #expect(flow?.description == "1:14: duplicate key 'x' (first at line 1, column 2)")

    // An alias used as a key is reported where the alias is.
    let alias = parseError("- &k a\n- {a: 1, *k : 2}\n")
    #expect(alias?.description == "2:10: duplicate key 'a' (first at line 2, column 4)")

    // The same key in different mappings, and non-scalar keys, are fine.
    #expect(parseError("- {a: 1}\n- {a: 2}\n") == nil)
    #expect(parseError("? [1]\n: a\n? [1]\n: b\n") == nil)
  }

  @Test("a second document")
  func multipleDocuments() {
    let error = parseError("a: 1\n---\nb: 2\n")
    #expect(error?.kind == .multipleDocuments)
    #expect(error?.description == "2:1: expected a single YAML document, found another one")

    let explicit = parseError("--- 1\n--- 2\n")
    #expect(explicit?.description == "2:1: expected a single YAML document, found another one")

    // A single document with explicit start and end markers is fine.
    #expect(parseError("---\na: 1\n...\n") == nil)
  }

  @Test("an undefined alias, and an alias inside its own anchor")
  func badAliases() {
    let undefined = parseError("a: *x\n")
    #expect(undefined?.kind == .syntax)
    #expect(undefined?.description == "1:4: undefined alias 'x'")

    let later = parseError("a: *x\nb: &x 1\n")
    #expect(later?.description == "1:4: undefined alias 'x'")

    let recursive = parseError("a: &a [1, *a]\n")
    #expect(recursive?.kind == .syntax)
    #expect(recursive?.description == "1:11: alias 'a' refers to a node that contains it")
  }

  @Test("an error without a mark prints only its message")
  func descriptionWithoutMark() {
    #expect(
      YAMLError(kind: .tooLarge, message: "libyaml ran out of memory", mark: nil).description
        == "libyaml ran out of memory")
  }
}
