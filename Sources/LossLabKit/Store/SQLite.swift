internal import CSQLite

/// A failed SQLite call: its result code and SQLite's message.
struct SQLiteError: Error, CustomStringConvertible {
  /// The primary result code (`SQLITE_BUSY`, `SQLITE_NOTADB`, …).
  var code: Int32
  /// SQLite's message.
  var message: String

  var description: String { message }

  /// Whether the file is not an SQLite database (or is encrypted or damaged beyond its header).
  var isNotADatabase: Bool { code == SQLITE_NOTADB || code == SQLITE_CORRUPT }
}

/// A value bound to or read from an SQL statement.
enum SQLiteValue: Equatable {
  case integer(Int64)
  case real(Double)
  case text(String)
  case blob([UInt8])
  case null
}

/// A connection to one SQLite file: the small part of the C API the results store needs.
final class SQLiteDatabase {
  private let handle: OpaquePointer

  /// Opens `path`: read-only, or read-write and created when missing.
  ///
  /// - Parameters:
  ///   - path: The file.
  ///   - readOnly: Open for reading only (the file must exist).
  ///   - busyTimeout: Milliseconds to wait for another process's lock before failing with `SQLITE_BUSY`.
  init(path: String, readOnly: Bool, busyTimeout: Int32 = 60_000) throws(SQLiteError) {
    var db: OpaquePointer? = nil
    let flags = readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
    let code = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, nil)
    guard code == SQLITE_OK, let db else {
      let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
      sqlite3_close(db)
      throw SQLiteError(code: code, message: message)
    }
    handle = db
    sqlite3_busy_timeout(db, busyTimeout)
    sqlite3_extended_result_codes(db, 0)
  }

  deinit { sqlite3_close(handle) }

  /// The error of the last failed call.
  private func error(_ code: Int32) -> SQLiteError {
    SQLiteError(code: code & 0xFF, message: String(cString: sqlite3_errmsg(handle)))
  }

  /// Runs statements that return no rows.
  func execute(_ sql: String) throws(SQLiteError) {
    let code = sqlite3_exec(handle, sql, nil, nil, nil)
    guard code == SQLITE_OK else { throw error(code) }
  }

  /// Runs one statement with `values` bound to its `?` parameters and returns every row.
  @discardableResult
  func query(_ sql: String, _ values: [SQLiteValue] = []) throws(SQLiteError) -> [[SQLiteValue]] {
    var statement: OpaquePointer? = nil
    var code = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
    guard code == SQLITE_OK, let statement else { throw error(code) }
    defer { sqlite3_finalize(statement) }
    // SQLITE_TRANSIENT: SQLite copies the bytes before the call returns.
    let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
    for (index, value) in values.enumerated() {
      let i = Int32(index + 1)
      switch value {
      case .integer(let n): code = sqlite3_bind_int64(statement, i, n)
      case .real(let x): code = sqlite3_bind_double(statement, i, x)
      case .text(let s): code = sqlite3_bind_text(statement, i, s, -1, transient)
      case .blob(let bytes):
        code = bytes.withUnsafeBytes { sqlite3_bind_blob64(statement, i, $0.baseAddress, UInt64($0.count), transient) }
      case .null: code = sqlite3_bind_null(statement, i)
      }
      guard code == SQLITE_OK else { throw error(code) }
    }
    var rows: [[SQLiteValue]] = []
    while true {
      code = sqlite3_step(statement)
      if code == SQLITE_DONE { break }
      guard code == SQLITE_ROW else { throw error(code) }
      let count = sqlite3_column_count(statement)
      rows.append(
        (0..<count).map { c in
          switch sqlite3_column_type(statement, c) {
          case SQLITE_INTEGER: return .integer(sqlite3_column_int64(statement, c))
          case SQLITE_FLOAT: return .real(sqlite3_column_double(statement, c))
          case SQLITE_TEXT: return .text(String(cString: sqlite3_column_text(statement, c)))
          case SQLITE_BLOB:
            let size = Int(sqlite3_column_bytes(statement, c))
            guard size > 0, let bytes = sqlite3_column_blob(statement, c) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: bytes, count: size)))
          default: return .null
          }
        })
    }
    return rows
  }

  /// Runs `body` in one immediate transaction: committed when it returns, rolled back when it throws.
  func transaction<T>(_ body: () throws(SQLiteError) -> T) throws(SQLiteError) -> T {
    try execute("BEGIN IMMEDIATE")
    do {
      let value = try body()
      try execute("COMMIT")
      return value
    } catch {
      try? execute("ROLLBACK")
      throw error
    }
  }
}

extension SQLiteValue {
  /// The integer, or `nil` for another type.
  var integer: Int64? {
    if case .integer(let n) = self { return n }
    return nil
  }

  /// The number (an integer converted), or `nil` for another type.
  var real: Double? {
    switch self {
    case .real(let x): return x
    case .integer(let n): return Double(n)
    default: return nil
    }
  }

  /// The text, or `nil` for another type.
  var text: String? {
    if case .text(let s) = self { return s }
    return nil
  }

  /// The bytes, or `nil` for another type (an empty blob reads as `[]`).
  var blob: [UInt8]? {
    if case .blob(let b) = self { return b }
    return nil
  }
}
