import LossLabTestSupport
import Foundation
import LossLabKit
import RankingLosses
import Recommender
import Testing

/// The planted training config (80 users with 8 interactions each) with `split` replaced by `split`, and a
/// user `lonely` with two interactions added to its data; returns the config's path.
func plantedValidationConfig(
  split: String = "{method: random, test_fraction: 0.25, validation_fraction: 0.125, seed: 3}"
)
  throws -> String
{
  let path = try plantedTrainingConfig(losses: "  - warp")
  let text = try String(contentsOfFile: path, encoding: .utf8)
  let original = "split: {method: random, test_fraction: 0.25, seed: 3}"
  #expect(text.contains(original))
  try text.replacingOccurrences(of: original, with: "split: \(split)").write(
    toFile: path, atomically: true, encoding: .utf8)
  let ratings = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("ratings.csv")
  let rows = try String(contentsOf: ratings, encoding: .utf8) + "lonely,m0,5,0\nlonely,m1,5,1\n"
  try rows.write(to: ratings, atomically: true, encoding: .utf8)
  return path
}

/// The `(user, item)` pairs of a split file (header dropped).
func pairs(_ file: URL) throws -> [String] {
  try String(contentsOf: file, encoding: .utf8).split(separator: "\n").dropFirst().map {
    $0.split(separator: ",").prefix(2).joined(separator: ",")
  }
}

@Suite("Validation splits in configs, reports and files", .serialized)
struct ValidationSplitConfigTests {
  func diagnostics(_ yaml: String) throws -> [String] { try trainingDiagnostics(yaml) }

  let data = "data:\n  interactions: {path: r.csv, user: u, item: i}\n"

