import ArgumentParser
import RankingLosses
import LossLabKit

/// A command of `losslab` (not one the argument parser adds, such as `help`): an error without a category
/// thrown by one is a bug in LossLab.
protocol LossLabSubcommand: ParsableCommand {}

/// The `losslab` command: parses arguments and hands each subcommand to `LossLabKit`.
@main
struct LossLab: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "losslab",
    abstract: "Compare implicit-feedback ranking losses side by side.",
    discussion: """
      Experiments are YAML files that name loss variants (the columns) and score batches (the rows). \
      See Docs/Configs.md for the format and configs/ for examples.

      Exit codes: 0 success, 64 usage error, 65 bad data (a config, a data file, a plugin), 66 unreadable \
      input, 70 internal error, 73 unwritable output.
      """,
    version: LossLabVersion.current,
    subcommands: [Run.self, Validate.self, List.self, Train.self, Report.self, Split.self, Bench.self]
  )

  /// Parses the arguments and runs the command. Parser errors, `--help` and exit codes go through the
  /// argument parser; a categorized failure exits with its category's code; any other error is a bug in
  /// LossLab and exits 70.
  static func main() {
    var command: any ParsableCommand
    do {
      command = try parseAsRoot()
    } catch {
      exit(withError: error)
    }
    // A LOSSLAB_ISA the kernels cannot honour is refused before any work: a run that silently took another
    // path would mislead the measurement the variable is set for.
    if command is any LossLabSubcommand, let problem = KernelISA.environmentProblem {
      printError("losslab: error: \(problem)")
      exit(withError: ExitCode(.usage))
    }
    do {
      try command.run()
    } catch let failure as any CategorizedError {
      exit(withError: fail(failure))
    } catch  where error is ExitCode || !(command is any LossLabSubcommand) {
      exit(withError: error)  // an exit code a command chose, or the parser's own commands (help, the root)
    } catch {
      exit(withError: internalFailure(error))
    }
  }
}
