import RankingLosses
import YAMLNodes

extension ConfigDecoder {
  /// Decodes a loss-table config's top level: the common part, `metadata:` (which partial credit refers
  /// to) and `scenarios:`; then builds every loss on every scenario, so that every error shows before
  /// anything runs.
  func decodeLossTable(
    _ top: [String: (key: YAMLNode, value: YAMLNode)], root: YAMLNode, _ reader: inout ConfigReader
  ) -> ExperimentConfig? {
    let path = ConfigPath.root
    let metadata = top["metadata"].flatMap { decodeMetadata($0.value, path.key("metadata"), &reader) }
    let partialCredit = PartialCreditContext(
      fieldNames: metadata?.fieldNames, declared: top["metadata"] != nil,
      hint: "add a top-level 'metadata:' with one category code per item for each field")
    let common = decodeCommon(top, root: root, kind: .lossTable, partialCredit: partialCredit, &reader)
    var scenarios: [Scenario] = []
    if let entry = top["scenarios"] {
      scenarios = decodeScenarios(entry.value, path.key("scenarios"), metadata: metadata, &reader)
    } else {
      reader.error("a config needs 'scenarios': the list of score batches to evaluate", at: root.mark, path)
    }
    var config = ExperimentConfig(
      file: reader.file, experiment: common.experiment, description: common.description, metadata: metadata,
      losses: common.losses.flatMap(\.variants), scenarios: scenarios)
    config.registry = common.registry
    if !reader.hasErrors { checkCombinations(config, &reader) }
    return config
  }

  /// Resolves `num_items` for every loss that declares it and builds each loss once per scenario; a variant
  /// that cannot be built is reported once, at its entry.
  private func checkCombinations(_ config: ExperimentConfig, _ reader: inout ConfigReader) {
    for variant in config.losses {
      for scenario in config.scenarios {
        do {
          _ = try config.buildLoss(variant, on: scenario)
        } catch {
          reader.error(error.description, at: variant.mark, variant.keyPath)
          break
        }
      }
    }
  }
}
