import Foundation
import LossLabKit
import LossLabTestSupport
import RankingLosses
import Recommender
import Testing

/// A folder with planted data (`users` users, each with 8 of their group's 10 items) and a training config
/// `grid.yaml` over it: with `grid`, a validation split and a 2 × 2 grid with early stopping (3 variants × 4
/// points × 2 seeds = 24 cells); without, one point per variant and three seeds (9 cells). One thread, so
/// every run gives the same numbers.
func storeFixture(grid: Bool = true, users: Int = 80, epochs: Int = 6) throws -> URL {
  let folder = try temporaryFolder()
  try writePlantedRatings(in: folder, users: users)
  let config =
    grid
    ? """
    experiment: planted
    data:
      interactions: {path: ratings.csv, user: user, item: item}
    split: {method: random, test_fraction: 0.25, validation_fraction: 0.15, seed: 3}
    model: {factors: 8}
    training: {epochs: \(epochs), batch_size: 16, negatives: 3, learning_rate: [0.05, 0.1], l2: [0, 0.001], threads: 1, patience: 2}
    evaluation: {k: 5, significance: {}}
    seeds: [1, 2]
    losses: [bpr, warp, adaptive_hinge]

    """
    : """
    experiment: plain
    data:
      interactions: {path: ratings.csv, user: user, item: item}
    split: {method: random, test_fraction: 0.25, seed: 3}
    model: {factors: 8}
    training: {epochs: \(epochs), batch_size: 16, learning_rate: 0.1, threads: 1}
    evaluation: {k: 5, eval_every: 2, significance: {}}
    seeds: [1, 2, 3]
    losses: [bpr, warp, hinge]

    """
  try config.write(to: folder.appendingPathComponent("grid.yaml"), atomically: true, encoding: .utf8)
  return folder
}

/// A JSON report without its timings (seconds and rates change from run to run; nothing else may).
func withoutTimings(_ json: String) throws -> NSDictionary {
  func strip(_ value: Any) -> Any {
    if let object = value as? [String: Any] {
      var kept: [String: Any] = [:]
      for (key, value) in object
      where !["training_seconds", "interactions_per_second", "seconds", "validation_seconds"].contains(key) {
        kept[key] = strip(value)
      }
      return kept
    }
    if let array = value as? [Any] { return array.map(strip) }
    return value
  }
  let object = try JSONSerialization.jsonObject(with: Data(json.utf8))
  return try #require(strip(object) as? [String: Any]) as NSDictionary
}

/// The cells a store holds, read through LossLabKit.
func storedCellCount(_ path: String) throws -> Int {
  let store = try ResultStore.open(path, create: false)
  guard let run = try store.storedRun() else { return 0 }
  return try store.cellIndices(hash: run.hash).count
}

@Suite("Results stores: train --store, --shard and losslab report", .serialized)
struct ResultStoreTests {
  @Test("a stored run's report is the direct run's, bit for bit; a second run skips every cell")
  func storeThenReport() throws {
    let folder = try storeFixture()
    let direct = try losslab(["train", "grid.yaml", "--format", "json"], in: folder)
    #expect(direct.status == 0, "\(direct.stderr)")
    let stored = try losslab(["train", "grid.yaml", "--store", "s.sqlite", "--format", "json"], in: folder)
    #expect(stored.status == 0, "\(stored.stderr)")
    #expect(stored.stderr.contains("store s.sqlite: 24 cells; 0 in the store already (skipped), 24 to run"))
    #expect(try withoutTimings(stored.stdout) == withoutTimings(direct.stdout))
    for format in ["json", "text", "csv", "markdown"] {
      let train = try losslab(["train", "grid.yaml", "--store", "s.sqlite", "--format", format], in: folder)
      let report = try losslab(["report", "s.sqlite", "--format", format], in: folder)
      #expect(train.status == 0 && report.status == 0, "\(train.stderr) \(report.stderr)")
      #expect(train.stderr.contains("24 in the store already (skipped), 0 to run"))
      #expect(report.stdout == train.stdout, "\(format)")
    }
    let json = try losslab(["report", "s.sqlite", "--format", "json"], in: folder)
    #expect(json.stdout == stored.stdout)
  }

