/// Builds one node from a run of libyaml events, with an explicit stack instead of recursion.
///
/// Besides assembling the tree it resolves aliases (sharing the anchored value), rejects duplicate scalar
/// keys, and enforces ``YAMLLimits``: the nesting depth (aliased collections included) and the node count
/// after alias expansion.
struct TreeBuilder {
  /// A node that an anchor names, with what an alias to it adds to the document.
  private struct Anchored {
    /// The node, shared by every alias to it.
    var node: YAMLNode
    /// Its node count after expansion: 1 plus its children's counts.
    var count: Int
    /// Its nesting height: 0 for a scalar, 1 + the highest child for a collection.
    var height: Int
  }

  /// A sequence or mapping whose end event has not come yet.
  private struct Frame {
    var isMapping: Bool
    var mark: YAMLMark
    var tag: String?
    var anchor: String?
    /// The document's node count before this collection began.
    var countBefore: Int
    var items: [YAMLNode] = []
    var pairs: [YAMLNode.Pair] = []
    /// A mapping's key that waits for its value.
    var pendingKey: YAMLNode?
    /// Where each scalar key of a mapping first occurred, by text.
    var keyMarks: [String: YAMLMark] = [:]
    /// 1 + the highest child's height so far.
    var height = 1

    /// Adds a finished child: an item, a key, or a key's value.
    ///
    /// - Parameters:
    ///   - node: The child.
    ///   - occurrence: Where it occurs in the source; for an alias, the alias's mark.
    ///   - height: Its nesting height.
    /// - Throws: ``YAMLError/Kind/duplicateKey`` for a scalar key already present.
    mutating func add(_ node: YAMLNode, at occurrence: YAMLMark, height childHeight: Int) throws(YAMLError) {
      height = max(height, childHeight + 1)
      guard isMapping else {
        items.append(node)
        return
      }
      guard let key = pendingKey else {
        if let text = node.scalar?.text {
          if let first = keyMarks[text] {
            throw YAMLError(
              kind: .duplicateKey,
              message: "duplicate key '\(text)' (first at line \(first.line), column \(first.column))",
              mark: occurrence)
          }
          keyMarks[text] = occurrence
        }
        pendingKey = node
        return
      }
      pairs.append(YAMLNode.Pair(key: key, value: node))
      pendingKey = nil
    }
  }

  private let limits: YAMLLimits
  private var anchors: [String: Anchored] = [:]
  private var stack: [Frame] = []
  /// The nodes so far, aliases expanded: always the root's count so far.
  private var count = 0

  /// Creates a builder for one document.
  ///
  /// - Parameter limits: The depth and size limits to enforce.
  init(limits: YAMLLimits) {
    self.limits = limits
  }

  /// Reads the events of one complete node (a document's root) from `reader` and returns the node.
  ///
  /// - Parameter reader: The event source, positioned just after a document start.
  /// - Throws: libyaml's errors, and ``YAMLError`` of kinds `duplicateKey`, `tooDeep`, `tooLarge`, and
  ///   `syntax` for an undefined or self-containing alias.
  mutating func readNode(from reader: borrowing EventReader) throws(YAMLError) -> YAMLNode {
    while true {
      let event = try reader.next()
      let node: YAMLNode
      let occurrence: YAMLMark
      let height: Int
      switch event.kind {
      case .scalar(let anchor, let tag, let text, let style):
        try addToCount(1, at: event.start, throughAlias: false)
        node = YAMLNode(
          content: .scalar(YAMLScalar(text: text, style: style)), mark: event.start, endMark: event.end, tag: tag)
        occurrence = event.start
        height = 0
        if let anchor {
          anchors[anchor] = Anchored(node: node, count: 1, height: 0)
        }
      case .alias(let name):
        let anchored = try resolve(alias: name, at: event.start)
        if stack.count + anchored.height > limits.maxDepth {
          throw YAMLError(kind: .tooDeep, message: "nesting deeper than \(limits.maxDepth) levels", mark: event.start)
        }
        try addToCount(anchored.count, at: event.start, throughAlias: true)
        node = anchored.node
        occurrence = event.start
        height = anchored.height
      case .sequenceStart(let anchor, let tag), .mappingStart(let anchor, let tag):
        if stack.count >= limits.maxDepth {
          throw YAMLError(kind: .tooDeep, message: "nesting deeper than \(limits.maxDepth) levels", mark: event.start)
        }
        let countBefore = count
        try addToCount(1, at: event.start, throughAlias: false)
        var isMapping = false
        if case .mappingStart = event.kind { isMapping = true }
        stack.append(Frame(isMapping: isMapping, mark: event.start, tag: tag, anchor: anchor, countBefore: countBefore))
        continue
      case .sequenceEnd, .mappingEnd:
        guard let frame = stack.popLast() else { throw event.unexpected }
        node = YAMLNode(
          content: frame.isMapping ? .mapping(frame.pairs) : .sequence(frame.items),
          mark: frame.mark, endMark: event.end, tag: frame.tag)
        occurrence = frame.mark
        height = frame.height
        if let anchor = frame.anchor {
          anchors[anchor] = Anchored(node: node, count: count - frame.countBefore, height: frame.height)
        }
      case .streamStart, .streamEnd, .documentStart, .documentEnd:
        throw event.unexpected
      }
      if stack.isEmpty {
        return node
      }
      try stack[stack.count - 1].add(node, at: occurrence, height: height)
    }
  }

  /// The anchored node that alias `name` refers to.
  private func resolve(alias name: String, at mark: YAMLMark) throws(YAMLError) -> Anchored {
    // The most recent anchor wins; a collection still open is more recent than any finished node.
    if stack.contains(where: { $0.anchor == name }) {
      throw YAMLError(kind: .syntax, message: "alias '\(name)' refers to a node that contains it", mark: mark)
    }
    guard let anchored = anchors[name] else {
      throw YAMLError(kind: .syntax, message: "undefined alias '\(name)'", mark: mark)
    }
    return anchored
  }

  /// Adds `nodes` to the document's expanded node count, throwing when it passes ``YAMLLimits/maxNodes``.
  private mutating func addToCount(_ nodes: Int, at mark: YAMLMark, throughAlias: Bool) throws(YAMLError) {
    let (sum, overflow) = count.addingReportingOverflow(nodes)
    guard !overflow, sum <= limits.maxNodes else {
      let message =
        throughAlias
        ? "aliases expand the document beyond \(limits.maxNodes) nodes"
        : "the document has more than \(limits.maxNodes) nodes"
      throw YAMLError(kind: .tooLarge, message: message, mark: mark)
    }
    count = sum
  }
}
