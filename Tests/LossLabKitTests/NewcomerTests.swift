import Foundation
import LossLabTestSupport
import Testing

/// Issue 13's first findings, each with its exact text: the documented plugin build command runs as
/// written, `bench --help` offers only what `bench` takes, and `--plot` refuses a name that is not `.svg`.
@Suite("What a newcomer meets first", .serialized)
struct NewcomerTests {
  @Test(
    "Docs/CustomLosses.md's cc command builds the C plugin from the repository root; a bare --plugin name is a file here"
  )
  func documentedPluginBuild() throws {
    let guide = try String(
      contentsOf: repositoryRoot.appendingPathComponent("Docs/CustomLosses.md"), encoding: .utf8)
    let commands = guide.split(separator: "\n").filter { $0.hasPrefix("cc -shared") }
    try #require(commands.count == 1, "\(commands)")
    // A copy of the repository's layout (Sources linked), so the command runs as written from its root and
    // writes libcubic.so there.
    let root = try temporaryFolder()
    try FileManager.default.createSymbolicLink(
      at: root.appendingPathComponent("Sources"), withDestinationURL: repositoryRoot.appendingPathComponent("Sources"))
    let shell = Process()
    shell.executableURL = URL(fileURLWithPath: "/bin/sh")
    shell.arguments = ["-c", String(commands[0])]
    shell.currentDirectoryURL = root
    try shell.run()
    shell.waitUntilExit()
    #expect(shell.terminationStatus == 0)
    let listed = try losslab(["list", "--plugin", "libcubic.so"], in: root)
    #expect(listed.status == 0, "\(listed.stderr)")
    #expect(
      listed.stdout.contains(
        "cubic_hinge               pairwise  mean of max(0, m - d)^3 (a C plugin) [from libcubic.so]\n"),
      "\(listed.stdout)")
  }

  @Test("bench --help shows each default once and only the formats bench writes; csv is a usage error")
  func benchHelp() throws {
    let help = try losslab(["bench", "--help"])
    #expect(help.status == 0)
    #expect(
      help.stdout.contains("  --threads <threads>     Threads per call (default: every core).\n"), "\(help.stdout)")
    #expect(help.stdout.contains("  --format <format>       Output format. (values: text, json; default: text)\n"))
    let csv = try losslab(["bench", "--format", "csv"])
    #expect(csv.status == 64)
    #expect(
      csv.stderr.hasPrefix(
        "Error: The value 'csv' is invalid for '--format <format>'. Please provide one of 'text' and 'json'.\n"),
      "\(csv.stderr)")
  }

  @Test("--plot refuses a file name that is not .svg, on train and report, before any work")
  func plotExtension() throws {
    let config = try plantedTrainingConfig(losses: "  - bpr")
    let message =
      "Error: --plot writes an SVG image; give a file name ending in .svg (got 'q.png'), and convert it if you "
      + "need another format (e.g. rsvg-convert plot.svg -o plot.png)\n"
    let folder = try temporaryFolder()
    let train = try losslab(["train", config, "--plot", "out/q.png"], in: folder)
    #expect(train.status == 64)
    #expect(train.stderr.hasPrefix(message), "\(train.stderr)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    let report = try losslab(["report", "none.sqlite", "--plot", "q.png"], in: folder)
    #expect(report.status == 64)
    #expect(report.stderr.hasPrefix(message), "\(report.stderr)")
    // Upper-case .SVG is an SVG file name too.
    let upper = try losslab(["report", "none.sqlite", "--plot", "Q.SVG"], in: folder)
    #expect(upper.status == 66, "\(upper.stderr)")
  }
}
