import Foundation

/// The description of the error `body` throws, or `"no error"`: for asserting messages verbatim.
public func thrownMessage(_ body: () throws -> Void) -> String {
  do {
    try body()
    return "no error"
  } catch {
    return "\(error)"
  }
}

/// A fresh, empty temporary folder for test files.
public func temporaryFolder() throws -> URL {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent("losslab-tests-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}
