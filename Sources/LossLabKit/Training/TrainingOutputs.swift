import Foundation
import Recommender

/// Writes a split as `train.csv` and `test.csv` — and `validation.csv` when the split has a validation
/// part — with the original ids and the source's column names, so that other tools can train on exactly the
/// same data.
public enum SplitWriter {
  /// The files a split is written to, in `folder`: `train.csv`, `test.csv`, then `validation.csv` when
  /// `validation` is true.
  public static func files(in folder: String, validation: Bool = false) -> [String] {
    (["train.csv", "test.csv"] + (validation ? ["validation.csv"] : [])).map { joinPath(folder, $0) }
  }

  /// Checks, before the work starts, that `folder` can hold the split: it is a folder or can be made one,
  /// and no file it would get (`validation.csv` too when `validation` is true) would replace one of `inputs`.
  ///
  /// - Throws: ``AtomicFile/WriteError`` saying why not.
  public static func check(
    _ folder: String, validation: Bool = false, inputs: InputFiles = InputFiles()
  ) throws(AtomicFile.WriteError) {
    try checkFolderPath(folder)
    for file in files(in: folder, validation: validation) where kind(of: file) != .missing {
      try AtomicFile.check(file, inputs: inputs)
    }
  }

  /// Writes `folder/train.csv`, `folder/test.csv` and, when the split has a validation part,
  /// `folder/validation.csv` (creating the folder), each atomically.
  ///
  /// - Throws: ``AtomicFile/WriteError`` when the folder cannot be created, a file cannot be written, or a
  ///   file would replace one of `inputs`.
  public static func write(
    _ data: InteractionData, _ split: DataSplit, to folder: String, inputs: InputFiles = InputFiles()
  ) throws(AtomicFile.WriteError) {
    try check(folder, validation: split.hasValidation, inputs: inputs)
    try makeFolder(folder)
    let header =
      ([data.columns.user, data.columns.item] + [data.columns.rating, data.columns.timestamp].compactMap { $0 })
      .joined(separator: ",") + "\n"
    let users = EncodedIDs(data.userIDs)
    let items = EncodedIDs(data.itemIDs)
    let ratings = data.columns.rating == nil ? nil : data.ratings
    let timestamps = data.columns.timestamp == nil ? nil : data.timestamps
    func write(_ rows: [Int32], to path: String) throws(AtomicFile.WriteError) {
      try AtomicFile.write(to: path, inputs: inputs) { writer in
        writer.append(header)
        for row in rows {
          let row = Int(row)
          writer.append(users[data.users[row]])
          writer.append(UInt8(ascii: ","))
          writer.append(items[data.items[row]])
          if let ratings {
            writer.append(UInt8(ascii: ","))
            writer.append(upTo: 32) { formatRating(ratings[row], into: $0) }
          }
          if let timestamps {
            writer.append(UInt8(ascii: ","))
            writer.append(upTo: 20) { formatInteger(timestamps[row], into: $0) }
          }
          writer.append(UInt8(ascii: "\n"))
        }
      }
    }
    let paths = files(in: folder, validation: split.hasValidation)
    try write(split.trainRows, to: paths[0])
    try write(split.testRows, to: paths[1])
    if split.hasValidation { try write(split.validationRows, to: paths[2]) }
  }
}

/// Ids as CSV fields (``csvField(_:)``), encoded once as UTF-8 bytes, one after another.
final class EncodedIDs {
  private let bytes: UnsafeMutableBufferPointer<UInt8>
  private var starts: [Int] = [0]

  init(_ ids: [String]) {
    var all: [UInt8] = []
    for id in ids {
      all += csvField(id).utf8
      starts.append(all.count)
    }
    bytes = .allocate(capacity: max(all.count, 1))
    _ = bytes.initialize(from: all)
  }

  deinit { bytes.deallocate() }

  /// The field of the id with dense index `index`.
  subscript(_ index: Int32) -> UnsafeBufferPointer<UInt8> {
    let start = starts[Int(index)]
    return UnsafeBufferPointer(start: bytes.baseAddress! + start, count: starts[Int(index) + 1] - start)
  }
}

/// Writes `value` as its `description` would (the shortest text that reads back as it, `4.0`, `3.5`) into
/// `buffer` (at least 32 bytes) and returns the number of bytes. Values with one decimal below 10⁵ (every
/// usual rating) are written directly: such a value is the `Float` nearest to `k / 10`, so `k / 10` with
/// one decimal is its shortest text; others go through `description`.
func formatRating(_ value: Float, into buffer: UnsafeMutablePointer<UInt8>) -> Int {
  let tenths = (value * 10).rounded()
  if abs(tenths) < 1_000_000, Float(tenths) / 10 == value {
    var k = Int(tenths)
    var n = 0
    if value.sign == .minus {
      buffer[0] = UInt8(ascii: "-")
      n = 1
      k = -k
    }
    n += formatInteger(Int64(k / 10), into: buffer + n)
    buffer[n] = UInt8(ascii: ".")
    buffer[n + 1] = UInt8(ascii: "0") + UInt8(k % 10)
    return n + 2
  }
  var text = value.description
  return text.withUTF8 { utf8 in
    buffer.update(from: utf8.baseAddress!, count: utf8.count)
    return utf8.count
  }
}

