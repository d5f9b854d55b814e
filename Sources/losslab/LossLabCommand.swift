import ArgumentParser
import Foundation
import LossLabKit
import RankingLosses
import Recommender

/// Exit codes: distinct for usage, bad data, unreadable input and unwritable output (sysexits.h).
enum Exit {
  static let badData = ExitCode(65)
  static let noInput = ExitCode(66)
  static let cannotWrite = ExitCode(73)
}

@main
struct LossLab: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "losslab",
    abstract: "Compare implicit-feedback ranking losses side by side.",
    discussion: """
      Experiments are YAML files that name loss variants (the columns) and score batches (the rows). \
      See Docs/Configs.md for the format and configs/ for examples.

      Exit codes: 0 success, 64 usage error, 65 bad config data, 66 unreadable config, 73 unwritable output.
      """,
    version: LossLabVersion.current,
    subcommands: [Run.self, Validate.self, List.self, Train.self, Split.self, Bench.self]
  )
}

/// Prints diagnostics to standard error and picks the exit code.
func report(_ diagnostics: [ConfigDiagnostic], sources: [String: [UInt8]]) -> ExitCode {
  for diagnostic in diagnostics {
    FileHandle.standardError.write(Data((diagnostic.rendered(source: sources[diagnostic.file]) + "\n").utf8))
  }
  let errors = diagnostics.filter { $0.severity == .error }
  if errors.contains(where: { $0.category == .input }) { return Exit.noInput }
  return errors.isEmpty ? .success : Exit.badData
}

/// Loads every config, collecting all their diagnostics and sources.
func loadConfigs(
  _ paths: [String], registry: LossRegistry = .standard
) -> (loaded: [LoadedConfig], diagnostics: [ConfigDiagnostic], sources: [String: [UInt8]]) {
  let loader = ConfigLoader(registry: registry)
  let loaded = paths.map(loader.check(path:))
  var sources: [String: [UInt8]] = [:]
  for config in loaded { sources[config.file] = config.source }
  return (loaded, loaded.flatMap(\.diagnostics), sources)
}

extension ReportFormat: ExpressibleByArgument {}

/// `--plugin PATH` (repeatable): loss plugins to load before the configs.
struct PluginOptions: ParsableArguments {
  @Option(name: .customLong("plugin"), help: "A loss plugin (shared library) to load; repeat for several.")
  var plugins: [String] = []

  /// The standard registry plus the plugins' losses; a plugin that fails stops the command (exit 66 for a
  /// missing file, 65 otherwise).
  func registry() throws -> LossRegistry {
    var registry = LossRegistry.standard
    for path in plugins {
      do throws(PluginError) {
        try PluginLoader.load(path, into: &registry)
      } catch {
        FileHandle.standardError.write(Data("losslab: error: \(error)\n".utf8))
        throw error.message == "no such file" ? Exit.noInput : Exit.badData
      }
    }
    return registry
  }
}

/// The options of every command that prints a report: its format, its destination and its digits.
struct OutputOptions: ParsableArguments {
  @Option(help: "Output format.")
  var format: ReportFormat = .text

  @Option(help: "Write the report to this file (atomically) instead of standard output.")
  var output: String?

  @Option(help: "Digits after the decimal point (text and markdown default to 4; json always round-trips).")
  var precision: Int?

  func validate() throws {
    if let precision, !(0...17).contains(precision) {
      throw ValidationError("--precision must be between 0 and 17, got \(precision)")
    }
  }

  /// Prints the report, or writes it atomically to `--output` (exit 73 when that fails).
  func emit(_ text: String) throws {
    guard let output else {
      print(text, terminator: "")
      return
    }
    try writeOutput { try AtomicFile.write(text, to: output) }
  }
}

