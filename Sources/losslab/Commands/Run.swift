import ArgumentParser
import LossLabKit

extension LossLab {
  /// `losslab run CONFIG…`: one loss table per config.
  struct Run: LossLabSubcommand {
    static let configuration = CommandConfiguration(
      abstract: "Run experiments and print one table per config.",
      discussion: """
        Every scenario is evaluated with every loss variant. A pairwise loss on a scenario with several \
        negatives per positive uses the first row (marked †); partial credit on a scenario without item ids \
        shows n/a. Nothing is written unless every config runs. A cell whose value or gradient is not finite \
        is shown as "not finite" with its reason, and the command then exits with status 65.
        """)

    @Argument(help: "Config files (YAML).", completion: .file(extensions: ["yaml", "yml"]))
    var configs: [String]

    @OptionGroup var outputOptions: OutputOptions

    @OptionGroup var pluginOptions: PluginOptions

    @Flag(help: "Also compute the gradients with respect to every score.")
    var gradients = false

    func run() throws {
      let registry = try pluginOptions.registry()
      let loader = ConfigLoader(registry: registry)
      // Of several files, the training configs are skipped (named); one alone is told where it belongs.
      var paths = configs
      if configs.count > 1 {
        let training = configs.filter { loader.evidentKind(path: $0) == .training }
        if training.count < configs.count {
          for path in training { printError("note: skipped \(path): a training config (run it with 'losslab train')") }
          paths.removeAll { training.contains($0) }
        }
      }
      let loaded = paths.map { loader.load(path: $0, as: .lossTable) }
      var inputs = InputFiles()
      for config in configs { inputs.add(config, as: "the config \(config)") }
      inputs.addPlugins(of: registry)
      for config in loaded.compactMap(\.lossTable) { inputs.addPlugins(of: config.registry) }
      try outputOptions.check(inputs: inputs)
      var diagnostics = loaded.flatMap(\.diagnostics)
      let runner = ExperimentRunner(computeGradients: gradients)
      var reports: [ExperimentReport] = []
      for config in loaded.compactMap(\.lossTable) {
        do {
          reports.append(try runner.run(config))
        } catch {
          diagnostics += error.diagnostics
        }
      }
      let code = report(diagnostics, sources: sources(loaded))
      guard code == .success else { throw code }
      try outputOptions.emit(
        ReportRenderer(format: outputOptions.format, precision: outputOptions.precision).render(reports),
        inputs: inputs)
      // The table is out, with its marked cells; the run still fails.
      let nonFinite = reports.flatMap(\.nonFiniteDiagnostics)
      guard nonFinite.isEmpty else { throw report(nonFinite, sources: sources(loaded)) }
    }
  }
}
