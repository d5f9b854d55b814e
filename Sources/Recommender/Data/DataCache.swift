import RankingLosses

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A binary cache of loaded data sets in a folder: after a first load, the interned columns, id tables,
/// item metadata codes and notes go to one file, which later loads map (`mmap`) and copy instead of parsing.
///
/// **The file's name** is `losslab-<hash>.cache`, the hash (64 bits, hexadecimal) of the sources' settings:
/// each file's absolute path, the format, delimiter, header, columns, `min_rating`, and the items source
/// with its fields. **The file's identity** — each source file's size, modification time (ns) and inode —
/// is stored inside it: a cache whose identity differs from the files' is **stale**, and rebuilt.
///
/// **The layout** (little-endian): a 32-byte header — the magic `LLCACHE\0`, the format version
/// (``version``, 32 bits), 4 bytes of zeros, the payload's length and its checksum (64 bits each) — then the
/// payload: the settings and identity texts, the counts, the `users`, `items`, `ratings` and `timestamps`
/// columns, the id tables (offsets and bytes), the column names, the notes and the metadata codes. The
/// checksum is ``StreamingHash``'s: four lanes of multiply–rotate over 32-byte blocks (memory speed).
/// A file that is too short, has another magic or version, a payload of another length or checksum, or
/// counts that do not fit its size is **corrupt**, and rebuilt; nothing in it is trusted before these checks.
///
/// **Writing** goes to a temporary file in the folder, renamed over the cache in one step, so that
/// processes sharing the folder (a cluster job) see the old file, the new one, or none — never half of one.
public enum DataCache {
  /// The version of the file layout; a file of another version is rebuilt.
  public static let version: UInt32 = 1

  /// The magic bytes that start a cache file.
  static let magic: [UInt8] = Array("LLCACHE\0".utf8)
  static let headerSize = 32

  /// What a look-up found.
  enum Lookup {
    /// The data, from the cache.
    case hit(InteractionData)
    /// No file for these settings.
    case missing
    /// A file whose sources changed (why).
    case stale(String)
    /// A file that cannot be trusted (why).
    case corrupt(String)
  }