extension LossLab {
  struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Run experiments and print one table per config.",
      discussion: """
        Every scenario is evaluated with every loss variant. A pairwise loss on a scenario with several \
        negatives per positive uses the first row (marked †); partial credit on a scenario without item ids \
        shows n/a. Nothing is written unless every config runs.
        """)

    @Argument(help: "Config files (YAML).", completion: .file(extensions: ["yaml", "yml"]))
    var configs: [String]

    @OptionGroup var outputOptions: OutputOptions

    @OptionGroup var pluginOptions: PluginOptions

    @Flag(help: "Also compute the gradients with respect to every score.")
    var gradients = false

    func run() throws {
      let runner = ExperimentRunner(computeGradients: gradients)
      var reports: [ExperimentReport] = []
      var (loaded, diagnostics, sources) = loadConfigs(configs, registry: try pluginOptions.registry())
      for config in loaded.compactMap(\.config) {
        do {
          reports.append(try runner.run(config))
        } catch {
          diagnostics += error.diagnostics
        }
      }
      if diagnostics.contains(where: { $0.severity == .error }) {
        throw report(diagnostics, sources: sources)
      }
      _ = report(diagnostics, sources: sources)  // warnings
      try outputOptions.emit(
        ReportRenderer(format: outputOptions.format, precision: outputOptions.precision).render(reports))
    }
  }

  struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Check configs without computing anything; print every problem found.",
      discussion: "Loss-table configs (for run) and training configs (for train, split; they have data:) alike.")

    @Argument(help: "Config files (YAML).", completion: .file(extensions: ["yaml", "yml"]))
    var configs: [String]

    @OptionGroup var pluginOptions: PluginOptions

    func run() throws {
      let loader = ConfigLoader(registry: try pluginOptions.registry())
      var diagnostics: [ConfigDiagnostic] = []
      var sources: [String: [UInt8]] = [:]
      for path in configs {
        let checked = loader.checkAnyKind(path: path)
        diagnostics += checked.diagnostics
        sources[path] = checked.source
        switch checked {
        case .lossTable(let loaded):
          guard let config = loaded.config else { continue }
          print(
            "\(path): ok — \(counted(config.losses.count, "loss variant")) x \(counted(config.scenarios.count, "scenario"))"
          )
        case .training(_, let config?, _, _):
          print(
            "\(path): ok — training config, \(counted(config.variants.count, "loss variant")) x "
              + counted(config.seeds.count, "seed"))
        case .training:
          continue
        }
      }
      let code = report(diagnostics, sources: sources)
      if code != .success { throw code }
    }
  }

  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List the registered losses with their kind, parameters and a one-line description.",
      discussion: "With configs, their custom_losses are listed too, each with the file that defines it.")

    @Argument(help: "Loss-table configs whose custom_losses and plugins to include.")
    var configs: [String] = []

    @OptionGroup var pluginOptions: PluginOptions

    func run() throws {
      var registry = try pluginOptions.registry()
      let (loaded, diagnostics, sources) = loadConfigs(configs, registry: registry)
      let code = report(diagnostics, sources: sources)
      if code != .success { throw code }
      for config in loaded.compactMap(\.config) {
        for descriptor in config.registry.descriptors where !registry.contains(descriptor.name) {
          try registry.register(descriptor)
        }
      }
      print(LossListing(registry: registry).render(), terminator: "")
    }
  }
}

extension LossLab {
  struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Train a recommender with each loss variant and compare held-out ranking metrics.",
      discussion: """
        Loads the config's data, splits it per user, trains one matrix-factorization model per loss variant \
        and seed, and prints one row per variant: AUC, MAP@k, MRR, NDCG@k, precision@k, recall@k and hit \
        rate@k (mean ± std over seeds), training seconds and interactions per second. See Docs/Training.md.
        """)

    @Argument(help: "A training config (YAML).", completion: .file(extensions: ["yaml", "yml"]))
    var config: String

    @OptionGroup var outputOptions: OutputOptions

    @OptionGroup var pluginOptions: PluginOptions

    @Option(help: "Draw each metric per epoch, one line per variant, as an SVG file (evaluates every epoch).")
    var plot: String?

    @Option(help: "Write the train/test split (train.csv, test.csv, original ids) to this folder.")
    var saveSplit: String?

    @Option(help: "Write every model's factors and biases (CSV) to this folder.")
    var saveModel: String?

    func run() throws {
      let config = try loadTrainingConfig(config, registry: try pluginOptions.registry())
      // Unwritable destinations fail now, not after the training.
      for path in [outputOptions.output, plot].compactMap({ $0 }) {
        try writeOutput { try AtomicFile.checkFolder(for: path) }
      }
      let runner = TrainingRunner(evalEveryOverride: plot != nil ? 1 : nil)
      let prepared: (InteractionData, DataSplit)
      do {
        prepared = try runner.prepare(config)
      } catch {
        throw failure(error, config: config.file)
      }
      for note in prepared.0.notes { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
      if let saveSplit { try writeOutput { try SplitWriter.write(prepared.0, prepared.1, to: saveSplit) } }
      let progress = ProgressReporter()
      let report: TrainingReport
      do {
        report = try runner.run(config, prepared: prepared) { label, seedIndex, p in
          progress.update(label: label, seed: seedIndex + 1, seeds: config.seeds.count, progress: p)
        }
      } catch {
        progress.finish()
        throw failure(error, config: config.file)
      }
      progress.finish()
      let text = TrainingReportRenderer(format: outputOptions.format, precision: outputOptions.precision).render(report)
      if let plot { try writeOutput { try AtomicFile.write(TrainingPlot.svg(report), to: plot) } }
      if let saveModel { try writeOutput { try ModelWriter.write(report, data: prepared.0, to: saveModel) } }
      try outputOptions.emit(text)
    }
  }

  struct Split: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Write a training config's train/test split (train.csv, test.csv with the original ids).")

    @Argument(help: "A training config (YAML).", completion: .file(extensions: ["yaml", "yml"]))
    var config: String

    @Option(help: "The folder to write train.csv and test.csv to (created if missing).")
    var output: String

    func run() throws {
      let config = try loadTrainingConfig(config)
      let (data, split): (InteractionData, DataSplit)
      do {
        (data, split) = try TrainingRunner().prepare(config)
      } catch {
        throw failure(error, config: config.file)
      }
      for note in data.notes { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
      try writeOutput { try SplitWriter.write(data, split, to: output) }
      print("\(output)/train.csv: \(split.train.count) interactions; \(output)/test.csv: \(split.test.count)")
    }
  }
}

