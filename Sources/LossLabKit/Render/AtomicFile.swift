import Foundation
import RankingLosses
import Recommender

#if canImport(Glibc)
  import Glibc
#endif

/// Writes the files a command produces, safely.
///
/// - A regular file (or a path that does not exist yet) is written atomically: the text goes to a temporary
///   file in the same folder, which then replaces the target in one `rename`. A failure leaves an existing
///   file untouched and no partial file behind.
/// - A symbolic link is followed: the file it points to is replaced, the link stays.
/// - `-`, `/dev/stdout` and `/dev/stderr` write to the process's standard output or error; a FIFO or a
///   terminal is written into directly (it is never replaced by a regular file).
/// - A folder, a path ending in `/`, a block device, a socket or any other device is refused, as is a file
///   that is one of the run's inputs (compared by device and inode, so no other name for it slips
///   through).
public enum AtomicFile {
  /// The temporary files of the writes in progress, for ``removeTemporaries()``.
  private static let pending = PendingTemporaries()

  /// Removes the temporary file of every write in progress, for a process about to end at once (a second
  /// Ctrl-C while `losslab train` writes its outputs): no `.NAME.N.tmp` is left behind, and no target is
  /// replaced. Safe to call from any thread; the interrupted writes then fail.
  public static func removeTemporaries() {
    pending.removeAll()
  }

  /// Why the file could not be written.
  public struct WriteError: CategorizedError, Sendable {
    /// The target path.
    public var path: String
    /// What went wrong.
    public var reason: String
    /// `"cannot write PATH: REASON"`.
    public var description: String { "cannot write \(path): \(reason)" }
    /// Always ``FailureCategory/unwritableOutput``.
    public var category: FailureCategory { .unwritableOutput }
  }

  /// Where a write goes, once the path has been examined.
  enum Destination: Equatable {
    /// A regular file to replace atomically, or a new file; `path` has its symbolic links resolved.
    case file(path: String)
    /// A stream written into directly: standard output or error (by descriptor) or a FIFO or terminal
    /// (by path).
    case stream(descriptor: Int32?, path: String)
  }

  /// Checks, before a long job starts, that `path` can be written: its folder exists and it is not a
  /// folder, a device other than a terminal, or one of `inputs`.
  ///
  /// - Throws: ``WriteError`` saying why it cannot.
  public static func check(_ path: String, inputs: InputFiles = InputFiles()) throws(WriteError) {
    _ = try destination(path, inputs: inputs)
  }

  /// Checks that the folder `path` would be written to exists, so that a long job can fail before it
  /// starts rather than at its end.
  ///
  /// - Throws: ``WriteError`` when the folder does not exist.
  public static func checkFolder(for path: String) throws(WriteError) {
    let folder = parentFolder(of: path)
    switch kind(of: folder) {
    case .folder: return
    case .missing: throw WriteError(path: path, reason: "the folder \(folder) does not exist")
    default: throw WriteError(path: path, reason: "\(folder) is not a folder")
    }
  }

  /// Writes `text` (UTF-8) to `path`: atomically for a regular file, directly into a FIFO, terminal or
  /// standard stream.
  ///
  /// - Throws: ``WriteError`` when the folder does not exist or is not writable, when `path` is something
  ///   that may not be written (a folder, a block device, one of `inputs`, …) or when writing fails.
  public static func write(_ text: String, to path: String, inputs: InputFiles = InputFiles()) throws(WriteError) {
    switch try destination(path, inputs: inputs) {
    case .file(let target): try replace(target, with: text, reportedAs: path)
    case .stream(let descriptor, let target): try stream(text, to: descriptor, path: target, reportedAs: path)
    }
  }

