internal import CZlib

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The bytes of a data file, read in order: straight from the file, or decompressed with the system zlib
/// when the file starts with the gzip magic bytes `1f 8b` (whatever its name).
final class ByteInput {
  /// What one read gave.
  enum ReadResult {
    /// `count` bytes (at least one).
    case bytes(Int)
    /// The end of the data.
    case endOfFile
    /// A failure: the reason, and whether the file is unreadable or its (compressed) content is wrong.
    case failure(String, DataError.Kind)
  }

  private let descriptor: Int32
  private let gzip: gzFile?

  /// Whether the file is gzip-compressed.
  var isCompressed: Bool { gzip != nil }

  /// Opens `path` (after ``DataFile/open(_:)``'s checks) and looks at its first two bytes.
  ///
  /// - Throws: ``DataError`` when the file cannot be opened or zlib cannot take it.
  init(path: String) throws(DataError) {
    let descriptor = try DataFile.open(path)
    var magic: (UInt8, UInt8) = (0, 0)
    let count = withUnsafeMutableBytes(of: &magic) { pread(descriptor, $0.baseAddress, 2, 0) }
    guard count == 2, magic == (0x1F, 0x8B) else {
      self.descriptor = descriptor
      gzip = nil
      return
    }
    // zlib takes the already opened and checked descriptor, and closes it in gzclose.
    guard let file = gzdopen(descriptor, "rb") else {
      close(descriptor)
      throw DataError(file: path, message: "cannot be read as gzip (out of memory)", kind: .unreadableInput)
    }
    _ = gzbuffer(file, 1 << 18)
    self.descriptor = descriptor
    gzip = file
  }

  deinit {
    if let gzip { _ = gzclose(gzip) } else { close(descriptor) }
  }

  /// Reads up to `count` bytes into `buffer`.
  func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) -> ReadResult {
    guard let gzip else {
      while true {
        let n = systemRead(descriptor, buffer, count)
        if n > 0 { return .bytes(n) }
        if n == 0 { return .endOfFile }
        if errno != EINTR { return .failure(DataFile.reason(errno), .unreadableInput) }
      }
    }
    let n = gzread(gzip, buffer, UInt32(min(count, 1 << 30)))
    if n > 0 { return .bytes(Int(n)) }
    var code: Int32 = 0
    var message = gzerror(gzip, &code).map { String(cString: $0) } ?? ""
    // zlib names a file opened from a descriptor `<fd:N>`; the error names the file already.
    if message.hasPrefix("<fd:"), let close = message.firstIndex(of: ">") {
      message = String(message[message.index(after: close)...].drop { $0 == ":" || $0 == " " })
    }
    if n == 0 && code == Z_OK { return .endOfFile }
    if code == Z_ERRNO { return .failure(DataFile.reason(errno), .unreadableInput) }
    let detail = message.isEmpty ? "" : " (zlib: \(message))"
    let what = code == Z_BUF_ERROR ? "the gzip data ends too soon: the file is truncated" : "the gzip data is corrupt"
    return .failure(what + detail, .badData)
  }
}

/// `read(2)` (outside ``ByteInput``, whose `read` would shadow it).
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutablePointer<UInt8>, _ count: Int) -> Int {
  read(descriptor, buffer, count)
}
