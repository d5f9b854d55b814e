import Foundation
import LossLabKit
import RankingLosses

/// The repository's root folder (tests read the shipped configs and run the built `losslab`).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent()

/// The path of a shipped config.
func shippedConfig(_ name: String) -> String {
  repositoryRoot.appendingPathComponent("configs/\(name)").path
}

/// Checks a config given as text under the name `file`.
func check(_ yaml: String, file: String = "test.yaml") -> LoadedConfig {
  ConfigLoader().load(source: Array(yaml.utf8), file: file)
}

/// The rendered diagnostics of a config given as text (first line of each, joined by newlines).
func errors(_ yaml: String, file: String = "test.yaml") -> [String] {
  check(yaml, file: file).diagnostics.map(\.description)
}

/// The diagnostics rendered with source line and caret.
func renderedErrors(_ yaml: String, file: String = "test.yaml") -> String {
  let loaded = check(yaml, file: file)
  return loaded.diagnostics.map { $0.rendered(source: loaded.source) }.joined(separator: "\n")
}

/// Loads and runs a config given as text.
func run(_ yaml: String, gradients: Bool = false) throws -> ExperimentReport {
  let loaded = check(yaml)
  guard let config = loaded.lossTable else {
    throw ConfigErrors(diagnostics: loaded.diagnostics, sources: ["test.yaml": loaded.source ?? []])
  }
  return try ExperimentRunner(computeGradients: gradients).run(config)
}

/// A minimal valid config with `losses` and `scenarios` replaced by the given YAML blocks.
func config(
  losses: String = "  - bpr", scenarios: String = "  - {name: s, positive_scores: [1.0], negative_scores: [0.5]}",
  extra: String = ""
) -> String {
  "\(extra)losses:\n\(losses)\nscenarios:\n\(scenarios)\n"
}
