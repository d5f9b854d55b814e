import LossLabTestSupport
import Foundation
import LossLabKit
import RankingLosses
import Recommender
import Testing

/// `line` with its trailing `; S.S s` (a cell's wall seconds, which change from run to run) checked against a
/// narrow pattern and cut off; `nil` when it does not end so.
private func withoutSeconds(_ line: Substring) -> String? {
  guard let range = line.range(of: #"; [0-9]+\.[0-9] s$"#, options: .regularExpression) else { return nil }
  return String(line[..<range.lowerBound])
}

/// A report of two variants and two seeds with made-up numbers (two evaluated users), for exact texts.
private func madeUpReport(notes: [String] = []) throws -> TrainingReport {
  let folder = try temporaryFolder()
  let path = folder.appendingPathComponent("small.yaml").path
  let yaml = """
    experiment: small
    description: two losses, two seeds
    data:
      interactions: {path: ratings.csv, user: user, item: item}
    split: {method: random, test_fraction: 0.25, seed: 3}
    model: {factors: 8}
    training: {epochs: 5, batch_size: 16, learning_rate: 0.1, threads: 1}
    evaluation: {metrics: [ndcg, precision], k: 5}
    seeds: [1, 2]
    losses: [bpr, warp]

    """
  let loaded = ConfigLoader().load(source: Array(yaml.utf8), file: path, as: .training)
  let config = try #require(loaded.training, "\(loaded.diagnostics)")
  let columns = config.evaluation.columns
  // Per cell: the two users' NDCG@5 and P@5, row by row, then the training seconds and rate.
  let numbers: [([Double], Double, Double)] = [
    ([0.5, 0.2, 0.3, 0.4], 1.5, 20_000), ([0.7, 0.2, 0.1, 0.4], 2.5, 12_000),
    ([0.9, 0.6, 0.5, 0.4], 0.5, 60_000), ([0.8, 0.6, 0.6, 0.2], 0.7, 42_000),
  ]
  let start = Date(timeIntervalSince1970: 0)
  let cells = TrainingRunner.plan(config).map { cell in
    let (values, seconds, rate) = numbers[cell.index]
    return CellResult(
      cell: cell, history: [EpochRecord(epoch: 5, loss: 0.25, metrics: nil, seconds: seconds)],
      table: MetricTable(columns: columns, users: [0, 1], values: values), trainingSeconds: seconds,
      interactionsPerSecond: rate, selectedEpoch: 5, validation: nil, validationSeconds: 0, started: start,
      finished: start.addingTimeInterval(seconds))
  }
  let data = TrainingDataSummary(
    users: 4, items: 10, trainInteractions: 30, validationInteractions: 0, testInteractions: 10,
    evaluatedUsers: [0, 1], notes: notes)
  let losses = [VariantLoss(parameters: [:], kind: .pairwise), VariantLoss(parameters: [:], kind: .pairwise)]
  return TrainingReport(config: config, data: data, variants: losses, cells: cells)
}

@Suite("train: progress, interruption, written files; table layouts", .serialized)
struct TrainProgressTests {
  @Test("piped: one line per finished cell with its test metrics, validation score, epochs and seconds")
  func pipedLines() throws {
    let folder = try storeFixture(grid: true, epochs: 6)
    let result = try losslab(["train", "grid.yaml"], in: folder)
    #expect(result.status == 0, "\(result.stderr)")
    let lines = result.stderr.split(separator: "\n")
    #expect(lines.count == 24, "\(result.stderr)")
    #expect(
      lines.prefix(3).map(withoutSeconds) == [
        "cell 1/24 bpr (point 1 of 4: training.learning_rate=0.05, training.l2=0.0) seed 1: test AUC 0.4695, "
          + "MAP@5 0.0676, MRR 0.1903, NDCG@5 0.1072, P@5 0.0600, R@5 0.1500, HR@5 0.3000; validation NDCG@5 0.0420 "
          + "(epoch 1 of 3)",
        "cell 2/24 bpr (point 1 of 4: training.learning_rate=0.05, training.l2=0.0) seed 2: test AUC 0.4859, "
          + "MAP@5 0.0540, MRR 0.1705, NDCG@5 0.0876, P@5 0.0500, R@5 0.1250, HR@5 0.2500; validation NDCG@5 0.0362 "
          + "(epoch 2 of 4)",
        "cell 3/24 bpr (point 2 of 4: training.learning_rate=0.05, training.l2=0.001) seed 1: test AUC 0.4695, "
          + "MAP@5 0.0676, MRR 0.1903, NDCG@5 0.1072, P@5 0.0600, R@5 0.1500, HR@5 0.3000; validation NDCG@5 0.0420 "
          + "(epoch 1 of 3)",
      ], "\(result.stderr)")
    // No terminal: no status line, no carriage return or escape.
    #expect(!result.stderr.contains("\r") && !result.stderr.contains("\u{1B}"))

    let plain = try storeFixture(grid: false, epochs: 4)
    let noValidation = try losslab(["train", "grid.yaml"], in: plain)
    #expect(noValidation.status == 0, "\(noValidation.stderr)")
    #expect(
      noValidation.stderr.split(separator: "\n").map(withoutSeconds) == [
        "cell 1/9 bpr seed 1: test AUC 0.5953, MAP@5 0.0908, MRR 0.2240, NDCG@5 0.1381, P@5 0.0800, R@5 0.2000, "
          + "HR@5 0.3500 (4 epochs)",
        "cell 2/9 bpr seed 2: test AUC 0.6770, MAP@5 0.1627, MRR 0.3364, NDCG@5 0.2312, P@5 0.1200, R@5 0.3000, "
          + "HR@5 0.5250 (4 epochs)",
        "cell 3/9 bpr seed 3: test AUC 0.6520, MAP@5 0.1686, MRR 0.3372, NDCG@5 0.2355, P@5 0.1200, R@5 0.3000, "
          + "HR@5 0.5125 (4 epochs)",
        "cell 4/9 warp seed 1: test AUC 0.9242, MAP@5 0.5594, MRR 0.6621, NDCG@5 0.6554, P@5 0.3250, R@5 0.8125, "
          + "HR@5 0.9000 (4 epochs)",
        "cell 5/9 warp seed 2: test AUC 0.9664, MAP@5 0.6792, MRR 0.7313, NDCG@5 0.7826, P@5 0.3950, R@5 0.9875, "
          + "HR@5 1.0000 (4 epochs)",
        "cell 6/9 warp seed 3: test AUC 0.9699, MAP@5 0.6948, MRR 0.7563, NDCG@5 0.7995, P@5 0.4000, R@5 1.0000, "
          + "HR@5 1.0000 (4 epochs)",
        "cell 7/9 hinge seed 1: test AUC 0.9621, MAP@5 0.6752, MRR 0.7221, NDCG@5 0.7678, P@5 0.3800, R@5 0.9500, "
          + "HR@5 0.9875 (4 epochs)",
        "cell 8/9 hinge seed 2: test AUC 0.9703, MAP@5 0.7056, MRR 0.7750, NDCG@5 0.8087, P@5 0.4000, R@5 1.0000, "
          + "HR@5 1.0000 (4 epochs)",
        "cell 9/9 hinge seed 3: test AUC 0.9688, MAP@5 0.6813, MRR 0.7354, NDCG@5 0.7833, P@5 0.3925, R@5 0.9812, "
          + "HR@5 1.0000 (4 epochs)",
      ], "\(noValidation.stderr)")
  }

  @Test("--quiet prints no progress; the table is the same")
  func quiet() throws {
    let folder = try storeFixture(grid: false, epochs: 4)
    let quiet = try losslab(["train", "grid.yaml", "--quiet", "--format", "json"], in: folder)
    #expect(quiet.status == 0)
    #expect(quiet.stderr == "")
    let loud = try losslab(["train", "grid.yaml", "--format", "json"], in: folder)
    #expect(loud.stderr.split(separator: "\n").count == 9)
    #expect(try withoutTimings(quiet.stdout) == withoutTimings(loud.stdout))
  }

  @Test("train ends with one line per file or folder it wrote, with its size")
  func writtenFiles() throws {
    let folder = try storeFixture(grid: false, epochs: 4)
    let result = try losslab(
      [
        "train", "grid.yaml", "--quiet", "--output", "report.json", "--format", "json", "--plot", "plot.svg",
        "--save-split", "split", "--save-model", "models", "--store", "s.sqlite",
      ], in: folder)
    #expect(result.status == 0, "\(result.stderr)")
    func size(_ name: String) throws -> String {
      let bytes = try #require(
        try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(name).path)[.size] as? Int)
      return TrainingProgressText.size(Int64(bytes))
    }
    func sizes(_ names: [String]) throws -> String {
      var total = 0
      for name in names {
        total += try #require(
          try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(name).path)[.size] as? Int)
      }
      return TrainingProgressText.size(Int64(total))
    }
    let models =
      ["models/index.csv"]
      + ["bpr", "warp", "hinge"].flatMap { loss in
        (1...3).flatMap { seed in ["user_factors.csv", "item_factors.csv"].map { "models/\(loss)/seed-\(seed)/\($0)" } }
      }
    #expect(
      result.stderr == """
        store s.sqlite: 9 cells; 0 in the store already (skipped), 9 to run
        wrote the split to split (2 files, \(try sizes(["split/train.csv", "split/test.csv"])))
        wrote plot.svg (\(try size("plot.svg")))
        wrote 9 models to models (the folder of each label: models/index.csv; 19 files, \(try sizes(models)))
        wrote report.json (\(try size("report.json")))
        wrote s.sqlite (9 of the run's 9 cells; \(try size("s.sqlite")))

        """)
  }

  @Test("sizes as people read them")
  func sizes() {
    #expect(
      [0, 512, 999, 1000, 1234, 12_345, 999_499, 999_500, 1_234_567, 104_000_000, 3_500_000_000].map {
        TrainingProgressText.size(Int64($0))
      } == ["0 B", "512 B", "999 B", "1.0 KB", "1.2 KB", "12 KB", "999 KB", "1.0 MB", "1.2 MB", "104 MB", "3.5 GB"])
    #expect(
      [0, 9.9, 61, 3599, 3600, 3725, -4].map(TrainingProgressText.clock) == [
        "0:00", "0:09", "1:01", "59:59", "1:00:00", "1:02:05", "0:00",
      ])
  }

  @Test("the status line and the estimate of the time left")
  func statusLine() throws {
    let report = try madeUpReport()
    let config = report.config
    let cell = TrainingRunner.plan(config)[3]
    #expect(
      TrainingProgressText.statusLine(
        done: 3, total: 4, cell: cell, config: config, epoch: 4, epochs: 5, lastLoss: (3, 0.123456), elapsed: 75,
        remaining: 12.5) == "[3/4 cells] warp seed 2/2 · epoch 4/5 · loss 0.1235 (epoch 3) · 1:15, ETA 0:12")
    #expect(
      TrainingProgressText.statusLine(
        done: 0, total: 4, cell: TrainingRunner.plan(config)[0], config: config, epoch: 1, epochs: 5, lastLoss: nil,
        elapsed: 0.5, remaining: nil) == "[0/4 cells] bpr seed 1/2 · epoch 1/5 · 0:00, ETA -:--")
    // Early stopping: the finished cells ran 4 and 6 epochs (5 on average) in 20 s, 2 s an epoch; the cell in
    // training has run 2 of its expected 5, and one more cell is to run: (3 + 5) epochs × 2 s.
    var eta = TrainingETA(total: 4)
    #expect(eta.remaining(elapsed: 3, maxEpochs: 40) == nil)
    eta.finishCell(epochs: 4)
    eta.finishCell(epochs: 6)
    eta.currentEpochs = 2
    #expect(eta.remaining(elapsed: 24, maxEpochs: 40) == 16)
    // Before any cell finished, a cell is expected to run every epoch: 1 s an epoch, 38 + 3 × 40 left.
    var first = TrainingETA(total: 4)
    first.currentEpochs = 2
    #expect(first.remaining(elapsed: 2, maxEpochs: 40) == 158)
  }

  @Test("text tables: variants as rows (the default) and metrics as rows, exact")
  func layouts() throws {
    let report = try madeUpReport()
    let header = """
      small — two losses, two seeds

      data: 4 users, 10 items; 30 training and 10 held-out interactions (random split, test_fraction 0.25, seed 3)
      model: 8 factors; 5 epochs, batch 16, adagrad lr 0.1, l2 0.0, uniform sampler, 1 thread
      evaluation: 2 users with held-out items, training items excluded, k = 5, pessimistic ties; mean ± std over seeds 1, 2


      """
    #expect(
      TrainingReportRenderer(format: .text).render(report) == header + """
        loss             NDCG@5                P@5        train s  interactions/s
        ----  -----------------  -----------------  -------------  --------------
        bpr   0.4000 ± 0.0000    0.3000 ± 0.0000    2.00 ± 0.71        16k ± 6k
        warp  0.7000 ± 0.0000 *  0.4500 ± 0.0707 *  0.60 ± 0.14 *     51k ± 13k *

        * the best value of its column.
        Pairwise losses sample one negative per positive.

        """)
    #expect(
      TrainingReportRenderer(format: .text, layout: .metricsAsRows).render(report) == header + """
        Columns: a bpr, b warp.
        metric                        a                  b
        --------------  ---------------  -----------------
        NDCG@5          0.4000 ± 0.0000  0.7000 ± 0.0000 *
        P@5             0.3000 ± 0.0000  0.4500 ± 0.0707 *
        train s             2.00 ± 0.71      0.60 ± 0.14 *
        interactions/s         16k ± 6k        51k ± 13k *

        * the best value of its row.
        Pairwise losses sample one negative per positive.

        """)
    let markdown = TrainingReportRenderer(format: .markdown, layout: .metricsAsRows).render(report)
    #expect(
      markdown.hasSuffix(
        """
        Columns: a bpr, b warp.

        | metric | a | b |
        | --- | ---: | ---: |
        | NDCG@5 | 0.4000 ± 0.0000 | **0.7000 ± 0.0000** |
        | P@5 | 0.3000 ± 0.0000 | **0.4500 ± 0.0707** |
        | train s | 2.00 ± 0.71 | **0.60 ± 0.14** |
        | interactions/s | 16k ± 6k | **51k ± 13k** |

        - Bold: the best value of its row.
        - Pairwise losses sample one negative per positive.

        """), "\(markdown)")
  }

  @Test("report --layout metrics-as-rows transposes a store's table; report says what it wrote")
  func reportLayout() throws {
    let folder = try storeFixture(grid: false, epochs: 4)
    #expect(try losslab(["train", "grid.yaml", "--quiet", "--store", "s.sqlite"], in: folder).status == 0)
    let result = try losslab(["report", "s.sqlite", "--layout", "metrics-as-rows"], in: folder)
    #expect(result.status == 0, "\(result.stderr)")
    let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.contains("Columns: a bpr, b warp, c hinge."), "\(result.stdout)")
    #expect(lines.contains { $0.hasPrefix("NDCG@5  ") }, "\(result.stdout)")
    #expect(lines.contains { $0.hasPrefix("train s  ") }, "\(result.stdout)")
    let bad = try losslab(["report", "s.sqlite", "--layout", "sideways"], in: folder)
    #expect(bad.status == 64)
    // report says what it wrote, as train does.
    let written = try losslab(["report", "s.sqlite", "--plot", "p.svg", "--output", "r.txt"], in: folder)
    #expect(written.status == 0, "\(written.stderr)")
    let sizes = try ["p.svg", "r.txt"].map { name in
      TrainingProgressText.size(
        Int64(
          try #require(
            try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(name).path)[.size] as? Int)))
    }
    #expect(written.stderr == "wrote p.svg (\(sizes[0]))\nwrote r.txt (\(sizes[1]))\n")
  }

  @Test("text lines above and below the table are wrapped at 120 columns, the rest indented")
  func wrapped() throws {
    let note = (1...30).map { "word\($0)" }.joined(separator: " ")
    let text = TrainingReportRenderer(format: .text).render(try madeUpReport(notes: [note]))
    #expect(
      text.hasSuffix(
        """
        Pairwise losses sample one negative per positive.
        Data: word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11 word12 word13 word14 word15 word16 word17
          word18 word19 word20 word21 word22 word23 word24 word25 word26 word27 word28 word29 word30.

        """), "\(text)")
    #expect(text.split(separator: "\n").allSatisfy { $0.unicodeScalars.count <= 120 })
  }

  @Test("Ctrl-C: the finished cells' table marked partial on stdout, no output file, exit 130")
  func interrupt() throws {
    let folder = try storeFixture(grid: false, users: 200, epochs: 300)
    let (process, out, err) = try launchLosslab(
      ["train", "grid.yaml", "--output", "report.txt", "--plot", "plot.svg"], in: folder)
    var stderr = Data()
    let deadline = Date().addingTimeInterval(120)
    while !String(decoding: stderr, as: UTF8.self).contains("\n"), Date() < deadline {
      let chunk = err.fileHandleForReading.availableData
      if chunk.isEmpty { break }
      stderr += chunk
    }
    #expect(String(decoding: stderr, as: UTF8.self).hasPrefix("cell 1/9 bpr seed 1: test AUC "))
    kill(process.processIdentifier, SIGINT)
    stderr += err.fileHandleForReading.readDataToEndOfFile()
    // The partial table is written once training stopped, far below a pipe's buffer.
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    #expect(process.terminationReason == .exit)
    #expect(process.terminationStatus == 130)
    let text = String(decoding: stdout, as: UTF8.self)
    let errors = String(decoding: stderr, as: UTF8.self)
    let finished = errors.split(separator: "\n").filter { $0.hasPrefix("cell ") }.count
    #expect(finished >= 1 && finished < 9, "\(errors)")
    #expect(text.hasPrefix("partial: \(finished) of 9 cells finished, interrupted\nplain\n"), "\(text)")
    #expect(text.contains("\nbpr  "), "\(text)")
    #expect(
      errors.hasSuffix(
        "losslab: interrupted after \(finished) of 9 cells; not written: --output report.txt, --plot plot.svg\n"),
      "\(errors)")
    #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("report.txt").path))
    #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("plot.svg").path))
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["grid.yaml", "ratings.csv"])
  }
}
