import RankingLosses

/// The version of LossLab.
public enum LossLabVersion {
  /// The version string printed by `losslab --version`.
  public static let current = "0.1.0"
}

/// The text of `losslab list`: every registered loss, its kind, its one-line description, where it comes
/// from (`[built-in]`, or the config or plugin file that defines it), and its parameters (type, default,
/// range, doc).
public struct LossListing: Sendable {
  /// The registry to list.
  public var registry: LossRegistry

  /// Creates a listing.
  public init(registry: LossRegistry) {
    self.registry = registry
  }

  /// The listing, one block per loss.
  public func render() -> String {
    let width = registry.names.map(\.count).max() ?? 0
    var lines: [String] = []
    for descriptor in registry.descriptors {
      let name = descriptor.name + String(repeating: " ", count: width - descriptor.name.count)
      let origin = descriptor.origin == "built-in" ? " [built-in]" : " [from \(descriptor.origin)]"
      lines.append("\(name)  \(descriptor.kind.rawValue.padding(8))  \(descriptor.summary)\(origin)")
      for spec in descriptor.parameters {
        let fallback = spec.defaultValue.map { "default \($0)" } ?? "required"
        lines.append(
          String(repeating: " ", count: width + 2)
            + "  \(spec.name): \(spec.type), \(fallback), \(spec.rangeDescription) — \(spec.doc)")
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }
}

extension String {
  fileprivate func padding(_ width: Int) -> String {
    self + String(repeating: " ", count: max(0, width - count))
  }
}
