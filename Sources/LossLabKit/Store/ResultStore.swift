import Foundation
import RankingLosses
import Recommender

/// A training run's results in an SQLite file (`losslab train --store FILE`): the run's config and data
/// facts, and every finished cell (``CellResult``), written one transaction per cell as it finishes, so
/// that a killed run loses no finished cell and the file is never left half-written.
///
/// The schema (every table keyed by `config_hash`; see `Docs/Cluster.md`):
///
/// - `store_info(key, value)`: `format` (`losslab-results`), `format_version`, `created_by`.
/// - `run`: one row: the config hash, its canonical text, the config file and text, the data facts, the
///   evaluated users (dense indices as little-endian Int64, original ids as a JSON array), the notes.
/// - `variants`, `variant_parameters`: each variant's label, loss, kind and parameters as used.
/// - `cells`: one row per finished cell: its key (variant, point and its settings, seed), the selected
///   epoch, validation score, timings, the metric column names, the per-user test table as a blob of
///   little-endian Float64 (row by row), host, start and end times, LossLab and format versions.
/// - `cell_metrics`: each cell's test means, one row per column.
/// - `epochs`, `epoch_metrics`: each cell's history.
///
/// The store uses SQLite's rollback journal (no `-wal` or `-shm` files beside it, which network file
/// systems do not support) and waits up to 60 s for another process's lock.
public final class ResultStore {
  /// The store format this LossLab writes and reads.
  public static let formatVersion = 1

  /// The file, as the user named it.
  public let path: String
  private let db: SQLiteDatabase

  private init(path: String, db: SQLiteDatabase) {
    self.path = path
    self.db = db
  }

  /// What a store says about its run.
  public struct StoredRun: Sendable {
    /// The config hash (``ConfigHash/hash(_:)``).
    public var hash: String
    /// The canonical config text (``ConfigHash/canonical(_:evalEvery:)``).
    public var canonical: String
    /// The config file, as named when the store was created.
    public var configFile: String
    /// The config file's text.
    public var configText: String
    /// The number of cells of the whole run.
    public var cellCount: Int
    /// The data and split facts.
    public var data: TrainingDataSummary
    /// The evaluated users' original ids, in row order.
    public var evaluatedUserIDs: [String]
    /// Each variant's loss facts, in config order.
    public var variants: [VariantLoss]
    /// Each variant's label and loss name, in config order (empty when read back from a store).
    public var names: [(label: String, loss: String)] = []

    /// Creates a run description.
    public init(
      hash: String, canonical: String, configFile: String, configText: String, cellCount: Int,
      data: TrainingDataSummary, evaluatedUserIDs: [String], variants: [VariantLoss],
      names: [(label: String, loss: String)] = []
    ) {
      self.names = names
      self.hash = hash
      self.canonical = canonical
      self.configFile = configFile
      self.configText = configText
      self.cellCount = cellCount
      self.data = data
      self.evaluatedUserIDs = evaluatedUserIDs
      self.variants = variants
    }
  }

  // MARK: Opening

  /// Opens a store: for `train`, creating it (and its tables) when missing; for `report`, an existing one.
  ///
  /// - Throws: ``ResultStoreError``: the file is missing (`report`), a folder, not an SQLite file, an SQLite
  ///   file that is not a LossLab store, or a store of a newer format.
  public static func open(_ path: String, create: Bool) throws(ResultStoreError) -> ResultStore {
    var info = stat()
    let exists = stat(path, &info) == 0
    if exists && FileKind(mode: info.st_mode) == .folder {
      throw ResultStoreError(
        path: path, message: "is a folder, not a results store file",
        category: create ? .unwritableOutput : .unreadableInput)
    }
    if !exists && !create {
      throw ResultStoreError(path: path, message: "no such file", category: .unreadableInput)
    }
    let writable = !exists || access(path, W_OK) == 0
    if create && !writable {
      throw ResultStoreError(path: path, message: "cannot be written (no permission)", category: .unwritableOutput)
    }
    let db: SQLiteDatabase
    do {
      db = try SQLiteDatabase(path: path, readOnly: !writable)
    } catch {
      throw ResultStoreError(
        path: path, message: "cannot be opened (\(error.message))",
        category: create ? .unwritableOutput : .unreadableInput)
    }
    let store = ResultStore(path: path, db: db)
    try store.checkFormat(create: create)
    return store
  }

