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

    @Option(help: "With --plot: a light ± std band around each line (std), or none.")
    var plotBands = TrainingPlot.Bands.std

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

    @Option(
      help: """
        Keep every finished cell (variant, grid point, seed) in this SQLite file as it finishes; run again to \
        resume: cells the store holds are skipped. See Docs/Cluster.md.
        """)
    var store: String?

    @Flag(
      help: """
        Print no progress. Otherwise a terminal shows one status line (cells done, the cell in training, its \
        epoch and loss, elapsed time and ETA), and a pipe or file gets one line per finished cell.
        """)
    var quiet = false

    @Option(help: "How the text and Markdown table is laid out: one row per variant, or one row per metric.")
    var layout: TableLayout = .variantsAsRows

    @Option(
      help: """
        Run only shard I of N (1-based, e.g. 2/3): every N-th cell of the run's fixed order. Needs --store; \
        merge the shards' stores with `losslab report`.
        """)
    var shard: String?

    func validate() throws {
      if let shard {
        _ = try Shard(parsing: shard)
        guard store != nil else {
          throw ValidationError(
            "--shard needs --store: a shard's cells are kept only in its store (merge the stores with losslab report)")
        }
        let refused = [
          ("--output", outputOptions.output), ("--plot", plot), ("--save-model", saveModel), ("--save-run", saveRun),
        ].filter { $0.1 != nil }.map(\.0)
        if let option = refused.first {
          throw ValidationError(
            "--shard runs part of the cells, so there is no report for \(option): render it from the stores with "
              + "losslab report (which takes --output and --plot)")
        }
      }
      try checkPlotName(plot)
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
        if let store { try AtomicFile.check(store, inputs: inputs) }
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
      let plan = TrainingRunner.plan(config)
      let progress = ProgressReporter(
        config: config, total: plan.count, quiet: quiet, precision: outputOptions.precision ?? 4)
      // Ctrl-C stops the training between mini-batches; the table of what finished is printed below.
      let interruption = Interruption(onFirst: { progress.finish() })
      defer { interruption.restore() }
      let keepModels = saveModel != nil || saveRun != nil
      // nil for a shard, whose report comes from `losslab report`.
      var assembled: TrainingReport? = nil
      var interrupted = false
      var cells = 0
      do throws(TrainingRunError) {
        if let store {
          let stored = try runWithStore(
            config, store: store, inputs: inputs, runner: runner, prepared: prepared, keepModels: keepModels,
            progress: progress, interruption: interruption)
          if let stored { (assembled, cells, interrupted) = stored }
        } else {
          progress.begin(total: plan.count)
          let executed = try runner.execute(
            config, prepared: prepared, cells: plan, keepModels: keepModels,
            progress: { cell, p in progress.update(cell: cell, progress: p) },
            finished: { result in progress.finished(result) }, shouldStop: { interruption.requested })
          assembled = TrainingReport(
            config: config, data: executed.data, variants: executed.variants, cells: executed.results)
          interrupted = executed.interrupted
          cells = executed.results.count
        }
      } catch {
        progress.finish()
        throw fail(TrainingFailure(config: config.file, error: error))
      }
      progress.finish()
      guard var report = assembled else {
        if interruption.requested { throw ExitCode(130) }
        return
      }
      let renderer = TrainingReportRenderer(
        format: outputOptions.format, precision: outputOptions.precision, layout: layout)
      if interrupted {
        // What finished, marked partial, on standard output; no output file is written (a report, plot or
        // model folder that looks complete but is not would mislead), except the store's finished cells.
        report.partial = "partial: \(cells) of \(plan.count) cells finished, interrupted"
        print(renderer.render(report), terminator: "")
        fflush(nil)
        let skipped = [
          ("--output", outputOptions.output), ("--plot", plot), ("--save-model", saveModel), ("--save-run", saveRun),
        ].compactMap { option, value in value.map { "\(option) \($0)" } }
        var message = "losslab: interrupted after \(cells) of \(plan.count) cells"
        if !skipped.isEmpty { message += "; not written: " + skipped.joined(separator: ", ") }
        if let store { message += "; \(store) keeps the finished cells: run the same command to resume" }
        printError(message)
        storeLine(store, cells: cells, of: plan.count).forEach(printError)
        throw ExitCode(130)
      }
      let text = renderer.render(report)
      var written: [String] = []
      try orFail { () throws(AtomicFile.WriteError) in
        if let plot {
          try AtomicFile.write(TrainingPlot.svg(report, bands: plotBands), to: plot, inputs: inputs)
          written.append(wroteLine(plot))
        }
        if let saveModel {
          let entries = try ModelWriter.write(report, data: prepared.0, to: saveModel, inputs: inputs)
          let files =
            [ModelWriter.indexPath(in: saveModel)]
            + entries.flatMap { entry in
              ["user_factors.csv", "item_factors.csv"].map { joinedPath(saveModel, "\(entry.seedFolder)/\($0)") }
            }
          written.append(
            "wrote \(entries.count) \(entries.count == 1 ? "model" : "models") to \(saveModel) "
              + "(the folder of each label: \(ModelWriter.indexPath(in: saveModel)); \(filesAndSize(files)))")
        }
        if let saveRun {
          let entries = try RunWriter.write(report, data: prepared.0, split: prepared.1, to: saveRun, inputs: inputs)
          let files =
            [RunWriter.indexName, RunWriter.qrelsName].map { joinedPath(saveRun, $0) }
            + entries.flatMap { entry in
              [RunWriter.perUserName, RunWriter.runName, RunWriter.recommendationsName].map {
                joinedPath(saveRun, "\(entry.seedFolder)/\($0)")
              }
            }
          written.append(
            "wrote per-user metrics and top-\(config.evaluation.largestCutoff) lists of \(entries.count) "
              + "\(entries.count == 1 ? "model" : "models") and the test qrels to \(saveRun) "
              + "(the folder of each label: \(joinedPath(saveRun, RunWriter.indexName)); \(filesAndSize(files)))")
        }
      }
      try outputOptions.emit(text, inputs: inputs)
      if let output = outputOptions.output, output != "-" { written.append(wroteLine(output)) }
      if let saveSplit {
        let files = SplitWriter.files(in: saveSplit, validation: prepared.1.hasValidation)
        written.insert("wrote the split to \(saveSplit) (\(filesAndSize(files)))", at: 0)
      }
      written += storeLine(store, cells: cells, of: plan.count)
      written.forEach(printError)
    }

    /// The line of the store, when there is one: `wrote runs.sqlite (81 of the run's 81 cells; 3.1 MB)`.
    private func storeLine(_ store: String?, cells: Int, of total: Int) -> [String] {
      guard let store else { return [] }
      return ["wrote \(store) (\(cells) of the run's \(total) cells; \(TrainingProgressText.size(fileSize(store))))"]
    }
  }
}

