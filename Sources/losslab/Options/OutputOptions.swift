import ArgumentParser
import Foundation
import LossLabKit

extension ReportFormat: ExpressibleByArgument {}
extension TableLayout: ExpressibleByArgument {}

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

  /// Fails now (exit 73) when `--output` could not be written — a missing folder, a folder, a device, one
  /// of `inputs` — rather than after the work.
  func check(inputs: InputFiles) throws {
    guard let output else { return }
    try orFail { () throws(AtomicFile.WriteError) in try AtomicFile.check(output, inputs: inputs) }
  }

  /// Prints the report, or writes it to `--output` (atomically for a regular file; exit 73 when that fails
  /// or when it would replace one of `inputs`).
  func emit(_ text: String, inputs: InputFiles) throws {
    guard let output else {
      print(text, terminator: "")
      // Out (fflush(NULL) flushes every stream) before any message that follows on standard error.
      fflush(nil)
      return
    }
    try orFail { () throws(AtomicFile.WriteError) in try AtomicFile.write(text, to: output, inputs: inputs) }
  }
}