  /// Writes the bytes `produce` gives to its ``ByteWriter`` to `path`, as ``write(_:to:inputs:)`` writes
  /// text, without holding them all in memory: they go to the temporary file (or the stream) a block at a
  /// time.
  ///
  /// - Throws: ``WriteError`` as ``write(_:to:inputs:)`` does.
  static func write(
    to path: String, inputs: InputFiles = InputFiles(), _ produce: (inout ByteWriter) -> Void
  ) throws(WriteError) {
    switch try destination(path, inputs: inputs) {
    case .file(let target):
      let folder = parentFolder(of: target)
      let name = URL(fileURLWithPath: target).lastPathComponent
      let temporary = (folder == "." ? "" : folder + "/") + ".\(name).\(UInt32.random(in: .min ... .max)).tmp"
      let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
      guard fd >= 0 else {
        throw WriteError(path: path, reason: "cannot create a file in \(folder) (\(String(cString: strerror(errno))))")
      }
      Self.pending.add(temporary)
      defer { Self.pending.remove(temporary) }
      var writer = ByteWriter(descriptor: fd)
      produce(&writer)
      writer.flush()
      let failure = writer.failure
      close(fd)
      if let failure {
        unlink(temporary)
        throw WriteError(path: path, reason: failure)
      }
      guard rename(temporary, target) == 0 else {
        let reason = String(cString: strerror(errno))
        unlink(temporary)
        throw WriteError(path: path, reason: reason)
      }
    case .stream(let descriptor, let target):
      let fd = descriptor ?? open(target, O_WRONLY | O_NOCTTY | O_CLOEXEC)
      guard fd >= 0 else { throw WriteError(path: path, reason: String(cString: strerror(errno))) }
      defer { if descriptor == nil { close(fd) } }
      var writer = ByteWriter(descriptor: fd)
      produce(&writer)
      writer.flush()
      if let failure = writer.failure { throw WriteError(path: path, reason: failure) }
    }
  }

  /// Examines `path` and says how it would be written.
  static func destination(_ path: String, inputs: InputFiles) throws(WriteError) -> Destination {
    func refuse(_ reason: String) -> WriteError { WriteError(path: path, reason: reason) }
    switch path {
    case "": throw refuse("the path is empty")
    case "-", "/dev/stdout": return .stream(descriptor: STDOUT_FILENO, path: path)
    case "/dev/stderr": return .stream(descriptor: STDERR_FILENO, path: path)
    default: break
    }
    if path.hasSuffix("/") {
      throw refuse("the path ends in '/', so it names a folder; give a file name")
    }
    var target = path
    if kind(of: path, following: false) == .symbolicLink {
      guard let resolved = realPath(path) else {
        throw refuse("it is a symbolic link to a file that does not exist")
      }
      target = resolved
    }
    if let input = inputs.input(matching: target) {
      throw refuse("it is \(input), an input of this run; choose another file")
    }
    switch kind(of: target) {
    case .missing:
      try checkFolder(for: path)
      return .file(path: target)
    case .regular: return .file(path: target)
    case .folder: throw refuse("it is a folder; give a file name")
    case .fifo: return .stream(descriptor: nil, path: target)
    case .characterDevice:
      // A terminal (or /dev/null) is written into; any other device is left alone.
      guard target == "/dev/null" || isTerminal(target) else {
        throw refuse("it is a device; write to a regular file, a FIFO or a terminal")
      }
      return .stream(descriptor: nil, path: target)
    case .blockDevice: throw refuse("it is a block device; write to a regular file, a FIFO or a terminal")
    case .socket: throw refuse("it is a socket; write to a regular file, a FIFO or a terminal")
    case .symbolicLink, .other: throw refuse("it is not a regular file")
    }
  }

  private static func replace(_ target: String, with text: String, reportedAs path: String) throws(WriteError) {
    let folder = parentFolder(of: target)
    let name = URL(fileURLWithPath: target).lastPathComponent
    let temporary = (folder == "." ? "" : folder + "/") + ".\(name).\(UInt32.random(in: .min ... .max)).tmp"
    Self.pending.add(temporary)
    defer { Self.pending.remove(temporary) }
    guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8)) else {
      let reason = errno == 0 ? "" : " (\(String(cString: strerror(errno))))"
      throw WriteError(path: path, reason: "cannot create a file in \(folder)\(reason)")
    }
    guard rename(temporary, target) == 0 else {
      let reason = String(cString: strerror(errno))
      unlink(temporary)
      throw WriteError(path: path, reason: reason)
    }
  }

  private static func stream(
    _ text: String, to descriptor: Int32?, path: String, reportedAs shown: String
  ) throws(WriteError) {
    let fd = descriptor ?? open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC)
    guard fd >= 0 else { throw WriteError(path: shown, reason: String(cString: strerror(errno))) }
    defer { if descriptor == nil { close(fd) } }
    if let reason = Array(text.utf8).withUnsafeBytes({ writeFully(fd, $0) }) {
      throw WriteError(path: shown, reason: reason)
    }
  }
}