extension LossLab.Train {
  /// Runs the cells of this shard (all without `--shard`) that the store does not hold yet, writing each as
  /// it finishes; returns the report assembled from the store's and the new cells, how many cells it holds
  /// and whether Ctrl-C stopped the run, or `nil` for a shard (whose report needs the other shards: `losslab report`).
  fileprivate func runWithStore(
    _ config: TrainingConfig, store path: String, inputs: InputFiles, runner: TrainingRunner,
    prepared: (InteractionData, DataSplit), keepModels: Bool, progress: ProgressReporter, interruption: Interruption
  ) throws(TrainingRunError) -> (report: TrainingReport, cells: Int, interrupted: Bool)? {
    let (data, split) = prepared
    let canonical = ConfigHash.canonical(
      config, evalEvery: runner.evalEveryOverride ?? config.evaluation.evalEvery, data: data)
    let hash = ConfigHash.hash(canonical)
    let store: ResultStore
    do throws(ResultStoreError) {
      store = try ResultStore.open(path, create: true)
    } catch {
      throw .store(error)
    }
    let summary = TrainingRunner.dataSummary(data, split)
    let variants = try TrainingRunner.variantLosses(config, data: data)
    let plan = TrainingRunner.plan(config)
    let configText = (try? String(contentsOfFile: config.file, encoding: .utf8)) ?? ""
    let done: Set<Int>
    do throws(ResultStoreError) {
      try store.begin(
        ResultStore.StoredRun(
          hash: hash, canonical: canonical, configFile: config.file, configText: configText, cellCount: plan.count,
          data: summary, evaluatedUserIDs: summary.evaluatedUsers.map { data.userIDs[$0] }, variants: variants,
          names: config.variants.map { ($0.loss.label, $0.loss.name) }))
      done = try store.cellIndices(hash: hash)
    } catch {
      throw .store(error)
    }
    // Shard I of N: the cells whose index is I − 1 modulo N, the same on every machine.
    let part = (try? shard.map(Shard.init(parsing:))) ?? nil
    let mine = plan.filter { part?.contains($0.index) ?? true }
    let toRun = mine.filter { !done.contains($0.index) }
    let skipped = mine.count - toRun.count
    if keepModels && skipped > 0 {
      throw .store(
        ResultStoreError(
          path: path,
          message:
            "\(skipped) of this run's cells are in the store already and their models were not kept, so "
            + "--save-model and --save-run cannot write every model; run without them (the report comes from the "
            + "store), or give a new store to train every cell again",
          category: .usage))
    }
    let scope =
      part.map { "shard \($0.index)/\($0.count): \(mine.count) of \(plan.count) cells" } ?? "\(plan.count) cells"
    printError("store \(path): \(scope); \(skipped) in the store already (skipped), \(toRun.count) to run")
    progress.begin(total: toRun.count)
    let executed = try runner.execute(
      config, prepared: prepared, cells: toRun, keepModels: keepModels,
      progress: { cell, p in progress.update(cell: cell, progress: p) },
      finished: { result throws(TrainingRunError) in
        do throws(ResultStoreError) {
          try store.write(result, config: config, hash: hash)
        } catch {
          throw .store(error)
        }
        progress.finished(result)
      }, shouldStop: { interruption.requested })
    if let part {
      progress.finish()
      if executed.interrupted {
        printError(
          "losslab: shard \(part.index)/\(part.count) interrupted after \(executed.results.count) of its "
            + "\(toRun.count) cells to run; \(path) keeps the finished cells: run the same command to resume")
      }
      let held = (try? store.cellIndices(hash: hash).count) ?? 0
      printError(
        "shard \(part.index)/\(part.count) done: \(toRun.count) cells run, \(skipped) skipped; \(path) holds \(held) of "
          + "the run's \(plan.count) cells. Merge the shards' stores with: losslab report STORE…")
      return nil
    }
    let new = Set(executed.results.map(\.cell.index))
    let stored: [CellResult]
    do throws(ResultStoreError) {
      stored = try store.cells(config: config, hash: hash, evaluatedUsers: summary.evaluatedUsers)
    } catch {
      throw .store(error)
    }
    let cells = stored.filter { !new.contains($0.cell.index) } + executed.results
    return (
      TrainingReport(config: config, data: summary, variants: executed.variants, cells: cells), cells.count,
      executed.interrupted
    )
  }
}

