import LossLabTestSupport
import Foundation
import Testing

/// The built `losslab`, beside the test runner in the build folder.
let losslabBinary: URL = {
  let products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
  let candidates = [products, Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
  return candidates.map { $0.appendingPathComponent("losslab") }.first {
    FileManager.default.isExecutableFile(atPath: $0.path)
  } ?? products.appendingPathComponent("losslab")
}()

struct ProcessResult {
  var status: Int32
  var stdout: String
  var stderr: String
}

/// Starts `losslab` with arguments in `folder`, its standard output and error on pipes.
func launchLosslab(_ arguments: [String], in folder: URL) throws -> (process: Process, out: Pipe, err: Pipe) {
  let process = Process()
  process.executableURL = losslabBinary
  process.arguments = arguments
  process.currentDirectoryURL = folder
  let out = Pipe()
  let err = Pipe()
  process.standardOutput = out
  process.standardError = err
  try process.run()
  return (process, out, err)
}

/// Runs `losslab` with arguments, from the repository root (or `folder`), and collects its output.
func losslab(_ arguments: [String], in folder: URL = repositoryRoot) throws -> ProcessResult {
  let (process, out, err) = try launchLosslab(arguments, in: folder)
  let stdout = out.fileHandleForReading.readDataToEndOfFile()
  let stderr = err.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return ProcessResult(
    status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
    stderr: String(decoding: stderr, as: UTF8.self))
}

@Suite("The losslab command", .serialized)
struct CommandLineTests {
  @Test("run prints the seed notebook's numbers")
  func runSeedExamples() throws {
    let result = try losslab(["run", "configs/seed-examples.yaml"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stderr.isEmpty)
    for number in [
      "0.2157", "1.4860", "8.7500", "1.7782", "15.7500", "4.3636", "31.1301", "0.8510", "4.5926", "1.6566", "1.0287",
    ] {
      #expect(result.stdout.contains(number), "\(number)")
    }
  }

  @Test("json is valid, complete and exact; several configs give an array")
  func json() throws {
    let one = try losslab(["run", "configs/seed-examples.yaml", "--format", "json", "--gradients"])
    #expect(one.status == 0)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(one.stdout.utf8)) as? [String: Any])
    #expect(object["experiment"] as? String == "seed-examples")
    let results = try #require(object["results"] as? [[String: Any]])
    #expect(results.count == 7 * 7)
    let first = try #require(results.first)
    #expect(first["scenario"] as? String == "ideal")
    #expect(first["loss"] as? String == "bpr")
    // The reference (golden bpr/notebook/pos3_neg1.5) is 0.21570459554237983: printed to the last digit.
    #expect(one.stdout.contains("{\"scenario\": \"ideal\", \"loss\": \"bpr\", \"value\": 0.21570459554237983,"))
    let gradients = try #require(first["gradients"] as? [String: Any])
    #expect((gradients["negative_scores"] as? [NSNumber])?.count == 1)  // flat, like the input

    let two = try losslab(["run", "configs/seed-examples.yaml", "configs/warp-num-items.yaml", "--format", "json"])
    #expect(two.status == 0)
    #expect((try JSONSerialization.jsonObject(with: Data(two.stdout.utf8)) as? [Any])?.count == 2)
  }

  @Test("csv and markdown")
  func otherFormats() throws {
    let csv = try losslab(["run", "configs/seed-examples.yaml", "--format", "csv", "--precision", "4"])
    let lines = csv.stdout.split(separator: "\n")
    #expect(lines.first == "experiment,scenario,loss,value,note")
    #expect(lines.count == 1 + 49)
    #expect(lines.contains("seed-examples,many-correctable,adaptive_hinge,15.7500,"))
    let markdown = try losslab(["run", "configs/seed-examples.yaml", "--format", "markdown"])
    #expect(markdown.stdout.contains("| scenario | bpr | hinge |"))
    #expect(markdown.stdout.contains("| --- | ---: |"))
  }

  @Test("list, --help and --version")
  func listHelpVersion() throws {
    let list = try losslab(["list"])
    #expect(list.status == 0)
    #expect(list.stdout.contains("warp"))
    #expect(list.stdout.contains("num_items: integer, required, >= 1"))
    #expect(list.stdout.contains("[built-in]"))
    let withPlugin = try losslab(["list", "--plugin", builtPlugin("ExampleCPlugin")])
    #expect(
      withPlugin.stdout.contains("cubic_hinge               pairwise  mean of max(0, m - d)^3 (a C plugin) [from "))
    #expect(try losslab(["--version"]).stdout == "0.1.0\n")
    let help = try losslab(["run", "--help"])
    #expect(help.status == 0)
    #expect(help.stdout.contains("--format <format>"))
  }

  @Test("exit codes: 64 usage, 65 bad data, 66 unreadable input")
  func exitCodes() throws {
    #expect(try losslab(["run"]).status == 64)
    #expect(try losslab(["run", "configs/seed-examples.yaml", "--format", "xml"]).status == 64)
    #expect(try losslab(["run", "configs/seed-examples.yaml", "--precision", "40"]).status == 64)
    let folder = try temporaryFolder()
    let bad = folder.appendingPathComponent("bad.yaml")
    try "losses:\n  - loss: warpp\nscenarios: [{name: s, positive_scores: [1.0], negative_scores: [0.5]}]\n"
      .write(to: bad, atomically: true, encoding: .utf8)
    let result = try losslab(["validate", bad.path])
    #expect(result.status == 65)
    #expect(
      result.stderr == """
        \(bad.path):2:11: error: losses[0].loss: unknown loss 'warpp' (did you mean 'warp'?); known losses: bpr, \
        adaptive_bpr, hinge, adaptive_hinge, warp, log_sigmoid_bpr, adaptive_log_sigmoid_bpr
         2 |   - loss: warpp
           |           ^

        """)
    let missing = try losslab(["run", folder.appendingPathComponent("nope.yaml").path])
    #expect(missing.status == 66)
    #expect(missing.stderr.hasSuffix("nope.yaml: error: cannot open the config: no such file\n"))
    #expect(
      try losslab(["validate", "configs/seed-examples.yaml"]).stdout
        == "configs/seed-examples.yaml: ok — 7 loss variants x 7 scenarios\n")
    // Training configs (data:) are checked by the training decoder, not reported as unknown keys.
    let training = try losslab(["validate", "configs/movielens-losses.yaml"])
    #expect(training.status == 0)
    #expect(
      training.stdout
        == "configs/movielens-losses.yaml: ok — training config, 9 loss variants (27 training points in all) x 3 seeds\n"
    )
    let badTraining = folder.appendingPathComponent("bad-training.yaml")
    try "u,i\n1,2\n".write(to: folder.appendingPathComponent("r.csv"), atomically: true, encoding: .utf8)
    try "data:\n  interactions: {path: r.csv, user: u, item: i}\nlosses: [bprr]\n"
      .write(to: badTraining, atomically: true, encoding: .utf8)
    let trainingError = try losslab(["validate", badTraining.path])
    #expect(trainingError.status == 65)
    #expect(trainingError.stderr.hasPrefix("\(badTraining.path):3:10: error: losses[0]: unknown loss 'bprr'"))
    #expect(
      try losslab(["validate", folder.path]).stderr.hasSuffix("error: cannot open the config: it is a directory\n"))
  }

  @Test("--output is atomic: a failing run leaves the file untouched and nothing behind")
  func atomicOutput() throws {
    let folder = try temporaryFolder()
    let output = folder.appendingPathComponent("table.txt")
    try "previous results\n".write(to: output, atomically: true, encoding: .utf8)
    let bad = folder.appendingPathComponent("bad.yaml")
    try "losses: [bpr]\nscenarios: [{name: s, positive_scores: [.nan], negative_scores: [0.5]}]\n"
      .write(to: bad, atomically: true, encoding: .utf8)
    // The good config is fine, the bad one is not: nothing is written.
    let failed = try losslab(["run", "configs/seed-examples.yaml", bad.path, "--output", output.path])
    #expect(failed.status == 65)
    #expect(try String(contentsOf: output, encoding: .utf8) == "previous results\n")
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["bad.yaml", "table.txt"])

    let written = try losslab(["run", "configs/seed-examples.yaml", "--output", output.path])
    #expect(written.status == 0)
    #expect(written.stdout.isEmpty)
    #expect(try String(contentsOf: output, encoding: .utf8).contains("31.1301"))
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["bad.yaml", "table.txt"])

    let nowhere = try losslab([
      "run", "configs/seed-examples.yaml", "--output", folder.appendingPathComponent("no/such/dir.txt").path,
    ])
    #expect(nowhere.status == 73)
    #expect(nowhere.stderr.contains("does not exist"))
  }

  @Test("train prints the table and writes the plot, the split and the models")
  func train() throws {
    let config = try plantedTrainingConfig(
      losses: "  - adaptive_hinge\n  - loss: warp\n    partial_credit: {genre: 0.25}")
    let folder = try temporaryFolder()
    let plot = folder.appendingPathComponent("plot.svg").path
    let split = folder.appendingPathComponent("split").path
    let models = folder.appendingPathComponent("models").path
    let result = try losslab([
      "train", config, "--plot", plot, "--save-split", split, "--save-model", models, "--format", "markdown",
    ])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.hasPrefix("### planted\n"))
    #expect(result.stdout.contains("| adaptive_hinge | "))
    #expect(result.stdout.contains("| warp+credit(genre=0.25) | "))
    // Not a terminal: one line per finished cell (TrainProgressTests has the format), no status line.
    #expect(result.stderr.hasPrefix("cell 1/4 adaptive_hinge seed 1: test "), "\(result.stderr)")
    #expect(result.stderr.split(separator: "\n").filter { $0.hasPrefix("cell ") }.count == 4)
    #expect(!result.stderr.contains("\r"))
    let svg = try String(contentsOfFile: plot, encoding: .utf8)
    #expect(svg.contains("<svg") && svg.contains("NDCG@5"))
    let train = try String(contentsOfFile: split + "/train.csv", encoding: .utf8).split(separator: "\n")
    let test = try String(contentsOfFile: split + "/test.csv", encoding: .utf8).split(separator: "\n")
    #expect(train.first == "user,item,rating,time")
    #expect(train.count - 1 + test.count - 1 == 80 * 8)
    let items = try String(contentsOfFile: models + "/warp+credit_genre=0.25_/seed-2/item_factors.csv", encoding: .utf8)
    #expect(items.hasPrefix("item_id,bias,f0,f1,f2,f3,f4,f5,f6,f7\n"))
    #expect(items.split(separator: "\n").count == 41)

    let splitOnly = try losslab(["split", config, "--output", folder.appendingPathComponent("again").path])
    #expect(splitOnly.status == 0)
    #expect(
      try String(contentsOfFile: folder.appendingPathComponent("again/test.csv").path, encoding: .utf8)
        == String(contentsOfFile: split + "/test.csv", encoding: .utf8))
  }

  @Test("train: bad data and bad settings exit with clear errors")
  func trainErrors() throws {
    let config = try plantedTrainingConfig(losses: "  - warp")
    let folder = URL(fileURLWithPath: config).deletingLastPathComponent()
    try FileManager.default.removeItem(at: folder.appendingPathComponent("ratings.csv"))
    let missing = try losslab(["train", config])
    #expect(missing.status == 66)
    // Named at the config's line, before anything is loaded.
    #expect(
      missing.stderr.hasPrefix(
        "\(config):3:24: error: data.interactions.path: cannot open \(folder.path)/ratings.csv: no such file\n"),
      "\(missing.stderr)")
    try "user,item,rating,time\nu1,m1,five,1\n".write(
      to: folder.appendingPathComponent("ratings.csv"), atomically: true, encoding: .utf8)
    let bad = try losslab(["train", config])
    #expect(bad.status == 65)
    #expect(bad.stderr.hasSuffix("ratings.csv:2: error: rating 'five' is not a number\n"))
    // A loss-table config is told where it belongs (NewcomerTests has the whole text).
    let badConfig = try losslab(["train", "configs/seed-examples.yaml"])
    #expect(badConfig.status == 64)
    #expect(badConfig.stderr.hasPrefix("configs/seed-examples.yaml: error: this is a loss-table config"))
  }
}
