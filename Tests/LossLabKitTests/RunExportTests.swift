import Foundation
import LossLabKit
import LossLabTestSupport
import Recommender
import Testing

/// A planted training config (see `plantedTrainingConfig`) with its evaluation replaced by `evaluation`.
/// With `validation`, the split also holds out a validation part.
private func exportConfig(evaluation: String, losses: String, validation: Bool = false) throws -> String {
  let path = try plantedTrainingConfig(losses: losses)
  let text = try String(contentsOfFile: path, encoding: .utf8)
  try text.replacingOccurrences(of: "evaluation: {k: 5}", with: "evaluation: \(evaluation)")
    .replacingOccurrences(
      of: "test_fraction: 0.25, seed: 3",
      with: "test_fraction: 0.25, \(validation ? "validation_fraction: 0.125, " : "")seed: 3"
    )
    .write(toFile: path, atomically: true, encoding: .utf8)
  return path
}

/// The lines of a file, without the final newline's empty line.
private func lines(_ path: String) throws -> [String] {
  let text = try String(contentsOfFile: path, encoding: .utf8)
  #expect(text.hasSuffix("\n"))
  return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
}

@Suite("--save-run: per-user metrics, TREC runs and qrels")
struct RunExportTests {
  static let evaluation = "{metrics: [ndcg, precision, recall, map, mrr, hit_rate, auc], k: [3, 10, 5]}"
  static let losses = "  - warp\n  - loss: adaptive_hinge\n    label: adaptive hinge/2\n"

