import ArgumentParser
import LossLabKit

extension ReportFormat: ExpressibleByArgument {}

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
    try orFail { () throws(AtomicFile.WriteError) in try AtomicFile.write(text, to: output) }
  }
}
