import RankingLosses

/// How to read an interactions CSV.
public struct InteractionSource: Sendable, Hashable {
  /// The file.
  public var path: String
  /// Its columns.
  public var columns: InteractionColumns
  /// Ratings below this are not positives; `nil` keeps every row. Needs a rating column.
  public var minRating: Double?
  /// The field separator.
  public var delimiter: Character

  /// Creates a source.
  public init(path: String, columns: InteractionColumns, minRating: Double? = nil, delimiter: Character = ",") {
    self.path = path
    self.columns = columns
    self.minRating = minRating
    self.delimiter = delimiter
  }
}

/// How to turn an items CSV column into a categorical metadata field.
public struct MetadataFieldSource: Sendable, Hashable {
  /// Which category a multi-valued cell (`Action|Comedy`) stands for.
  public enum Mode: String, Sendable, Hashable, CaseIterable {
    /// The first value (`Action`).
    case first
    /// The whole set of values, sorted, as one category (`Action|Comedy` = `Comedy|Action`).
    case set
  }

  /// The field's name (used in `partial_credit`).
  public var name: String
  /// The column holding it.
  public var column: String
  /// The separator of multiple values in a cell, e.g. `|`; `nil` for single-valued cells.
  public var separator: String?
  /// First value or whole set.
  public var mode: Mode

  /// Creates a field source.
  public init(name: String, column: String, separator: String? = nil, mode: Mode = .first) {
    self.name = name
    self.column = column
    self.separator = separator
    self.mode = mode
  }
}

/// How to read an items CSV with metadata.
public struct ItemSource: Sendable, Hashable {
  /// The file.
  public var path: String
  /// The item id column (the same ids as the interactions' item column).
  public var idColumn: String
  /// The fields to read.
  public var fields: [MetadataFieldSource]
  /// The field separator of the CSV.
  public var delimiter: Character

  /// Creates an item source.
  public init(path: String, idColumn: String, fields: [MetadataFieldSource], delimiter: Character = ",") {
    self.path = path
    self.idColumn = idColumn
    self.fields = fields
    self.delimiter = delimiter
  }
}

/// Loads interaction data (and item metadata) from CSV files.
///
/// External ids become dense indices in order of first appearance. A (user, item) pair that appears again
/// is kept once (the first time); rows below `minRating` are dropped. Problems are reported with file and
/// line; up to ``DataErrors/limit`` are collected before loading stops.
public enum DataLoader {
  /// Reads the interactions and, when given, the item metadata.
  ///
  /// - Throws: ``DataErrors`` for missing files, missing columns, malformed rows (wrong number of fields,
  ///   empty ids, ratings that are not decimal numbers, timestamps that are not decimal whole numbers, fields
  ///   that are not valid CSV or UTF-8), or no interactions left after filtering.
  public static func load(_ source: InteractionSource, items: ItemSource? = nil) throws(DataErrors) -> InteractionData {
    let table: CSVTable
    do {
      table = try CSVTable(path: source.path, delimiter: source.delimiter)
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
    var interactions: [Interaction] = []
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
      interactions.append(Interaction(user: user, item: item, rating: rating, timestamp: timestamp, line: line))
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
    return InteractionData(
      userIDs: userIDs, itemIDs: itemIDs, interactions: interactions, metadata: metadata, columns: columns,
      notes: notes)
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
    let table: CSVTable
    var idColumn = 0
    var fieldColumns: [Int] = []
    do {
      table = try CSVTable(path: source.path, delimiter: source.delimiter)
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
