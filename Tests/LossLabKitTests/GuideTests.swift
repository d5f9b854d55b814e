import LossLabTestSupport
import Foundation
import LossConformance
import LossLabKit
import RankingLosses
import Testing

@Suite("Docs/CustomLosses.md")
struct GuideTests {
  static let guide = repositoryRoot.appendingPathComponent("Docs/CustomLosses.md")
  static let example = repositoryRoot.appendingPathComponent("Tests/LossLabKitTests/CustomLossGuideExample.swift")

  @Test("the guide shows the example exactly as this test target compiles it")
  func sameCode() throws {
    let source = try String(contentsOf: Self.example, encoding: .utf8)
    let begin = try #require(source.range(of: "// guide-example-begin\n"))
    let end = try #require(source.range(of: "// guide-example-end"))
    let code = String(source[begin.upperBound..<end.lowerBound])
    let guide = try String(contentsOf: Self.guide, encoding: .utf8)
    #expect(guide.contains("```swift\n" + code + "```"))
  }

  @Test("the example runs as the guide says: the new loss in a config, its adaptive variant, its checks")
  func runs() throws {
    let folder = try temporaryFolder()
    let path = folder.appendingPathComponent("smooth.yaml").path
    try """
    losses: [hinge, smooth_hinge, adaptive_smooth_hinge]
    scenarios:
      - {name: s, positive_scores: [1.0, 0.0], negative_scores: [[0.5, 2.0], [0.75, -1.0]]}

    """.write(toFile: path, atomically: true, encoding: .utf8)
    let table = try runWithSmoothHinge(configPath: path)
    // First row: x = 0.5 and 3: 0.125 and 2.5, mean 1.3125. Highest negatives 0.75 and 2.0: x = 0.75, 3:
    // 0.28125 and 2.5, mean 1.390625.
    #expect(table.contains("1.3125†"))
    #expect(table.contains("1.3906"))
    let report = LossConformanceChecker().check(try registryWithSmoothHinge().makeLoss("adaptive_smooth_hinge"))
    #expect(report.passed, "\(report)")
  }
}
