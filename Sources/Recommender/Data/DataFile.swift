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
    switch mode & S_IFMT {
    case S_IFREG: return nil
    case S_IFDIR: return "is a directory, not a CSV file"
    case S_IFIFO: return "is not a regular file (a FIFO)"
    case S_IFCHR: return "is not a regular file (a character device)"
    case S_IFBLK: return "is not a regular file (a block device)"
    case S_IFSOCK: return "is not a regular file (a socket)"
    default: return "is not a regular file"
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