  @Test("three shards merged give the unsharded run's report")
  func shards() throws {
    let folder = try storeFixture()
    let whole = try losslab(["train", "grid.yaml", "--format", "json"], in: folder)
    #expect(whole.status == 0)
    for i in 1...3 {
      let shard = try losslab(["train", "grid.yaml", "--store", "shard-\(i).sqlite", "--shard", "\(i)/3"], in: folder)
      #expect(shard.status == 0, "\(shard.stderr)")
      #expect(shard.stdout.isEmpty)
      #expect(shard.stderr.contains("shard \(i)/3: 8 of 24 cells; 0 in the store already (skipped), 8 to run"))
      #expect(try storedCellCount(folder.appendingPathComponent("shard-\(i).sqlite").path) == 8)
    }
    let merged = try losslab(
      ["report", "shard-1.sqlite", "shard-2.sqlite", "shard-3.sqlite", "--format", "json"], in: folder)
    #expect(merged.status == 0, "\(merged.stderr)")
    #expect(try withoutTimings(merged.stdout) == withoutTimings(whole.stdout))
    // A store given twice, or overlapping stores, count each cell once.
    let twice = try losslab(
      ["report", "shard-1.sqlite", "shard-2.sqlite", "shard-3.sqlite", "shard-1.sqlite", "--format", "json"],
      in: folder)
    #expect(twice.stdout == merged.stdout)
  }

