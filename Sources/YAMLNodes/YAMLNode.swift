/// One node of a parsed YAML document: a scalar, a sequence or a mapping, with where it is in the source.
///
/// A node keeps the order of sequence items and of mapping pairs as written. Aliases are already resolved:
/// an alias (`*name`) yields the anchored node itself, marks included, and shares its storage rather than
/// copying it. Scalars are not typed; a schema layer above decides what `5` or `~` means.
///
/// ```swift
/// let root = try YAMLParser.parse("loss: warp\nmargin: 1.0\n")!
/// for pair in root.mapping ?? [] {
///   print(pair.key.scalar?.text ?? "?", "at", pair.value.mark)  // loss at 1:7, margin at 2:9
/// }
/// ```
public struct YAMLNode: Sendable, Equatable {
  /// What a node holds.
  public enum Content: Sendable, Equatable {
    /// A scalar: text and style.
    case scalar(YAMLScalar)
    /// A sequence: its items in order.
    case sequence([YAMLNode])
    /// A mapping: its pairs in source order. Scalar keys are unique by text (``YAMLParser`` checks).
    case mapping([Pair])
  }

  /// One key and its value in a mapping.
  public struct Pair: Sendable, Equatable {
    /// The key; usually a scalar, but YAML allows any node.
    public var key: YAMLNode
    /// The value.
    public var value: YAMLNode

    /// Creates a pair.
    ///
    /// - Parameters:
    ///   - key: The key.
    ///   - value: The value.
    public init(key: YAMLNode, value: YAMLNode) {
      self.key = key
      self.value = value
    }
  }

  /// What the node holds.
  public var content: Content
  /// Where the node starts: a scalar's first character (or its opening quote, or its `|` or `>` indicator);
  /// a block sequence's first `-`; a block mapping's first key; a flow collection's `[` or `{`. A node with an
  /// anchor or a tag starts at the `&` or `!`.
  public var mark: YAMLMark
  /// Where the node ends, as libyaml reports it: just after its last character, or for a block collection
  /// the position of the token that closes it (often the start of the next line).
  public var endMark: YAMLMark
  /// The node's explicit tag, `nil` when it has none. Shorthands are expanded: `!!str` gives
  /// `tag:yaml.org,2002:str`, and a local tag stays as written, such as `!custom`. A lone `!` gives `!`.
  public var tag: String?

  /// Creates a node.
  ///
  /// - Parameters:
  ///   - content: What the node holds.
  ///   - mark: Where it starts.
  ///   - endMark: Where it ends.
  ///   - tag: Its explicit tag, if any; default `nil`.
  public init(content: Content, mark: YAMLMark, endMark: YAMLMark, tag: String? = nil) {
    self.content = content
    self.mark = mark
    self.endMark = endMark
    self.tag = tag
  }

  /// The scalar, or `nil` when the node is a sequence or a mapping.
  public var scalar: YAMLScalar? {
    if case .scalar(let scalar) = content { return scalar }
    return nil
  }

  /// The sequence's items, or `nil` when the node is a scalar or a mapping.
  public var sequence: [YAMLNode]? {
    if case .sequence(let items) = content { return items }
    return nil
  }

  /// The mapping's pairs, or `nil` when the node is a scalar or a sequence.
  public var mapping: [Pair]? {
    if case .mapping(let pairs) = content { return pairs }
    return nil
  }

  /// The node's kind with an article, for messages: `a scalar`, `a sequence` or `a mapping`.
  ///
  /// ```swift
  /// "expected a mapping, found \(node.kindDescription)"  // expected a mapping, found a sequence
  /// ```
  public var kindDescription: String {
    switch content {
    case .scalar: return "a scalar"
    case .sequence: return "a sequence"
    case .mapping: return "a mapping"
    }
  }
}
