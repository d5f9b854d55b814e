import Foundation
import LossLabKit
import LossLabTestSupport
import RankingLosses
import Recommender
import Testing

@Suite("Grids of training settings, search and early stopping")
struct TrainingSelectionTests {
  func diagnostics(_ yaml: String) throws -> [String] { try trainingDiagnostics(yaml) }

  /// A training config over the planted data with a validation split; `training` is added to the
  /// planted `training:` mapping (whose learning rate it may replace).
  func config(_ training: String, extra: String = "", losses: String = "  - bpr\n  - warp") throws -> TrainingConfig {
    let path = try plantedTrainingConfig(losses: losses, extra: extra)
    let planted = try String(contentsOfFile: path, encoding: .utf8)
    let text =
      planted
      .replacingOccurrences(
        of: "split: {method: random, test_fraction: 0.25, seed: 3}",
        with: "split: {method: random, test_fraction: 0.25, validation_fraction: 0.15, seed: 3}"
      )
      .replacingOccurrences(of: "learning_rate: 0.1, threads: 1}", with: "threads: 1\(training)}")
    #expect(text != planted)
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    let file = ConfigLoader().load(path: path, as: .training)
    #expect(file.diagnostics.isEmpty, "\(file.diagnostics.map(\.description))")
    return try #require(file.training)
  }