  /// Checks that the file is a LossLab store of a format this LossLab reads; creates the tables in an
  /// empty file when `create`.
  private func checkFormat(create: Bool) throws(ResultStoreError) {
    let tables: Set<String>
    do {
      tables = Set(try db.query("SELECT name FROM sqlite_master WHERE type = 'table'").compactMap { $0.first?.text })
    } catch {
      if error.isNotADatabase {
        throw bad("is not a LossLab results store: not an SQLite database (\(error.message))")
      }
      throw bad("cannot be read (\(error.message))")
    }
    if tables.isEmpty && create {
      try write("create the store's tables") { () throws(SQLiteError) in
        try db.transaction { () throws(SQLiteError) in
          try db.execute(Self.schema)
          for (key, value) in [
            ("format", "losslab-results"), ("format_version", "\(Self.formatVersion)"),
            ("created_by", "losslab \(LossLabVersion.current)"),
          ] {
            try db.query("INSERT INTO store_info (key, value) VALUES (?, ?)", [.text(key), .text(value)])
          }
        }
      }
      return
    }
    guard tables.contains("store_info") else {
      throw bad(
        tables.isEmpty
          ? "is an empty SQLite database, not a LossLab results store"
          : "is an SQLite database but not a LossLab results store (it has no store_info table)")
    }
    let info = try read("read store_info") { () throws(SQLiteError) in
      try db.query("SELECT key, value FROM store_info")
    }
    var values: [String: String] = [:]
    for row in info { if let key = row[0].text, let value = row[1].text { values[key] = value } }
    guard values["format"] == "losslab-results", let version = values["format_version"].flatMap({ Int($0) }) else {
      throw bad("is not a LossLab results store (its store_info has no format losslab-results)")
    }
    guard version <= Self.formatVersion else {
      throw bad(
        "was written in store format \(version) by \(values["created_by"] ?? "a newer LossLab"); this LossLab "
          + "(\(LossLabVersion.current)) reads format \(Self.formatVersion): use a newer losslab")
    }
  }

  static let schema = """
    CREATE TABLE store_info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE run (
      config_hash TEXT PRIMARY KEY, canonical_config TEXT NOT NULL, config_file TEXT NOT NULL,
      config_text TEXT NOT NULL, cell_count INTEGER NOT NULL, users INTEGER NOT NULL, items INTEGER NOT NULL,
      train_interactions INTEGER NOT NULL, validation_interactions INTEGER NOT NULL,
      test_interactions INTEGER NOT NULL, evaluated_users INTEGER NOT NULL, evaluated_user_index BLOB NOT NULL,
      evaluated_user_ids TEXT NOT NULL, notes TEXT NOT NULL, losslab_version TEXT NOT NULL,
      format_version INTEGER NOT NULL, host TEXT NOT NULL, created_at TEXT NOT NULL);
    CREATE TABLE variants (
      config_hash TEXT NOT NULL, variant_index INTEGER NOT NULL, label TEXT NOT NULL, loss TEXT NOT NULL,
      kind TEXT NOT NULL, PRIMARY KEY (config_hash, variant_index));
    CREATE TABLE variant_parameters (
      config_hash TEXT NOT NULL, variant_index INTEGER NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL,
      value TEXT NOT NULL, PRIMARY KEY (config_hash, variant_index, name));
    CREATE TABLE cells (
      config_hash TEXT NOT NULL, cell_index INTEGER NOT NULL, variant_index INTEGER NOT NULL,
      variant_label TEXT NOT NULL, point_index INTEGER NOT NULL, point_settings TEXT NOT NULL, seed INTEGER NOT NULL,
      selected_epoch INTEGER NOT NULL, epochs_run INTEGER NOT NULL, validation REAL,
      training_seconds REAL NOT NULL, interactions_per_second REAL NOT NULL, validation_seconds REAL NOT NULL,
      metric_columns TEXT NOT NULL, user_count INTEGER NOT NULL, metrics BLOB NOT NULL, host TEXT NOT NULL,
      started_at TEXT NOT NULL, finished_at TEXT NOT NULL, losslab_version TEXT NOT NULL,
      format_version INTEGER NOT NULL, PRIMARY KEY (config_hash, cell_index));
    CREATE TABLE cell_metrics (
      config_hash TEXT NOT NULL, cell_index INTEGER NOT NULL, column_index INTEGER NOT NULL, metric TEXT NOT NULL,
      mean REAL NOT NULL, PRIMARY KEY (config_hash, cell_index, column_index));
    CREATE TABLE epochs (
      config_hash TEXT NOT NULL, cell_index INTEGER NOT NULL, epoch INTEGER NOT NULL, loss REAL NOT NULL,
      seconds REAL NOT NULL, validation REAL, PRIMARY KEY (config_hash, cell_index, epoch));
    CREATE TABLE epoch_metrics (
      config_hash TEXT NOT NULL, cell_index INTEGER NOT NULL, epoch INTEGER NOT NULL, column_index INTEGER NOT NULL,
      metric TEXT NOT NULL, value REAL NOT NULL, PRIMARY KEY (config_hash, cell_index, epoch, column_index));
    """

