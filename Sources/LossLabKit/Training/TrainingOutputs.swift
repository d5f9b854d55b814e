import Foundation
import Recommender

/// Writes a split as `train.csv` and `test.csv` with the original ids and the source's column names, so that
/// other tools can train on exactly the same data.
public enum SplitWriter {
  /// Writes `folder/train.csv` and `folder/test.csv` (creating the folder), each atomically.
  ///
  /// - Throws: ``AtomicFile/WriteError`` when the folder cannot be created or a file cannot be written.
  public static func write(_ data: InteractionData, _ split: DataSplit, to folder: String) throws(AtomicFile.WriteError)
  {
    try makeFolder(folder)
    let columns = data.columns
    let header = [columns.user, columns.item] + [columns.rating, columns.timestamp].compactMap { $0 }
    func csv(_ interactions: [Interaction]) -> String {
      var lines = [header.joined(separator: ",")]
      lines.reserveCapacity(interactions.count + 1)
      for interaction in interactions {
        var fields = [csvField(data.userIDs[Int(interaction.user)]), csvField(data.itemIDs[Int(interaction.item)])]
        if columns.rating != nil { fields.append(interaction.rating.map { "\($0)" } ?? "") }
        if columns.timestamp != nil { fields.append(interaction.timestamp.map { "\($0)" } ?? "") }
        lines.append(fields.joined(separator: ","))
      }
      return lines.joined(separator: "\n") + "\n"
    }
    try AtomicFile.write(csv(split.train), to: folder + "/train.csv")
    try AtomicFile.write(csv(split.test), to: folder + "/test.csv")
  }
}

/// Writes trained models as CSV: `folder/<label>/seed-<seed>/user_factors.csv` (`user_id,f0,…`) and
/// `item_factors.csv` (`item_id,bias,f0,…`), with the original ids, so that anyone can recompute the scores
/// `p_u · q_i + b_i` and the metrics.
public enum ModelWriter {
  /// Writes every variant's models.
  ///
  /// - Throws: ``AtomicFile/WriteError`` when a folder or file cannot be written.
  public static func write(_ report: TrainingReport, data: InteractionData, to folder: String) throws(AtomicFile
    .WriteError)
  {
    var used: Set<String> = []
    for result in report.results {
      // Labels that sanitize to the same name get -2, -3, … so that no model overwrites another.
      var name = fileName(result.variant.loss.label)
      var suffix = 2
      while used.contains(name) {
        name = fileName(result.variant.loss.label) + "-\(suffix)"
        suffix += 1
      }
      used.insert(name)
      for run in result.runs {
        let directory = "\(folder)/\(name)/seed-\(run.seed)"
        try makeFolder(directory)
        let model = run.model
        let f = model.factors
        let factorHeader = (0..<f).map { "f\($0)" }.joined(separator: ",")
        var users = ["user_id," + factorHeader]
        for u in 0..<model.userCount {
          let row = (0..<f).map { "\(model.userFactors[u * f + $0])" }.joined(separator: ",")
          users.append(csvField(data.userIDs[u]) + "," + row)
        }
        var items = ["item_id,bias," + factorHeader]
        for i in 0..<model.itemCount {
          let row = (0..<f).map { "\(model.itemFactors[i * f + $0])" }.joined(separator: ",")
          items.append(csvField(data.itemIDs[i]) + ",\(model.itemBias[i])," + row)
        }
        try AtomicFile.write(users.joined(separator: "\n") + "\n", to: directory + "/user_factors.csv")
        try AtomicFile.write(items.joined(separator: "\n") + "\n", to: directory + "/item_factors.csv")
      }
    }
  }

  /// A label as a folder name: letters, digits, `-`, `_`, `.`, `+`, `=` kept; anything else becomes `_`.
  static func fileName(_ label: String) -> String {
    String(label.map { $0.isLetter || $0.isNumber || "-_.+=".contains($0) ? $0 : "_" })
  }
}

/// Creates `folder` and its parents when missing.
func makeFolder(_ folder: String) throws(AtomicFile.WriteError) {
  do {
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
  } catch {
    throw AtomicFile.WriteError(path: folder, reason: "cannot create the folder (\(error.localizedDescription))")
  }
}