/// Writes `value` in decimal into `buffer` (at least 20 bytes) and returns the number of bytes.
func formatInteger(_ value: Int64, into buffer: UnsafeMutablePointer<UInt8>) -> Int {
  var magnitude = value.magnitude
  var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch, filled from the end
  return withUnsafeMutableBytes(of: &digits) { scratch in
    var p = scratch.count
    repeat {
      p -= 1
      scratch[p] = UInt8(ascii: "0") + UInt8(magnitude % 10)
      magnitude /= 10
    } while magnitude > 0
    var n = 0
    if value < 0 {
      buffer[0] = UInt8(ascii: "-")
      n = 1
    }
    let length = scratch.count - p
    buffer.advanced(by: n).update(
      from: scratch.baseAddress!.advanced(by: p).assumingMemoryBound(to: UInt8.self), count: length)
    return n + length
  }
}

/// Writes trained models as CSV: `folder/<name>/seed-<seed>/user_factors.csv` (`user_id,f0,…`) and
/// `item_factors.csv` (`item_id,bias,f0,…`), with the original ids, so that anyone can recompute the scores
/// `p_u · q_i + b_i` and the metrics; and `folder/index.csv` (`label,folder,seed,user_factors,item_factors`)
/// mapping each variant's label to its files.
///
/// A folder name is the label with every character other than a letter, a digit or one of `-_.+=` made
/// `_`, a leading `.` made `_` (so no label names `.`, `..` or a hidden folder), cut to 100 bytes, and made
/// unique — ignoring case, for file systems that do — with `-2`, `-3`, …
public enum ModelWriter {
  /// The name of the index file.
  public static let indexName = "index.csv"

  /// The index file of the models written to `folder`.
  public static func indexPath(in folder: String) -> String { joinPath(folder, indexName) }

  /// One written model.
  public struct Entry: Sendable, Hashable {
    /// The variant's label.
    public var label: String
    /// The seed.
    public var seed: UInt64
    /// The folder of the variant, relative to the models' folder.
    public var folder: String
    /// `folder/seed-<seed>`, relative to the models' folder.
    public var seedFolder: String { "\(folder)/seed-\(seed)" }
  }

  /// The folder of each of `labels`, in order: sanitized and unique (see ``ModelWriter``).
  ///
  /// - Parameters:
  ///   - labels: The variants' labels.
  ///   - reserved: Names of files beside the folders that no folder may take (ignoring case); default
  ///     `index.csv`.
  public static func folderNames(_ labels: [String], reserving reserved: [String] = [indexName]) -> [String] {
    var used = Set(reserved.map { $0.lowercased() })
    return labels.map { label in
      let base = fileName(label)
      var name = base
      var suffix = 2
      while used.contains(name.lowercased()) {
        name = base + "-\(suffix)"
        suffix += 1
      }
      used.insert(name.lowercased())
      return name
    }
  }

  /// Checks, before the training starts, that `folder` is a folder or can be made one.
  ///
  /// - Throws: ``AtomicFile/WriteError`` saying why not.
  public static func check(_ folder: String) throws(AtomicFile.WriteError) {
    try checkFolderPath(folder)
  }

  /// Writes every variant's models and the index, and returns what was written.
  ///
  /// - Throws: ``AtomicFile/WriteError`` when a folder or file cannot be written or would replace one of
  ///   `inputs`.
  @discardableResult
  public static func write(
    _ report: TrainingReport, data: InteractionData, to folder: String, inputs: InputFiles = InputFiles()
  ) throws(AtomicFile.WriteError) -> [Entry] {
    try checkFolderPath(folder)
    let names = folderNames(report.results.map(\.variant.loss.label))
    let entries = try eachSeedFolder(of: report, names: names, in: folder) {
      (entry, directory, run) throws(AtomicFile.WriteError) in
      let model = try keptModel(of: run, entry, directory)
      let f = model.factors
      let factorHeader = (0..<f).map { "f\($0)" }.joined(separator: ",")
      var users = ["user_id," + factorHeader]
      for u in 0..<model.userCount {
        let row = (0..<f).map { "\(model.userFactors[u * f + $0])" }.joined(separator: ",")
        users.append(csvField(data.userIDs[u]) + "," + row)
      }
      var items = ["item_id,bias," + factorHeader]
      for i in 0..<model.itemCount {
        let row = (0..<f).map { "\(model.itemFactors[i * f + $0])" }.joined(separator: ",")
        items.append(csvField(data.itemIDs[i]) + ",\(model.itemBias[i])," + row)
      }
      try AtomicFile.write(users.joined(separator: "\n") + "\n", to: directory + "/user_factors.csv", inputs: inputs)
      try AtomicFile.write(items.joined(separator: "\n") + "\n", to: directory + "/item_factors.csv", inputs: inputs)
    }
    try makeFolder(folder)
    try writeIndex(
      entries, columns: ["user_factors", "item_factors"], files: ["user_factors.csv", "item_factors.csv"],
      to: indexPath(in: folder), inputs: inputs)
    return entries
  }

