import ArgumentParser
import LossLabKit
import RankingLosses

extension BenchmarkOptions.ScalarType: ExpressibleByArgument {}

/// The formats `losslab bench` writes (its report is a table of kernels, not a loss table: no Markdown or CSV).
enum BenchFormat: String, ExpressibleByArgument, CaseIterable {
  /// A fixed-width table.
  case text
  /// One JSON object.
  case json
}

extension LossLab {
  /// `losslab bench`: the fused kernels' speed against the machine's copy bandwidth.
  struct Bench: LossLabSubcommand {
    static let configuration = CommandConfiguration(
      abstract: "Time the losses' fused kernels (value and gradients) against the machine's copy bandwidth.",
      discussion: """
        Each call computes the value and writes every gradient into reused buffers. Pairwise losses (bpr, \
        hinge, log_sigmoid_bpr) are timed on the same number of pairs, B·N columns of one negative. See \
        Docs/Performance.md.
        """)

    @Option(help: "A registered loss, or 'all'.")
    var loss: String = "all"

    @Option(help: "Positives per call (B).")
    var batch: Int = 65_536

    @Option(help: "Negatives per positive (N) for adaptive losses.")
    var negatives: Int = 100

    @Option(help: "Threads per call (default: every core).")
    var threads: Int?

    @Option(help: "The scalar type.")
    var scalar: BenchmarkOptions.ScalarType = .float

    @Flag(help: "Time the losses with partial credit (one metadata field, weight 0.25).")
    var partialCredit = false

    @Option(help: "Timed calls after the warm-up.")
    var repeats: Int = 20

    @Option(help: "Output format.")
    var format: BenchFormat = .text

    func validate() throws {
      guard batch >= 1, negatives >= 1, repeats >= 1, (1...256).contains(threads ?? 1) else {
        throw ValidationError("--batch, --negatives and --repeats must be at least 1, --threads 1 to 256")
      }
    }

    func run() throws {
      let names = loss == "all" ? LossRegistry.standard.names : [loss]
      let options = BenchmarkOptions(
        losses: names, batch: batch, negatives: negatives, threads: threads ?? onlineProcessorCount(), scalar: scalar,
        partialCredit: partialCredit, repeats: repeats)
      let report = try orFail { () throws(LossError) in try LossBenchmark.run(options) }
      print(format == .json ? BenchmarkRenderer.json(report) : BenchmarkRenderer.text(report), terminator: "")
    }
  }
}