  @Test("the report's columns follow the config, in every format")
  func columns() throws {
    let path = try exportConfig(evaluation: Self.evaluation, losses: "  - warp")
    let config = try #require(ConfigLoader().load(path: path, as: .training).training)
    let report = try TrainingRunner().run(config)
    let names = [
      "ndcg@3", "ndcg@10", "ndcg@5", "precision@3", "precision@10", "precision@5", "recall@3", "recall@10",
      "recall@5", "map@3", "map@10", "map@5", "mrr", "hit_rate@3", "hit_rate@10", "hit_rate@5", "auc",
    ]
    #expect(report.results[0].runs[0].table.columns.map(\.name) == names)
    let markdown = TrainingReportRenderer(format: .markdown).render(report)
    #expect(
      markdown.contains(
        "| loss | NDCG@3 | NDCG@10 | NDCG@5 | P@3 | P@10 | P@5 | R@3 | R@10 | R@5 | MAP@3 | MAP@10 | MAP@5 | MRR | "
          + "HR@3 | HR@10 | HR@5 | AUC | train s | interactions/s |"))
    #expect(markdown.contains("k = 3, 10, 5, pessimistic ties"))
    let json = TrainingReportRenderer(format: .json).render(report)
    // The summary's keys, in order, are the column names, then the timings.
    let summary = try #require(json.range(of: "\"summary\": {"))
    let keys = json[summary.upperBound...].split(separator: "\n").prefix(while: { !$0.hasPrefix("      },") })
      .compactMap { line -> String? in
        let text = line.trimmingCharacters(in: .whitespaces)
        guard text.hasPrefix("\""), text.hasSuffix("{") else { return nil }
        return String(text.dropFirst().prefix(while: { $0 != "\"" }))
      }
    #expect(keys == names + ["training_seconds", "interactions_per_second"])
    #expect(json.contains("\"select\": \"ndcg@3\""))
    let csv = TrainingReportRenderer(format: .csv).render(report)
    let lastEpoch = csv.split(separator: "\n").filter { $0.hasPrefix("planted,warp,1,12,") }.map {
      String($0.split(separator: ",")[4])
    }
    #expect(lastEpoch == ["loss"] + names)
    #expect(TrainingPlot.svg(report).contains(">NDCG@10<"))
  }

  @Test(
    "per_user.csv reproduces every reported mean bit for bit; run.trec and qrels.txt recompute the @k metrics",
    arguments: [false, true])
  func files(validation: Bool) throws {
    let path = try exportConfig(evaluation: Self.evaluation, losses: Self.losses, validation: validation)
    let config = try #require(ConfigLoader().load(path: path, as: .training).training)
    let runner = TrainingRunner()
    let (data, split) = try runner.prepare(config)
    #expect(split.hasValidation == validation)
    let report = try runner.run(config, prepared: (data, split))
    let folder = try temporaryFolder().appendingPathComponent("runs").path
    try RunWriter.check(folder, config: config)
    let entries = try RunWriter.write(report, data: data, split: split, to: folder)
    #expect(entries.map(\.folder) == ["warp", "warp", "adaptive_hinge_2", "adaptive_hinge_2"])
    #expect(
      try lines(folder + "/index.csv") == [
        "label,folder,seed,per_user,run,recommendations",
        "warp,warp,1,warp/seed-1/per_user.csv,warp/seed-1/run.trec,warp/seed-1/recommendations.csv",
        "warp,warp,2,warp/seed-2/per_user.csv,warp/seed-2/run.trec,warp/seed-2/recommendations.csv",
        "adaptive hinge/2,adaptive_hinge_2,1,adaptive_hinge_2/seed-1/per_user.csv,adaptive_hinge_2/seed-1/run.trec,"
          + "adaptive_hinge_2/seed-1/recommendations.csv",
        "adaptive hinge/2,adaptive_hinge_2,2,adaptive_hinge_2/seed-2/per_user.csv,adaptive_hinge_2/seed-2/run.trec,"
          + "adaptive_hinge_2/seed-2/recommendations.csv",
      ])

    // qrels.txt: every test interaction, `user 0 item 1`, original ids.
    var relevant: [String: Set<String>] = [:]
    let qrels = try lines(folder + "/qrels.txt")
    #expect(qrels.count == split.test.count)
    for line in qrels {
      let fields = line.split(separator: " ").map(String.init)
      #expect(fields.count == 4 && fields[1] == "0" && fields[3] == "1" && fields[0].hasPrefix("u"))
      relevant[fields[0], default: []].insert(fields[2])
    }
    // The items a test ranking leaves out: training and validation items.
    var training: [String: Set<String>] = [:]
    for interaction in split.train + split.validation {
      training[data.userIDs[Int(interaction.user)], default: []].insert(data.itemIDs[Int(interaction.item)])
    }

    // The JSON report's final metrics of each run, read as text (the n-th multi-line `"metrics": {` block is
    // the n-th run's; the histories' are on one line) and parsed with a correctly rounded `Double(_:)`.
    let json = TrainingReportRenderer(format: .json).render(report)
    let blocks: [[String: Double]] = json.components(separatedBy: "\"metrics\": {\n").dropFirst().map { block in
      var values: [String: Double] = [:]
      for line in block.split(separator: "\n").prefix(while: { !$0.contains("}") }) {
        let parts = line.trimmingCharacters(in: .whitespaces).split(separator: "\": ")
        values[String(parts[0].dropFirst())] = Double(parts[1].trimmingCharacters(in: [","]))
      }
      return values
    }
    #expect(blocks.count == 4)
    let columns = config.evaluation.columns
    for (entry, (r, s)) in zip(entries, [(0, 0), (0, 1), (1, 0), (1, 1)]) {
      let run = report.results[r].runs[s]
      let directory = folder + "/" + entry.seedFolder

      // per_user.csv: the header, one row per evaluated user, and sums that give the reported means exactly.
      let rows = try lines(directory + "/per_user.csv")
      #expect(rows[0] == "user," + columns.map(\.name).joined(separator: ","))
      #expect(rows.count == 1 + report.evaluatedUsers && report.evaluatedUsers == relevant.count)
      var sums = [Double](repeating: 0, count: columns.count)
      var perUser: [String: [Double]] = [:]
      for row in rows.dropFirst() {
        let fields = row.split(separator: ",").map(String.init)
        let values = try fields.dropFirst().map { try #require(Double($0)) }
        #expect(values.count == columns.count)
        for c in values.indices { sums[c] += values[c] }
        perUser[fields[0]] = values
      }
      let jsonMetrics = blocks[2 * r + s]
      for (c, column) in columns.enumerated() {
        let mean = sums[c] / Double(rows.count - 1)
        let reported = try #require(run.metrics[column])
        let fromJSON = try #require(jsonMetrics[column.name])
        #expect(mean.bitPattern == reported.bitPattern, "\(entry.seedFolder) \(column)")
        #expect(mean.bitPattern == fromJSON.bitPattern, "\(column) in JSON")
      }

      // run.trec: max(k) = 10 lines per evaluated user, ranks 1…10, best first, no training item; the same
      // lists as recommendations.csv.
      let trec = try lines(directory + "/run.trec")
      #expect(trec.count == 10 * report.evaluatedUsers)
      let recommendations = try lines(directory + "/recommendations.csv")
      #expect(recommendations[0] == "user,rank,item,score" && recommendations.count == trec.count + 1)
      var lists: [String: [(item: String, score: Float)]] = [:]
      for (line, csvLine) in zip(trec, recommendations.dropFirst()) {
        let f = line.split(separator: " ").map(String.init)
        #expect(f.count == 6 && f[1] == "Q0" && f[5] == entry.folder)
        #expect(csvLine == [f[0], f[3], f[2], f[4]].joined(separator: ","))
        let score = try #require(Float(f[4]))
        #expect(Int(f[3]) == (lists[f[0]]?.count ?? 0) + 1)
        #expect(!(training[f[0]]?.contains(f[2]) ?? false), "\(f[0]) trained or validated on \(f[2])")
        lists[f[0], default: []].append((f[2], score))
      }
      #expect(Set(lists.keys) == Set(relevant.keys))

      // Recompute the @k metrics of every user from run.trec and qrels.txt alone (in rank order, as the
      // evaluator sums): equal to per_user.csv exactly. Scores strictly decrease along each list, so no tie
      // makes the rank ambiguous.
      for (user, list) in lists {
        #expect(zip(list, list.dropFirst()).allSatisfy { $0.score > $1.score }, "a tie in \(user)'s list")
        let held = try #require(relevant[user])
        let values = try #require(perUser[user])
        for (c, column) in columns.enumerated() {
          guard let k = column.k else { continue }
          var hits = 0
          var precisionSum = 0.0
          var dcg = 0.0
          for (position, line) in list.prefix(k).enumerated() where held.contains(line.item) {
            hits += 1
            precisionSum += Double(hits) / Double(position + 1)
            dcg += 1 / log2(Double(position) + 2)
          }
          let ideal = min(held.count, k)
          let idealDCG = (0..<ideal).reduce(0.0) { $0 + 1 / log2(Double($1) + 2) }
          let expected: Double
          switch column.metric {
          case .precision: expected = Double(hits) / Double(k)
          case .recall: expected = Double(hits) / Double(held.count)
          case .hitRate: expected = hits > 0 ? 1 : 0
          case .ndcg: expected = dcg / idealDCG
          case .map: expected = precisionSum / Double(ideal)
          default: continue
          }
          #expect(values[c] == expected, "\(entry.seedFolder) \(user) \(column)")
        }
      }
    }
  }

  @Test("the destination is checked before training: a folder in a file's place, an input, a TREC-unsafe id")
  func checks() throws {
    let path = try exportConfig(evaluation: "{k: [2, 4]}", losses: Self.losses)
    let config = try #require(ConfigLoader().load(path: path, as: .training).training)
    let folder = try temporaryFolder()
    // A folder where per_user.csv would go.
    let blocked = folder.appendingPathComponent("blocked").path
    try FileManager.default.createDirectory(
      atPath: blocked + "/adaptive_hinge_2/seed-2/per_user.csv", withIntermediateDirectories: true)
    #expect {
      try RunWriter.check(blocked, config: config)
    } throws: { error in
      "\(error)" == "cannot write \(blocked)/adaptive_hinge_2/seed-2/per_user.csv: it is a folder"
    }
    // qrels.txt linked to the config: an input of the run.
    let linked = folder.appendingPathComponent("linked").path
    try FileManager.default.createDirectory(atPath: linked, withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(atPath: linked + "/qrels.txt", withDestinationPath: path)
    var inputs = InputFiles()
    inputs.add(path, as: "the config \(path)")
    #expect {
      try RunWriter.check(linked, config: config, inputs: inputs)
    } throws: { error in
      "\(error)".hasSuffix("it is the config \(path), an input of this run; choose another file")
    }
    // A file where the folder would go.
    let file = folder.appendingPathComponent("file").path
    try "x".write(toFile: file, atomically: true, encoding: .utf8)
    #expect(throws: AtomicFile.WriteError.self) { try RunWriter.check(file, config: config) }
    // A user id with a space cannot be written in TREC's space-separated fields.
    let ratings = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("ratings.csv")
    let text = try String(contentsOf: ratings, encoding: .utf8)
    try text.replacingOccurrences(of: "\nu7,", with: "\nu 7,").write(to: ratings, atomically: true, encoding: .utf8)
    let (data, _) = try TrainingRunner().prepare(config)
    #expect {
      try RunWriter.checkIDs(data, folder: "out")
    } throws: { error in
      "\(error)"
        == "cannot write out/qrels.txt: the user id 'u 7' is empty or contains white space, which the TREC formats "
        + "cannot hold"
    }
    // The label folders are --save-model's, with qrels.txt reserved as well as index.csv.
    #expect(
      RunWriter.folderNames(["a b", "qrels.txt", "Index.csv", "a_b"]) == ["a_b", "qrels.txt-2", "Index.csv-2", "a_b-2"])
    #expect(ModelWriter.folderNames(["qrels.txt"]) == ["qrels.txt"])
  }

  @Test("losslab train --save-run writes the files; a bad destination stops it before training")
  func commandLine() throws {
    let config = try exportConfig(evaluation: "{k: [2, 4]}", losses: "  - warp")
    let folder = try temporaryFolder()
    let runs = folder.appendingPathComponent("runs").path
    let result = try losslab(["train", config, "--save-run", runs])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(
      result.stderr.hasPrefix("cell 1/2 warp seed 1: test ")
        && result.stderr.contains(
          "\nwrote per-user metrics and top-4 lists of 2 models and the test qrels to \(runs) (the folder of each "
            + "label: \(runs)/index.csv; 8 files, "),
      "\(result.stderr)")
    #expect(try lines(runs + "/warp/seed-2/run.trec").count == 4 * 80)
    #expect(try lines(runs + "/warp/seed-1/per_user.csv").count == 81)

    let same = try losslab(["train", config, "--save-run", runs, "--save-model", runs + "/"])
    #expect(same.status == 64)
    #expect(same.stderr.contains("--save-run and --save-model name the same folder"))
    let file = folder.appendingPathComponent("file").path
    try "x".write(toFile: file, atomically: true, encoding: .utf8)
    let onFile = try losslab(["train", config, "--save-run", file])
    #expect(onFile.status == 73)
    #expect(onFile.stderr == "losslab: error: cannot write \(file): it is a file, not a folder\n")
  }
}
