import LossLabTestSupport
import Foundation
import LossLabKit
import RankingLosses
import Recommender
import Testing

/// Writes `folder/ratings.csv`: `users` users in four groups of ten items each, every user with 8 items
/// of their group (columns user, item, rating, time; seeded, so the same file every time).
func writePlantedRatings(in folder: URL, users: Int = 80) throws {
  var ratings = ["user,item,rating,time"]
  var random = SplitMix64(seed: 11)
  for user in 0..<users {
    let group = user % 4
    var chosen = Set<Int>()
    while chosen.count < 8 { chosen.insert(group * 10 + Int.random(in: 0..<10, using: &random)) }
    for item in chosen.sorted() { ratings.append("u\(user),m\(item),\(Int.random(in: 1...5, using: &random)),\(item)") }
  }
  try (ratings.joined(separator: "\n") + "\n").write(
    to: folder.appendingPathComponent("ratings.csv"), atomically: true, encoding: .utf8)
}

/// Writes a small planted data set (4 groups of users and items) as `ratings.csv` and `items.csv` and a
/// training config over it; returns the config's path.
func plantedTrainingConfig(losses: String, extra: String = "", training: String = "") throws -> String {
  let folder = try temporaryFolder()
  try writePlantedRatings(in: folder)
  let items = ["item,genres"] + (0..<40).map { "m\($0),g\($0 / 10)|x" }
  try (items.joined(separator: "\n") + "\n").write(
    to: folder.appendingPathComponent("items.csv"), atomically: true, encoding: .utf8)
  let config = """
    experiment: planted
    data:
      interactions: {path: ratings.csv, user: user, item: item, rating: rating, timestamp: time}
      items: {path: items.csv, id: item, fields: {genre: {column: genres, separator: "|"}}}
    split: {method: random, test_fraction: 0.25, seed: 3}
    model: {factors: 8, init_scale: 0.1}
    training: {epochs: 12, batch_size: 16, negatives: 3, learning_rate: 0.1, threads: 1\(training)}
    evaluation: {k: 5}
    seeds: [1, 2]
    \(extra)losses:
    \(losses)
    """
  let path = folder.appendingPathComponent("planted.yaml").path
  try config.write(toFile: path, atomically: true, encoding: .utf8)
  return path
}

/// The diagnostics of `yaml` loaded as a training config, with the temporary path shown as `t.yaml`.
func trainingDiagnostics(_ yaml: String) throws -> [String] {
  let folder = try temporaryFolder()
  let path = folder.appendingPathComponent("t.yaml").path
  try yaml.write(toFile: path, atomically: true, encoding: .utf8)
  return ConfigLoader().load(path: path, as: .training).diagnostics.map {
    $0.description.replacingOccurrences(of: path, with: "t.yaml")
  }
}

@Suite("Training configs and the training runner")
struct TrainingConfigTests {
  @Test("a config trains every variant and seed; the report marks the best")
  func planted() throws {
    let path = try plantedTrainingConfig(
      losses: """
          - adaptive_hinge
          - warp
          - loss: adaptive_bpr
            label: bpr-fast
            partial_credit: {genre: 0.25}
            training: {learning_rate: 0.2, negatives: 2}
        """)
    let file = ConfigLoader().load(path: path, as: .training)
    #expect(file.diagnostics.isEmpty, "\(file.diagnostics)")
    let loaded = try #require(file.training)
    #expect(loaded.variants.map(\.loss.label) == ["adaptive_hinge", "warp", "bpr-fast"])
    #expect(loaded.variants[2].training.learningRate == 0.2)
    #expect(loaded.variants[2].training.negatives == 2)
    #expect(loaded.variants[0].training.learningRate == 0.1)
    let report = try TrainingRunner().run(loaded)
    #expect(report.users == 80 && report.items == 40)
    #expect(report.results.count == 3)
    for result in report.results {
      #expect(result.runs.count == 2)
      #expect(result.summary(.auc).mean > 0.7, "\(result.variant.loss.label)")
    }
    let text = TrainingReportRenderer(format: .text).render(report)
    #expect(text.contains("* the best value of its column."))
    #expect(text.contains("bpr-fast trains with its own settings: negatives 2, lr 0.2."))
    let markdown = TrainingReportRenderer(format: .markdown).render(report)
    #expect(markdown.contains("| loss | AUC | MAP@5 | MRR | NDCG@5 | P@5 | R@5 | HR@5 | train s | interactions/s |"))
    #expect(markdown.contains("**"))
  }

  @Test("the same config and seeds give the same metrics (one thread)")
  func deterministic() throws {
    let path = try plantedTrainingConfig(losses: "  - warp")
    let config = try #require(ConfigLoader().load(path: path, as: .training).training)
    let a = try TrainingRunner().run(config)
    let b = try TrainingRunner().run(config)
    #expect(a.results[0].runs.map(\.metrics) == b.results[0].runs.map(\.metrics))
  }

  @Test("json carries the per-epoch history; csv is one row per value")
  func formats() throws {
    let path = try plantedTrainingConfig(losses: "  - adaptive_hinge", extra: "")
    var config = try #require(ConfigLoader().load(path: path, as: .training).training)
    config.evaluation.evalEvery = 4
    let report = try TrainingRunner().run(config)
    let json = TrainingReportRenderer(format: .json).render(report)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    let results = try #require(object["results"] as? [[String: Any]])
    let runs = try #require(results.first?["runs"] as? [[String: Any]])
    let history = try #require(runs.first?["history"] as? [[String: Any]])
    #expect(history.count == 12)
    #expect(history.filter { $0["metrics"] != nil }.map { $0["epoch"] as? Int } == [4, 8, 12])
    let csv = TrainingReportRenderer(format: .csv).render(report)
    #expect(csv.hasPrefix("experiment,loss,seed,epoch,metric,value\n"))
    #expect(csv.contains("planted,adaptive_hinge,1,4,auc,"))
    #expect(csv.contains("planted,adaptive_hinge,1,4,ndcg@5,"))
    let svg = TrainingPlot.svg(report)
    #expect(svg.contains("<svg"))
    #expect(svg.contains("adaptive_hinge"))
  }