/// Loads a training config or exits with its diagnostics.
func loadTrainingConfig(_ path: String, registry: LossRegistry = .standard) throws -> TrainingConfig {
  let (config, diagnostics, source) = TrainingConfigDecoder(registry: registry).load(path: path)
  let code = report(diagnostics, sources: source.map { [path: $0] } ?? [:])
  guard let config, code == .success else { throw code == .success ? Exit.badData : code }
  return config
}

/// Prints a training failure and picks its exit code: 66 for unreadable data files, 65 otherwise.
func failure(_ error: TrainingRunError, config: String) -> ExitCode {
  switch error {
  case .data:
    FileHandle.standardError.write(Data("\(error)\n".utf8))  // already FILE:LINE: error: …
  case .split(let problem):
    FileHandle.standardError.write(Data("\(config): error: split: \(problem.message)\n".utf8))
  default:
    FileHandle.standardError.write(Data("\(config): error: \(error)\n".utf8))
  }
  if case .data(let errors) = error,
    errors.errors.contains(where: {
      $0.line == nil && ($0.message.contains("no such file") || $0.message.contains("cannot be read"))
    })
  {
    return Exit.noInput
  }
  return Exit.badData
}

/// Runs a write, turning its failure into exit code 73.
func writeOutput(_ body: () throws -> Void) throws {
  do {
    try body()
  } catch {
    FileHandle.standardError.write(Data("losslab: error: \(error)\n".utf8))
    throw Exit.cannotWrite
  }
}

extension BenchmarkOptions.ScalarType: ExpressibleByArgument {}

extension LossLab {
  struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Time the losses' fused kernels (value and gradients) against the machine's copy bandwidth.",
      discussion: """
        Each call computes the value and writes every gradient into reused buffers. Pairwise losses (bpr, \
        hinge, log_sigmoid_bpr) are timed on the same number of pairs, B·N columns of one negative. See \
        Docs/Performance.md.
        """)

    @Option(help: "A registered loss, or 'all'.")
    var loss: String = "all"

    @Option(help: "Positives per call (B).")
    var batch: Int = 65_536

    @Option(help: "Negatives per positive (N) for adaptive losses.")
    var negatives: Int = 100

    @Option(help: "Threads per call (default: every core).")
    var threads: Int = onlineProcessorCount()

    @Option(help: "The scalar type.")
    var scalar: BenchmarkOptions.ScalarType = .float

    @Flag(help: "Time the losses with partial credit (one metadata field, weight 0.25).")
    var partialCredit = false

    @Option(help: "Timed calls after the warm-up.")
    var repeats: Int = 20

    @Option(help: "Output format: text or json.")
    var format: ReportFormat = .text

    func validate() throws {
      guard batch >= 1, negatives >= 1, repeats >= 1, (1...256).contains(threads) else {
        throw ValidationError("--batch, --negatives and --repeats must be at least 1, --threads 1 to 256")
      }
      guard format == .text || format == .json else { throw ValidationError("--format must be text or json") }
    }

    func run() throws {
      let names = loss == "all" ? LossRegistry.standard.names : [loss]
      let options = BenchmarkOptions(
        losses: names, batch: batch, negatives: negatives, threads: threads, scalar: scalar,
        partialCredit: partialCredit, repeats: repeats)
      let report: BenchmarkReport
      do {
        report = try LossBenchmark.run(options)
      } catch {
        FileHandle.standardError.write(Data("losslab: error: \(error)\n".utf8))
        throw Exit.badData
      }
      print(format == .json ? BenchmarkRenderer.json(report) : BenchmarkRenderer.text(report), terminator: "")
    }
  }
}
