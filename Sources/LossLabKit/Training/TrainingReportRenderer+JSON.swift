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
      ("significance", evaluation.significance.map(significanceOptionsJSON) ?? .null),
    ])
    root["search"] =
      config.search.map { search in
        .object([
          ("method", .string(search.method.rawValue)), ("trials", search.trials.map { .integer($0) } ?? .null),
          ("seed", .integer(search.seed)),
        ])
      } ?? .null
    root["seeds"] = .array(config.seeds.map { .integer($0) })
    if let partial = report.partial { root["partial"] = .string(partial) }
    if !report.remarks.isEmpty { root["remarks"] = .array(report.remarks.map(JSONValue.string)) }
    root["results"] = .array(
      report.results.enumerated().map { row, result in
        var object = resultJSON(result, columns: evaluation.columns)
        if case .object(var fields) = object {
          if !report.significance.isEmpty {
            fields.append(("significance", significanceJSON(report, row: row)))
          }
          object = .object(fields)
        }
        return object
      })
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
        ("epoch", .integer(run.selectedEpoch)), ("validation", run.validation.map { .number($0) } ?? .null),
        ("validation_seconds", .number(run.validationSeconds)),
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
              if let validation = record.validation { fields.append(("validation", .number(validation))) }
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
      ("training", trainingJSON(result.point.options)),
      ("negatives_per_positive", .integer(result.negativesPerPositive)),
      ("selected", selectedJSON(result)), ("search", searchJSON(result)),
      ("summary", .object(summary)), ("runs", .array(runs)),
    ])
  }

  /// The chosen settings: model and training options, each seed's selected epoch and, with a validation
  /// split, the validation score they were chosen by.
  private func selectedJSON(_ result: VariantResult) -> JSONValue {
    let t = result.point.options
    var fields: [(String, JSONValue)] = [
      ("model", .object([("factors", .integer(t.factors)), ("init_scale", .number(t.initScale))])),
      ("training", trainingOnlyJSON(t)),
      ("epochs", .array(result.runs.map { .integer($0.selectedEpoch) })),
    ]
    if let selection = result.selection {
      fields.append(
        (
          "validation",
          .object([("metric", .string(selection.metric)), ("value", .number(selection.chosenScore.score))])
        ))
    } else {
      fields.append(("validation", .null))
    }
    return .object(fields)
  }

  /// Every trained point with its validation scores, and the choice; `null` without a validation split.
  private func searchJSON(_ result: VariantResult) -> JSONValue {
    guard let selection = result.selection else { return .null }
    return .object([
      ("grid_size", .integer(selection.gridSize)), ("chosen", .integer(selection.chosen)),
      (
        "points",
        .array(
          selection.points.map { point in
            .object([
              ("settings", .object(point.point.varied.map { ($0.key, settingJSON($0)) })),
              ("validation", .number(point.score)),
              ("seed_validation", .array(point.seedScores.map { .number($0) })),
              ("epochs", .array(point.seedEpochs.map { .integer($0) })),
            ])
          })
      ),
    ])
  }

  private func settingJSON(_ setting: TrainingSetting) -> JSONValue {
    switch setting {
    case .factors(let n), .epochs(let n), .batchSize(let n), .negatives(let n), .threads(let n), .patience(let n):
      .integer(n)
    case .initScale(let x), .learningRate(let x), .l2(let x): .number(x)
    case .sampler(let kind): .string(kind.rawValue)
    case .optimizer(let kind): .string(kind.rawValue)
    }
  }

  private func trainingOnlyJSON(_ t: TrainingOptions) -> JSONValue {
    .object([
      ("epochs", .integer(t.epochs)), ("patience", t.patience.map { .integer($0) } ?? .null),
      ("batch_size", .integer(t.batchSize)), ("negatives", .integer(t.negatives)),
      ("sampler", .string(t.sampler.rawValue)), ("optimizer", .string(t.optimizer.rawValue)),
      ("learning_rate", .number(t.learningRate)), ("l2", .number(t.l2)), ("threads", .integer(t.threads)),
    ])
  }

  private func significanceOptionsJSON(_ options: SignificanceOptions) -> JSONValue {
    .object([
      ("test", .string(options.test.rawValue)), ("permutations", .integer(options.permutations)),
      ("seed", .integer(options.seed)), ("max_p", .number(options.maxP)),
      ("correction", .string(options.correction.rawValue)),
    ])
  }

  /// One row's p-values against every other row, per metric.
  private func significanceJSON(_ report: TrainingReport, row: Int) -> JSONValue {
    guard let options = report.config.evaluation.significance else { return .null }
    let labels = report.results.map(\.variant.loss.label)
    func table(_ values: (MetricComparison) -> [[Double]]) -> JSONValue {
      .object(
        report.significance.map { comparison in
          let matrix = values(comparison)
          return (
            comparison.metric,
            .object(labels.indices.filter { $0 != row }.map { (labels[$0], .number(matrix[row][$0])) })
          )
        })
    }
    return .object([
      ("test", .string(options.test.rawValue)), ("max_p", .number(options.maxP)),
      ("correction", .string(options.correction.rawValue)),
      ("p_values", table(\.pValues)), ("adjusted_p_values", table(\.adjustedPValues)),
      (
        "beats",
        .object(
          report.significance.map { comparison in
            (comparison.metric, .array(comparison.beats[row].map { .string(labels[$0]) }))
          })
      ),
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
