import ArgumentParser
import LossLabKit
import Recommender

extension LossLab {
  /// `losslab split CONFIG --output DIR`: the training config's split as CSV files.
  struct Split: LossLabSubcommand {
    static let configuration = CommandConfiguration(
      abstract: "Write a training config's train/test split (train.csv, test.csv with the original ids).")

    @Argument(help: "A training config (YAML).", completion: .file(extensions: ["yaml", "yml"]))
    var config: String

    @Option(help: "The folder to write train.csv and test.csv to (created if missing).")
    var output: String

    func run() throws {
      let config = try loadTrainingConfig(config)
      let inputs = InputFiles(of: config)
      try orFail { () throws(AtomicFile.WriteError) in try SplitWriter.check(output, inputs: inputs) }
      let (data, split) = try prepare(config, runner: TrainingRunner())
      try orFail { () throws(AtomicFile.WriteError) in try SplitWriter.write(data, split, to: output, inputs: inputs) }
      let (train, test) = (SplitWriter.files(in: output)[0], SplitWriter.files(in: output)[1])
      print("\(train): \(split.train.count) interactions; \(test): \(split.test.count)")
    }
  }
}
