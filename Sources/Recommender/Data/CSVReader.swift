#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// One record of a CSV file: its fields and the line where it starts.
struct CSVRecord: Equatable {
  /// The 1-based line of the record's first byte (a quoted field with line breaks makes a record span
  /// several lines; the next record starts on a later line).
  var line: Int
  /// The fields, without their quotes and with each `""` inside quotes read as one `"`.
  var fields: [String]
}

/// The fields of one record as bytes in the reader's buffer, valid until the reader reads on.
struct FieldList {
  /// The reader's buffer.
  let base: UnsafeMutablePointer<UInt8>
  /// Each field's bytes, `base[start..<end]`, quotes removed and `""` already read as `"`.
  let spans: UnsafeBufferPointer<FieldSpan>

  /// The number of fields.
  var count: Int { spans.count }

  /// The bytes of field `k`.
  @inline(__always)
  subscript(_ k: Int) -> UnsafeBufferPointer<UInt8> {
    let span = spans[k]
    return UnsafeBufferPointer(start: base + span.start, count: span.end - span.start)
  }

  /// Field `k` as text.
  func string(_ k: Int) -> String { String(decoding: self[k], as: UTF8.self) }
}

/// A field's bytes in a reader's buffer, `bytes[start..<end]`, holding doubled quotes when `escaped`.
struct FieldSpan {
  var start: Int
  var end: Int
  var escaped: Bool
}

/// A streaming CSV reader over the bytes of a file (RFC 4180), plain or gzip-compressed.
///
/// - Fields are separated by the delimiter (any non-empty text without `"`, `\r` or `\n`).
/// - A field that starts with `"` is quoted: it ends at the next `"` that is not doubled (`""` stands for
///   one `"`), and may hold delimiters and line breaks. A quote anywhere else in a field, or text between a
///   closing quote and the next delimiter or line end, is an error. Without `quoting` (RecBole's atomic
///   files) a quote is an ordinary character.
/// - Records end in `\n`, `\r\n` or `\r`, or at the end of the file. Empty lines are skipped.
/// - A UTF-8 byte order mark at the start of the file is skipped; every field must be valid UTF-8.
///
/// The file is read in blocks (``blockSize`` bytes at first); a record longer than a block grows the
/// buffer, which always holds the record being read from its first byte on. A file that starts with the
/// gzip magic bytes (`1f 8b`) is decompressed with zlib as it is read, whatever its name.
///
/// Errors in a record (a misplaced quote, invalid UTF-8) are thrown by ``next()`` after the record has been
/// skipped (up to the end of the line where the problem is), so that reading can go on and report more.
/// After an unterminated quoted field or a read error, ``next()`` returns `nil`.
final class CSVReader {
  /// The size of the blocks the file is read in.
  static let blockSize = 1 << 20

  /// The file, as the user named it (for errors).
  let file: String
  private let input: ByteInput
  private let delimiter: [UInt8]
  private let quoting: Bool
  /// The buffer; `bytes[start..<end]` are read and not yet consumed.
  private var bytes: UnsafeMutablePointer<UInt8>
  private var capacity: Int
  private var start = 0
  private var end = 0
  /// The line of `bytes[start]`.
  private var line = 1
  /// The file has been read to its end (`bytes[end - 1]` is its last byte).
  private var atEndOfFile = false
  /// `next()` returns `nil` from now on.
  private var finished = false
  /// The byte order mark has been looked for.
  private var checkedByteOrderMark = false
  private var spans: [FieldSpan] = []
  /// The line of the record last read by ``nextFields()``.
  private(set) var recordLine = 0
  /// How many bytes of the file (decompressed) have been read so far.
  private(set) var bytesRead = 0

  /// Opens `path` for reading (see ``DataFile/open(_:)`` for the checks), decompressing it when it starts
  /// with the gzip magic bytes.
  ///
  /// - Throws: ``DataError`` when the file cannot be opened, or the delimiter is empty or holds a quote or a
  ///   line break.
  init(path: String, delimiter: String = ",", quoting: Bool = true, blockSize: Int = CSVReader.blockSize)
    throws(DataError)
  {
    let delimiterBytes = Array(delimiter.utf8)
    if let problem = Self.delimiterProblem(delimiter) { throw DataError(file: path, message: problem) }
    file = path
    self.delimiter = delimiterBytes
    self.quoting = quoting
    input = try ByteInput(path: path)
    capacity = max(blockSize, 4)
    bytes = .allocate(capacity: capacity)
  }

