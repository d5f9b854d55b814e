import Foundation

/// Writes a file atomically: the text goes to a temporary file in the same folder, which then replaces the
/// target in one `rename`. A failure leaves an existing file untouched and no partial file behind.
public enum AtomicFile {
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

  /// Checks that the folder `path` would be written to exists, so that a long job can fail before it
  /// starts rather than at its end.
  ///
  /// - Throws: ``WriteError`` when the folder does not exist.
  public static func checkFolder(for path: String) throws(WriteError) {
    let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
      throw WriteError(path: path, reason: "the folder \(folder) does not exist")
    }
  }

  /// Writes `text` (UTF-8) to `path`, replacing any existing file in one step.
  ///
  /// - Throws: ``WriteError`` when the folder does not exist, is not writable, or the rename fails.
  public static func write(_ text: String, to path: String) throws(WriteError) {
    let url = URL(fileURLWithPath: path)
    let folder = url.deletingLastPathComponent()
    try checkFolder(for: path)
    let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(UInt32.random(in: .min ... .max)).tmp")
    guard FileManager.default.createFile(atPath: temporary.path, contents: Data(text.utf8)) else {
      throw WriteError(path: path, reason: "cannot create a file in \(folder.path)")
    }
    guard rename(temporary.path, url.path) == 0 else {
      let reason = String(cString: strerror(errno))
      try? FileManager.default.removeItem(at: temporary)
      throw WriteError(path: path, reason: reason)
    }
  }
}