  /// The settings text of `source` and `items` (what names the file) and the identity text of their files
  /// (what makes a file stale); `nil` when a file cannot be examined (loading then reports why).
  static func key(_ source: InteractionSource, items: ItemSource?) -> (settings: String, identity: String)? {
    func identity(_ path: String) -> (absolute: String, identity: String)? {
      var info = stat()
      guard stat(path, &info) == 0, let resolved = realpath(path, nil) else { return nil }
      defer { free(resolved) }
      #if canImport(Darwin)
        let nanoseconds = Int64(info.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(info.st_mtimespec.tv_nsec)
      #else
        let nanoseconds = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
      #endif
      return (String(cString: resolved), "size \(info.st_size) mtime \(nanoseconds) inode \(info.st_ino)")
    }
    guard let interactions = identity(source.path) else { return nil }
    let columns = source.columns
    var settings = """
      interactions: \(interactions.absolute)
      format \(source.format.rawValue) delimiter \(Array(source.delimiter.utf8)) header \(source.header)
      columns \(columns.user.utf8.count):\(columns.user) \(columns.item.utf8.count):\(columns.item) \
      \(columns.rating.map { "\($0.utf8.count):\($0)" } ?? "-") \(columns.timestamp.map { "\($0.utf8.count):\($0)" } ?? "-") \
      optional \(source.findsOptionalColumns) min_rating \(source.minRating.map { "\($0.bitPattern)" } ?? "-")

      """
    var fileIdentity = "interactions: \(interactions.identity)\n"
    if let items {
      guard let itemFile = identity(items.path) else { return nil }
      settings += """
        items: \(itemFile.absolute)
        format \(items.format.rawValue) delimiter \(Array(items.delimiter.utf8)) header \(items.header) \
        id \(items.idColumn.utf8.count):\(items.idColumn)

        """
      for field in items.fields {
        settings +=
          "field \(field.name.utf8.count):\(field.name) \(field.column.utf8.count):\(field.column) "
          + "\(field.separator.map { "\($0.utf8.count):\($0)" } ?? "-") \(field.mode.rawValue)\n"
      }
      fileIdentity += "items: \(itemFile.identity)\n"
    }
    return (settings, fileIdentity)
  }

  /// The cache file for `settings` in `folder`.
  static func file(for settings: String, in folder: String) -> String {
    let hash = Array(settings.utf8).withUnsafeBufferPointer { hashBytes($0) }
    let hex = String(hash, radix: 16)
    return (folder.hasSuffix("/") ? folder : folder + "/") + "losslab-" + String(repeating: "0", count: 16 - hex.count)
      + hex + ".cache"
  }

  /// Creates `folder` (and its parents) when missing and checks that files can be created in it.
  ///
  /// - Throws: ``DataError`` (``DataError/Kind/unwritableCache``) saying why the folder cannot hold caches.
  static func prepare(_ folder: String) throws(DataError) {
    func failure(_ reason: String) -> DataError {
      DataError(file: folder, message: "cannot use the cache folder: \(reason)", kind: .unwritableCache)
    }
    guard !folder.isEmpty else { throw failure("the path is empty") }
    var prefix = folder.hasPrefix("/") ? "/" : ""
    for part in folder.split(separator: "/") {
      prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + part
      var info = stat()
      if stat(prefix, &info) == 0 {
        guard FileKind(mode: info.st_mode) == .folder else { throw failure("\(prefix) is not a folder") }
        continue
      }
      guard mkdir(prefix, 0o777) == 0 || errno == EEXIST else {
        throw failure("cannot create \(prefix) (\(String(cString: strerror(errno))))")
      }
    }
    guard access(folder, W_OK | X_OK) == 0 else {
      throw failure("files cannot be created in it (\(String(cString: strerror(errno))))")
    }
  }

  // MARK: Reading

  /// Looks up the data of `settings` with `identity` in `path`.
  static func read(_ path: String, settings: String, identity: String) -> Lookup {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return errno == ENOENT ? .missing : .corrupt(String(cString: strerror(errno))) }
    defer { close(descriptor) }
    var info = stat()
    guard fstat(descriptor, &info) == 0, FileKind(mode: info.st_mode) == .regular else {
      return .corrupt("not a regular file")
    }
    let size = Int(info.st_size)
    guard size >= headerSize else { return .corrupt("truncated: \(size) bytes") }
    guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), mapped != MAP_FAILED else {
      return .corrupt("cannot be mapped (\(String(cString: strerror(errno))))")
    }
    defer { munmap(mapped, size) }
    let bytes = UnsafeRawBufferPointer(start: mapped, count: size)
    guard Array(bytes[0..<8]) == magic else { return .corrupt("not a LossLab cache (wrong magic bytes)") }
    let version = bytes.loadUnaligned(fromByteOffset: 8, as: UInt32.self).littleEndian
    guard version == Self.version else { return .corrupt("format version \(version), expected \(Self.version)") }
    let length = bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self).littleEndian
    guard length == UInt64(size - headerSize) else {
      return .corrupt("truncated: the payload has \(size - headerSize) bytes, the header says \(length)")
    }
    let checksum = bytes.loadUnaligned(fromByteOffset: 24, as: UInt64.self).littleEndian
    let payload = UnsafeRawBufferPointer(rebasing: bytes[headerSize...])
    var hash = StreamingHash()
    hash.update(payload)
    guard hash.finish() == checksum else { return .corrupt("checksum mismatch") }
    var reader = PayloadReader(bytes: payload)
    guard let storedSettings = reader.string(), let storedIdentity = reader.string() else {
      return .corrupt("inconsistent counts")
    }
    guard storedSettings == settings else { return .stale("it was made for other settings") }
    guard storedIdentity == identity else { return .stale("the source files changed (size, time or inode)") }
    guard let data = reader.data() else { return .corrupt("inconsistent counts") }
    return .hit(data)
  }

  // MARK: Writing

  /// Writes `data` for `settings` and `identity` to `path` atomically; returns why not when it fails.
  static func write(_ data: InteractionData, to path: String, settings: String, identity: String) -> String? {
    let folder = path[..<(path.lastIndex(of: "/") ?? path.startIndex)]
    let temporary = "\(folder)/.losslab-\(getpid())-\(UInt32.random(in: .min ... .max)).tmp"
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { return String(cString: strerror(errno)) }
    var writer = PayloadWriter(descriptor: descriptor)
    writer.raw([UInt8](repeating: 0, count: headerSize))  // the header, written last
    writer.hashing = true
    writer.string(settings)
    writer.string(identity)
    writer.data(data)
    writer.flush()
    var header = magic
    withUnsafeBytes(of: Self.version.littleEndian) { header += $0 }
    header += [0, 0, 0, 0]
    withUnsafeBytes(of: UInt64(writer.hashedCount).littleEndian) { header += $0 }
    withUnsafeBytes(of: writer.hash.finish().littleEndian) { header += $0 }
    let headerWritten = header.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
    let failure = writer.failure ?? (headerWritten == headerSize ? nil : String(cString: strerror(errno)))
    close(descriptor)
    guard failure == nil, rename(temporary, path) == 0 else {
      let reason = failure ?? String(cString: strerror(errno))
      unlink(temporary)
      return reason
    }
    return nil
  }
}

