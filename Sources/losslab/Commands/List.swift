import ArgumentParser
import LossLabKit
import RankingLosses

extension LossLab {
  /// `losslab list [CONFIG…]`: the registered losses, with those the configs add.
  struct List: LossLabSubcommand {
    static let configuration = CommandConfiguration(
      abstract: "List the registered losses with their kind, parameters and a one-line description.",
      discussion: "With configs, their custom losses and plugins' losses are listed too, each with its origin.")

    @Argument(help: "Configs (loss-table or training) whose custom_losses and plugins to include.")
    var configs: [String] = []

    @OptionGroup var pluginOptions: PluginOptions

    func run() throws {
      var registry = try pluginOptions.registry()
      let loader = ConfigLoader(registry: registry)
      let loaded = configs.map { loader.load(path: $0) }
      let code = report(loaded.flatMap(\.diagnostics), sources: sources(loaded))
      if code != .success { throw code }
      for config in loaded.compactMap(\.config) {
        for descriptor in config.registry.descriptors where !registry.contains(descriptor.name) {
          try orFail { () throws(LossError) in try registry.register(descriptor) }
        }
      }
      print(LossListing(registry: registry).render(), terminator: "")
    }
  }
}
