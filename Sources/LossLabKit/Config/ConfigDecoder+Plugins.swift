import Foundation
import RankingLosses
import YAMLNodes

extension ConfigDecoder {
  /// Decodes `plugins:` — paths of loss plugins, relative to the config's folder (``resolvePath(_:relativeTo:)``)
  /// — and, under ``PluginPolicy/load``, loads each into `registry`. A plugin that fails is reported at its
  /// entry.
  ///
  /// - Returns: The plugins that were found but not loaded (``PluginPolicy/check``).
  func decodePlugins(
    _ node: YAMLNode, _ path: ConfigPath, into registry: inout LossRegistry, _ reader: inout ConfigReader
  ) -> [String] {
    guard let entries = reader.sequence(node, path, what: "plugins") else { return [] }
    var skipped: [String] = []
    for (i, entry) in entries.enumerated() {
      guard let given = reader.string(entry, path.index(i), what: "a plugin path") else { continue }
      guard !given.isEmpty else {
        reader.error("a plugin path is empty", at: entry.mark, path.index(i))
        continue
      }
      let resolved = resolvePath(given, relativeTo: reader.file)
      do throws(PluginError) {
        switch plugins {
        case .load:
          try PluginLoader.load(resolved, into: &registry)
        case .check:
          try PluginLoader.checkFile(resolved)
          skipped.append(resolved)
        }
      } catch {
        reader.error(error.description, at: entry.mark, path.index(i), category: error.category)
      }
    }
    return skipped
  }
}
