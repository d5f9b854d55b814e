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

  @Test("a config given to the command of the other kind is told in one line what it is and where it goes")
  func configKinds() throws {
    let run = try losslab(["run", "configs/movielens-losses.yaml"])
    #expect(run.status == 64)
    #expect(
      run.stderr
        == "configs/movielens-losses.yaml: error: this is a training config (it has 'data:'): run it with "
        + "'losslab train' (or write its split with 'losslab split'); 'losslab run' takes loss-table configs "
        + "(losses × scenarios)\n")
    let lossTable =
      "configs/seed-examples.yaml: error: this is a loss-table config (losses × scenarios, no 'data:'): run it "
      + "with 'losslab run'; 'losslab train' and 'losslab split' take training configs\n"
    let train = try losslab(["train", "configs/seed-examples.yaml"])
    #expect(train.status == 64)
    #expect(train.stderr == lossTable)
    let folder = try temporaryFolder()
    let split = try losslab([
      "split", "configs/seed-examples.yaml", "--output", folder.appendingPathComponent("s").path,
    ])
    #expect(split.status == 64)
    #expect(split.stderr == lossTable)
    // A training config that lacks 'data' by a typo is still told about its keys, not sent to 'run'.
    let typo = folder.appendingPathComponent("typo.yaml")
    try "dta: {}\nlosses: [bpr]\n".write(to: typo, atomically: true, encoding: .utf8)
    let misspelled = try losslab(["train", typo.path])
    #expect(misspelled.status == 65)
    #expect(misspelled.stderr.contains("unknown key 'dta'"), "\(misspelled.stderr)")
  }

  @Test("run over several files runs the loss-table configs and names the training configs it skipped")
  func runSeveral() throws {
    let both = try losslab(["run", "configs/seed-examples.yaml", "configs/movielens-losses.yaml"])
    #expect(both.status == 0, "\(both.stderr)")
    #expect(
      both.stderr == "note: skipped configs/movielens-losses.yaml: a training config (run it with 'losslab train')\n")
    #expect(both.stdout == (try losslab(["run", "configs/seed-examples.yaml"])).stdout)
    // list takes either kind.
    let listed = try losslab(["list", "configs/movielens-losses.yaml"])
    #expect(listed.status == 0, "\(listed.stderr)")
    #expect(listed.stdout == (try losslab(["list"])).stdout)
  }
}