  // MARK: The run

  /// The run the store holds, or `nil` for a new store.
  ///
  /// - Throws: ``ResultStoreError`` when the run's row cannot be read or is damaged.
  public func storedRun() throws(ResultStoreError) -> StoredRun? {
    let rows = try read("read the run") { () throws(SQLiteError) in
      try db.query(
        """
        SELECT config_hash, canonical_config, config_file, config_text, cell_count, users, items,
          train_interactions, validation_interactions, test_interactions, evaluated_user_index,
          evaluated_user_ids, notes FROM run
        """)
    }
    guard let row = rows.first else { return nil }
    guard rows.count == 1 else { throw bad("holds \(rows.count) runs; a store holds one config's results") }
    guard let hash = row[0].text, let canonical = row[1].text, let file = row[2].text, let text = row[3].text,
      let cellCount = row[4].integer, let users = row[5].integer, let items = row[6].integer,
      let train = row[7].integer, let validation = row[8].integer, let test = row[9].integer,
      let userIndex = row[10].blob, userIndex.count % 8 == 0, let ids = row[11].text.flatMap(Self.stringArray),
      let notes = row[12].text.flatMap(Self.stringArray)
    else { throw bad("has a damaged run row") }
    let evaluated = stride(from: 0, to: userIndex.count, by: 8).map { Int(Self.int64(userIndex, at: $0)) }
    let variantRows = try read("read the variants") { () throws(SQLiteError) in
      try db.query(
        "SELECT variant_index, kind FROM variants WHERE config_hash = ? ORDER BY variant_index", [.text(hash)])
    }
    let parameterRows = try read("read the variants' parameters") { () throws(SQLiteError) in
      try db.query(
        "SELECT variant_index, name, type, value FROM variant_parameters WHERE config_hash = ?", [.text(hash)])
    }
    var variants: [VariantLoss] = []
    for (position, variant) in variantRows.enumerated() {
      guard variant[0].integer == Int64(position), let kind = variant[1].text.flatMap(LossKind.init(storeName:)) else {
        throw bad("has a damaged variants table")
      }
      variants.append(VariantLoss(parameters: [:], kind: kind))
    }
    for parameter in parameterRows {
      guard let v = parameter[0].integer.map(Int.init), variants.indices.contains(v), let name = parameter[1].text,
        let type = parameter[2].text, let value = parameter[3].text,
        let decoded = Self.parameter(type: type, value: value)
      else { throw bad("has a damaged variant_parameters table") }
      variants[v].parameters[name] = decoded
    }
    return StoredRun(
      hash: hash, canonical: canonical, configFile: file, configText: text, cellCount: Int(cellCount),
      data: TrainingDataSummary(
        users: Int(users), items: Int(items), trainInteractions: Int(train), validationInteractions: Int(validation),
        testInteractions: Int(test), evaluatedUsers: evaluated, notes: notes),
      evaluatedUserIDs: ids, variants: variants)
  }

  /// Refuses a store that holds another config's results.
  ///
  /// - Throws: ``ResultStoreError`` naming both hashes, the first difference and how to start a new store.
  public func checkConfig(hash: String, canonical: String) throws(ResultStoreError) {
    guard let stored = try storedRun(), stored.hash != hash else { return }
    var message =
      "holds the results of another config (hash \(stored.hash), from \(stored.configFile)); this config's hash "
      + "is \(hash)"
    if let (was, now) = ConfigHash.firstDifference(stored.canonical, canonical) {
      message += ". The first difference: the store has '\(was)', this run has '\(now)'"
    }
    message += ". Give a new store file (--store another.sqlite), or delete this one to start over"
    throw bad(message)
  }