  /// Makes the folder `folder/<name>/seed-<seed>` of every run of `report` (`names[v]` for the `v`-th
  /// variant, ``folderNames(_:reserving:)``) and calls `body` with its entry, its path and the run, variant
  /// by variant and seed by seed; returns the entries. Shared by ``ModelWriter`` and ``RunWriter``.
  static func eachSeedFolder(
    of report: TrainingReport, names: [String], in folder: String,
    _ body: (Entry, _ directory: String, SeedRun) throws(AtomicFile.WriteError) -> Void
  ) throws(AtomicFile.WriteError) -> [Entry] {
    var entries: [Entry] = []
    for (result, name) in zip(report.results, names) {
      for run in result.runs {
        let entry = Entry(label: result.variant.loss.label, seed: run.seed, folder: name)
        let directory = joinPath(folder, entry.seedFolder)
        try makeFolder(directory)
        try body(entry, directory, run)
        entries.append(entry)
      }
    }
    return entries
  }

  /// The run's model, or an error at `directory` when the run did not keep it (a store's skipped cell).
  static func keptModel(of run: SeedRun, _ entry: Entry, _ directory: String) throws(AtomicFile.WriteError)
    -> FactorModel
  {
    guard let model = run.model else {
      throw AtomicFile.WriteError(
        path: directory, reason: "the model of \(entry.label) seed \(run.seed) was not kept in memory")
    }
    return model
  }

  /// Writes an index of `entries` to `path`: the header `label,folder,seed` and `columns`, then per entry
  /// its label, folder, seed and the path of each of `files` in its seed folder (relative to the index).
  static func writeIndex(
    _ entries: [Entry], columns: [String], files: [String], to path: String, inputs: InputFiles
  ) throws(AtomicFile.WriteError) {
    var index = [(["label", "folder", "seed"] + columns).joined(separator: ",")]
    for entry in entries {
      let fields = [csvField(entry.label), csvField(entry.folder), "\(entry.seed)"]
      index.append((fields + files.map { csvField(entry.seedFolder + "/" + $0) }).joined(separator: ","))
    }
    try AtomicFile.write(index.joined(separator: "\n") + "\n", to: path, inputs: inputs)
  }

  /// A label as a folder name (before making it unique): letters, digits, `-`, `_`, `.`, `+`, `=` kept,
  /// anything else `_`; a leading `.` becomes `_`; at most 100 bytes of UTF-8; never empty.
  static func fileName(_ label: String) -> String {
    var name = ""
    for c in label {
      let kept = c.isLetter || c.isNumber || "-_.+=".contains(c) ? c : "_"
      guard name.utf8.count + kept.utf8.count <= 100 else { break }
      name.append(kept)
    }
    if name.first == "." { name = "_" + name.dropFirst() }
    return name.isEmpty ? "_" : name
  }
}

/// `folder/name`, without doubling a trailing `/`.
func joinPath(_ folder: String, _ name: String) -> String {
  folder.hasSuffix("/") ? folder + name : folder + "/" + name
}

/// Checks that `folder` is a folder or can be created: no existing part of the path is something else.
func checkFolderPath(_ folder: String) throws(AtomicFile.WriteError) {
  guard !folder.isEmpty else { throw AtomicFile.WriteError(path: folder, reason: "the path is empty") }
  var prefix = folder.hasPrefix("/") ? "/" : ""
  for part in folder.split(separator: "/") {
    prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + part
    switch kind(of: prefix) {
    case .folder: continue
    case .missing: return
    default:
      let what = prefix == folder || prefix + "/" == folder ? "it" : prefix
      throw AtomicFile.WriteError(path: folder, reason: "\(what) is a file, not a folder")
    }
  }
}

/// Creates `folder` and its parents when missing.
func makeFolder(_ folder: String) throws(AtomicFile.WriteError) {
  try checkFolderPath(folder)
  var prefix = folder.hasPrefix("/") ? "/" : ""
  for part in folder.split(separator: "/") {
    prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + part
    guard kind(of: prefix) == .missing else { continue }
    guard mkdir(prefix, 0o777) == 0 || errno == EEXIST else {
      let reason = String(cString: strerror(errno))
      throw AtomicFile.WriteError(path: folder, reason: "cannot create the folder \(prefix) (\(reason))")
    }
  }
}
