import Foundation
import RankingLosses
import SwiftCSV

/// A CSV file read with SwiftCSV: its header and its rows, each with its 1-based line number.
///
/// Line numbers assume one record per line (no line breaks inside quoted fields), which holds for the
/// interaction and item files LossLab reads; rows are numbered from 2 (line 1 is the header).
struct CSVTable {
  let file: String
  let header: [String]
  let rows: [(line: Int, fields: [String])]

  /// Reads and parses `path`.
  ///
  /// - Throws: ``DataError`` when the file is missing, not UTF-8, empty or not parseable.
  init(path: String, delimiter: Character = ",") throws(DataError) {
    file = path
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
      throw DataError(
        file: path, message: isDirectory.boolValue ? "is a directory, not a CSV file" : "no such file",
        kind: .unreadableInput)
    }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw DataError(file: path, message: "cannot be read (check its permissions)", kind: .unreadableInput)
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw DataError(file: path, message: "is not UTF-8 text")
    }
    var rows: [(line: Int, fields: [String])] = []
    let header: [String]
    do {
      let csv = try CSV<Enumerated>(
        string: text, delimiter: .character(delimiter), loadColumns: false, rowLimit: 0)
      header = csv.header.map { $0.trimmingCharacters(in: .whitespaces) }
      var line = 1
      try csv.enumerateAsArray(startAt: 1, rowLimit: nil) { (fields: [String]) in
        line += 1
        rows.append((line, fields))
      }
    } catch {
      throw DataError(file: path, message: "is not valid CSV: \(error)")
    }
    guard !header.isEmpty, header != [""] else {
      throw DataError(file: path, line: 1, message: "the file is empty; expected a header line")
    }
    self.header = header
    self.rows = rows
  }

  /// The index of column `name`.
  ///
  /// - Throws: ``DataError`` at line 1 naming the columns there are, and the closest one.
  func column(_ name: String, role: String) throws(DataError) -> Int {
    if let index = header.firstIndex(of: name) { return index }
    let hint = closestName(to: name, among: header).map { " (did you mean '\($0)'?)" } ?? ""
    throw DataError(
      file: file, line: 1,
      message: "no column '\(name)' for the \(role)\(hint); the columns are: \(header.joined(separator: ", "))")
  }
}

extension CSVTable {
  /// Calls `body` for each row with as many fields as the header, in file order, blank lines skipped;
  /// every other row is reported to `problems` with its line (so that the problems stay in file order).
  func forEachWellFormedRow(
    file: String, _ problems: inout DataProblems, _ body: (_ line: Int, _ fields: [String], inout DataProblems) -> Void
  ) {
    for (line, fields) in rows {
      if fields.count == 1, fields[0].isEmpty { continue }  // a blank line
      guard fields.count == header.count else {
        problems.report(
          DataError(
            file: file, line: line, message: "the row has \(fields.count) fields but the header has \(header.count)"))
        continue
      }
      body(line, fields, &problems)
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
