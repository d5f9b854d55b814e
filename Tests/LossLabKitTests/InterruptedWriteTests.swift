import Foundation
import LossLabTestSupport
import Testing

@testable import LossLabKit

/// A second Ctrl-C ends `losslab train` at once, possibly while it writes its outputs: the temporary files
/// of the writes in progress are removed, and no target is replaced.
@Suite("Writes stopped at once leave nothing behind")
struct InterruptedWriteTests {
  @Test("removeTemporaries() removes the temporary file of a write in progress; the target is not replaced")
  func removesTemporaries() throws {
    let folder = try temporaryFolder()
    let target = folder.appendingPathComponent("report.txt").path
    try "the old report\n".write(toFile: target, atomically: true, encoding: .utf8)
    func names() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() }
    var during: [String] = []
    var after: [String] = []
    var failure: AtomicFile.WriteError? = nil
    do {
      try AtomicFile.write(to: target) { writer in
        writer.append("half of a new rep")
        during = (try? names()) ?? []
        AtomicFile.removeTemporaries()
        after = (try? names()) ?? []
      }
    } catch {
      failure = error
    }
    // While writing: the target and one hidden temporary file beside it.
    #expect(during.count == 2, "\(during)")
    #expect(during.contains { $0.hasPrefix(".report.txt.") && $0.hasSuffix(".tmp") }, "\(during)")
    // Removed at once; the rename then fails, and the old report is intact.
    #expect(after == ["report.txt"])
    #expect(failure != nil)
    #expect(try names() == ["report.txt"])
    #expect(try String(contentsOfFile: target, encoding: .utf8) == "the old report\n")
    // A write after that is unaffected (nothing is left registered).
    try AtomicFile.write("the new report\n", to: target)
    #expect(try String(contentsOfFile: target, encoding: .utf8) == "the new report\n")
  }
}
