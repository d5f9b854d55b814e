/// A key path into a config, such as `scenarios[0].negative_scores[2][1]`, for messages.
public struct ConfigPath: Sendable, Hashable, CustomStringConvertible {
  /// The path as text; empty for the document root.
  public private(set) var description: String

  /// The document root.
  public static let root = ConfigPath(description: "")

  /// The path of `key` inside this mapping.
  public func key(_ key: String) -> ConfigPath {
    ConfigPath(description: description.isEmpty ? key : "\(description).\(key)")
  }

  /// The path of element `index` of this sequence.
  public func index(_ index: Int) -> ConfigPath {
    ConfigPath(description: "\(description)[\(index)]")
  }
}
