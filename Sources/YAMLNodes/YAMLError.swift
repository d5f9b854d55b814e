/// Why YAML could not be parsed, and where.
///
/// Every failure, whether libyaml's own or one of this module's checks, is one `YAMLError` with a kind, a
/// message and (almost always) a 1-based mark. It prints as `LINE:COLUMN: MESSAGE`, ready to follow a file
/// name:
///
/// ```swift
/// do {
///   _ = try YAMLParser.parse(bytes)
/// } catch {
///   print("config.yaml:\(error)")
///   // config.yaml:3:1: duplicate key 'loss' (first at line 1, column 1)
/// }
/// ```
public struct YAMLError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The kind of failure.
  public enum Kind: Sendable, Equatable {
    /// The text is not well-formed YAML (libyaml's scanner and parser errors), or an alias names no
    /// anchor.
    case syntax
    /// The bytes are not valid UTF-8, or hold characters YAML forbids (libyaml's reader errors).
    case encoding
    /// A mapping has two scalar keys with the same text.
    case duplicateKey
    /// Sequences and mappings nest deeper than ``YAMLLimits/maxDepth``.
    case tooDeep
    /// The document has more nodes than ``YAMLLimits/maxNodes`` once aliases are expanded, or libyaml ran
    /// out of memory.
    case tooLarge
    /// The stream holds more than one document.
    case multipleDocuments
  }

  /// The kind of failure.
  public var kind: Kind
  /// What went wrong, without the location, for example `duplicate key 'loss' (first at line 1, column 1)`.
  public var message: String
  /// Where it went wrong, 1-based; `nil` only when libyaml reports no position (out of memory).
  public var mark: YAMLMark?
  /// An earlier line that the message refers to, worth quoting above the error's own: the line above an
  /// indentation mistake, whose columns the message compares with the offending line's.
  public var relatedLine: Int?

  /// Creates an error.
  ///
  /// - Parameters:
  ///   - kind: The kind of failure.
  ///   - message: What went wrong, without the location.
  ///   - mark: Where it went wrong, if known.
  ///   - relatedLine: An earlier line the message refers to.
  public init(kind: Kind, message: String, mark: YAMLMark?, relatedLine: Int? = nil) {
    self.kind = kind
    self.message = message
    self.mark = mark
    self.relatedLine = relatedLine
  }

  /// `LINE:COLUMN: MESSAGE`, or just the message when there is no mark.
  public var description: String {
    guard let mark else { return message }
    return "\(mark): \(message)"
  }
}
