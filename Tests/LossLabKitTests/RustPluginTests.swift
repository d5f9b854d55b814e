import LossLabTestSupport
import Foundation
import LossConformance
import LossLabKit
import RankingLosses
import Testing

/// `rustc` on the `PATH` or in `~/.cargo/bin` (rustup's default), if there is one.
let rustCompiler: String? = {
  let path = ProcessInfo.processInfo.environment["PATH", default: ""].split(separator: ":").map(String.init)
  let home = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cargo/bin").path
  return (path + [home]).map { "\($0)/rustc" }.first { FileManager.default.isExecutableFile(atPath: $0) }
}()

/// The Rust example plugin (`Docs/Examples/RustPlugin/squared_hinge.rs`), built with the command its
/// header gives. Runs where a Rust compiler is installed; without one the suite is skipped, and says so.
@Suite("The Rust example plugin", .enabled(if: rustCompiler != nil, "no rustc on this machine"))
struct RustPluginTests {
  /// The library, built once for the suite.
  static let built = Result { try build() }

  static func build() throws -> String {
    let library = try temporaryFolder().appendingPathComponent("libsquared_hinge.so").path
    let process = Process()
    guard let rustCompiler else { throw PluginError(path: library, message: "no rustc") }
    process.executableURL = URL(fileURLWithPath: rustCompiler)
    process.arguments = [
      "--edition", "2021", "--crate-type", "cdylib", "-O",
      repositoryRoot.appendingPathComponent("Docs/Examples/RustPlugin/squared_hinge.rs").path, "-o", library,
    ]
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw PluginError(path: library, message: "rustc failed") }
    return library
  }

  @Test("builds with rustc, loads from a config and computes its loss, with its parameter")
  func loadsAndRuns() throws {
    let library = try Self.built.get()
    let yaml = """
      plugins: [\(library)]
      losses:
        - squared_hinge_rs
        - loss: squared_hinge_rs
          params: {scale: 2}
      scenarios:
        - name: s
          positive_scores: [1.0, 0.5]
          negative_scores: [0.5, 2.0]

      """
    // d = 0.5 and −1.5: shortfalls 0.5 and 2.5, squares 0.25 and 6.25, mean 3.25; doubled 6.5.
    let config = try #require(check(yaml).lossTable)
    #expect(try ExperimentRunner().run(config).cells[0].map { $0.value! } == [3.25, 6.5])
    let descriptor = try config.registry.descriptor(named: "squared_hinge_rs")
    #expect(descriptor.origin == library)
    #expect(descriptor.summary == "mean of max(0, m - d)^2 (a Rust plugin)")
  }

  @Test("its gradients pass the finite-difference and conformance checks")
  func conforms() throws {
    var registry = LossRegistry.standard
    try PluginLoader.load(try Self.built.get(), into: &registry)
    let report = LossConformanceChecker(seed: 3, trials: 20).check(try registry.makeLoss("squared_hinge_rs"))
    #expect(report.passed, "\(report)")
  }
}
