import ArgumentParser
import Foundation
import LossLabKit
import RankingLosses

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
    subcommands: [Run.self, Validate.self, List.self]
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
  _ paths: [String]
) -> (loaded: [LoadedConfig], diagnostics: [ConfigDiagnostic], sources: [String: [UInt8]]) {
  let loaded = paths.map(ConfigLoader().check(path:))
  var sources: [String: [UInt8]] = [:]
  for config in loaded { sources[config.file] = config.source }
  return (loaded, loaded.flatMap(\.diagnostics), sources)
}

extension ReportFormat: ExpressibleByArgument {}

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

    @Option(help: "Output format.")
    var format: ReportFormat = .text

    @Flag(help: "Also compute the gradients with respect to every score.")
    var gradients = false

    @Option(help: "Write to this file (atomically) instead of standard output.")
    var output: String?

    @Option(help: "Digits after the decimal point (text and markdown default to 4; json always round-trips).")
    var precision: Int?

    func validate() throws {
      if let precision, !(0...17).contains(precision) {
        throw ValidationError("--precision must be between 0 and 17, got \(precision)")
      }
    }

    func run() throws {
      let runner = ExperimentRunner(computeGradients: gradients)
      var reports: [ExperimentReport] = []
      var (loaded, diagnostics, sources) = loadConfigs(configs)
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
      let text = ReportRenderer(format: format, precision: precision).render(reports)
      if let output {
        do {
          try AtomicFile.write(text, to: output)
        } catch {
          FileHandle.standardError.write(Data("losslab: error: \(error)\n".utf8))
          throw Exit.cannotWrite
        }
      } else {
        print(text, terminator: "")
      }
    }
  }

  struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Check configs without computing anything; print every problem found.")

    @Argument(help: "Config files (YAML).", completion: .file(extensions: ["yaml", "yml"]))
    var configs: [String]

    func run() throws {
      let (loaded, diagnostics, sources) = loadConfigs(configs)
      for case let (path, config?) in loaded.map({ ($0.file, $0.config) }) {
        let losses = config.losses.count == 1 ? "1 loss variant" : "\(config.losses.count) loss variants"
        let scenarios = config.scenarios.count == 1 ? "1 scenario" : "\(config.scenarios.count) scenarios"
        print("\(path): ok — \(losses) x \(scenarios)")
      }
      let code = report(diagnostics, sources: sources)
      if code != .success { throw code }
    }
  }

  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List the registered losses with their kind, parameters and a one-line description.")

    func run() {
      print(LossListing(registry: .standard).render(), terminator: "")
    }
  }
}
