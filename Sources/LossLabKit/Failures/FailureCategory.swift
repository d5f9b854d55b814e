/// What kind of failure stopped a command: the one thing the command line needs to choose its exit code.
///
/// Every error LossLab reports to a user carries a category — config diagnostics, data errors, plugin
/// errors, training failures and write errors — so that the exit code follows from the kind of problem,
/// never from the wording of its message. `losslab` maps them in one place:
///
/// | category | exit code | sysexits.h |
/// | --- | --- | --- |
/// | ``usage`` | 64 | `EX_USAGE` |
/// | ``badData`` | 65 | `EX_DATAERR` |
/// | ``unreadableInput`` | 66 | `EX_NOINPUT` |
/// | ``internalError`` | 70 | `EX_SOFTWARE` |
/// | ``unwritableOutput`` | 73 | `EX_CANTCREAT` |
public enum FailureCategory: String, Sendable, Hashable, CaseIterable, Comparable {
  /// The command line itself is wrong: an unknown option, a value out of range.
  case usage
  /// An input's content is wrong: YAML syntax, types, names, shapes, values, a malformed data row.
  case badData
  /// An input cannot be read: missing, a directory, not a regular file, no permission.
  case unreadableInput
  /// An output cannot be written: a missing folder, no permission, a path that is not a regular file.
  case unwritableOutput
  /// LossLab itself failed (a bug): nothing the user did explains it.
  case internalError

  /// The order in which categories decide an exit code when several problems are reported at once: an
  /// unreadable input outranks bad data (fix the missing file first), and so on.
  var precedence: Int {
    switch self {
    case .usage: return 0
    case .badData: return 1
    case .unreadableInput: return 2
    case .unwritableOutput: return 3
    case .internalError: return 4
    }
  }

  /// Categories ordered by ``precedence``: the maximum of a set of problems is the one that decides.
  public static func < (a: FailureCategory, b: FailureCategory) -> Bool { a.precedence < b.precedence }
}

/// An error that knows its ``FailureCategory``: what `losslab` prints (its `description`) and how it exits.
public protocol CategorizedError: Error, CustomStringConvertible {
  /// The kind of failure, which decides the exit code.
  var category: FailureCategory { get }
}
