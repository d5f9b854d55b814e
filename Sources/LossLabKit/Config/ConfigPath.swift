/// A key path into a config, such as `scenarios[0].negative_scores[2][1]`: where a value sits in the
/// document, for messages and for finding a decoded value's entry again.
///
/// A path is a list of components — mapping keys and sequence indices — and prints the way a reader would
/// write it: keys joined by `.`, indices in brackets.
///
/// ```swift
/// ConfigPath.root.key("losses").index(1).key("params")   // losses[1].params
/// ```
public struct ConfigPath: Sendable, Hashable, CustomStringConvertible {
  /// One step into the document.
  public enum Component: Sendable, Hashable {
    /// A key of a mapping.
    case key(String)
    /// A 0-based index of a sequence.
    case index(Int)
  }

  /// The steps from the document's root, in order; empty for the root.
  public private(set) var components: [Component]

  /// Creates a path from its components.
  public init(_ components: [Component] = []) {
    self.components = components
  }

  /// The document root.
  public static let root = ConfigPath()

  /// Whether this is the root (the document as a whole).
  public var isRoot: Bool { components.isEmpty }

  /// The path of `key` inside this mapping.
  public func key(_ key: String) -> ConfigPath {
    ConfigPath(components + [.key(key)])
  }

  /// The path of element `index` of this sequence.
  public func index(_ index: Int) -> ConfigPath {
    ConfigPath(components + [.index(index)])
  }

  /// The path as text: `losses[1].params.num_items`; empty for the root. An empty key shows as `""`.
  public var description: String {
    var text = ""
    for component in components {
      switch component {
      case .key(let key):
        let shown = key.isEmpty ? "\"\"" : key  // an empty key, visible
        text += text.isEmpty ? shown : ".\(shown)"
      case .index(let index): text += "[\(index)]"
      }
    }
    return text
  }
}