  /// Records the run when the store is new (the config, the data facts, the variants), in one transaction;
  /// checks the hash when it is not.
  ///
  /// - Throws: ``ResultStoreError`` when the store holds another config or cannot be written.
  public func begin(_ run: StoredRun) throws(ResultStoreError) {
    try checkConfig(hash: run.hash, canonical: run.canonical)
    try write("record the run") { () throws(SQLiteError) in
      try db.transaction { () throws(SQLiteError) in
        guard try db.query("SELECT 1 FROM run").isEmpty else { return }
        var userIndex: [UInt8] = []
        userIndex.reserveCapacity(run.data.evaluatedUsers.count * 8)
        for user in run.data.evaluatedUsers { Self.append(Int64(user), to: &userIndex) }
        let d = run.data
        try db.query(
          """
          INSERT INTO run (config_hash, canonical_config, config_file, config_text, cell_count, users, items,
            train_interactions, validation_interactions, test_interactions, evaluated_users, evaluated_user_index,
            evaluated_user_ids, notes, losslab_version, format_version, host, created_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          """,
          [
            .text(run.hash), .text(run.canonical), .text(run.configFile), .text(run.configText),
            .integer(Int64(run.cellCount)), .integer(Int64(d.users)), .integer(Int64(d.items)),
            .integer(Int64(d.trainInteractions)), .integer(Int64(d.validationInteractions)),
            .integer(Int64(d.testInteractions)), .integer(Int64(d.evaluatedUsers.count)), .blob(userIndex),
            .text(JSONValue.array(run.evaluatedUserIDs.map(JSONValue.string)).rendered(indent: "")),
            .text(JSONValue.array(d.notes.map(JSONValue.string)).rendered(indent: "")), .text(LossLabVersion.current),
            .integer(Int64(Self.formatVersion)), .text(hostName()), .text(timestamp(Date())),
          ])
        for (v, variant) in run.variants.enumerated() {
          try db.query(
            "INSERT INTO variants (config_hash, variant_index, label, loss, kind) VALUES (?, ?, ?, ?, ?)",
            [
              .text(run.hash), .integer(Int64(v)), .text(run.names[v].label), .text(run.names[v].loss),
              .text(variant.kind.storeName),
            ])
          for (name, value) in variant.parameters.sorted(by: { $0.key < $1.key }) {
            let (type, text) = Self.parameterText(value)
            try db.query(
              "INSERT INTO variant_parameters (config_hash, variant_index, name, type, value) VALUES (?, ?, ?, ?, ?)",
              [.text(run.hash), .integer(Int64(v)), .text(name), .text(type), .text(text)])
          }
        }
      }
    }
  }

  // MARK: Cells

  /// The indices of the cells the store holds for `hash`.
  ///
  /// - Throws: ``ResultStoreError`` when the cells cannot be read.
  public func cellIndices(hash: String) throws(ResultStoreError) -> Set<Int> {
    let rows = try read("read the cells") { () throws(SQLiteError) in
      try db.query("SELECT cell_index FROM cells WHERE config_hash = ?", [.text(hash)])
    }
    return Set(rows.compactMap { $0[0].integer.map(Int.init) })
  }