/// A 64-bit hash of a byte stream fed in pieces of any size: four lanes, each taking one 8-byte word of every
/// 32-byte block with a multiplication and a rotation (independent lanes, so the processor overlaps them),
/// merged and finished with SplitMix64's output function, with the length.
struct StreamingHash {
  private var lanes: (UInt64, UInt64, UInt64, UInt64) = (
    0x9E37_79B9_7F4A_7C15, 0xC2B2_AE3D_27D4_EB4F, 0x1656_67B1_9E37_79F9, 0x85EB_CA77_C2B2_AE63
  )
  private var pending: [UInt8] = []
  private var count: UInt64 = 0

  private static let prime: UInt64 = 0x9FB2_1C65_1E98_DF25

  @inline(__always)
  private static func round(_ lane: UInt64, _ word: UInt64) -> UInt64 {
    let x = (lane ^ word) &* prime
    return (x << 31) | (x >> 33)
  }

  /// Adds `bytes`.
  mutating func update(_ bytes: UnsafeRawBufferPointer) {
    guard var base = bytes.baseAddress else { return }
    var remaining = bytes.count
    count += UInt64(remaining)
    if !pending.isEmpty {
      let taken = min(32 - pending.count, remaining)
      pending += UnsafeRawBufferPointer(start: base, count: taken)
      base += taken
      remaining -= taken
      guard pending.count == 32 else { return }
      let block = pending
      pending.removeAll(keepingCapacity: true)
      block.withUnsafeBytes { blocks($0.baseAddress!, 1) }
    }
    let whole = remaining / 32
    blocks(base, whole)
    base += whole * 32
    remaining -= whole * 32
    if remaining > 0 { pending += UnsafeRawBufferPointer(start: base, count: remaining) }
  }

