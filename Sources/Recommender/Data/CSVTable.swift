import Foundation
import RankingLosses

/// The layout of a data file.
public enum DataFormat: String, Sendable, Hashable, CaseIterable {
  /// CSV (RFC 4180): fields separated by the source's delimiter (`,` by default), quoted fields, and a header
  /// line of column names unless the source says there is none.
  case csv
  /// RecBole's atomic files (`.inter`, `.item`): fields separated by tabs (by default), no quoting (a `"` is
  /// an ordinary character), and a typed header whose fields are `name:type`, the type one of `token`,
  /// `token_seq`, `float`, `float_seq`. Columns are named without their type.
  case recbole

  /// The default field separator: `,` for CSV, a tab for RecBole.
  public var defaultDelimiter: String { self == .csv ? "," : "\t" }
}

/// The type of a column in a RecBole header.
enum RecBoleType: String, CaseIterable {
  case token
  case tokenSequence = "token_seq"
  case float
  case floatSequence = "float_seq"
}

/// A data file read record by record with ``CSVReader``: its header (column names, and their types in a
/// RecBole file) when it has one, then its rows with the line each starts on (so a table is read once).
///
/// Without a header, columns are named by their 0-based position (`"0"`, `"1"`, …).
struct CSVTable {
  let file: String
  /// The column names, with spaces around them removed (and the types of a RecBole header); `nil` when the
  /// file has no header.
  let header: [String]?
  /// The type of each column of a RecBole header.
  let types: [RecBoleType]?
  /// The line of the header (1 unless empty lines come before it); 0 without a header.
  let headerLine: Int
  let reader: CSVReader
  /// The columns asked for with ``column(_:role:)`` and their roles, for the width check of a file without
  /// a header.
  private(set) var used: [(index: Int, role: String)] = []

  /// Opens `path` and reads its header (the first record that is not an empty line) when it has one.
  ///
  /// - Throws: ``DataError`` when the file cannot be read, the delimiter cannot be used, the file has no
  ///   header, its header is not valid CSV, or a RecBole header field has no type or an unknown one.
  init(path: String, delimiter: String, format: DataFormat = .csv, header hasHeader: Bool = true) throws(DataError) {
    file = path
    reader = try CSVReader(path: path, delimiter: delimiter, quoting: format == .csv)
    guard hasHeader || format == .recbole else {
      header = nil
      types = nil
      headerLine = 0
      return
    }
    guard let first = try reader.next() else {
      throw DataError(file: path, line: 1, message: "the file is empty; expected a header line")
    }
    headerLine = first.line
    let trimmed = first.fields.map { $0.trimmingCharacters(in: .whitespaces) }
    guard trimmed != [""] else {
      throw DataError(file: path, line: first.line, message: "the header line is blank; expected column names")
    }
    guard format == .recbole else {
      header = trimmed
      types = nil
      return
    }
    // name:type, the column of each field counted in characters.
    var names: [String] = []
    var columnTypes: [RecBoleType] = []
    var column = 1
    let delimiterWidth = delimiter.unicodeScalars.count
    for raw in first.fields {
      defer { column += raw.unicodeScalars.count + delimiterWidth }
      guard let colon = raw.lastIndex(of: ":") else {
        throw DataError(
          file: path, line: first.line, column: column,
          message: "the RecBole header field '\(raw)' has no type; write name:type, e.g. user_id:token")
      }
      let name = raw[..<colon].trimmingCharacters(in: .whitespaces)
      let typeName = raw[raw.index(after: colon)...].trimmingCharacters(in: .whitespaces)
      guard let type = RecBoleType(rawValue: typeName) else {
        let known = RecBoleType.allCases.map(\.rawValue)
        let hint = closestName(to: typeName, among: known).map { " (did you mean '\($0)'?)" } ?? ""
        let typeColumn = column + raw[...colon].unicodeScalars.count
        throw DataError(
          file: path, line: first.line, column: typeColumn,
          message:
            "unknown RecBole type '\(typeName)' for column '\(name)'\(hint); the types are \(known.joined(separator: ", "))"
        )
      }
      names.append(name)
      columnTypes.append(type)
    }
    header = names
    types = columnTypes
  }