  @Test("validation_fraction decodes; absent, there is no validation part")
  func decodes() throws {
    let path = try plantedValidationConfig()
    let loaded = ConfigLoader().load(path: path, as: .training)
    #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics)")
    #expect(
      loaded.training?.split == SplitOptions(method: .random, testFraction: 0.25, validationFraction: 0.125, seed: 3))
    let plain = try plantedTrainingConfig(losses: "  - warp")
    #expect(ConfigLoader().load(path: plain, as: .training).training?.split.validationFraction == nil)
  }

  @Test("fractions out of range and a sum of 1 or more are placed at validation_fraction, all at once")
  func mistakes() throws {
    #expect(
      try diagnostics(data + "split: {method: randm, test_fraction: 1.5, validation_fraction: 0}\nlosses: [warp]\n")
        == [
          "t.yaml:3:17: error: split.method: unknown split method 'randm' (did you mean 'random'?); use one of: "
            + "random, last",
          "t.yaml:3:39: error: split.test_fraction: test_fraction must be between 0 and 1 (exclusive), got 1.5",
          "t.yaml:3:65: error: split.validation_fraction: validation_fraction must be between 0 and 1 (exclusive), "
            + "got 0.0",
        ])
    #expect(
      try diagnostics(data + "split:\n  test_fraction: 0.6\n  validation_fraction: 0.5\n  seed: -1\nlosses: [warp]\n")
        == [
          "t.yaml:5:24: error: split.validation_fraction: test_fraction + validation_fraction must be below 1 (some "
            + "interactions must stay for training), got 0.6 + 0.5 = 1.1",
          "t.yaml:6:9: error: split.seed: seed must be >= 0, got -1",
        ])
    #expect(
      try diagnostics(data + "split: {validation_fraction: 0.8}\nlosses: [warp]\n") == [
        "t.yaml:3:30: error: split.validation_fraction: test_fraction + validation_fraction must be below 1 (some "
          + "interactions must stay for training), got 0.2 (the default) + 0.8 = 1.0"
      ])
    #expect(
      try diagnostics(data + "split: {validation_fraction: 1, test_fraction: 0.1}\nlosses: [warp]\n") == [
        "t.yaml:3:30: error: split.validation_fraction: validation_fraction must be between 0 and 1 (exclusive), "
          + "got 1.0"
      ])
    #expect(try diagnostics(data + "split: {validation_fraction: 0.1, test_fraction: 0.1}\nlosses: [warp]\n").isEmpty)
  }

  @Test("the runner splits off validation; the report counts it and notes the training-only user")
  func report() throws {
    let config = try #require(ConfigLoader().load(path: try plantedValidationConfig(), as: .training).training)
    let report = try TrainingRunner().run(config)
    // 80 users with 8: round(2) = 2 test, round(1) = 1 validation; `lonely` (2) trains only.
    #expect(report.users == 81)
    let counts = [report.trainInteractions, report.validationInteractions, report.testInteractions]
    #expect(counts == [402, 80, 160])
    #expect(report.evaluatedUsers == 80)
    let note =
      "1 user has fewer than 3 interactions (too few for a training, a validation and a test part); it is "
      + "kept in training only"
    #expect(report.notes == [note])
    let text = TrainingReportRenderer(format: .text).render(report)
    // Text lines above and below the table are wrapped at 120 columns, after a clause (`;`) when that keeps
    // half the line or more.
    #expect(
      text.contains(
        "data: 81 users, 40 items; 402 training, 80 validation and 160 held-out interactions (random split, "
          + "test_fraction 0.25,\n  validation_fraction 0.125, seed 3)\n"))
    #expect(
      text.contains(
        "Data: 1 user has fewer than 3 interactions (too few for a training, a validation and a test part);\n"
          + "  it is kept in training only.\n"))
    let markdown = TrainingReportRenderer(format: .markdown).render(report)
    #expect(markdown.contains("- data: 81 users, 40 items; 402 training, 80 validation and 160 held-out"))
    let json = TrainingReportRenderer(format: .json).render(report)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    let data = try #require(object["data"] as? [String: Any])
    #expect(data["validation_interactions"] as? Int == 80)
    #expect(data["notes"] as? [String] == [note])
    #expect((object["split"] as? [String: Any])?["validation_fraction"] as? Double == 0.125)

    // Without validation: the header of before, 0 validation interactions, no note.
    let plain = try #require(
      ConfigLoader().load(path: try plantedTrainingConfig(losses: "  - warp"), as: .training).training)
    let before = try TrainingRunner().run(plain)
    #expect(before.validationInteractions == 0 && before.notes.isEmpty)
    #expect(
      TrainingReportRenderer(format: .text).render(before).contains(
        "data: 80 users, 40 items; 480 training and 160 held-out interactions (random split, test_fraction 0.25, "
          + "seed 3)\n"))
    let beforeJSON = TrainingReportRenderer(format: .json).render(before)
    let beforeObject = try #require(try JSONSerialization.jsonObject(with: Data(beforeJSON.utf8)) as? [String: Any])
    #expect((beforeObject["data"] as? [String: Any])?["validation_interactions"] as? Int == 0)
    #expect((beforeObject["split"] as? [String: Any])?["validation_fraction"] is NSNull)
  }

  @Test("losslab split and train --save-split write validation.csv; it never replaces an input")
  func files() throws {
    let config = try plantedValidationConfig()
    let folder = URL(fileURLWithPath: config).deletingLastPathComponent()
    let split = try losslab(["split", "planted.yaml", "--output", "out"], in: folder)
    #expect(split.status == 0, "\(split.stderr)")
    #expect(split.stdout == "out/train.csv: 402 interactions; out/validation.csv: 80; out/test.csv: 160\n")
    #expect(
      split.stderr
        == "note: 1 user has fewer than 3 interactions (too few for a training, a validation and a test part); it is "
        + "kept in training only\n")
    let out = folder.appendingPathComponent("out")
    #expect(
      try String(contentsOf: out.appendingPathComponent("validation.csv"), encoding: .utf8).hasPrefix(
        "user,item,rating,time\n"))
    let (train, validation, test) = (
      try pairs(out.appendingPathComponent("train.csv")), try pairs(out.appendingPathComponent("validation.csv")),
      try pairs(out.appendingPathComponent("test.csv"))
    )
    let all = try pairs(folder.appendingPathComponent("ratings.csv"))
    #expect((train + validation + test).sorted() == all.sorted())
    #expect(Set(train + validation + test).count == all.count)
    // One validation row for each of the 80 planted users, none for `lonely`.
    #expect(Set(validation.map { $0.split(separator: ",")[0] }).count == 80 && validation.count == 80)
    #expect(!validation.contains { $0.hasPrefix("lonely,") })

    let saved = try losslab(["train", "planted.yaml", "--save-split", "saved"], in: folder)
    #expect(saved.status == 0, "\(saved.stderr)")
    for name in ["train.csv", "validation.csv", "test.csv"] {
      #expect(
        try String(contentsOf: folder.appendingPathComponent("saved/\(name)"), encoding: .utf8)
          == String(contentsOf: out.appendingPathComponent(name), encoding: .utf8), "\(name)")
    }

    // The data file named validation.csv, in the output folder: refused before anything is written.
    try FileManager.default.moveItem(
      at: folder.appendingPathComponent("ratings.csv"), to: folder.appendingPathComponent("validation.csv"))
    let text = try String(contentsOfFile: config, encoding: .utf8)
    try text.replacingOccurrences(of: "path: ratings.csv", with: "path: validation.csv").write(
      toFile: config, atomically: true, encoding: .utf8)
    let ratings = try String(contentsOf: folder.appendingPathComponent("validation.csv"), encoding: .utf8)
    for command in [["split", "planted.yaml", "--output", "."], ["train", "planted.yaml", "--save-split", "."]] {
      let refused = try losslab(command, in: folder)
      #expect(refused.status == 73)
      #expect(
        refused.stderr
          == "losslab: error: cannot write ./validation.csv: it is the data file validation.csv, an input of this run; "
          + "choose another file\n")
    }
    #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("train.csv").path))
    #expect(try String(contentsOf: folder.appendingPathComponent("validation.csv"), encoding: .utf8) == ratings)

    // Without validation_fraction, validation.csv is not written, so the same folder is fine.
    try text.replacingOccurrences(of: "path: ratings.csv", with: "path: validation.csv")
      .replacingOccurrences(of: ", validation_fraction: 0.125", with: "").write(
        toFile: config, atomically: true, encoding: .utf8)
    let plain = try losslab(["split", "planted.yaml", "--output", "."], in: folder)
    #expect(plain.status == 0, "\(plain.stderr)")
    #expect(plain.stdout == "./train.csv: 481 interactions; ./test.csv: 161\n")
    // With --timing, the seconds of each step go to standard error.
    #expect(!plain.stderr.contains("timing:"))
    let timed = try losslab(["split", "planted.yaml", "--output", ".", "--timing"], in: folder)
    #expect(timed.stdout == plain.stdout)
    let timing = #/timing: loaded in \d+\.\d\d s, split in \d+\.\d\d s, written in \d+\.\d\d s\n$/#
    #expect(timed.stderr.contains(timing), "\(timed.stderr)")
    #expect(try String(contentsOf: folder.appendingPathComponent("validation.csv"), encoding: .utf8) == ratings)
  }
}
