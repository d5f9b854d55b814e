import ArgumentParser
import Foundation
import LossLabKit
import Recommender

// The exit policy of `losslab`: every failure carries a `FailureCategory`, and this file is the one place
// that turns a category into an exit code (sysexits.h) and prints the failure.

extension ExitCode {
  /// The exit code of a failure category: 64 usage, 65 bad data, 66 unreadable input, 70 internal error,
  /// 73 unwritable output.
  init(_ category: FailureCategory) {
    switch category {
    case .usage: self = .validationFailure  // 64
    case .badData: self = ExitCode(65)
    case .unreadableInput: self = ExitCode(66)
    case .internalError: self = ExitCode(70)
    case .unwritableOutput: self = ExitCode(73)
    }
  }
}

/// Writes `text` and a newline to standard error.
func printError(_ text: String) {
  FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Prints a failure to standard error and returns its exit code.
///
/// Failures that carry their own place (config diagnostics, `FILE:LINE: error:` data errors, training
/// failures placed in their config) print as they are; the rest as `losslab: error: MESSAGE`.
func fail(_ error: any CategorizedError) -> ExitCode {
  switch error {
  case is ConfigErrors, is TrainingFailure, is DataErrors, is ResultStoreError: printError(error.description)
  default: printError("losslab: error: \(error)")
  }
  return ExitCode(error.category)
}

/// Prints an error that has no category — a failure of LossLab itself — and returns exit code 70.
func internalFailure(_ error: any Error) -> ExitCode {
  printError("losslab: internal error: \(error)")
  return ExitCode(.internalError)
}

/// Prints diagnostics (errors and warnings) to standard error, each with its source line, and returns the
/// exit code: success when none is an error. At most ``ConfigErrors/limit`` of each file are printed, then
/// how many more there are (``ConfigErrors/render(_:sources:limit:)``); the exit code counts them all.
func report(_ diagnostics: [ConfigDiagnostic], sources: [String: [UInt8]]) -> ExitCode {
  if !diagnostics.isEmpty { printError(ConfigErrors.render(diagnostics, sources: sources)) }
  let errors = diagnostics.filter { $0.severity == .error }
  return errors.map(\.category).max().map(ExitCode.init) ?? .success
}

/// The sources of loaded configs by file, to quote lines from.
func sources(_ loaded: [LoadedConfig]) -> [String: [UInt8]] {
  var sources: [String: [UInt8]] = [:]
  for config in loaded { sources[config.file] = config.source }
  return sources
}

/// Runs `body`, turning its failure into the printed message and the exit code of its category.
func orFail<T, Failure: CategorizedError>(_ body: () throws(Failure) -> T) throws(ExitCode) -> T {
  do {
    return try body()
  } catch {
    throw fail(error)
  }
}
