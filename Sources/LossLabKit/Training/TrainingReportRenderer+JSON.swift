import RankingLosses
import Recommender

extension TrainingReportRenderer {
  /// The report as JSON (``JSONValue``'s layout and number rule).
  func json(_ report: TrainingReport) -> String {
    let config = report.config
    let t = config.training
    var root = JSONObject()
    root["experiment"] = .string(config.experiment)
    if let description = config.description { root["description"] = .string(description) }
    root["file"] = .string(config.file)
    root["data"] = .object([
      ("users", .integer(report.users)), ("items", .integer(report.items)),
      ("train_interactions", .integer(report.trainInteractions)),
      ("test_interactions", .integer(report.testInteractions)),
      ("validation_interactions", .integer(report.validationInteractions)),
      ("evaluated_users", .integer(report.evaluatedUsers)),
      ("notes", .array(report.notes.map(JSONValue.string))),
    ])
    root["split"] = .object([
      ("method", .string(config.split.method.rawValue)), ("test_fraction", .number(config.split.testFraction)),
      ("validation_fraction", config.split.validationFraction.map(JSONValue.number) ?? .null),
      ("seed", .integer(config.split.seed)),
    ])
    root["training"] = trainingJSON(t)
    let evaluation = config.evaluation
    root["evaluation"] = .object([
      ("metrics", .array(evaluation.metrics.map { .string($0.rawValue) })),
      ("k", .array(evaluation.cutoffs.map { .integer($0) })),
      ("columns", .array(evaluation.columns.map { .string($0.name) })),
      ("ties", .string(evaluation.ties.rawValue)), ("eval_every", .integer(evaluation.evalEvery)),
      ("select", .string(evaluation.select.name)),
    ])
    root["seeds"] = .array(config.seeds.map { .integer($0) })
    root["results"] = .array(report.results.map { resultJSON($0, columns: evaluation.columns) })
    return root.value.document
  }

  private func trainingJSON(_ t: TrainingOptions) -> JSONValue {
    .object([
      ("factors", .integer(t.factors)), ("init_scale", .number(t.initScale)),
      ("epochs", .integer(t.epochs)),
      ("batch_size", .integer(t.batchSize)), ("negatives", .integer(t.negatives)),
      ("sampler", .string(t.sampler.rawValue)), ("optimizer", .string(t.optimizer.rawValue)),
      ("learning_rate", .number(t.learningRate)), ("l2", .number(t.l2)), ("threads", .integer(t.threads)),
    ])
  }

  private func metricsJSON(_ m: MetricValues) -> JSONValue {
    .object(zip(m.columns, m.values).map { ($0.name, .number($1)) })
  }

  private func resultJSON(_ result: VariantResult, columns: [MetricColumn]) -> JSONValue {
    let variant = result.variant.loss
    var summary: [(String, JSONValue)] = columns.map { column in
      let (mean, std) = result.summary(column)
      return (column.name, .object([("mean", .number(mean)), ("std", .number(std))]))
    }
    for (key, value) in [
      ("training_seconds", \SeedRun.trainingSeconds), ("interactions_per_second", \SeedRun.interactionsPerSecond),
    ] {
      let (mean, std) = result.summary { $0[keyPath: value] }
      summary.append((key, .object([("mean", .number(mean)), ("std", .number(std))])))
    }
    let runs: [JSONValue] = result.runs.map { run in
      .object([
        ("seed", .integer(run.seed)), ("metrics", metricsJSON(run.metrics)),
        ("training_seconds", .number(run.trainingSeconds)),
        ("interactions_per_second", .number(run.interactionsPerSecond)),
        (
          "history",
          .array(
            run.history.map { record in
              var fields: [(String, JSONValue)] = [
                ("epoch", .integer(record.epoch)), ("loss", .number(record.loss)),
                ("seconds", .number(record.seconds)),
              ]
              if let metrics = record.metrics { fields.append(("metrics", metricsJSON(metrics))) }
              return .object(fields)
            })
        ),
      ])
    }
    return .object([
      ("label", .string(variant.label)), ("loss", .string(variant.name)),
      ("params", .object(result.parameters.sorted { $0.key < $1.key }.map { ($0.key, parameterJSON($0.value)) })),
      (
        "partial_credit",
        variant.partialCredit.map { .object($0.entries.map { ($0.field, .number($0.weight)) }) } ?? .null
      ),
      ("training", trainingJSON(result.variant.training)),
      ("negatives_per_positive", .integer(result.negativesPerPositive)),
      ("summary", .object(summary)), ("runs", .array(runs)),
    ])
  }

  private func parameterJSON(_ value: LossParameterValue) -> JSONValue {
    switch value {
    case .integer(let n): return .integer(n)
    case .real(let x): return .number(x)
    case .boolean(let b): return .bool(b)
    case .string(let s): return .string(s)
    }
  }
}
