import ArgumentParser
import Foundation
import LossLabKit
import Recommender

/// Seconds with two decimals.
func formatSeconds(_ seconds: Double) -> String { String(format: "%.2f", seconds) }

extension LossLab {
  /// `losslab split CONFIG --output DIR`: the training config's split as CSV files.
  struct Split: LossLabSubcommand {
    static let configuration = CommandConfiguration(
      abstract:
        "Write a training config's train/test split (train.csv, test.csv, and validation.csv with "
        + "split.validation_fraction; the original ids).")

    @Argument(help: "A training config (YAML).", completion: .file(extensions: ["yaml", "yml"]))
    var config: String

    @Option(help: "The folder to write train.csv, test.csv (and validation.csv) to (created if missing).")
    var output: String

    @Option(help: "Keep a binary cache of the loaded data in this folder (overrides data.cache).")
    var cache: String?

    @Flag(help: "Print the seconds of the load (parsing, or reading the cache), the split and the writing.")
    var timing = false

    func run() throws {
      var config = try loadTrainingConfig(config)
      if let cache { config.dataCache = cache }
      let inputs = InputFiles(of: config)
      let validation = config.split.validationFraction != nil
      try orFail { () throws(AtomicFile.WriteError) in
        try SplitWriter.check(output, validation: validation, inputs: inputs)
      }
      var times = PreparationTimes()
      let (data, split) = try prepare(config, runner: TrainingRunner(), times: &times)
      let clock = ContinuousClock()
      let start = clock.now
      try orFail { () throws(AtomicFile.WriteError) in try SplitWriter.write(data, split, to: output, inputs: inputs) }
      let (whole, fraction) = (clock.now - start).components
      let written = Double(whole) + Double(fraction) * 1e-18
      if timing {
        printError(
          "timing: loaded in \(formatSeconds(times.load)) s, split in \(formatSeconds(times.split)) s, written in "
            + "\(formatSeconds(written)) s")
      }
      let files = SplitWriter.files(in: output, validation: split.hasValidation)
      let validationPart = split.hasValidation ? "; \(files[2]): \(split.validation.count)" : ""
      print("\(files[0]): \(split.train.count) interactions\(validationPart); \(files[1]): \(split.test.count)")
    }
  }
}