  deinit {
    bytes.deallocate()
  }

  /// Why `delimiter` cannot separate fields (empty, or holding a quote or a line break), or `nil`.
  static func delimiterProblem(_ delimiter: String) -> String? {
    if delimiter.isEmpty { return "the delimiter is empty" }
    if delimiter.utf8.contains(where: { $0 == quote || $0 == lineFeed || $0 == carriageReturn }) {
      return "the delimiter cannot be a quote or a line break"
    }
    return nil
  }

  /// The next record, skipping empty lines; `nil` at the end of the file.
  ///
  /// - Throws: ``DataError`` with the line and column of a misplaced quote, an unterminated quoted field
  ///   (where its quote opened), a byte that is not valid UTF-8, or a failed read.
  func next() throws(DataError) -> CSVRecord? {
    guard try nextFields() else { return nil }
    return spans.withUnsafeBufferPointer { spans in
      let fields = FieldList(base: bytes, spans: spans)
      return CSVRecord(line: recordLine, fields: (0..<fields.count).map { fields.string($0) })
    }
  }

  /// Reads records to the end of the file, calling `body` with each one's line and fields (blank lines
  /// skipped) and `problem` with each error ``next()`` would throw, in file order.
  func forEachRecord(_ body: (_ line: Int, _ fields: FieldList) -> Void, problem: (DataError) -> Void) {
    while true {
      do {
        guard try nextFields() else { return }
      } catch {
        problem(error)
        continue
      }
      let line = recordLine
      let base = bytes
      spans.withUnsafeBufferPointer { body(line, FieldList(base: base, spans: $0)) }
    }
  }

  /// Reads the next record into ``spans`` (quotes removed, `""` read as `"` in place) and its line into
  /// ``recordLine``; `false` at the end of the file.
  private func nextFields() throws(DataError) -> Bool {
    var spans: [FieldSpan] = []
    swap(&spans, &self.spans)  // a local array, for speed, that keeps its storage between calls
    defer { swap(&spans, &self.spans) }
    while !finished {
      if !checkedByteOrderMark {
        guard end - start >= 3 || atEndOfFile else {
          try refill()
          continue
        }
        if end - start >= 3, bytes[start] == 0xEF, bytes[start + 1] == 0xBB, bytes[start + 2] == 0xBF { start += 3 }
        checkedByteOrderMark = true
      }
      switch scan(&spans) {
      case .needMore:
        try refill()
      case .endOfFile:
        finished = true
      case .blank(let next, let lines):
        start = next
        line += lines
      case .record(let next, let lines):
        let problem = checkAndUnescape(&spans)
        recordLine = line
        start = next
        line += lines
        if let problem { throw problem }
        return true
      case .malformed(let position, let message, let next, let lines):
        let error = self.error(message, at: position)
        start = next
        line += lines
        throw error
      case .unterminated(let open):
        finished = true
        throw error("unterminated quoted field: no closing quote before the end of the file", at: open)
      }
    }
    return false
  }

  // MARK: Scanning

  /// What ``scan(_:)`` found at `start`.
  private enum Scan {
    /// The buffer ends before the record does: read more and scan again.
    case needMore
    /// No more records.
    case endOfFile
    /// An empty line, ending before `next`, with its line break.
    case blank(next: Int, lines: Int)
    /// A record, its fields in the spans, ending before `next` after `lines` line breaks.
    case record(next: Int, lines: Int)
    /// A record with a problem at `position`, skipped up to the end of that line.
    case malformed(position: Int, message: String, next: Int, lines: Int)
    /// A quoted field, opened at `open`, that the file ends in.
    case unterminated(open: Int)
  }

