import ArgumentParser
import Foundation
import LossLabKit
import RankingLosses
import Recommender

extension LossLab {
  /// `losslab train CONFIG`: one model per loss variant and seed, held-out metrics side by side.
  struct Train: LossLabSubcommand {
    static let configuration = CommandConfiguration(
      abstract: "Train a recommender with each loss variant and compare held-out ranking metrics.",
      discussion: """
        Loads the config's data, splits it per user, trains one matrix-factorization model per loss variant \
        and seed, and prints one row per variant: the metric columns of the config's evaluation (by default \
        AUC, MAP@k, MRR, NDCG@k, precision@k, recall@k and hit rate@k at k = 10; mean ± std over seeds), \
        training seconds and interactions per second. See Docs/Training.md.
        """)

    @Argument(help: "A training config (YAML).", completion: .file(extensions: ["yaml", "yml"]))
    var config: String

    @OptionGroup var outputOptions: OutputOptions

    @OptionGroup var pluginOptions: PluginOptions

    @Option(help: "Draw each metric per epoch, one line per variant, as an SVG file (evaluates every epoch).")
    var plot: String?

    @Option(
      help: "Write the train/test split (train.csv, test.csv, validation.csv if any; original ids) to this folder.")
    var saveSplit: String?

    @Option(help: "Keep a binary cache of the loaded data in this folder (overrides data.cache).")
    var cache: String?

    @Option(help: "Write every model's factors and biases (CSV) to this folder.")
    var saveModel: String?

    @Option(
      help: "Write per-user test metrics, TREC runs, recommendations and the test qrels to this folder.")
    var saveRun: String?

    func validate() throws {
      if let plot, plot == outputOptions.output {
        throw ValidationError("--plot and --output name the same file, \(plot); give two files")
      }
      if let saveRun, let saveModel, folderKey(saveRun) == folderKey(saveModel) {
        throw ValidationError(
          "--save-run and --save-model name the same folder, \(saveRun); both write index.csv there: give two folders")
      }
    }

    func run() throws {
      var loaded = try loadTrainingConfig(config, registry: try pluginOptions.registry())
      if let cache { loaded.dataCache = cache }
      let config = loaded
      let inputs = InputFiles(of: config)
      // Unwritable destinations fail now, not after the training.
      try outputOptions.check(inputs: inputs)
      try orFail { () throws(AtomicFile.WriteError) in
        if let plot { try AtomicFile.check(plot, inputs: inputs) }
        if let saveSplit {
          try SplitWriter.check(saveSplit, validation: config.split.validationFraction != nil, inputs: inputs)
        }
        if let saveModel { try ModelWriter.check(saveModel) }
        if let saveRun { try RunWriter.check(saveRun, config: config, inputs: inputs) }
      }
      let runner = TrainingRunner(evalEveryOverride: plot != nil ? 1 : nil)
      let prepared = try prepare(config, runner: runner)
      if let saveRun {
        try orFail { () throws(AtomicFile.WriteError) in try RunWriter.checkIDs(prepared.0, folder: saveRun) }
      }
      if let saveSplit {
        try orFail { () throws(AtomicFile.WriteError) in
          try SplitWriter.write(prepared.0, prepared.1, to: saveSplit, inputs: inputs)
        }
      }
      let progress = ProgressReporter()
      let report: TrainingReport
      do throws(TrainingRunError) {
        report = try runner.run(config, prepared: prepared) { label, seedIndex, p in
          progress.update(label: label, seed: seedIndex + 1, seeds: config.seeds.count, progress: p)
        }
      } catch {
        progress.finish()
        throw fail(TrainingFailure(config: config.file, error: error))
      }
      progress.finish()
      let text = TrainingReportRenderer(format: outputOptions.format, precision: outputOptions.precision).render(report)
      try orFail { () throws(AtomicFile.WriteError) in
        if let plot { try AtomicFile.write(TrainingPlot.svg(report), to: plot, inputs: inputs) }
        if let saveModel {
          let entries = try ModelWriter.write(report, data: prepared.0, to: saveModel, inputs: inputs)
          printError(
            "wrote \(entries.count) \(entries.count == 1 ? "model" : "models") to \(saveModel) "
              + "(the folder of each label: \(ModelWriter.indexPath(in: saveModel)))")
        }
        if let saveRun {
          let entries = try RunWriter.write(report, data: prepared.0, split: prepared.1, to: saveRun, inputs: inputs)
          printError(
            "wrote per-user metrics and top-\(config.evaluation.largestCutoff) lists of \(entries.count) "
              + "\(entries.count == 1 ? "model" : "models") and the test qrels to \(saveRun) "
              + "(the folder of each label: \(joinedPath(saveRun, RunWriter.indexName)))")
        }
      }
      try outputOptions.emit(text, inputs: inputs)
    }
  }
}

/// A folder path compared with another: without trailing `/`s (`models/` and `models` are one folder).
private func folderKey(_ path: String) -> String {
  var key = Substring(path)
  while key.count > 1 && key.hasSuffix("/") { key = key.dropLast() }
  return String(key)
}

/// `folder/name`, without doubling a trailing `/`.
private func joinedPath(_ folder: String, _ name: String) -> String {
  folder.hasSuffix("/") ? folder + name : folder + "/" + name
}

extension InputFiles {
  /// A training config's inputs: the config, its data files and its plugins.
  init(of config: TrainingConfig) {
    self.init()
    add(config.file, as: "the config \(config.file)")
    add(config.interactions.path, as: "the data file \(config.interactions.path)")
    if let items = config.items { add(items.path, as: "the items file \(items.path)") }
    addPlugins(of: config.registry)
  }
}

/// Loads a training config or exits with its diagnostics.
func loadTrainingConfig(_ path: String, registry: LossRegistry = .standard) throws -> TrainingConfig {
  let loaded = ConfigLoader(registry: registry).load(path: path, as: .training)
  let code = report(loaded.diagnostics, sources: sources([loaded]))
  guard let config = loaded.training, code == .success else { throw code == .success ? ExitCode(.badData) : code }
  return config
}

/// Loads and splits a training config's data, printing the loader's and the split's notes; exits with the
/// failure.
func prepare(_ config: TrainingConfig, runner: TrainingRunner) throws -> (InteractionData, DataSplit) {
  do throws(TrainingRunError) {
    let prepared = try runner.prepare(config)
    for note in prepared.0.notes + (prepared.1.note.map { [$0] } ?? []) { printError("note: \(note)") }
    return prepared
  } catch {
    throw fail(TrainingFailure(config: config.file, error: error))
  }
}