/// `--shard I/N`: shard `index` (from 1) of `count`.
struct Shard {
  var index: Int
  var count: Int

  /// Parses `I/N` with `N ≥ 1` and `1 ≤ I ≤ N`.
  init(parsing text: String) throws(ValidationError) {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else {
      throw ValidationError("--shard takes I/N, shard I of N with 1 ≤ I ≤ N (e.g. --shard 2/3), got '\(text)'")
    }
    guard n >= 1 else { throw ValidationError("--shard \(text): the number of shards N must be at least 1") }
    guard (1...n).contains(i) else {
      throw ValidationError(
        "--shard \(text): the shard I must be between 1 and \(n) (shards count from 1; Kubernetes' "
          + "JOB_COMPLETION_INDEX counts from 0, so add 1)")
    }
    index = i
    count = n
  }

  /// Whether the cell with this index belongs to the shard.
  func contains(_ cell: Int) -> Bool { cell % count == index - 1 }
}

/// `wrote FILE (SIZE)`.
func wroteLine(_ path: String) -> String {
  "wrote \(path) (\(TrainingProgressText.size(fileSize(path))))"
}

/// `N files, SIZE` of the given files (the ones that exist).
private func filesAndSize(_ paths: [String]) -> String {
  let total = paths.map(fileSize).reduce(0, +)
  return "\(paths.count) file\(paths.count == 1 ? "" : "s"), \(TrainingProgressText.size(total))"
}

/// The size of a file in bytes (0 when it cannot be read).
func fileSize(_ path: String) -> Int64 {
  var info = stat()
  return stat(path, &info) == 0 ? Int64(info.st_size) : 0
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
  var loader = ConfigLoader(registry: registry)
  loader.decoder.checksDataFiles = true  // a missing file or column is reported at the config's line
  let loaded = loader.load(path: path, as: .training)
  let code = report(loaded.diagnostics, sources: sources([loaded]))
  guard let config = loaded.training, code == .success else { throw code == .success ? ExitCode(.badData) : code }
  return config
}

/// Loads and splits a training config's data, printing the loader's and the split's notes; exits with the
/// failure.
func prepare(_ config: TrainingConfig, runner: TrainingRunner) throws -> (InteractionData, DataSplit) {
  var times = PreparationTimes()
  return try prepare(config, runner: runner, times: &times)
}

/// ``prepare(_:runner:)``, with the seconds of the load and the split in `times`.
func prepare(_ config: TrainingConfig, runner: TrainingRunner, times: inout PreparationTimes) throws -> (
  InteractionData, DataSplit
) {
  do throws(TrainingRunError) {
    let prepared = try runner.prepare(config, times: &times)
    for note in prepared.0.notes + (prepared.1.note.map { [$0] } ?? []) { printError("note: \(note)") }
    return prepared
  } catch {
    throw fail(TrainingFailure(config: config.file, error: error))
  }
}

/// `--plot` draws SVG: a file name with another extension (`plot.png`) would hold SVG under a false name,
/// so it is refused; `-` (standard output) is taken as it is.
func checkPlotName(_ plot: String?) throws {
  guard let plot, plot != "-", !plot.lowercased().hasSuffix(".svg") else { return }
  let name = plot.split(separator: "/").last.map(String.init) ?? plot
  throw ValidationError(
    "--plot writes an SVG image; give a file name ending in .svg (got '\(name)'), and convert it if you need "
      + "another format (e.g. rsvg-convert plot.svg -o plot.png)")
}
