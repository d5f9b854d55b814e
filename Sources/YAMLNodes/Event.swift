/// One libyaml parsing event, copied out of libyaml's memory into Swift values.
struct Event {
  /// What happened.
  enum Kind {
    /// The stream begins.
    case streamStart
    /// The stream ends: no more events.
    case streamEnd
    /// A document begins (`---`, or implicitly at its first node).
    case documentStart
    /// A document ends (`...`, or implicitly).
    case documentEnd
    /// An alias: `*name`.
    case alias(anchor: String)
    /// A scalar, with its anchor and explicit tag if any.
    case scalar(anchor: String?, tag: String?, text: String, style: YAMLScalar.Style)
    /// A sequence begins.
    case sequenceStart(anchor: String?, tag: String?)
    /// The innermost open sequence ends.
    case sequenceEnd
    /// A mapping begins.
    case mappingStart(anchor: String?, tag: String?)
    /// The innermost open mapping ends.
    case mappingEnd
  }

  /// What happened.
  var kind: Kind
  /// Where the event starts, 1-based.
  var start: YAMLMark
  /// Where the event ends, 1-based.
  var end: YAMLMark
}

extension Event {
  /// The error for an event that libyaml's grammar never puts where it came; a safeguard, never expected.
  var unexpected: YAMLError {
    YAMLError(kind: .syntax, message: "unexpected libyaml event \(kind)", mark: start)
  }
}
