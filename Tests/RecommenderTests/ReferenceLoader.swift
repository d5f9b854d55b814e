import Foundation
import RankingLosses

@testable import Recommender

/// One row as the reference loader keeps it.
struct ReferenceInteraction: Equatable {
  var user: Int32
  var item: Int32
  var rating: Double?
  var timestamp: Int64?
  var line: Int
}

/// What the reference loader gives.
struct ReferenceData {
  var userIDs: [String]
  var itemIDs: [String]
  var interactions: [ReferenceInteraction]
  var metadata: ItemMetadata?
  var notes: [String]
}

/// A CSV file with a header: the header's column names, then its rows, read one at a time with
/// ``CSVReader`` (so a table is read once, by ``forEachWellFormedRow(_:_:)``).
struct ReferenceTable {
  let file: String
  /// The column names, with spaces around them removed.
  let header: [String]
  /// The line of the header (1 unless empty lines come before it).
  let headerLine: Int
  let reader: CSVReader

  /// Opens `path` and reads its header (the first record that is not an empty line).
  ///
  /// - Throws: ``DataError`` when the file cannot be read, has no header, or its header is not valid CSV.
  init(path: String, delimiter: String = ",") throws(DataError) {
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

/// The loader of LossLab 0.x (before the streaming one), kept as the reference the new one must agree with:
/// a `String` per field, ids interned with `[String: Int32]`, repeats found with a `Set<Int64>`, and one
/// ``ReferenceInteraction`` per row.
///
/// External ids become dense indices in order of first appearance. A (user, item) pair that appears again
/// is kept once (the first time); rows below `minRating` are dropped. Problems are reported with file and
/// line; up to ``DataErrors/limit`` are collected before loading stops.
enum ReferenceLoader {
  /// Reads the interactions and, when given, the item metadata.
  ///
  /// - Throws: ``DataErrors`` for missing files, missing columns, malformed rows (wrong number of fields,
  ///   empty ids, ratings that are not decimal numbers, timestamps that are not decimal whole numbers, fields
  ///   that are not valid CSV or UTF-8), or no interactions left after filtering.
  static func load(_ source: InteractionSource, items: ItemSource? = nil) throws(DataErrors) -> ReferenceData {
    let table: ReferenceTable
    do {
      table = try ReferenceTable(path: source.path, delimiter: source.delimiter)
    } catch {
      throw DataErrors([error])
    }
    var problems = DataProblems()
    let columns = source.columns
    var userColumn = 0
    var itemColumn = 0
    var ratingColumn: Int? = nil
    var timestampColumn: Int? = nil
    do {
      userColumn = try table.column(columns.user, role: "user ids")
      itemColumn = try table.column(columns.item, role: "item ids")
      if let rating = columns.rating { ratingColumn = try table.column(rating, role: "ratings") }
      if let timestamp = columns.timestamp { timestampColumn = try table.column(timestamp, role: "timestamps") }
    } catch {
      throw DataErrors([error])
    }
    if source.minRating != nil, ratingColumn == nil {
      throw DataErrors([DataError(file: source.path, message: "min_rating needs a rating column")])
    }

    var userIndex: [String: Int32] = [:]
    var itemIndex: [String: Int32] = [:]
    var userIDs: [String] = []
    var itemIDs: [String] = []
    var seen: Set<Int64> = []
    var interactions: [ReferenceInteraction] = []
    var duplicates = 0
    var filtered = 0
    table.forEachWellFormedRow(&problems) { line, fields, problems in
      let userID = fields[userColumn]
      let itemID = fields[itemColumn]
      guard !userID.isEmpty, !itemID.isEmpty else {
        problems.report(
          DataError(file: source.path, line: line, message: "empty \(userID.isEmpty ? columns.user : columns.item)"))
        return
      }
      var rating: Double? = nil
      if let ratingColumn {
        switch parseRating(fields[ratingColumn]) {
        case .value(let value): rating = value
        case .problem(let why):
          problems.report(
            DataError(file: source.path, line: line, message: "\(columns.rating!) '\(fields[ratingColumn])' \(why)"))
          return
        }
      }
      var timestamp: Int64? = nil
      if let timestampColumn {
        switch parseTimestamp(fields[timestampColumn]) {
        case .value(let value): timestamp = value
        case .problem(let why):
          problems.report(
            DataError(
              file: source.path, line: line, message: "\(columns.timestamp!) '\(fields[timestampColumn])' \(why)"))
          return
        }
      }
      if let minRating = source.minRating, let rating, rating < minRating {
        filtered += 1
        return
      }
      let user = index(of: userID, in: &userIndex, ids: &userIDs)
      let item = index(of: itemID, in: &itemIndex, ids: &itemIDs)
      guard seen.insert(Int64(user) << 32 | Int64(item)).inserted else {
        duplicates += 1
        return
      }
      interactions.append(
        ReferenceInteraction(user: user, item: item, rating: rating, timestamp: timestamp, line: line))
    }
    try problems.check()
    guard !interactions.isEmpty else {
      let why = filtered > 0 ? ": every row has a rating below min_rating \(source.minRating!)" : ""
      throw DataErrors([DataError(file: source.path, message: "no interactions left after filtering\(why)")])
    }
    var notes: [String] = []
    if filtered > 0 {
      notes.append("\(filtered) \(filtered == 1 ? "row" : "rows") below min_rating \(source.minRating!) dropped")
    }
    if duplicates > 0 {
      notes.append("\(duplicates) repeated (user, item) \(duplicates == 1 ? "pair" : "pairs") kept once")
    }

    var metadata: ItemMetadata? = nil
    if let items {
      let (loaded, itemNotes) = try loadMetadata(items, itemIDs: itemIDs)
      metadata = loaded
      notes += itemNotes
    }
    return ReferenceData(
      userIDs: userIDs, itemIDs: itemIDs, interactions: interactions, metadata: metadata, notes: notes)
  }

  private static func index(of id: String, in map: inout [String: Int32], ids: inout [String]) -> Int32 {
    if let index = map[id] { return index }
    let index = Int32(ids.count)
    map[id] = index
    ids.append(id)
    return index
  }

  /// Reads categorical metadata for the given items (dense order). Items without a row in the file get a
  /// category of their own in every field, so that they match nothing.
  static func loadMetadata(_ source: ItemSource, itemIDs: [String]) throws(DataErrors) -> (ItemMetadata, [String]) {
    let table: ReferenceTable
    var idColumn = 0
    var fieldColumns: [Int] = []
    do {
      table = try ReferenceTable(path: source.path, delimiter: source.delimiter)
      idColumn = try table.column(source.idColumn, role: "item ids")
      for field in source.fields { fieldColumns.append(try table.column(field.column, role: "field '\(field.name)'")) }
    } catch {
      throw DataErrors([error])
    }
    guard !source.fields.isEmpty else {
      throw DataErrors([DataError(file: source.path, message: "no metadata fields to read")])
    }
    let itemIndex = Dictionary(itemIDs.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    var codes = source.fields.map { _ in [Int?](repeating: nil, count: itemIDs.count) }
    var categories = source.fields.map { _ in [String: Int]() }
    var problems = DataProblems()
    table.forEachWellFormedRow(&problems) { _, fields, _ in
      guard let item = itemIndex[fields[idColumn]] else { return }  // an item nobody interacted with
      for (f, field) in source.fields.enumerated() {
        let category = categoryName(fields[fieldColumns[f]], field)
        let code = categories[f][category] ?? categories[f].count
        categories[f][category] = code
        if codes[f][item] == nil { codes[f][item] = code }
      }
    }
    try problems.check()
    let missing = codes.first?.filter { $0 == nil }.count ?? 0
    let metadataFields = source.fields.enumerated().map { f, field in
      ItemMetadata.Field(
        name: field.name, codes: codes[f].enumerated().map { item, code in code ?? -(item + 1) })
    }
    let metadata: ItemMetadata
    do {
      metadata = try ItemMetadata(fields: metadataFields)
    } catch {
      throw DataErrors([DataError(file: source.path, message: error.description)])
    }
    let notes =
      missing > 0 ? ["\(missing) items have no row in \(source.path); they match no other item's metadata"] : []
    return (metadata, notes)
  }

  private static func categoryName(_ cell: String, _ field: MetadataFieldSource) -> String {
    guard let separator = field.separator, !separator.isEmpty else { return cell }
    let values = cell.split(separator: separator, omittingEmptySubsequences: true).map(String.init)
    switch field.mode {
    case .first: return values.first ?? ""
    case .set: return values.sorted().joined(separator: separator)
    }
  }
}