  /// Scans the record at `start`, from its first byte (it is scanned again from there after a refill).
  private func scan(_ spans: inout [FieldSpan]) -> Scan {
    spans.removeAll(keepingCapacity: true)
    let bytes = self.bytes
    let end = self.end
    let atEndOfFile = self.atEndOfFile
    let delimiter = self.delimiter
    let first = delimiter[0]
    let single = delimiter.count == 1
    let quoting = self.quoting
    // Without quoting, a quote is never looked for: a line feed stands in for it (and ends fields anyway).
    let quoteByte = quoting ? quote : lineFeed
    var p = start
    guard p < end else { return atEndOfFile ? .endOfFile : .needMore }

    /// Whether the delimiter starts at `p` (where `bytes[p] == first`); `nil` when the buffer ends first.
    func delimiterMatches(at p: Int) -> Bool? {
      if single { return true }
      guard p + delimiter.count <= end else { return atEndOfFile ? false : nil }
      for k in 1..<delimiter.count where bytes[p + k] != delimiter[k] { return false }
      return true
    }
    /// The length of the line break at `p` (`\n`, `\r\n` or `\r`), 0 when there is none, `nil` when the
    /// buffer ends before it can tell.
    func lineBreak(at p: Int) -> Int? {
      switch bytes[p] {
      case lineFeed: return 1
      case carriageReturn:
        guard p + 1 < end else { return atEndOfFile ? 1 : nil }
        return bytes[p + 1] == lineFeed ? 2 : 1
      default: return 0
      }
    }
    /// After a problem at `position`: the record is skipped to the end of its line.
    func skipLine(from p: Int, problem position: Int, _ message: String, lines: Int) -> Scan {
      var p = p
      while p < end {
        guard let length = lineBreak(at: p) else { return .needMore }
        if length > 0 { return .malformed(position: position, message: message, next: p + length, lines: lines + 1) }
        p += 1
      }
      return atEndOfFile ? .malformed(position: position, message: message, next: p, lines: lines) : .needMore
    }

    guard let length = lineBreak(at: p) else { return .needMore }
    if length > 0 { return .blank(next: p + length, lines: 1) }

    var lines = 0
    while true {
      // One field, starting at p.
      if quoting, p < end, bytes[p] == quote {
        let open = p
        p += 1
        var escaped = false
        while true {
          guard p < end else { return atEndOfFile ? .unterminated(open: open) : .needMore }
          let byte = bytes[p]
          if byte == quote {
            guard p + 1 < end else {
              if atEndOfFile { break }
              return .needMore
            }
            guard bytes[p + 1] == quote else { break }
            escaped = true
            p += 2
            continue
          }
          if byte == lineFeed {
            lines += 1
          } else if byte == carriageReturn {
            guard let length = lineBreak(at: p) else { return .needMore }
            if length == 1 { lines += 1 }  // `\r\n` counts at its `\n`
          }
          p += 1
        }
        spans.append(FieldSpan(start: open + 1, end: p, escaped: escaped))
        p += 1  // the closing quote
        if p < end {
          let byte = bytes[p]
          var isDelimiter = false
          if byte == first {
            guard let matches = delimiterMatches(at: p) else { return .needMore }
            isDelimiter = matches
          }
          if !isDelimiter, byte != lineFeed, byte != carriageReturn {
            return skipLine(
              from: p, problem: p,
              "text after the closing quote of a quoted field (a quote inside a quoted field is written \"\")",
              lines: lines)
          }
        }
      } else {
        let fieldStart = p
        while p < end {
          let byte = bytes[p]
          if byte == first {
            guard let matches = delimiterMatches(at: p) else { return .needMore }
            if matches { break }
          } else if byte == lineFeed || byte == carriageReturn {
            break
          } else if byte == quoteByte {
            return skipLine(
              from: p, problem: p,
              "a quote inside an unquoted field (quote the whole field, and write each quote in it as \"\")",
              lines: lines)
          }
          p += 1
        }
        guard p < end || atEndOfFile else { return .needMore }
        spans.append(FieldSpan(start: fieldStart, end: p, escaped: false))
      }
      // After the field: a delimiter, a line break or the end of the file.
      guard p < end else { return .record(next: p, lines: lines) }
      if bytes[p] == first {  // known to be the delimiter by now
        p += delimiter.count
        continue
      }
      guard let length = lineBreak(at: p) else { return .needMore }
      return .record(next: p + length, lines: lines + 1)
    }
  }

