import RankingLosses

/// How to read an interactions file.
public struct InteractionSource: Sendable, Hashable {
  /// The file (plain, or gzip-compressed: recognised by its first bytes).
  public var path: String
  /// Its columns: names, or 0-based positions (`"0"`, `"1"`, …) when the file has no header.
  public var columns: InteractionColumns
  /// Ratings below this are not positives; `nil` keeps every row. Needs a rating column.
  public var minRating: Double?
  /// The field separator: any non-empty text without a quote or a line break (`::` for MovieLens 1M).
  public var delimiter: String
  /// Whether the first line is a header of column names (a RecBole file always has one).
  public var header: Bool
  /// CSV or RecBole.
  public var format: DataFormat
  /// Whether a rating or timestamp column that ``columns`` leaves out is taken from the header when it has
  /// a column named `rating` (`timestamp`); RecBole's defaults.
  public var findsOptionalColumns: Bool

  /// Creates a source.
  ///
  /// - Parameters:
  ///   - delimiter: The field separator; `nil` for the format's (``DataFormat/defaultDelimiter``).
  ///   - findsOptionalColumns: `nil` for the format's default: true for RecBole, false for CSV.
  public init(
    path: String, columns: InteractionColumns, minRating: Double? = nil, delimiter: String? = nil,
    header: Bool = true, format: DataFormat = .csv, findsOptionalColumns: Bool? = nil
  ) {
    self.path = path
    self.columns = columns
    self.minRating = minRating
    self.delimiter = delimiter ?? format.defaultDelimiter
    self.header = header
    self.format = format
    self.findsOptionalColumns = findsOptionalColumns ?? (format == .recbole)
  }
}

/// How to turn an items file's column into a categorical metadata field.
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
  /// The separator of multiple values in a cell, e.g. `|`; `nil` for single-valued cells (a space for a
  /// RecBole `token_seq` column).
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

/// How to read an items file with metadata.
public struct ItemSource: Sendable, Hashable {
  /// The file (plain, or gzip-compressed: recognised by its first bytes).
  public var path: String
  /// The item id column (the same ids as the interactions' item column).
  public var idColumn: String
  /// The fields to read.
  public var fields: [MetadataFieldSource]
  /// The field separator: any non-empty text without a quote or a line break.
  public var delimiter: String
  /// Whether the first line is a header of column names (a RecBole file always has one).
  public var header: Bool
  /// CSV or RecBole.
  public var format: DataFormat

  /// Creates an item source.
  ///
  /// - Parameter delimiter: The field separator; `nil` for the format's (``DataFormat/defaultDelimiter``).
  public init(
    path: String, idColumn: String, fields: [MetadataFieldSource], delimiter: String? = nil, header: Bool = true,
    format: DataFormat = .csv
  ) {
    self.path = path
    self.idColumn = idColumn
    self.fields = fields
    self.delimiter = delimiter ?? format.defaultDelimiter
    self.header = header
    self.format = format
  }
}

/// Loads interaction data (and item metadata) from CSV files.
///
/// External ids become dense indices in order of first appearance. A (user, item) pair that appears again
/// is kept once (the first time); rows below `minRating` are dropped. Problems are reported with file and
/// line; up to ``DataErrors/limit`` are collected before loading stops.
public enum DataLoader {
  /// Reads the interactions and, when given, the item metadata, through a ``DataCache`` in `cache`.
  ///
  /// With a cache folder, a cache file made for the same settings from the same files is mapped and copied
  /// instead of parsing the files (a note says so); otherwise the files are loaded and the cache written
  /// (atomically), with a note saying whether there was none, or it was stale or corrupt and rebuilt, or it
  /// could not be written (loading still succeeds then).
  ///
  /// - Throws: ``DataErrors``: those of ``load(_:items:)``, or a cache folder that cannot be created or
  ///   written (``DataError/Kind/unwritableCache``), before any file is read.
  public static func load(_ source: InteractionSource, items: ItemSource? = nil, cache: String?) throws(DataErrors)
    -> InteractionData
  {
    guard let cache else { return try load(source, items: items) }
    do {
      try DataCache.prepare(cache)
    } catch {
      throw DataErrors([error])
    }
    guard let key = DataCache.key(source, items: items) else { return try load(source, items: items) }
    let path = DataCache.file(for: key.settings, in: cache)
    var remark: String
    switch DataCache.read(path, settings: key.settings, identity: key.identity) {
    case .hit(var data):
      data.notes.append("loaded from the cache \(path); the data files were not read")
      return data
    case .missing: remark = "cache \(path) written"
    case .stale(let why): remark = "cache \(path) was stale (\(why)); rebuilt"
    case .corrupt(let why): remark = "cache \(path) was corrupt (\(why)); rebuilt"
    }
    var data = try load(source, items: items)
    // Files that changed while they were read would make a cache that does not match them.
    if DataCache.key(source, items: items)?.identity != key.identity {
      remark = "cache \(path) not written: the data files changed while they were read"
    } else if let failure = DataCache.write(data, to: path, settings: key.settings, identity: key.identity) {
      remark = "cache \(path) could not be written (\(failure))"
    }
    data.notes.append(remark)
    return data
  }

