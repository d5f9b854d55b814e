import Foundation

/// Writes a file atomically: the text goes to a temporary file in the same folder, which then replaces the
/// target in one `rename`. A failure leaves an existing file untouched and no partial file behind.
public enum AtomicFile {
  /// Why the file could not be written.
  public struct WriteError: Error, Sendable, CustomStringConvertible {
    /// The target path.
    public var path: String
    /// What went wrong.
    public var reason: String
    /// `"cannot write PATH: REASON"`.
    public var description: String { "cannot write \(path): \(reason)" }
  }

  /// Writes `text` (UTF-8) to `path`, replacing any existing file in one step.
  ///
  /// - Throws: ``WriteError`` when the folder does not exist, is not writable, or the rename fails.
  public static func write(_ text: String, to path: String) throws(WriteError) {
    let url = URL(fileURLWithPath: path)
    let folder = url.deletingLastPathComponent()
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
      throw WriteError(path: path, reason: "the folder \(folder.path) does not exist")
    }
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
