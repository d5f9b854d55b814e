import Foundation
import LossLabKit
import Testing

@Suite("losslab bench")
struct BenchmarkTests {
  @Test("times every loss, with and without partial credit, and reports consistent figures")
  func run() throws {
    for partialCredit in [false, true] {
      let report = try LossBenchmark.run(
        BenchmarkOptions(
          losses: ["bpr", "adaptive_hinge", "warp"], batch: 256, negatives: 8, threads: 2, scalar: .float,
          partialCredit: partialCredit, repeats: 3, warmup: 1))
      #expect(report.results.map(\.loss) == ["bpr", "adaptive_hinge", "warp"])
      // Pairwise losses get the same number of pairs as B·N columns of one negative.
      #expect(report.results[0].batch == 2048 && report.results[0].negatives == 1)
      #expect(report.results[1].batch == 256 && report.results[1].negatives == 8)
      for result in report.results {
        #expect(result.minSeconds <= result.medianSeconds && result.medianSeconds <= result.maxSeconds)
        #expect(result.minSeconds > 0)
        #expect(abs(result.pairsPerSecond * result.medianSeconds - 2048) < 1e-6 * 2048)
        #expect(result.copyBytesPerSecond > 0)
        #expect(abs(result.bandwidthFraction - result.bytesPerSecond / result.copyBytesPerSecond) < 1e-12)
        #expect(result.partialCredit == partialCredit)
      }
      let json = BenchmarkRenderer.json(report)
      let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
      #expect((object["results"] as? [Any])?.count == 3)
      #expect(BenchmarkRenderer.text(report).contains("adaptive_hinge"))
    }
  }

  @Test("an unknown loss and bad sizes are errors")
  func errors() {
    #expect(throws: (any Error).self) {
      try LossBenchmark.run(BenchmarkOptions(losses: ["warpp"], batch: 8, negatives: 2))
    }
    #expect(throws: (any Error).self) { try LossBenchmark.run(BenchmarkOptions(losses: ["bpr"], batch: 0)) }
  }
}
