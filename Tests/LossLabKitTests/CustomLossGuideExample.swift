// The complete example of Docs/CustomLosses.md ("Registering a loss from your own package"), as a test.
// GuideTests checks that the guide shows exactly the lines between the markers.
import LossLabKit
import RankingLosses
import Testing

// guide-example-begin
/// A smooth hinge (Rennie & Srebro's smooth hinge on the margin shortfall x = m − d):
/// l = 0 for x ≤ 0, x²/2 for 0 < x < 1, x − 1/2 for x ≥ 1.
struct SmoothHingeLoss: PairwiseLoss {
  var name: String { "smooth_hinge" }
  var reduction: LossReduction { .mean }

  func term<S: LossScalar>(difference d: S, idealDifference m: S) -> PairTerm<S> {
    let x = m - d
    if x <= 0 { return PairTerm(value: 0, derivative: 0) }
    if x < 1 { return PairTerm(value: x * x / 2, derivative: -x) }
    return PairTerm(value: x - 1 / 2, derivative: -1)
  }
}

/// The standard losses plus smooth_hinge and adaptive_smooth_hinge.
func registryWithSmoothHinge() throws -> LossRegistry {
  var registry = LossRegistry.standard
  try registry.registerPairwise(name: "smooth_hinge", summary: "smooth hinge on m - d, mean") { _ in
    SmoothHingeLoss()
  }
  return registry
}

/// Runs a config that names the new loss, and prints its table.
func runWithSmoothHinge(configPath: String) throws -> String {
  let registry = try registryWithSmoothHinge()
  let config = try ConfigLoader(registry: registry).loadLossTable(path: configPath)
  let report = try ExperimentRunner().run(config)
  return ReportRenderer(format: .text).render([report])
}
// guide-example-end