  /// Writes one finished cell in one transaction (nothing when the store has it already, e.g. written by
  /// another process meanwhile).
  ///
  /// - Throws: ``ResultStoreError`` when the store cannot be written.
  public func write(_ result: CellResult, config: TrainingConfig, hash: String) throws(ResultStoreError) {
    let cell = result.cell
    let variant = config.variants[cell.variant]
    let table = result.table
    var blob: [UInt8] = []
    blob.reserveCapacity(table.values.count * 8)
    for value in table.values { Self.append(Int64(bitPattern: value.bitPattern), to: &blob) }
    let key: [SQLiteValue] = [.text(hash), .integer(Int64(cell.index))]
    try write("write \(cell.describe(in: config))") { () throws(SQLiteError) in
      try db.transaction { () throws(SQLiteError) in
        guard try db.query("SELECT 1 FROM cells WHERE config_hash = ? AND cell_index = ?", key).isEmpty else { return }
        try db.query(
          """
          INSERT INTO cells (config_hash, cell_index, variant_index, variant_label, point_index, point_settings, seed,
            selected_epoch, epochs_run, validation, training_seconds, interactions_per_second, validation_seconds,
            metric_columns, user_count, metrics, host, started_at, finished_at, losslab_version, format_version)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          """,
          key + [
            .integer(Int64(cell.variant)), .text(variant.loss.label), .integer(Int64(cell.point)),
            .text(variant.points[cell.point].variedDescription), .integer(Int64(bitPattern: cell.seed)),
            .integer(Int64(result.selectedEpoch)), .integer(Int64(result.history.count)),
            result.validation.map(SQLiteValue.real) ?? .null, .real(result.trainingSeconds),
            .real(result.interactionsPerSecond), .real(result.validationSeconds),
            .text(table.columns.map(\.name).joined(separator: ",")), .integer(Int64(table.users.count)), .blob(blob),
            .text(hostName()), .text(timestamp(result.started)), .text(timestamp(result.finished)),
            .text(LossLabVersion.current), .integer(Int64(Self.formatVersion)),
          ])
        for (c, column) in table.columns.enumerated() {
          try db.query(
            "INSERT INTO cell_metrics (config_hash, cell_index, column_index, metric, mean) VALUES (?, ?, ?, ?, ?)",
            key + [.integer(Int64(c)), .text(column.name), .real(table.means.values[c])])
        }
        for record in result.history {
          try db.query(
            "INSERT INTO epochs (config_hash, cell_index, epoch, loss, seconds, validation) VALUES (?, ?, ?, ?, ?, ?)",
            key + [
              .integer(Int64(record.epoch)), .real(record.loss), .real(record.seconds),
              record.validation.map(SQLiteValue.real) ?? .null,
            ])
          guard let metrics = record.metrics else { continue }
          for (c, (column, value)) in zip(metrics.columns, metrics.values).enumerated() {
            try db.query(
              """
              INSERT INTO epoch_metrics (config_hash, cell_index, epoch, column_index, metric, value)
              VALUES (?, ?, ?, ?, ?, ?)
              """,
              key + [.integer(Int64(record.epoch)), .integer(Int64(c)), .text(column.name), .real(value)])
          }
        }
      }
    }
  }

  /// Every cell the store holds for `hash`, checked against `config`'s plan, in cell order.
  ///
  /// - Parameters:
  ///   - config: The config (decoded from the store's text for `report`).
  ///   - hash: The config hash.
  ///   - evaluatedUsers: The rows of every cell's test table.
  /// - Throws: ``ResultStoreError`` when a cell is damaged or does not fit the plan.
  public func cells(config: TrainingConfig, hash: String, evaluatedUsers: [Int]) throws(ResultStoreError)
    -> [CellResult]
  {
    let plan = TrainingRunner.plan(config)
    let columns = config.evaluation.columns
    let key: [SQLiteValue] = [.text(hash)]
    let rows = try read("read the cells") { () throws(SQLiteError) in
      try db.query(
        """
        SELECT cell_index, variant_index, point_index, seed, selected_epoch, validation, training_seconds,
          interactions_per_second, validation_seconds, metric_columns, user_count, metrics, started_at, finished_at
        FROM cells WHERE config_hash = ? ORDER BY cell_index
        """, key)
    }
    let epochRows = try read("read the cells' epochs") { () throws(SQLiteError) in
      try db.query(
        "SELECT cell_index, epoch, loss, seconds, validation FROM epochs WHERE config_hash = ? ORDER BY cell_index, epoch",
        key)
    }
    let metricRows = try read("read the cells' per-epoch metrics") { () throws(SQLiteError) in
      try db.query(
        """
        SELECT cell_index, epoch, column_index, value FROM epoch_metrics WHERE config_hash = ?
        ORDER BY cell_index, epoch, column_index
        """, key)
    }
    var epochMetrics: [Int: [Int: [Double]]] = [:]
    for row in metricRows {
      guard let cell = row[0].integer.map(Int.init), let epoch = row[1].integer.map(Int.init), let value = row[3].real
      else { throw bad("has a damaged epoch_metrics table") }
      epochMetrics[cell, default: [:]][epoch, default: []].append(value)
    }
    var histories: [Int: [EpochRecord]] = [:]
    for row in epochRows {
      guard let cell = row[0].integer.map(Int.init), let epoch = row[1].integer.map(Int.init), let loss = row[2].real,
        let seconds = row[3].real
      else { throw bad("has a damaged epochs table") }
      var metrics: MetricValues? = nil
      if let values = epochMetrics[cell]?[epoch] {
        guard values.count == columns.count else { throw bad("has a damaged epoch_metrics table (cell \(cell))") }
        metrics = MetricValues(columns: columns, values: values)
      }
      histories[cell, default: []].append(
        EpochRecord(epoch: epoch, loss: loss, metrics: metrics, seconds: seconds, validation: row[4].real))
    }
    let names = columns.map(\.name).joined(separator: ",")
    var results: [CellResult] = []
    for row in rows {
      guard let index = row[0].integer.map(Int.init), plan.indices.contains(index) else {
        throw bad("holds a cell outside this config's plan of \(plan.count) cells")
      }
      let cell = plan[index]
      guard row[1].integer == Int64(cell.variant), row[2].integer == Int64(cell.point),
        row[3].integer == Int64(bitPattern: cell.seed)
      else { throw bad("has cell \(index) under another key than this config's \(cell.describe(in: config))") }
      guard let selected = row[4].integer, let training = row[6].real, let rate = row[7].real,
        let validationSeconds = row[8].real, let stored = row[9].text, let users = row[10].integer,
        let blob = row[11].blob
      else { throw bad("has a damaged row for \(cell.describe(in: config))") }
      guard stored == names, Int(users) == evaluatedUsers.count, blob.count == evaluatedUsers.count * columns.count * 8
      else {
        throw bad(
          "has a test table for \(cell.describe(in: config)) that does not fit the run (columns \(stored), "
            + "\(users) users, \(blob.count) bytes)")
      }
      let values = stride(from: 0, to: blob.count, by: 8).map {
        Double(bitPattern: UInt64(bitPattern: Self.int64(blob, at: $0)))
      }
      results.append(
        CellResult(
          cell: cell, history: histories[index] ?? [],
          table: MetricTable(columns: columns, users: evaluatedUsers, values: values), trainingSeconds: training,
          interactionsPerSecond: rate, selectedEpoch: Int(selected), validation: row[5].real,
          validationSeconds: validationSeconds, started: date(row[12].text), finished: date(row[13].text)))
    }
    return results
  }

