import ArgumentParser
import LossLabKit
import RankingLosses

/// `--plugin PATH` (repeatable): loss plugins to load before the configs.
struct PluginOptions: ParsableArguments {
  @Option(
    name: .customLong("plugin"),
    help: "A loss plugin (shared library) to load, a path relative to the current folder; repeat for several.")
  var plugins: [String] = []

  /// The standard registry plus the plugins' losses; a plugin that fails stops the command (exit 66 for a
  /// missing file, 65 for a file that is not a valid plugin).
  func registry() throws -> LossRegistry {
    var registry = LossRegistry.standard
    for path in plugins {
      try orFail { () throws(PluginError) in try PluginLoader.load(path, into: &registry) }
    }
    return registry
  }
}