/// Bytes written to a descriptor through a 1 MiB buffer; the first failure is kept (later writes are
/// dropped) for the caller to report.
struct ByteWriter: ~Copyable {
  private let descriptor: Int32
  private var buffer: UnsafeMutablePointer<UInt8>
  private var count = 0
  private static let capacity = 1 << 20
  /// Why a write failed, once one has.
  private(set) var failure: String?

  init(descriptor: Int32) {
    self.descriptor = descriptor
    buffer = .allocate(capacity: Self.capacity)
  }

  deinit { buffer.deallocate() }

  /// Appends `bytes`.
  @inline(__always)
  mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
    if count + bytes.count > Self.capacity { flush() }
    if bytes.count > Self.capacity {
      writeAll(UnsafeRawBufferPointer(bytes))
      return
    }
    if let base = bytes.baseAddress { (buffer + count).update(from: base, count: bytes.count) }
    count += bytes.count
  }

  /// Appends one byte.
  @inline(__always)
  mutating func append(_ byte: UInt8) {
    if count == Self.capacity { flush() }
    buffer[count] = byte
    count += 1
  }

  /// Appends the bytes of `text`.
  mutating func append(_ text: String) {
    var text = text
    text.withUTF8 { append($0) }
  }

  /// Gives `body` room for up to `maximum` bytes at the end of the buffer; it returns how many it wrote.
  @inline(__always)
  mutating func append(upTo maximum: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) {
    if count + maximum > Self.capacity { flush() }
    count += body(buffer + count)
  }

  /// Writes the buffered bytes.
  mutating func flush() {
    writeAll(UnsafeRawBufferPointer(start: buffer, count: count))
    count = 0
  }

  private mutating func writeAll(_ bytes: UnsafeRawBufferPointer) {
    guard failure == nil else { return }
    failure = writeFully(descriptor, bytes)
  }
}

/// The files a run reads (its configs, data files and plugins), by device and inode: an output that would
/// replace one of them is refused, however it is named.
public struct InputFiles: Sendable {
  private var files: [(identity: FileIdentity, what: String)] = []

  /// No inputs.
  public init() {}

  /// Records `path` as an input, described as `what` (e.g. "the data file data/ratings.csv"). A path
  /// that cannot be examined (it does not exist) is skipped: nothing can replace it.
  public mutating func add(_ path: String, as what: String) {
    guard let identity = fileIdentity(path) else { return }
    files.append((identity, what))
  }

  /// Records the plugin files `registry`'s losses come from.
  public mutating func addPlugins(of registry: LossRegistry) {
    for origin in Set(registry.descriptors.map(\.origin)) where origin != "built-in" {
      add(origin, as: "the plugin \(origin)")
    }
  }

  /// The description of the input that `path` names (through any link), or `nil`.
  func input(matching path: String) -> String? {
    guard let identity = fileIdentity(path) else { return nil }
    return files.first { $0.identity == identity }?.what
  }
}

/// What is at `path` (`following` symbolic links, or not).
func kind(of path: String, following: Bool = true) -> FileKind { FileKind(of: path, following: following) }

/// The folder holding `path` (`.` for a bare name).
func parentFolder(of path: String) -> String {
  guard let slash = path.lastIndex(of: "/") else { return "." }
  let folder = String(path[..<slash])
  return folder.isEmpty ? "/" : folder
}

/// `path` with every symbolic link resolved, or `nil` when it (or what it points to) does not exist.
private func realPath(_ path: String) -> String? {
  guard let resolved = realpath(path, nil) else { return nil }
  defer { free(resolved) }
  return String(cString: resolved)
}

/// Whether `path` is a terminal (opened without becoming the controlling terminal).
private func isTerminal(_ path: String) -> Bool {
  let fd = open(path, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
  guard fd >= 0 else { return false }
  defer { close(fd) }
  return isatty(fd) == 1
}

/// The temporary files that writes in progress have created and not yet renamed or removed.
private final class PendingTemporaries: @unchecked Sendable {
  private let lock = NSLock()
  private var paths: Set<String> = []

  func add(_ path: String) {
    lock.lock()
    defer { lock.unlock() }
    paths.insert(path)
  }

  func remove(_ path: String) {
    lock.lock()
    defer { lock.unlock() }
    paths.remove(path)
  }

  /// Unlinks every registered file and forgets it.
  func removeAll() {
    lock.lock()
    defer { lock.unlock() }
    for path in paths { unlink(path) }
    paths.removeAll()
  }
}