  /// Whether the header has a column `name` (always false without a header).
  func has(_ name: String) -> Bool { header?.contains(name) ?? false }

  /// The index of column `name`: its place in the header, or the position it names without a header.
  ///
  /// - Throws: ``DataError`` at the header's line naming the columns there are, and the closest one; or
  ///   when the header has the name more than once (which one would be meant?); or, without a header, when
  ///   `name` is not a 0-based position.
  mutating func column(_ name: String, role: String) throws(DataError) -> Int {
    guard let header else {
      guard let position = Int(name), position >= 0, name.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
        throw DataError(
          file: file,
          message: "column '\(name)' for the \(role) is not a position: without a header, columns are named by "
            + "their 0-based position (0, 1, 2, …)")
      }
      used.append((position, role))
      return position
    }
    let indices = header.indices.filter { header[$0] == name }
    guard let index = indices.first else {
      let hint = closestName(to: name, among: header).map { " (did you mean '\($0)'?)" } ?? ""
      throw DataError(
        file: file, line: headerLine,
        message: "no column '\(name)' for the \(role)\(hint); the columns are: \(header.joined(separator: ", "))")
    }
    guard indices.count == 1 else {
      let times = indices.count == 2 ? "twice" : "\(indices.count) times"
      let positions = indices.map { String($0 + 1) }
      let list = positions.dropLast().joined(separator: ", ") + " and " + positions.last!
      throw DataError(
        file: file, line: headerLine, message: "column '\(name)' appears \(times) in the header (columns \(list))")
    }
    used.append((index, role))
    return index
  }

  /// The RecBole type of column `index`, when the file has a typed header.
  func type(of index: Int) -> RecBoleType? { types?[index] }

  /// What is wrong with a row of `count` fields, or `nil`: with a header, a count other than the header's;
  /// without one, a column asked for beyond the row's fields.
  func widthProblem(_ count: Int) -> String? {
    guard let header else {
      guard let (index, role) = used.first(where: { $0.index >= count }) else { return nil }
      return "column \(index) (the \(role)) is beyond the row's \(count) \(count == 1 ? "field" : "fields") "
        + "(without a header, columns are numbered from 0)"
    }
    return count == header.count ? nil : "the row has \(count) fields but the header has \(header.count)"
  }

  /// Reads the rows and calls `body` for each of the right width (see ``widthProblem(_:)``), in file order,
  /// blank lines skipped; every other row, and every record the reader rejects, is reported to `problems`
  /// with its line (so that the problems stay in file order).
  func forEachWellFormedRow(
    _ problems: inout DataProblems, _ body: (_ line: Int, _ fields: [String], inout DataProblems) -> Void
  ) {
    while true {
      let record: CSVRecord?
      do {
        record = try reader.next()
      } catch {
        problems.report(error)
        continue
      }
      guard let record else { return }
      let fields = record.fields
      if fields.count == 1, fields[0].isEmpty { continue }  // a line holding only `""`
      if let problem = widthProblem(fields.count) {
        problems.report(DataError(file: file, line: record.line, message: problem))
        continue
      }
      body(record.line, fields, &problems)
    }
  }
}

/// The problems found while reading a file: the first ``DataErrors/limit`` kept, the rest counted.
struct DataProblems {
  var errors: [DataError] = []
  var omitted = 0

  mutating func report(_ error: DataError) {
    if errors.count < DataErrors.limit { errors.append(error) } else { omitted += 1 }
  }

  /// Throws the problems found, if any.
  func check() throws(DataErrors) {
    guard errors.isEmpty else { throw DataErrors(errors, omitted: omitted) }
  }
}
