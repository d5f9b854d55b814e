import ArgumentParser
import LossLabKit
import RankingLosses

extension LossLab {
  /// `losslab validate CONFIG…`: every problem of configs of both kinds, without computing anything.
  struct Validate: LossLabSubcommand {
    static let configuration = CommandConfiguration(
      abstract: "Check configs without computing anything; print every problem found.",
      discussion: """
        Loss-table configs (for run) and training configs (for train, split; they have data:) alike; a \
        training config's data files are opened and their headers checked against the columns it names \
        (no row is read). A \
        config's plugins are checked to exist but not loaded (their code does not run) unless \
        --load-plugins is given; losses they may define are then not checked.
        """)

    @Argument(help: "Config files (YAML).", completion: .file(extensions: ["yaml", "yml"]))
    var configs: [String]

    @OptionGroup var pluginOptions: PluginOptions

    @Flag(help: "Load the configs' plugins, so that the losses they define are checked too.")
    var loadPlugins = false

    func run() throws {
      var loader = ConfigLoader(registry: try pluginOptions.registry(), plugins: loadPlugins ? .load : .check)
      loader.decoder.checksDataFiles = true
      let loaded = configs.map { loader.load(path: $0) }
      for config in loaded {
        switch config.config {
        case .lossTable(let table)?:
          print(
            "\(config.file): ok — \(counted(table.losses.count, "loss variant")) x "
              + counted(table.scenarios.count, "scenario"))
        case .training(let training)?:
          // With grids: how many models the run trains in all.
          let points = training.variants.map(\.points.count).reduce(0, +)
          let grid = points > training.variants.count ? " (\(counted(points, "training point")) in all)" : ""
          print(
            "\(config.file): ok — training config, \(counted(training.variants.count, "loss variant"))\(grid) x "
              + counted(training.seeds.count, "seed"))
        case nil:
          continue
        }
      }
      let code = report(loaded.flatMap(\.diagnostics), sources: sources(loaded))
      if code != .success { throw code }
    }
  }
}
