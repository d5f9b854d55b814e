import Foundation
import LossLabKit
import LossLabTestSupport
import Recommender
import Testing

@Suite("evaluation: metrics, cut-offs and select")
struct EvaluationConfigTests {
  /// The diagnostics of a training config with `evaluation` as its evaluation mapping, `t.yaml` for its
  /// path; the data and losses lines come first, so the evaluation is on line 3.
  func diagnostics(_ evaluation: String) throws -> [String] {
    try trainingDiagnostics(
      "data:\n  interactions: {path: r.csv, user: u, item: i}\nevaluation: \(evaluation)\nlosses: [warp]\n")
  }

  func evaluation(_ text: String) throws -> EvaluationOptions {
    let folder = try temporaryFolder()
    let path = folder.appendingPathComponent("t.yaml").path
    try "data:\n  interactions: {path: r.csv, user: u, item: i}\nevaluation: \(text)\nlosses: [warp]\n"
      .write(toFile: path, atomically: true, encoding: .utf8)
    let loaded = ConfigLoader().load(path: path, as: .training)
    #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics)")
    return try #require(loaded.training).evaluation
  }

  @Test("defaults: today's seven metrics in today's order at k = 10, selecting ndcg@10")
  func defaults() throws {
    let options = try evaluation("{ties: average}")
    #expect(options.metrics == [.auc, .map, .mrr, .ndcg, .precision, .recall, .hitRate])
    #expect(options.cutoffs == [10])
    #expect(options.columns.map(\.displayName) == ["AUC", "MAP@10", "MRR", "NDCG@10", "P@10", "R@10", "HR@10"])
    #expect(options.select == MetricColumn(.ndcg, k: 10))
    #expect(EvaluationOptions() == options.with { $0.ties = .pessimistic })
  }

  @Test("columns follow the config's order; k may be one integer or a list; select names a column")
  func order() throws {
    let options = try evaluation("{metrics: [ndcg, precision, mrr], k: [5, 10], select: precision@10}")
    #expect(options.columns.map(\.name) == ["ndcg@5", "ndcg@10", "precision@5", "precision@10", "mrr"])
    #expect(options.select == MetricColumn(.precision, k: 10))
    #expect(options.largestCutoff == 10)
    // Default select: ndcg at the first k when ndcg is computed, else the first column.
    #expect(try evaluation("{metrics: [recall, ndcg], k: [20, 5]}").select == MetricColumn(.ndcg, k: 20))
    #expect(try evaluation("{metrics: [mrr, recall], k: 3}").select == .mrr)
    #expect(try evaluation("{metrics: hit_rate, k: [7]}").columns == [MetricColumn(.hitRate, k: 7)])
    #expect(try evaluation("{metrics: [auc], select: auc}").select == .auc)
  }

  @Test("unknown, repeated and misplaced metrics, repeated or small k, and a select not computed: located errors")
  func mistakes() throws {
    #expect(
      try diagnostics("{metrics: [ndgc, auc, auc], k: [5, 10, 5, 0]}") == [
        "t.yaml:3:24: error: evaluation.metrics[0]: unknown metric 'ndgc' (did you mean 'ndcg'?); use one of: auc, "
          + "map, mrr, ndcg, precision, recall, hit_rate",
        "t.yaml:3:35: error: evaluation.metrics[2]: metric 'auc' is repeated; each metric is computed once",
        "t.yaml:3:52: error: evaluation.k[2]: k 5 is repeated; the cut-offs must be distinct",
        "t.yaml:3:55: error: evaluation.k[3]: k must be >= 1, got 0",
      ])
    #expect(
      try diagnostics("{metrics: [ndcg, recall], k: [5, 10], select: ndcg@20}") == [
        "t.yaml:3:59: error: evaluation.select: select 'ndcg@20' is not a computed column (did you mean 'ndcg@10'?); "
          + "the computed columns are: ndcg@5, ndcg@10, recall@5, recall@10"
      ])
    #expect(
      try diagnostics("{metrics: [recall], select: auc}") == [
        "t.yaml:3:41: error: evaluation.select: select 'auc' is not a computed column; the computed columns are: "
          + "recall@10"
      ])
    #expect(
      try diagnostics("{metrics: [ndcg@10], k: [], select: 3}") == [
        "t.yaml:3:24: error: evaluation.metrics[0]: a metric is named without its cut-off, got 'ndcg@10'; give "
          + "'ndcg' here and the cut-offs in k",
        "t.yaml:3:37: error: evaluation.k: k is empty; give at least one cut-off",
        "t.yaml:3:49: error: evaluation.select: select must be text, got the integer 3 (quote it to make it text)",
      ])
    #expect(
      try diagnostics("{metrics: [], k: 2.5, selct: auc}") == [
        "t.yaml:3:23: error: evaluation.metrics: metrics is empty; name at least one metric",
        "t.yaml:3:30: error: evaluation.k: k must be an integer, got the number 2.5",
        "t.yaml:3:35: error: evaluation.selct: unknown key 'selct' (did you mean 'select'?); evaluation takes: "
          + "metrics, k, ties, eval_every, select, significance",
      ])
  }
}

extension EvaluationOptions {
  /// A copy with `change` applied.
  fileprivate func with(_ change: (inout EvaluationOptions) -> Void) -> EvaluationOptions {
    var copy = self
    change(&copy)
    return copy
  }
}
