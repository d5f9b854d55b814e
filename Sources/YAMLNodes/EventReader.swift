internal import CYAML

/// Owns a libyaml parser reading a UTF-8 buffer, and hands out its events one at a time.
///
/// This is the only place that touches libyaml. The parser is released in `deinit` on every path, and each
/// libyaml event is deleted as soon as its contents are copied into an ``Event``. A libyaml failure becomes
/// one ``YAMLError``.
struct EventReader: ~Copyable {
  private let parser: UnsafeMutablePointer<yaml_parser_t>
  private let source: SourceText

  /// The hint appended to a syntax error whose problem character is a tab.
  static let tabHint = " (a tab character: YAML indents with spaces only)"

  /// Starts a libyaml parser on `source`, read as UTF-8.
  ///
  /// - Parameter source: The bytes; not empty (libyaml rejects a null input pointer). They must stay valid
  ///   for the reader's lifetime.
  /// - Throws: ``YAMLError/Kind/tooLarge`` when libyaml cannot allocate its buffers.
  init(source: SourceText) throws(YAMLError) {
    precondition(!source.bytes.isEmpty, "EventReader needs a non-empty buffer")
    let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
    guard yaml_parser_initialize(parser) == 1 else {
      // On failure libyaml has already released what it allocated.
      parser.deallocate()
      throw Self.outOfMemory
    }
    yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
    yaml_parser_set_input_string(parser, source.bytes.baseAddress, source.bytes.count)
    self.parser = parser
    self.source = source
  }

  deinit {
    yaml_parser_delete(parser)
    parser.deallocate()
  }

  /// The next event.
  ///
  /// - Throws: libyaml's error as a ``YAMLError``: ``YAMLError/Kind/encoding`` for reader errors,
  ///   ``YAMLError/Kind/syntax`` for scanner and parser errors.
  func next() throws(YAMLError) -> Event {
    var event = yaml_event_t()
    guard yaml_parser_parse(parser, &event) == 1 else {
      throw currentError()
    }
    defer { yaml_event_delete(&event) }
    let start = YAMLMark(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
    let end = YAMLMark(line: Int(event.end_mark.line) + 1, column: Int(event.end_mark.column) + 1)
    let kind: Event.Kind
    switch event.type {
    case YAML_STREAM_START_EVENT:
      kind = .streamStart
    case YAML_STREAM_END_EVENT:
      kind = .streamEnd
    case YAML_DOCUMENT_START_EVENT:
      kind = .documentStart
    case YAML_DOCUMENT_END_EVENT:
      kind = .documentEnd
    case YAML_ALIAS_EVENT:
      kind = .alias(anchor: Self.string(event.data.alias.anchor) ?? "")
    case YAML_SCALAR_EVENT:
      let scalar = event.data.scalar
      let text = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
      kind = .scalar(
        anchor: Self.string(scalar.anchor), tag: Self.string(scalar.tag), text: text, style: Self.style(scalar.style))
    case YAML_SEQUENCE_START_EVENT:
      kind = .sequenceStart(
        anchor: Self.string(event.data.sequence_start.anchor), tag: Self.string(event.data.sequence_start.tag))
    case YAML_SEQUENCE_END_EVENT:
      kind = .sequenceEnd
    case YAML_MAPPING_START_EVENT:
      kind = .mappingStart(
        anchor: Self.string(event.data.mapping_start.anchor), tag: Self.string(event.data.mapping_start.tag))
    case YAML_MAPPING_END_EVENT:
      kind = .mappingEnd
    default:
      throw YAMLError(kind: .syntax, message: "libyaml returned an unknown event (\(event.type.rawValue))", mark: start)
    }
    return Event(kind: kind, start: start, end: end)
  }

  /// The error that libyaml's parser has recorded, as one ``YAMLError``.
  private func currentError() -> YAMLError {
    let state = parser.pointee
    var problem = "unknown libyaml error"
    if let text = state.problem {
      problem = String(cString: text)
    }
    switch state.error {
    case YAML_MEMORY_ERROR:
      return Self.outOfMemory
    case YAML_READER_ERROR:
      // A byte offset and the offending value (an octet, or a code point) instead of a mark.
      let value = Int(state.problem_value)
      if value >= 0 {
        problem += problem.hasSuffix("octet") ? " 0x\(Self.hex(value, digits: 2))" : " U+\(Self.hex(value, digits: 4))"
      }
      return YAMLError(kind: .encoding, message: problem, mark: source.mark(atByteOffset: Int(state.problem_offset)))
    default:
      var message = problem
      if let context = state.context {
        message = "\(String(cString: context)): \(problem)"
      }
      let mark = YAMLMark(line: Int(state.problem_mark.line) + 1, column: Int(state.problem_mark.column) + 1)
      if source.byte(at: mark) == 0x09 {
        message += Self.tabHint
      } else if let hint = indentationHint(problem: problem, line: mark.line) {
        message += " (\(hint.text))"
        return YAMLError(kind: .syntax, message: message, mark: mark, relatedLine: hint.relatedLine)
      }
      return YAMLError(kind: .syntax, message: message, mark: mark)
    }
  }

  /// The ``IndentationHint`` for a block-structure `problem` on 1-based `line`, from the source's lines.
  private func indentationHint(problem: String, line: Int) -> IndentationHint? {
    guard IndentationHint.blockProblems.contains(problem) || problem == IndentationHint.mappingValues else {
      return nil
    }
    var text = String(decoding: source.bytes, as: UTF8.self)
    if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
    // The line breaks libyaml counts (a Character holds "\r\n" as one).
    let breaks: Set<Character> = ["\n", "\r\n", "\r", "\u{85}", "\u{2028}", "\u{2029}"]
    let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { breaks.contains($0) })
    return IndentationHint.make(problem: problem, line: line, lines: lines.map(\.unicodeScalars))
  }

  private static let outOfMemory = YAMLError(kind: .tooLarge, message: "libyaml ran out of memory", mark: nil)

  /// A NUL-terminated libyaml string (anchor or tag) as a Swift string; `nil` for a null pointer.
  private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
    guard let pointer else { return nil }
    return String(cString: pointer)
  }

  private static func style(_ style: yaml_scalar_style_t) -> YAMLScalar.Style {
    switch style {
    case YAML_SINGLE_QUOTED_SCALAR_STYLE: return .singleQuoted
    case YAML_DOUBLE_QUOTED_SCALAR_STYLE: return .doubleQuoted
    case YAML_LITERAL_SCALAR_STYLE: return .literal
    case YAML_FOLDED_SCALAR_STYLE: return .folded
    default: return .plain
    }
  }

  /// `value` in upper-case hexadecimal, padded with zeros to at least `digits` digits.
  private static func hex(_ value: Int, digits: Int) -> String {
    let text = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, digits - text.count)) + text
  }
}