  private mutating func blocks(_ base: UnsafeRawPointer, _ n: Int) {
    var (a, b, c, d) = lanes
    var p = base
    for _ in 0..<n {
      a = Self.round(a, p.loadUnaligned(as: UInt64.self))
      b = Self.round(b, p.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
      c = Self.round(c, p.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
      d = Self.round(d, p.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
      p += 32
    }
    lanes = (a, b, c, d)
  }

  /// The hash of everything added.
  func finish() -> UInt64 {
    var tail: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    withUnsafeMutableBytes(of: &tail) { raw in
      for (k, byte) in pending.enumerated() { raw[k] = byte }
    }
    let (a, b, c, d) = lanes
    var h = mix64(a ^ tail.0) ^ mix64(b ^ tail.1 &+ 1) ^ mix64(c ^ tail.2 &+ 2) ^ mix64(d ^ tail.3 &+ 3)
    h = mix64(h ^ count)
    return h
  }
}

/// The payload written through a 1 MiB buffer, hashed as it goes.
private struct PayloadWriter {
  let descriptor: Int32
  var buffer: [UInt8] = []
  var hash = StreamingHash()
  var hashing = false
  var hashedCount = 0
  var failure: String?

  init(descriptor: Int32) {
    self.descriptor = descriptor
    buffer.reserveCapacity(1 << 20)
  }

  mutating func raw(_ bytes: UnsafeRawBufferPointer) {
    if hashing {
      hash.update(bytes)
      hashedCount += bytes.count
    }
    if buffer.count + bytes.count > 1 << 20 { flush() }
    if bytes.count > 1 << 20 {
      writeAll(bytes)
    } else {
      buffer += bytes
    }
  }

  mutating func raw(_ bytes: [UInt8]) { bytes.withUnsafeBytes { raw($0) } }

  mutating func integer(_ value: Int) { withUnsafeBytes(of: UInt64(value).littleEndian) { raw($0) } }

  mutating func string(_ text: String) {
    let bytes = Array(text.utf8)
    integer(bytes.count)
    raw(bytes)
  }

  mutating func array<T>(_ values: [T]) { values.withUnsafeBytes { raw($0) } }

  mutating func data(_ data: InteractionData) {
    integer(data.count)
    integer(data.userCount)
    integer(data.itemCount)
    integer(data.ratings == nil ? 0 : 1)
    integer(data.timestamps == nil ? 0 : 1)
    array(data.users)
    array(data.items)
    if let ratings = data.ratings { array(ratings) }
    if let timestamps = data.timestamps { array(timestamps) }
    for ids in [data.userIDs, data.itemIDs] {
      var offsets: [UInt64] = [0]
      offsets.reserveCapacity(ids.count + 1)
      var bytes: [UInt8] = []
      for id in ids {
        bytes += id.utf8
        offsets.append(UInt64(bytes.count))
      }
      array(offsets)
      integer(bytes.count)
      raw(bytes)
    }
    let columns = data.columns
    for name in [columns.user, columns.item, columns.rating ?? "", columns.timestamp ?? ""] { string(name) }
    integer(columns.rating == nil ? 0 : 1)
    integer(columns.timestamp == nil ? 0 : 1)
    integer(data.notes.count)
    for note in data.notes { string(note) }
    let fields = data.metadata?.fields ?? []
    integer(fields.count)
    for field in fields {
      string(field.name)
      array(field.codes.map { Int64($0) })
    }
  }

  mutating func flush() {
    buffer.withUnsafeBytes { writeAll($0) }
    buffer.removeAll(keepingCapacity: true)
  }

  private mutating func writeAll(_ bytes: UnsafeRawBufferPointer) {
    guard failure == nil else { return }
    failure = writeFully(descriptor, bytes)
  }
}

/// The payload read with every count checked against what is left (`nil` as soon as one does not fit).
private struct PayloadReader {
  let bytes: UnsafeRawBufferPointer
  var offset = 0

  init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

  mutating func integer(atMost limit: Int = Int.max) -> Int? {
    guard offset + 8 <= bytes.count else { return nil }
    let value = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self).littleEndian
    offset += 8
    guard value <= UInt64(limit) else { return nil }
    return Int(value)
  }

  mutating func flag() -> Bool? {
    guard let value = integer(atMost: 1) else { return nil }
    return value == 1
  }

  mutating func string() -> String? {
    guard let length = integer(atMost: bytes.count - offset) else { return nil }
    defer { offset += length }
    return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + length]), as: UTF8.self)
  }

  mutating func array<T: BitwiseCopyable>(_: T.Type, count: Int) -> [T]? {
    let size = MemoryLayout<T>.stride
    guard count >= 0, count <= (bytes.count - offset) / size else { return nil }
    let values = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
      UnsafeMutableRawBufferPointer(buffer).copyMemory(
        from: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count * size]))
      initialized = count
    }
    offset += count * size
    return values
  }

  mutating func ids(count: Int) -> [String]? {
    guard let offsets = array(UInt64.self, count: count + 1), let length = integer(atMost: bytes.count - offset),
      offsets.first == 0, offsets.last == UInt64(length)
    else { return nil }
    let base = offset
    var ids: [String] = []
    ids.reserveCapacity(count)
    for k in 0..<count {
      let (start, end) = (Int(offsets[k]), Int(offsets[k + 1]))
      guard start <= end else { return nil }
      ids.append(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[base + start..<base + end]), as: UTF8.self))
    }
    offset += length
    return ids
  }

  mutating func data() -> InteractionData? {
    let left = bytes.count
    guard let rows = integer(atMost: left), let userCount = integer(atMost: left),
      let itemCount = integer(atMost: left), let hasRatings = flag(), let hasTimestamps = flag(),
      let users = array(Int32.self, count: rows), let items = array(Int32.self, count: rows)
    else { return nil }
    var ratings: [Float]? = nil
    var timestamps: [Int64]? = nil
    if hasRatings { guard let values = array(Float.self, count: rows) else { return nil }; ratings = values }
    if hasTimestamps { guard let values = array(Int64.self, count: rows) else { return nil }; timestamps = values }
    guard let userIDs = ids(count: userCount), let itemIDs = ids(count: itemCount),
      let user = string(), let item = string(), let rating = string(), let timestamp = string(),
      let ratingPresent = flag(), let timestampPresent = flag(), let noteCount = integer(atMost: left)
    else { return nil }
    var notes: [String] = []
    for _ in 0..<noteCount {
      guard let note = string() else { return nil }
      notes.append(note)
    }
    guard let fieldCount = integer(atMost: left) else { return nil }
    var fields: [ItemMetadata.Field] = []
    for _ in 0..<fieldCount {
      guard let name = string(), let codes = array(Int64.self, count: itemCount) else { return nil }
      fields.append(ItemMetadata.Field(name: name, codes: codes.map { Int($0) }))
    }
    guard offset == bytes.count,
      users.allSatisfy({ $0 >= 0 && Int($0) < userCount }), items.allSatisfy({ $0 >= 0 && Int($0) < itemCount })
    else { return nil }
    var metadata: ItemMetadata? = nil
    if !fields.isEmpty {
      guard let loaded = try? ItemMetadata(fields: fields) else { return nil }
      metadata = loaded
    }
    return InteractionData(
      userIDs: userIDs, itemIDs: itemIDs, users: users, items: items, ratings: ratings, timestamps: timestamps,
      metadata: metadata,
      columns: InteractionColumns(
        user: user, item: item, rating: ratingPresent ? rating : nil, timestamp: timestampPresent ? timestamp : nil),
      notes: notes)
  }
}