  @Test("missing shards are named; --partial renders what is there")
  func missingCells() throws {
    let folder = try storeFixture()
    let shard = try losslab(["train", "grid.yaml", "--store", "one.sqlite", "--shard", "1/3"], in: folder)
    #expect(shard.status == 0)
    let report = try losslab(["report", "one.sqlite"], in: folder)
    #expect(report.status == 65)
    #expect(report.stdout.isEmpty)
    #expect(
      report.stderr.hasPrefix(
        "losslab: error: 16 of the run's 24 cells are missing from the stores: bpr (point 1 of 4: "
          + "training.learning_rate=0.05, training.l2=0.0) seed 2; bpr (point 2 of 4: "
          + "training.learning_rate=0.05, training.l2=0.001) seed 1;"))
    #expect(report.stderr.contains("; … and 6 more. Run (or resume) the shards that hold them, or pass --partial"))
    let partial = try losslab(["report", "one.sqlite", "--partial"], in: folder)
    #expect(partial.status == 0, "\(partial.stderr)")
    #expect(partial.stdout.contains("Partial report: 16 of the run's 24 cells are missing from the stores: bpr"))
    let json = try losslab(["report", "one.sqlite", "--partial", "--format", "json"], in: folder)
    #expect(json.stdout.contains("\"remarks\": [\"Partial report: 16 of the run's 24 cells"))
  }

  @Test("a run killed with SIGKILL resumes: no finished cell is trained again, the report is unchanged")
  func killed() throws {
    let folder = try storeFixture(grid: false, users: 200, epochs: 20)
    let store = folder.appendingPathComponent("k.sqlite").path
    let process = Process()
    process.executableURL = losslabBinary
    process.arguments = ["train", "grid.yaml", "--store", "k.sqlite"]
    process.currentDirectoryURL = folder
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    var seen = 0
    let deadline = Date().addingTimeInterval(60)
    while process.isRunning && Date() < deadline {
      if FileManager.default.fileExists(atPath: store), let count = try? storedCellCount(store), count >= 1 {
        seen = count
        break
      }
      usleep(5_000)
    }
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    #expect(process.terminationReason == .uncaughtSignal, "the run finished before it could be killed")
    let held = try storedCellCount(store)
    #expect(held >= seen && held >= 1 && held < 9, "\(held) cells stored")
    let resumed = try losslab(["train", "grid.yaml", "--store", "k.sqlite", "--format", "json"], in: folder)
    #expect(resumed.status == 0, "\(resumed.stderr)")
    #expect(
      resumed.stderr.contains("store k.sqlite: 9 cells; \(held) in the store already (skipped), \(9 - held) to run"))
    // Every cell trained once: the resumed run printed progress only for the cells it ran.
    let trained = resumed.stderr.split(separator: "\n").filter { $0.hasPrefix("cell ") }
    #expect(trained.count == 9 - held)
    let direct = try losslab(["train", "grid.yaml", "--format", "json"], in: folder)
    #expect(try withoutTimings(resumed.stdout) == withoutTimings(direct.stdout))
    #expect(try losslab(["report", "k.sqlite", "--format", "json"], in: folder).stdout == resumed.stdout)
  }

  @Test("a store of another config is refused with both hashes and the first difference")
  func otherConfig() throws {
    let folder = try storeFixture(grid: false, epochs: 3)
    #expect(try losslab(["train", "grid.yaml", "--store", "s.sqlite"], in: folder).status == 0)
    let config = folder.appendingPathComponent("grid.yaml")
    let text = try String(contentsOf: config, encoding: .utf8)
    // Comments, spacing and key order do not change the hash.
    let reordered =
      "# a comment\n" + text.replacingOccurrences(of: "{k: 5, eval_every: 2", with: "{eval_every: 2,   k: 5")
    try reordered.write(to: config, atomically: true, encoding: .utf8)
    let same = try losslab(["train", "grid.yaml", "--store", "s.sqlite"], in: folder)
    #expect(same.status == 0 && same.stderr.contains("9 in the store already (skipped), 0 to run"), "\(same.stderr)")
    try text.replacingOccurrences(of: "seeds: [1, 2, 3]", with: "seeds: [1, 2]").write(
      to: config, atomically: true, encoding: .utf8)
    let other = try losslab(["train", "grid.yaml", "--store", "s.sqlite"], in: folder)
    #expect(other.status == 65)
    #expect(other.stdout.isEmpty)
    let pattern =
      #"^s\.sqlite: error: holds the results of another config \(hash [0-9a-f]{16}, from grid\.yaml\); this "#
      + #"config's hash is [0-9a-f]{16}\. The first difference: the store has 'seeds: 1 2 3', this run has "#
      + #"'seeds: 1 2'\. Give a new store file \(--store another\.sqlite\), or delete this one to start over\n$"#
    #expect(other.stderr.range(of: pattern, options: .regularExpression) != nil, "\(other.stderr)")
    // The data's content is part of the hash, not its path: a copy elsewhere shares the hash, and an edit
    // that keeps the file's size (two rows swapped) changes it.
    let ratings = folder.appendingPathComponent("ratings.csv")
    let rows = try String(contentsOf: ratings, encoding: .utf8).split(separator: "\n").map(String.init)
    try FileManager.default.createDirectory(
      at: folder.appendingPathComponent("copy"), withIntermediateDirectories: false)
    try (rows.joined(separator: "\n") + "\n").write(
      to: folder.appendingPathComponent("copy/ratings.csv"), atomically: true, encoding: .utf8)
    try text.replacingOccurrences(of: "path: ratings.csv", with: "path: copy/ratings.csv").write(
      to: config, atomically: true, encoding: .utf8)
    let copied = try losslab(["train", "grid.yaml", "--store", "s.sqlite"], in: folder)
    #expect(copied.status == 0 && copied.stderr.contains("9 in the store already (skipped)"), "\(copied.stderr)")
    try text.write(to: config, atomically: true, encoding: .utf8)
    var swapped = rows
    swapped.swapAt(1, 2)
    try (swapped.joined(separator: "\n") + "\n").write(to: ratings, atomically: true, encoding: .utf8)
    #expect(try Data(contentsOf: ratings).count == (rows.joined(separator: "\n") + "\n").utf8.count)
    let data = try losslab(["train", "grid.yaml", "--store", "s.sqlite"], in: folder)
    #expect(data.status == 65 && data.stderr.contains("the store has 'data: fingerprint "), "\(data.stderr)")
    // Stores of two configs are not merged.
    #expect(try losslab(["train", "grid.yaml", "--store", "t.sqlite"], in: folder).status == 0)
    let merged = try losslab(["report", "s.sqlite", "t.sqlite"], in: folder)
    #expect(merged.status == 65)
    #expect(merged.stderr.hasPrefix("t.sqlite: error: holds another config than s.sqlite (hash "), "\(merged.stderr)")
  }

  @Test("bad --shard values and combinations are usage errors")
  func badShards() throws {
    let folder = try storeFixture(grid: false, epochs: 1)
    let cases: [([String], String)] = [
      (["--shard", "0/3", "--store", "s.sqlite"], "--shard 0/3: the shard I must be between 1 and 3"),
      (["--shard", "4/3", "--store", "s.sqlite"], "--shard 4/3: the shard I must be between 1 and 3"),
      (["--shard", "1/0", "--store", "s.sqlite"], "--shard 1/0: the number of shards N must be at least 1"),
      (
        ["--shard", "a", "--store", "s.sqlite"],
        "--shard takes I/N, shard I of N with 1 ≤ I ≤ N (e.g. --shard 2/3), got 'a'"
      ),
      (["--shard", "1/2/3", "--store", "s.sqlite"], "got '1/2/3'"),
      (["--shard", "2/3"], "--shard needs --store"),
      (["--shard", "2/3", "--store", "s.sqlite", "--output", "r.txt"], "there is no report for --output"),
      (["--shard", "2/3", "--store", "s.sqlite", "--save-model", "m"], "there is no report for --save-model"),
    ]
    for (arguments, message) in cases {
      let result = try losslab(["train", "grid.yaml"] + arguments, in: folder)
      #expect(result.status == 64, "\(arguments)")
      #expect(result.stderr.contains("Error: " + message) || result.stderr.contains(message), "\(result.stderr)")
    }
    #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("s.sqlite").path))
    // --save-model on a resumed run would miss the skipped cells' models.
    #expect(try losslab(["train", "grid.yaml", "--store", "s.sqlite", "--shard", "1/2"], in: folder).status == 0)
    let save = try losslab(["train", "grid.yaml", "--store", "s.sqlite", "--save-model", "models"], in: folder)
    #expect(save.status == 64)
    #expect(save.stderr.contains("s.sqlite: error: 5 of this run's cells are in the store already and their models"))
    #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("models").path))
  }

  @Test("a missing, empty, corrupt or foreign store file is a clear error")
  func badStores() throws {
    let folder = try storeFixture(grid: false, epochs: 1)
    let missing = try losslab(["report", "none.sqlite"], in: folder)
    #expect(missing.status == 66 && missing.stderr == "none.sqlite: error: no such file\n")
    try Data().write(to: folder.appendingPathComponent("empty.sqlite"))
    let empty = try losslab(["report", "empty.sqlite"], in: folder)
    #expect(empty.status == 65)
    #expect(empty.stderr == "empty.sqlite: error: is an empty SQLite database, not a LossLab results store\n")
    var random = SplitMix64(seed: 5)
    let junk = (0..<5000).map { _ in UInt8.random(in: 0...255, using: &random) }
    try Data(junk).write(to: folder.appendingPathComponent("junk.sqlite"))
    for arguments in [["report", "junk.sqlite"], ["train", "grid.yaml", "--store", "junk.sqlite"]] {
      let result = try losslab(arguments, in: folder)
      #expect(result.status == 65)
      #expect(
        result.stderr.hasSuffix(
          "junk.sqlite: error: is not a LossLab results store: not an SQLite database (file is not a database)\n"),
        "\(result.stderr)")
    }
    #expect(try Data(contentsOf: folder.appendingPathComponent("junk.sqlite")) == Data(junk))
    // A store cut short (a copy interrupted) is damaged, not silently read.
    #expect(try losslab(["train", "grid.yaml", "--store", "s.sqlite"], in: folder).status == 0)
    let whole = try Data(contentsOf: folder.appendingPathComponent("s.sqlite"))
    try whole.prefix(whole.count / 2).write(to: folder.appendingPathComponent("cut.sqlite"))
    let cut = try losslab(["report", "cut.sqlite"], in: folder)
    #expect(cut.status == 65, "\(cut.stderr)")
    #expect(cut.stderr.hasPrefix("cut.sqlite: error: "), "\(cut.stderr)")
    // The data file is never taken as a store.
    let input = try losslab(["train", "grid.yaml", "--store", "ratings.csv"], in: folder)
    #expect(input.status == 73, "\(input.stderr)")
  }
}
