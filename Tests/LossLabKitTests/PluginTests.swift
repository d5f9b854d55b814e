import LossLabTestSupport
import Foundation
import LossConformance
import LossLabKit
import RankingLosses
import Testing

/// A plugin built by the package, beside the test runner (as `losslab` is).
func builtPlugin(_ name: String) -> String {
  losslabBinary.deletingLastPathComponent().appendingPathComponent("lib\(name).so").path
}

/// Compiles a small C plugin with the system's C compiler and returns the library's path.
func compilePlugin(_ source: String, name: String) throws -> String {
  let folder = try temporaryFolder()
  let file = folder.appendingPathComponent("\(name).c")
  try source.write(to: file, atomically: true, encoding: .utf8)
  let library = folder.appendingPathComponent("lib\(name).so").path
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  process.arguments = [
    "cc", "-shared", "-fPIC", "-I", repositoryRoot.appendingPathComponent("Sources/CLossLabPlugin/include").path,
    file.path, "-o", library,
  ]
  try process.run()
  process.waitUntilExit()
  guard process.terminationStatus == 0 else { throw PluginError(path: library, message: "cc failed") }
  return library
}

/// A C plugin with one pairwise loss whose body is `body` (it sets `*value` and returns a status).
func pluginSource(name: String = "odd_loss", version: String = "LOSSLAB_PLUGIN_ABI_VERSION", body: String) -> String {
  """
  #include <losslab_plugin.h>
  #include <stdio.h>
  static int32_t f(const double *p, const double *n, const double *m, int64_t rows, int64_t columns,
                   const double *parameters, double *value, double *gp, double *gn, char *message, int64_t capacity) {
    for (int64_t j = 0; gp && j < columns; j++) { gp[j] = 0; gn[j] = 0; }
    \(body)
  }
  static const losslab_loss losses[] = {{"\(name)", "test", LOSSLAB_PAIRWISE, 0, 0, f}};
  static const losslab_plugin plugin = {\(version), 1, losses};
  const losslab_plugin *losslab_plugin_entry(void) { return &plugin; }
  """
}

@Suite("Loss plugins")
struct PluginTests {
  @Test("the example C and Swift plugins load from a config and compute their losses")
  func examples() throws {
    let yaml = """
      plugins: [\(builtPlugin("ExampleCPlugin")), \(builtPlugin("ExampleSwiftPlugin"))]
      losses:
        - cubic_hinge
        - loss: cubic_hinge
          label: cubic-x2
          params: {scale: 2}
        - top_margin
      scenarios:
        - name: s
          positive_scores: [1.0, 0.5]
          negative_scores: [[0.5, 2.0], [1.0, 0.0]]

      """
    let report = try run(yaml)
    // First row: d = 0.5, −1.5; (1 − d)³ = 0.125, 15.625; mean 7.875, doubled 15.75.
    // Highest negatives 1.0 (row 1) and 2.0 (row 0): shortfalls 1 and 2.5; squares' mean 3.625.
    #expect(report.cells[0].map { $0.value! } == [7.875, 15.75, 3.625])
    let registry = try #require(check(yaml).config?.registry)
    #expect(try registry.descriptor(named: "cubic_hinge").origin == builtPlugin("ExampleCPlugin"))
    #expect(try registry.descriptor(named: "top_margin").kind == .adaptive)
  }

  @Test("plugin gradients pass the finite-difference and conformance checks", arguments: ["cubic_hinge", "top_margin"])
  func conformance(_ name: String) throws {
    var registry = LossRegistry.standard
    try PluginLoader.load(builtPlugin("ExampleCPlugin"), into: &registry)
    try PluginLoader.load(builtPlugin("ExampleSwiftPlugin"), into: &registry)
    let report = LossConformanceChecker(seed: 5, trials: 20).check(try registry.makeLoss(name))
    #expect(report.passed, "\(report)")
  }

  func loadError(_ path: String) -> String {
    var registry = LossRegistry.standard
    return thrownMessage { try PluginLoader.load(path, into: &registry) }
  }

  @Test("missing file, not a shared library, no entry point, another ABI version, a name taken")
  func loadErrors() throws {
    #expect(loadError("/nonexistent/libx.so") == "plugin /nonexistent/libx.so: no such file")
    let text = try temporaryFolder().appendingPathComponent("notes.so")
    try "not a library".write(to: text, atomically: true, encoding: .utf8)
    #expect(loadError(text.path).hasPrefix("plugin \(text.path): not a loadable shared library ("))
    #expect(
      loadError("/lib/x86_64-linux-gnu/libm.so.6")
        == "plugin /lib/x86_64-linux-gnu/libm.so.6: no entry point 'losslab_plugin_entry': is it a LossLab plugin?")
    let future = try compilePlugin(pluginSource(version: "99", body: "*value = 0; return 0;"), name: "future")
    #expect(
      loadError(future)
        == "plugin \(future): it was built for plugin ABI version 99; this LossLab speaks version 1")
    let clash = try compilePlugin(pluginSource(name: "hinge", body: "*value = 0; return 0;"), name: "clash")
    #expect(loadError(clash) == "plugin \(clash): a loss named 'hinge' is registered already")
  }

  @Test("a bare plugin name is a file in the config's folder or the current one, never a system library")
  func bareNamesAreFiles() throws {
    // libm.so.6 is on the loader's search path; in an empty folder it is no file.
    let folder = try temporaryFolder()
    let config = folder.appendingPathComponent("c.yaml").path
    try ("plugins: [libm.so.6]\n" + LossLabKitTests.config()).write(toFile: config, atomically: true, encoding: .utf8)
    #expect(
      ConfigLoader().load(path: config).diagnostics.map(\.description) == [
        "\(config):1:11: error: plugins[0]: plugin \(folder.path)/libm.so.6: no such file"
      ])
    let result = try losslab(["validate", "--plugin", "libm.so.6", "c.yaml"], in: folder)
    #expect(result.status == 66)
    #expect(result.stderr == "losslab: error: plugin libm.so.6: no such file\n")
  }

  @Test("a plugin that reports an error or returns non-finite values is stopped with its name")
  func runErrors() throws {
    let failing = try compilePlugin(
      pluginSource(
        name: "failing",
        body: "snprintf(message, capacity, \"no luck with %lld columns\", (long long)columns); return 3;"),
      name: "failing")
    let infinite = try compilePlugin(
      pluginSource(name: "infinite", body: "*value = 1.0 / 0.0; return 0;"), name: "infinite")
    var registry = LossRegistry.standard
    try PluginLoader.load(failing, into: &registry)
    try PluginLoader.load(infinite, into: &registry)
    let batch = LossBatch<Double>(positiveScores: [1, 2], negativeScores: [0, 0])
    #expect(throws: LossError.custom("plugin loss 'failing' (\(failing)) failed: no luck with 2 columns")) {
      try registry.makeLoss("failing").evaluate(batch, computeGradients: true)
    }
    #expect(throws: LossError.custom("plugin loss 'infinite' (\(infinite)) returned a non-finite value or gradient")) {
      try registry.makeLoss("infinite").evaluate(batch, computeGradients: false)
    }
    // In a config, the failing plugin's entry is reported where it is named.
    #expect(
      errors("plugins: [/nonexistent/libx.so]\n" + config())
        == ["test.yaml:1:11: error: plugins[0]: plugin /nonexistent/libx.so: no such file"])
  }
}