  @Test("lists under model and training make a grid, the first setting varying slowest")
  func gridOrder() throws {
    let config = try config(", learning_rate: [0.05, 0.1], l2: [0, 0.001]")
    for variant in config.variants {
      #expect(variant.gridSize == 4 && variant.points.count == 4)
      #expect(
        variant.points.map(\.variedDescription) == [
          "training.learning_rate=0.05, training.l2=0.0", "training.learning_rate=0.05, training.l2=0.001",
          "training.learning_rate=0.1, training.l2=0.0", "training.learning_rate=0.1, training.l2=0.001",
        ])
      #expect(variant.points.map(\.options.learningRate) == [0.05, 0.05, 0.1, 0.1])
      #expect(variant.points.map(\.options.l2) == [0, 0.001, 0, 0.001])
      // The settings that do not vary are the config's.
      #expect(variant.points.allSatisfy { $0.options.epochs == 12 && $0.options.factors == 8 })
    }
    #expect(config.training.learningRate == 0.05 && config.training.l2 == 0)
  }

  @Test("an entry's override replaces a list in place or adds one; model settings may vary too")
  func overrides() throws {
    let config = try config(
      ", learning_rate: [0.05, 0.1], l2: [0, 0.001]",
      losses: """
          - loss: bpr
            training: {learning_rate: 0.2}
          - loss: warp
            model: {factors: [4, 8]}
          - loss: hinge
            training: {learning_rate: 0.3, l2: 0.01}
        """)
    let bpr = config.variants[0]
    #expect(bpr.points.map(\.variedDescription) == ["training.l2=0.0", "training.l2=0.001"])
    #expect(bpr.points.allSatisfy { $0.options.learningRate == 0.2 })
    let warp = config.variants[1]
    #expect(warp.gridSize == 8)
    // The planted config sets model.factors at the top level: the override's list takes its place (first).
    #expect(warp.points[0].variedDescription == "model.factors=4, training.learning_rate=0.05, training.l2=0.0")
    #expect(warp.points.map(\.options.factors) == [4, 4, 4, 4, 8, 8, 8, 8])
    let hinge = config.variants[2]
    #expect(!hinge.hasGrid && hinge.training.learningRate == 0.3 && hinge.training.l2 == 0.01)
  }

  @Test("a random search trains `trials` distinct points, the same ones for every variant with the same grid")
  func randomSearch() throws {
    let config = try config(
      ", learning_rate: [0.01, 0.02, 0.05, 0.1, 0.2], l2: [0, 0.0001, 0.001, 0.01]",
      extra: "search: {method: random, trials: 6, seed: 9}\n")
    let points = config.variants[0].points
    #expect(points.count == 6 && config.variants[0].gridSize == 20)
    #expect(Set(points).count == 6)
    #expect(config.variants[1].points == points)
    let again = try self.config(
      ", learning_rate: [0.01, 0.02, 0.05, 0.1, 0.2], l2: [0, 0.0001, 0.001, 0.01]",
      extra: "search: {method: random, trials: 6, seed: 9}\n")
    #expect(again.variants[0].points == points)
    let other = try self.config(
      ", learning_rate: [0.01, 0.02, 0.05, 0.1, 0.2], l2: [0, 0.0001, 0.001, 0.01]",
      extra: "search: {method: random, trials: 6, seed: 10}\n")
    #expect(other.variants[0].points != points)
    // Every point of the sample is a point of the grid, in grid order.
    let grid = try self.config(", learning_rate: [0.01, 0.02, 0.05, 0.1, 0.2], l2: [0, 0.0001, 0.001, 0.01]")
    let indices = points.map { grid.variants[0].points.firstIndex(of: $0) }
    #expect(indices.allSatisfy { $0 != nil })
    #expect(indices.compactMap { $0 } == indices.compactMap { $0 }.sorted())
    // Trials at or above the grid's size train every point.
    let all = try self.config(", learning_rate: [0.05, 0.1]", extra: "search: {method: random, trials: 5}\n")
    #expect(all.variants[0].points.count == 2)
  }

  @Test("a grid or patience without a validation split, and a grid too large, are located errors")
  func gridErrors() throws {
    let yaml = """
      data:
        interactions: {path: r.csv, user: u, item: i}
      training: {learning_rate: [0.05, 0.1], patience: 3}
      losses: [bpr, warp]

      """
    #expect(
      try diagnostics(yaml) == [
        "t.yaml:3:27: error: training.learning_rate: a list of values makes a grid of training settings "
          + "(training.learning_rate 2), and choosing among them needs a validation split: add "
          + "split.validation_fraction (e.g. 0.1); choosing on the test split would overstate the test scores",
        "t.yaml:3:40: error: training.patience: patience needs a validation split to score each epoch on: add "
          + "split.validation_fraction (e.g. 0.1)",
      ])
    let big = """
      data:
        interactions: {path: r.csv, user: u, item: i}
      split: {validation_fraction: 0.1}
      model: {factors: [4, 8, 16, 32, 64]}
      training: {learning_rate: [0.01, 0.02, 0.05, 0.1, 0.2], l2: [0, 0.0001, 0.001, 0.01, 0.1]}
      losses:
        - bpr
        - loss: warp
          training: {l2: [0, 0.1]}

      """
    #expect(
      try diagnostics(big) == [
        "t.yaml:4:18: error: model.factors: the grid of training settings (model.factors 5 × "
          + "training.learning_rate 5 × training.l2 5) has 125 points, more than 100; give fewer values or "
          + "sample it with search: {method: random, trials: N}"
      ])
  }

  @Test("grid values are checked one by one; repeats, empty lists and search mistakes are reported")
  func valueErrors() throws {
    let yaml = """
      data:
        interactions: {path: r.csv, user: u, item: i}
      split: {validation_fraction: 0.1}
      training: {learning_rate: [0.1, -1, 0.1], epochs: [], optimizer: [adam, sgdd]}
      search: {method: grid, trials: 3}
      losses: [bpr]

      """
    #expect(
      try diagnostics(yaml) == [
        "t.yaml:4:33: error: training.learning_rate[1]: learning_rate must be > 0, got -1.0",
        "t.yaml:4:37: error: training.learning_rate[2]: learning_rate lists 0.1 twice; each value of a grid once",
        "t.yaml:4:51: error: training.epochs: epochs is an empty list; give one value or a list of values to try",
        "t.yaml:4:73: error: training.optimizer[1]: unknown optimizer 'sgdd' (did you mean 'sgd'?); use one of: "
          + "sgd, adagrad, adam",
        "t.yaml:5:24: error: search.trials: trials applies to a random search; add method: random, or drop "
          + "trials to train every point",
      ])
    let random = """
      data:
        interactions: {path: r.csv, user: u, item: i}
      search: {method: random}
      losses: [bpr]

      """
    #expect(
      try diagnostics(random) == [
        "t.yaml:3:9: error: search: a random search needs 'trials': the number of points to train"
      ])
  }

  @Test("each variant reports its best validation point on the test split")
  func chosenPointIsBest() throws {
    var config = try config(", learning_rate: [0.02, 0.3]")
    config.seeds = [1, 2]
    for v in config.variants.indices {
      for p in config.variants[v].points.indices { config.variants[v].points[p].options.epochs = 4 }
    }
    let report = try TrainingRunner().run(config)
    #expect(report.validationInteractions > 0)
    for result in report.results {
      let selection = try #require(result.selection)
      #expect(selection.points.count == 2 && selection.metric == "ndcg@5")
      let best = try #require(selection.points.map(\.score).max())
      #expect(selection.chosen == selection.points.firstIndex { $0.score == best })
      #expect(result.point == selection.points[selection.chosen].point)
      // The reported runs are the chosen point's: their validation scores are the ones it was chosen by.
      #expect(result.runs.map { $0.validation ?? -1 } == selection.chosenScore.seedScores)
      #expect(result.runs.allSatisfy { ($0.metrics[.auc] ?? 0) > 0.5 })
    }
  }
}

