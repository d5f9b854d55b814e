/// A problem with a data file: where (file, and line and column when it has them) and what.
public struct DataError: Error, Sendable, Hashable, CustomStringConvertible {
  /// Whether the file could not be read at all or its content is wrong.
  public enum Kind: Sendable, Hashable {
    /// The content is wrong: a missing column, a malformed row, a value that does not parse.
    case badData
    /// The file cannot be read: missing, a directory, not a regular file, no permission.
    case unreadableInput
    /// The cache folder cannot be created or written (``DataCache``).
    case unwritableCache
  }

  /// The file, as the user named it.
  public var file: String
  /// The 1-based line, when the problem has one.
  public var line: Int?
  /// The 1-based column in ``line`` (counting characters, that is Unicode scalars), when it helps.
  public var column: Int?
  /// What is wrong.
  public var message: String
  /// Unreadable file or bad content.
  public var kind: Kind

  /// Creates an error.
  public init(file: String, line: Int? = nil, column: Int? = nil, message: String, kind: Kind = .badData) {
    self.file = file
    self.line = line
    self.column = column
    self.message = message
    self.kind = kind
  }

  /// `FILE:LINE:COLUMN: error: MESSAGE`, without the column or the line when there is none, and
  /// `error: MESSAGE` when there is no file name either (an empty path).
  public var description: String {
    var place = file
    if let line {
      place += ":\(line)"
      if let column { place += ":\(column)" }
    }
    return place.isEmpty ? "error: \(message)" : "\(place): error: \(message)"
  }
}

/// Every problem found while loading data; loading stops after ``limit`` of them.
public struct DataErrors: Error, Sendable, CustomStringConvertible {
  /// The problems, in file order.
  public var errors: [DataError]
  /// How many more were found but not kept.
  public var omitted: Int

  /// How many problems are kept before loading gives up.
  public static let limit = 20

  /// Creates the error list.
  public init(_ errors: [DataError], omitted: Int = 0) {
    self.errors = errors
    self.omitted = omitted
  }

  /// One line per problem, and a count of the omitted ones.
  public var description: String {
    (errors.map(\.description) + (omitted > 0 ? ["… and \(omitted) more problems"] : [])).joined(separator: "\n")
  }
}
