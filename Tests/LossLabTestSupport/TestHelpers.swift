import RankingLosses
import Synchronization
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

/// Serializes the tests that switch the kernels' instruction-set path: the path is process-wide, and the
/// tests run in parallel. Tests that do not switch paths run on whichever path is active, which gives the
/// same results (every path is bit-identical; `KernelPathTests` checks that).
private let kernelPathLock = Mutex(())

/// Runs `body` once on every path this machine supports (``KernelISA/supported``), with that path
/// selected, then restores the path that was active.
///
/// ```swift
/// try forEachKernelISA { isa in
///   let output = try loss.evaluate(batch, computeGradients: true)  // runs on `isa`
/// }
/// ```
public func forEachKernelISA(_ body: (KernelISA) throws -> Void) rethrows {
  try kernelPathLock.withLock { _ in
    let previous = KernelISA.active
    defer { KernelISA.select(previous) }
    for isa in KernelISA.supported {
      KernelISA.select(isa)
      try body(isa)
    }
  }
}
