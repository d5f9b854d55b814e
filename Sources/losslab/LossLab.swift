import ArgumentParser
import LossLabKit

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
    subcommands: [Run.self, Validate.self, List.self, Train.self, Split.self, Bench.self]
  )
}
