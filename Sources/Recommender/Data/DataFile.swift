#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Opening a data file for reading, after checking that it is one.
enum DataFile {
  /// Opens the regular file at `path` for reading and returns its descriptor (the caller closes it).
  ///
  /// The path is checked with `stat` first, so that a FIFO is refused without being opened (opening one
  /// blocks until a writer comes); the opened file is checked again with `fstat`, in case the path was
  /// replaced in between (it is opened without blocking for that reason).
  ///
  /// - Throws: ``DataError`` (``DataError/Kind/unreadableInput``) for an empty path, a missing file, a
  ///   folder, anything but a regular file (a FIFO, a device, a socket), no permission, or another failure
  ///   of `stat` or `open` (with the system's reason).
  static func open(_ path: String) throws(DataError) -> Int32 {
    func failure(_ message: String) -> DataError { DataError(file: path, message: message, kind: .unreadableInput) }
    guard !path.isEmpty else { throw failure("the data path is empty") }
    var info = stat()
    guard stat(path, &info) == 0 else { throw failure(reason(errno)) }
    if let problem = problem(info.st_mode) { throw failure(problem) }
    #if canImport(Darwin)
      let descriptor = Darwin.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
    #else
      let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
    #endif
    guard descriptor >= 0 else { throw failure(reason(errno)) }
    guard fstat(descriptor, &info) == 0 else {
      let code = errno
      close(descriptor)
      throw failure(reason(code))
    }
    if let problem = problem(info.st_mode) {
      close(descriptor)
      throw failure(problem)
    }
    _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK)
    return descriptor
  }

  /// What is wrong with a file of this mode, or `nil` for a regular file.
  static func problem(_ mode: mode_t) -> String? {
    switch FileKind(mode: mode) {
    case .regular: return nil
    case .folder: return "is a directory, not a CSV file"
    case .fifo: return "is not a regular file (a FIFO)"
    case .characterDevice: return "is not a regular file (a character device)"
    case .blockDevice: return "is not a regular file (a block device)"
    case .socket: return "is not a regular file (a socket)"
    case .missing, .symbolicLink, .other: return "is not a regular file"
    }
  }

  /// Why a file cannot be opened or read, from the `errno` of the failed call.
  static func reason(_ code: Int32) -> String {
    switch code {
    case ENOENT, ENOTDIR: return "no such file"
    case EACCES, EPERM: return "cannot be read (check its permissions)"
    default: return "cannot be read: \(String(cString: strerror(code)))"
    }
  }
}

/// What a path names, from its `stat` mode: the one place the package reads `st_mode`'s file type (data
/// files, output files, the cache folder).
package enum FileKind: Equatable, Sendable {
  case missing, regular, folder, symbolicLink, fifo, characterDevice, blockDevice, socket, other

  /// The kind of a file of `mode` (`st_mode`).
  package init(mode: mode_t) {
    switch mode & S_IFMT {
    case S_IFREG: self = .regular
    case S_IFDIR: self = .folder
    case S_IFLNK: self = .symbolicLink
    case S_IFIFO: self = .fifo
    case S_IFCHR: self = .characterDevice
    case S_IFBLK: self = .blockDevice
    case S_IFSOCK: self = .socket
    default: self = .other
    }
  }

  /// What is at `path` (`following` symbolic links, or not); ``missing`` when `stat` fails.
  package init(of path: String, following: Bool = true) {
    var info = stat()
    guard (following ? stat(path, &info) : lstat(path, &info)) == 0 else {
      self = .missing
      return
    }
    self.init(mode: info.st_mode)
  }
}