  // MARK: Helpers

  private func bad(_ message: String) -> ResultStoreError {
    ResultStoreError(path: path, message: message, category: .badData)
  }

  private func read<T>(_ what: String, _ body: () throws(SQLiteError) -> T) throws(ResultStoreError) -> T {
    do {
      return try body()
    } catch {
      if error.isNotADatabase { throw bad("is damaged: cannot \(what) (\(error.message))") }
      throw bad("cannot \(what) (\(error.message))")
    }
  }

  private func write<T>(_ what: String, _ body: () throws(SQLiteError) -> T) throws(ResultStoreError) -> T {
    do {
      return try body()
    } catch {
      throw ResultStoreError(path: path, message: "cannot \(what) (\(error.message))", category: .unwritableOutput)
    }
  }

  static func append(_ value: Int64, to bytes: inout [UInt8]) {
    let bits = UInt64(bitPattern: value)
    for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
  }

  static func int64(_ bytes: [UInt8], at offset: Int) -> Int64 {
    var bits: UInt64 = 0
    for i in 0..<8 { bits |= UInt64(bytes[offset + i]) << UInt64(8 * i) }
    return Int64(bitPattern: bits)
  }

  static func stringArray(_ json: String) -> [String]? {
    (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String]
  }

  static func parameterText(_ value: LossParameterValue) -> (String, String) {
    switch value {
    case .integer(let n): return ("integer", "\(n)")
    case .real(let x): return ("real", "\(x)")
    case .boolean(let b): return ("boolean", "\(b)")
    case .string(let s): return ("string", s)
    }
  }

  static func parameter(type: String, value: String) -> LossParameterValue? {
    switch type {
    case "integer": return Int(value).map(LossParameterValue.integer)
    case "real": return Double(value).map(LossParameterValue.real)
    case "boolean": return Bool(value).map(LossParameterValue.boolean)
    case "string": return .string(value)
    default: return nil
    }
  }
}

extension LossKind {
  /// `pairwise` or `adaptive`, as the store writes it.
  var storeName: String { self == .pairwise ? "pairwise" : "adaptive" }

  /// The kind a store names.
  init?(storeName: String) {
    switch storeName {
    case "pairwise": self = .pairwise
    case "adaptive": self = .adaptive
    default: return nil
    }
  }
}

/// The machine's host name.
func hostName() -> String {
  var buffer = [CChar](repeating: 0, count: 256)
  guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
  return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// A time as ISO 8601 in UTC with milliseconds: `2025-01-31T12:34:56.789Z`.
func timestamp(_ date: Date) -> String {
  let formatter = ISO8601DateFormatter()
  formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
  return formatter.string(from: date)
}

/// A stored time read back (the epoch for text that is not one).
func date(_ text: String?) -> Date {
  let formatter = ISO8601DateFormatter()
  formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
  return text.flatMap { formatter.date(from: $0) } ?? Date(timeIntervalSince1970: 0)
}
