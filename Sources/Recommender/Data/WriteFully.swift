#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes every byte of `bytes` to `descriptor`, calling `write(2)` again after a short write or an
/// interruption (`EINTR`); returns the system's reason for the first failure, or `nil` when every byte was
/// written. The one write loop of the package's writers (output files, split files, the data cache).
package func writeFully(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> String? {
  guard let base = bytes.baseAddress else { return nil }
  var written = 0
  while written < bytes.count {
    let n = write(descriptor, base + written, bytes.count - written)
    if n < 0, errno == EINTR { continue }
    guard n > 0 else { return String(cString: strerror(errno)) }
    written += n
  }
  return nil
}
