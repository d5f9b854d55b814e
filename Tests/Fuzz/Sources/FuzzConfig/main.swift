import FuzzSupport
import LossLabKit

// Any bytes as a config: parsed by the system's libyaml, decoded (plugins only checked, never loaded), every
// diagnostic rendered with its source line; a loss table small enough to run quickly is run, with
// gradients, and rendered in every format.
var loader = ConfigLoader(plugins: .check)
loader.decoder.maxGeneratedScores = 20_000

runFuzzer { data, size in
  let source = bytes(data, size)
  let loaded = loader.load(source: source, file: "fuzz.yaml")
  for diagnostic in loaded.diagnostics { _ = diagnostic.rendered(source: loaded.source) }
  guard let config = loaded.lossTable else { return 0 }
  let scores = config.scenarios.reduce(0) { total, scenario in
    total + scenario.batch.positiveScores.count * (scenario.batch.negativeScores.rows + 1)
  }
  guard scores * max(config.losses.count, 1) <= 200_000 else { return 0 }
  do throws(ConfigErrors) {
    let report = try ExperimentRunner(computeGradients: true).run(config)
    for format in ReportFormat.allCases { _ = ReportRenderer(format: format).render([report]) }
    _ = report.nonFiniteDiagnostics
  } catch {
    for diagnostic in error.diagnostics { _ = diagnostic.rendered(source: loaded.source) }
  }
  return 0
}
