import Foundation
import RankingLosses

/// A CSV file with a header: the header's column names, then its rows, read one at a time with
/// ``CSVReader`` (so a table is read once, by ``forEachWellFormedRow(_:_:)``).
struct CSVTable {
  let file: String
  /// The column names, with spaces around them removed.
  let header: [String]
  /// The line of the header (1 unless empty lines come before it).
  let headerLine: Int
  private let reader: CSVReader

  /// Opens `path` and reads its header (the first record that is not an empty line).
  ///
  /// - Throws: ``DataError`` when the file cannot be read, has no header, or its header is not valid CSV.
  init(path: String, delimiter: Character = ",") throws(DataError) {
    file = path
    reader = try CSVReader(path: path, delimiter: delimiter)
    guard let first = try reader.next() else {
      throw DataError(file: path, line: 1, message: "the file is empty; expected a header line")
    }
    header = first.fields.map { $0.trimmingCharacters(in: .whitespaces) }
    headerLine = first.line
    guard header != [""] else {
      throw DataError(file: path, line: first.line, message: "the header line is blank; expected column names")
    }
  }

  /// The index of column `name`.
  ///
  /// - Throws: ``DataError`` at the header's line naming the columns there are, and the closest one; or
  ///   when the header has the name more than once (which one would be meant?).
  func column(_ name: String, role: String) throws(DataError) -> Int {
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
    return index
  }

  /// Reads the rows and calls `body` for each with as many fields as the header, in file order, blank lines
  /// skipped; every other row, and every record the reader rejects, is reported to `problems` with its line
  /// (so that the problems stay in file order).
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
      guard fields.count == header.count else {
        problems.report(
          DataError(
            file: file, line: record.line,
            message: "the row has \(fields.count) fields but the header has \(header.count)"))
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
