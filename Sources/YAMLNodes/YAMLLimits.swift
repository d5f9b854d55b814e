/// Bounds on the size and shape of a parsed document, so that hostile or broken input gets an error rather
/// than exhausting the stack or the memory.
///
/// ```swift
/// let node = try YAMLParser.parse(bytes, limits: YAMLLimits(maxDepth: 50))
/// ```
public struct YAMLLimits: Sendable {
  /// The deepest nesting of sequences and mappings allowed; default 200.
  ///
  /// The root collection is level 1; scalars add no level. Nesting reached through an alias counts too,
  /// so every tree that ``YAMLParser`` returns is at most this deep. Deeper input throws
  /// ``YAMLError/Kind/tooDeep``. Keep it in the hundreds: code that walks a tree recursively (including the
  /// tree's own deallocation) uses stack in proportion to its depth.
  public var maxDepth: Int
  /// The most nodes a document may have after alias expansion; default 2 000 000.
  ///
  /// Every scalar, sequence and mapping counts 1, and an alias counts as many nodes as its anchored node
  /// holds, so a small file whose aliases multiply (the "billion laughs") throws ``YAMLError/Kind/tooLarge``
  /// as soon as the expanded count passes the limit. Aliased values are shared, not copied.
  public var maxNodes: Int

  /// Creates limits.
  ///
  /// - Parameters:
  ///   - maxDepth: The deepest nesting of sequences and mappings allowed; default 200, at least 0.
  ///   - maxNodes: The most nodes after alias expansion; default 2 000 000, at least 0.
  public init(maxDepth: Int = 200, maxNodes: Int = 2_000_000) {
    precondition(maxDepth >= 0, "YAMLLimits.maxDepth must not be negative (got \(maxDepth))")
    precondition(maxNodes >= 0, "YAMLLimits.maxNodes must not be negative (got \(maxNodes))")
    self.maxDepth = maxDepth
    self.maxNodes = maxNodes
  }
}
