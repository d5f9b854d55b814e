/// A scalar's text as written in the source, after YAML's quoting, escaping and folding rules, and its style.
///
/// No type is resolved: `5`, `true`, `~` and `"5"` are all text. The style tells a caller whether the author
/// quoted the value, so it can, for example, read `"5"` as a string but `5` as a number.
public struct YAMLScalar: Sendable, Hashable {
  /// How a scalar was written in the source.
  public enum Style: Sendable, Hashable {
    /// Unquoted: `name: warp`.
    case plain
    /// In single quotes: `name: 'warp'`.
    case singleQuoted
    /// In double quotes, with backslash escapes: `name: "warp\n"`.
    case doubleQuoted
    /// A literal block, which keeps line breaks: `text: |`.
    case literal
    /// A folded block, which joins lines with spaces: `text: >`.
    case folded
  }

  /// The scalar's content: quotes removed, escapes decoded, lines folded. It may be empty.
  public var text: String
  /// How the scalar was written.
  public var style: Style

  /// Creates a scalar from its text and style.
  ///
  /// - Parameters:
  ///   - text: The scalar's content.
  ///   - style: How it was written.
  public init(text: String, style: Style) {
    self.text = text
    self.style = style
  }
}