@Suite("Significance and selection in configs and reports")
struct SignificanceReportTests {
  func diagnostics(_ yaml: String) throws -> [String] { try trainingDiagnostics(yaml) }

  @Test("significance settings are checked where they are")
  func significanceErrors() throws {
    let yaml = """
      data:
        interactions: {path: r.csv, user: u, item: i}
      evaluation:
        significance: {test: wilcoxon, permutations: 50, max_p: 1.5, correction: holmes, sed: 3}
      losses: [bpr, warp]

      """
    #expect(
      try diagnostics(yaml) == [
        "t.yaml:4:24: error: evaluation.significance.test: unknown significance test 'wilcoxon'; use one of: t, "
          + "randomization",
        "t.yaml:4:48: error: evaluation.significance.permutations: permutations must be >= 100, got 50",
        "t.yaml:4:59: error: evaluation.significance.max_p: max_p must be between 0 and 1 (exclusive), got 1.5",
        "t.yaml:4:76: error: evaluation.significance.correction: unknown correction 'holmes' (did you mean "
          + "'holm'?); use one of: none, bonferroni, holm",
        "t.yaml:4:84: error: evaluation.significance.sed: unknown key 'sed' (did you mean 'seed'?); significance "
          + "takes: test, permutations, seed, max_p, correction",
      ])
  }

  @Test("a report with significance letters the rows, and JSON carries the p-values, the choice and the search")
  func reportFields() throws {
    var config = try TrainingSelectionTests().config(
      ", learning_rate: [0.05, 0.2], patience: 2", losses: "  - bpr\n  - adaptive_bpr\n  - warp")
    config.evaluation.significance = SignificanceOptions(test: .t, maxP: 0.05, correction: .holm)
    config.seeds = [1]
    for v in config.variants.indices {
      for p in config.variants[v].points.indices { config.variants[v].points[p].options.epochs = 6 }
    }
    let report = try TrainingRunner().run(config)
    #expect(report.significance.count == config.evaluation.columns.count)
    // The letters in the text table are the rows each value beats.
    let text = TrainingReportRenderer(format: .text).render(report)
    #expect(text.contains("Letters after a value: the rows it beats"))
    for (m, comparison) in report.significance.enumerated() {
      let column = config.evaluation.columns[m]
      for (row, beaten) in comparison.beats.enumerated() {
        for other in beaten {
          #expect(comparison.means[row] > comparison.means[other])
          #expect(comparison.adjustedPValues[row][other] <= 0.05, "\(column.name)")
        }
      }
    }
    let json = TrainingReportRenderer(format: .json).render(report)
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    let results = try #require(object["results"] as? [[String: Any]])
    #expect(results.count == 3)
    for (row, result) in results.enumerated() {
      let selected = try #require(result["selected"] as? [String: Any])
      let validation = try #require(selected["validation"] as? [String: Any])
      #expect(validation["metric"] as? String == config.evaluation.select.name)
      #expect(selected["epochs"] as? [Int] == report.results[row].runs.map(\.selectedEpoch))
      let search = try #require(result["search"] as? [String: Any])
      #expect((search["points"] as? [Any])?.count == 2 && search["grid_size"] as? Int == 2)
      let significance = try #require(result["significance"] as? [String: Any])
      #expect(significance["test"] as? String == "t" && significance["correction"] as? String == "holm")
      let pValues = try #require(significance["p_values"] as? [String: [String: Double]])
      let others = Set(report.results.map(\.variant.loss.label)).subtracting([report.results[row].variant.loss.label])
      #expect(Set(pValues.keys) == Set(config.evaluation.columns.map(\.name)))
      #expect(pValues.values.allSatisfy { Set($0.keys) == others })
    }
  }
}