  func diagnostics(_ yaml: String) throws -> [String] { try trainingDiagnostics(yaml) }

  @Test("config mistakes are placed and explained")
  func mistakes() throws {
    let yaml = """
      data:
        interactions: {path: r.csv, user: u}
      split: {method: randm, test_fraction: 1.5}
      training: {epochs: 0, optimiser: adam, learning_rate: -1}
      evaluation: {ties: optimistic}
      losses:
        - loss: warp
          partial_credit: {genre: 0.5}

      """
    #expect(
      try diagnostics(yaml) == [
        "t.yaml:2:17: error: data.interactions: interactions needs 'item'",
        "t.yaml:3:17: error: split.method: unknown split method 'randm' (did you mean 'random'?); use one of: random, last",
        "t.yaml:3:39: error: split.test_fraction: test_fraction must be between 0 and 1 (exclusive), got 1.5",
        "t.yaml:4:20: error: training.epochs: epochs must be >= 1, got 0",
        "t.yaml:4:23: error: training.optimiser: unknown key 'optimiser' (did you mean 'optimizer'?); training takes: "
          + "epochs, batch_size, negatives, sampler, optimizer, learning_rate, l2, threads, patience",
        "t.yaml:4:55: error: training.learning_rate: learning_rate must be > 0, got -1.0",
        "t.yaml:5:20: error: evaluation.ties: unknown tie convention 'optimistic'; use one of: pessimistic, average",
        "t.yaml:8:21: error: losses[0].partial_credit: partial credit needs item metadata: add data.items with the fields "
          + "to read, e.g. genre: {column: genres, separator: \"|\"}",
      ])
  }

  @Test("an entry's training override is checked once, however many grid points the entry expands to")
  func overrideOnce() throws {
    let yaml = """
      data:
        interactions: {path: r.csv, user: u, item: i}
      losses:
        - loss: warp
          params: {num_items: [10, 20, 30]}
          training: {epochs: 0}

      """
    let found = try diagnostics(yaml)
    #expect(found == ["t.yaml:6:24: error: losses[0].training.epochs: epochs must be >= 1, got 0"], "\(found)")
  }

  @Test("data problems, k above the catalog, divergence: clear errors")
  func runErrors() throws {
    let missing = try plantedTrainingConfig(losses: "  - warp")
    var config = try #require(ConfigLoader().load(path: missing).training)
    config.interactions.path = "/nonexistent/ratings.csv"
    #expect(throws: TrainingRunError.self) { try TrainingRunner().run(config) }
    do {
      _ = try TrainingRunner().run(config)
    } catch {
      #expect(error.description == "/nonexistent/ratings.csv: error: no such file")
    }

    var bigK = try #require(ConfigLoader().load(path: missing).training)
    bigK.evaluation.cutoffs = [41]
    do {
      _ = try TrainingRunner().run(bigK)
      Issue.record("k above the catalog must fail")
    } catch {
      #expect(error.description == "evaluation.k is 41 but the catalog has only 40 items")
    }

    var diverging = try #require(ConfigLoader().load(path: missing).training)
    diverging.variants[0].training.learningRate = 1e30
    diverging.variants[0].training.optimizer = .sgd
    do {
      _ = try TrainingRunner().run(diverging)
      Issue.record("training must diverge")
    } catch {
      #expect(error.description.hasPrefix("warp (seed 1): training diverged in epoch 1"))
      #expect(error.description.hasSuffix("lower the learning rate (now 1e+30) or raise l2"))
    }
  }

  @Test("configs/movielens-losses.yaml decodes and every variant trains an epoch on the bundled data")
  func movieLens() throws {
    let loaded = ConfigLoader().load(path: shippedConfig("movielens-losses.yaml"))
    let (config, diagnostics) = (loaded.training, loaded.diagnostics)
    #expect(diagnostics.isEmpty, "\(diagnostics)")
    var short = try #require(config)
    #expect(short.variants.count == 9)
    #expect(short.training.factors == 32 && short.training.epochs == 40 && short.seeds == [1, 2, 3])
    #expect(short.training.patience == 3 && short.evaluation.significance != nil)
    // Three points of the 3 × 2 grid of learning rate and L2, the same for every variant.
    #expect(short.variants.allSatisfy { $0.points.count == 3 && $0.gridSize == 6 })
    #expect(Set(short.variants.map(\.points)).count == 1)
    // A one-epoch, one-seed, one-point run: the full budget is for release builds (README).
    short.seeds = [1]
    short.evaluation.metrics = [.ndcg, .precision, .auc]
    for index in short.variants.indices { short.variants[index].training.epochs = 1 }
    let report = try TrainingRunner().run(short)
    #expect(report.trainInteractions == 70_550 && report.validationInteractions == 10_122)
    #expect(report.testInteractions == 20_164)
    #expect(report.significance.count == 3)
    for result in report.results {
      #expect(result.runs[0].metrics[.auc] ?? 0 > 0.8, "\(result.variant.loss.label)")
    }
  }
}