  /// Reads the interactions and, when given, the item metadata.
  ///
  /// The file is read in blocks; fields are byte spans, ids are interned into dense indices by their bytes
  /// (one `String` per distinct id), and only the final columns are kept. Repeated (user, item) pairs are
  /// found per user afterwards (rows grouped by user, each item marked with the last user seen), and all
  /// but the first occurrence dropped.
  ///
  /// - Throws: ``DataErrors`` for missing files, missing columns, malformed rows (wrong number of fields,
  ///   empty ids, ratings that are not decimal numbers, timestamps that are not decimal whole numbers, fields
  ///   that are not valid CSV or UTF-8, gzip data that is corrupt), or no interactions left after filtering.
  public static func load(_ source: InteractionSource, items: ItemSource? = nil) throws(DataErrors) -> InteractionData {
    var table: CSVTable
    var columns = source.columns
    var userColumn = 0
    var itemColumn = 0
    var ratingColumn: Int? = nil
    var timestampColumn: Int? = nil
    do {
      table = try CSVTable(path: source.path, delimiter: source.delimiter, format: source.format, header: source.header)
      if source.findsOptionalColumns {
        if columns.rating == nil, table.has("rating") { columns.rating = "rating" }
        if columns.timestamp == nil, table.has("timestamp") { columns.timestamp = "timestamp" }
      }
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
    let wholeRealTimestamps = timestampColumn.flatMap { table.type(of: $0) } == .float
    let file = source.path
    let ratingName = columns.rating ?? ""
    let timestampName = columns.timestamp ?? ""
    let headerWidth = table.header?.count
    let neededWidth = [userColumn, itemColumn, ratingColumn ?? 0, timestampColumn ?? 0].max()! + 1

    let userTable = IDTable()
    let itemTable = IDTable()
    var rowUsers: [Int32] = []
    var rowItems: [Int32] = []
    var rowRatings: [Float] = []
    var rowTimestamps: [Int64] = []
    var problems = DataProblems()
    var filtered = 0
    var full: String? = nil
    table.reader.forEachRecord(
      { line, fields in
        if fields.count == 1, fields[0].isEmpty { return }  // a line holding only `""`
        if headerWidth.map({ fields.count != $0 }) ?? (fields.count < neededWidth) {
          problems.report(DataError(file: file, line: line, message: table.widthProblem(fields.count)!))
          return
        }
        let userID = fields[userColumn]
        let itemID = fields[itemColumn]
        guard !userID.isEmpty, !itemID.isEmpty else {
          problems.report(
            DataError(file: file, line: line, message: "empty \(userID.isEmpty ? columns.user : columns.item)"))
          return
        }
        var rating = 0.0
        if let ratingColumn {
          let field = fields[ratingColumn]
          switch parseRating(field) {
          case .value(let value) where Float(value).isFinite: rating = value
          case .value:
            problems.report(
              DataError(
                file: file, line: line,
                message: "\(ratingName) '\(fields.string(ratingColumn))' is out of range for a rating (beyond ±3.4e38)")
            )
            return
          case .problem(let why):
            problems.report(
              DataError(file: file, line: line, message: "\(ratingName) '\(fields.string(ratingColumn))' \(why)"))
            return
          }
        }
        var timestamp: Int64 = 0
        if let timestampColumn {
          switch parseTimestamp(fields[timestampColumn], allowWholeReal: wholeRealTimestamps) {
          case .value(let value): timestamp = value
          case .problem(let why):
            problems.report(
              DataError(
                file: file, line: line, message: "\(timestampName) '\(fields.string(timestampColumn))' \(why)"))
            return
          }
        }
        if let minRating = source.minRating, rating < minRating {
          filtered += 1
          return
        }
        guard full == nil, rowUsers.count < Int(Int32.max),
          let user = userTable.index(of: userID), let item = itemTable.index(of: itemID)
        else {
          full = full ?? "more than 2,147,483,647 rows or distinct ids; LossLab keeps them as 32-bit indices"
          return
        }
        guard problems.errors.isEmpty else { return }  // the data will not be used: keep no more of it
        rowUsers.append(user)
        rowItems.append(item)
        if ratingColumn != nil { rowRatings.append(Float(rating)) }
        if timestampColumn != nil { rowTimestamps.append(timestamp) }
      }, problem: { problems.report($0) })
    if let full { problems.report(DataError(file: file, message: full)) }
    try problems.check()
    guard !rowUsers.isEmpty else {
      let why = filtered > 0 ? ": every row has a rating below min_rating \(source.minRating!)" : ""
      throw DataErrors([DataError(file: source.path, message: "no interactions left after filtering\(why)")])
    }
    let userIDs = userTable.ids()
    let itemIDs = itemTable.ids()
    let duplicates = markRepeatedPairs(
      users: &rowUsers, items: rowItems, userCount: userIDs.count, itemCount: itemIDs.count)
    if duplicates > 0 {
      compact(&rowItems, keeping: rowUsers)
      if ratingColumn != nil { compact(&rowRatings, keeping: rowUsers) }
      if timestampColumn != nil { compact(&rowTimestamps, keeping: rowUsers) }
      compact(&rowUsers, keeping: rowUsers)
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
    if source.header == false && source.format == .csv {
      columns = InteractionColumns(
        user: "user", item: "item", rating: columns.rating == nil ? nil : "rating",
        timestamp: columns.timestamp == nil ? nil : "timestamp")
    }
    return InteractionData(
      userIDs: userIDs, itemIDs: itemIDs, users: rowUsers, items: rowItems,
      ratings: ratingColumn == nil ? nil : rowRatings, timestamps: timestampColumn == nil ? nil : rowTimestamps,
      metadata: metadata, columns: columns, notes: notes)
  }

  /// Marks every repeat of a (user, item) pair after its first row with the user `-1`, and returns how
  /// many there are.
  ///
  /// Rows are grouped by user with a counting sort (file order within a user); walking each user's rows,
  /// an item already marked with that user is a repeat. Linear in the rows, with one `Int32` per row and
  /// per item of scratch memory.
  static func markRepeatedPairs(users: inout [Int32], items: [Int32], userCount: Int, itemCount: Int) -> Int {
    let groups = UserGroups(users: users, userCount: userCount)
    var mark = [Int32](repeating: -1, count: itemCount)
    var duplicates = 0
    for user in 0..<userCount {
      for k in groups.offsets[user]..<groups.offsets[user + 1] {
        let row = Int(groups.order[k])
        let item = Int(items[row])
        if mark[item] == Int32(user) {
          users[row] = -1
          duplicates += 1
        } else {
          mark[item] = Int32(user)
        }
      }
    }
    return duplicates
  }

  /// Keeps the entries of `values` whose row has a user `≥ 0`, in order.
  static func compact<T>(_ values: inout [T], keeping users: [Int32]) {
    var kept = 0
    for row in values.indices where users[row] >= 0 {
      values[kept] = values[row]
      kept += 1
    }
    values.removeLast(values.count - kept)
  }

  /// Reads categorical metadata for the given items (dense order). Items without a row in the file get a
  /// category of their own in every field, so that they match nothing.
  static func loadMetadata(_ source: ItemSource, itemIDs: [String]) throws(DataErrors) -> (ItemMetadata, [String]) {
    var table: CSVTable
    var idColumn = 0
    var fieldColumns: [Int] = []
    do {
      table = try CSVTable(path: source.path, delimiter: source.delimiter, format: source.format, header: source.header)
      idColumn = try table.column(source.idColumn, role: "item ids")
      for field in source.fields { fieldColumns.append(try table.column(field.column, role: "field '\(field.name)'")) }
    } catch {
      throw DataErrors([error])
    }
    guard !source.fields.isEmpty else {
      throw DataErrors([DataError(file: source.path, message: "no metadata fields to read")])
    }
    // A RecBole token_seq column's values are separated by spaces unless the field says otherwise.
    let fieldSources = source.fields.enumerated().map { f, field in
      var field = field
      if field.separator == nil, table.type(of: fieldColumns[f]) == .tokenSequence { field.separator = " " }
      return field
    }
    let itemIndex = Dictionary(itemIDs.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    var codes = source.fields.map { _ in [Int?](repeating: nil, count: itemIDs.count) }
    var categories = source.fields.map { _ in [String: Int]() }
    var problems = DataProblems()
    table.forEachWellFormedRow(&problems) { _, fields, _ in
      guard let item = itemIndex[fields[idColumn]] else { return }  // an item nobody interacted with
      for (f, field) in fieldSources.enumerated() {
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