  /// Keeps the unconsumed bytes (moved to the front of the buffer, which grows when they fill more than half
  /// of it) and reads more after them, up to the buffer's end or the end of the file.
  private func refill() throws(DataError) {
    guard !atEndOfFile else { return }
    let kept = end - start
    if kept > 0, start > 0 { memmove(bytes, bytes + start, kept) }
    start = 0
    end = kept
    if kept > capacity / 2 {
      let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
      grown.update(from: bytes, count: kept)
      bytes.deallocate()
      bytes = grown
      capacity *= 2
    }
    while end < capacity {
      switch input.read(into: bytes + end, count: capacity - end) {
      case .bytes(let count):
        end += count
        bytesRead += count
      case .endOfFile:
        atEndOfFile = true
        return
      case .failure(let reason, let kind):
        finished = true
        throw DataError(file: file, line: line, message: reason, kind: kind)
      }
    }
  }

  // MARK: Records

  /// Checks that the scanned record's fields are valid UTF-8 and reads each `""` in a quoted field as `"`,
  /// in place; returns the error for the first byte that is not valid UTF-8, if any.
  private func checkAndUnescape(_ spans: inout [FieldSpan]) -> DataError? {
    for k in spans.indices {
      let span = spans[k]
      let field = UnsafeBufferPointer(start: bytes + span.start, count: span.end - span.start)
      if let bad = firstInvalidUTF8(field) {
        return error(
          "invalid UTF-8 starting at byte \(hex(bytes[span.start + bad])); the file must be UTF-8 text",
          at: span.start + bad)
      }
      guard span.escaped else { continue }
      var read = span.start
      var write = span.start
      while read < span.end {
        bytes[write] = bytes[read]
        read += bytes[read] == quote ? 2 : 1
        write += 1
      }
      spans[k] = FieldSpan(start: span.start, end: write, escaped: false)
    }
    return nil
  }

  /// An error at byte `position` of the buffer (at or after `start`), with its line and column.
  private func error(_ message: String, at position: Int) -> DataError {
    var line = self.line
    var lineStart = start
    var p = start
    while p < position {
      let byte = bytes[p]
      if byte == lineFeed || (byte == carriageReturn && (p + 1 >= end || bytes[p + 1] != lineFeed)) {
        line += 1
        lineStart = p + 1
      }
      p += 1
    }
    var column = 1
    for q in lineStart..<position where bytes[q] & 0xC0 != 0x80 { column += 1 }
    return DataError(file: file, line: line, column: column, message: message)
  }
}

private let quote = UInt8(ascii: "\"")
private let lineFeed = UInt8(ascii: "\n")
private let carriageReturn = UInt8(ascii: "\r")

/// `0xFF` for 255.
private func hex(_ byte: UInt8) -> String {
  let digits = Array("0123456789ABCDEF")
  return "0x\(digits[Int(byte >> 4)])\(digits[Int(byte & 15)])"
}

/// The offset of the first byte of the first invalid UTF-8 sequence in `bytes`, or `nil` when they are valid
/// UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF).
func firstInvalidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
  var i = 0
  let count = bytes.count
  guard let base = bytes.baseAddress else { return nil }
  while i < count {
    // Eight ASCII bytes at a time.
    if i + 8 <= count, UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
      i += 8
      continue
    }
    let lead = bytes[i]
    if lead < 0x80 {
      i += 1
      continue
    }
    // The number of continuation bytes, and the range of the first one.
    var low: UInt8 = 0x80
    var high: UInt8 = 0xBF
    let more: Int
    switch lead {
    case 0xC2...0xDF: more = 1
    case 0xE0: (more, low) = (2, 0xA0)
    case 0xE1...0xEC, 0xEE...0xEF: more = 2
    case 0xED: (more, high) = (2, 0x9F)
    case 0xF0: (more, low) = (3, 0x90)
    case 0xF1...0xF3: more = 3
    case 0xF4: (more, high) = (3, 0x8F)
    default: return i
    }
    guard i + more < count, (low...high).contains(bytes[i + 1]) else { return i }
    var k = 2
    while k <= more {
      guard bytes[i + k] & 0xC0 == 0x80 else { return i }
      k += 1
    }
    i += more + 1
  }
  return nil
}
