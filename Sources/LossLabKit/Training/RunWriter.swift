import Foundation
import Recommender

/// Writes what trec_eval, ranx or a notebook needs to recompute and compare a training run's metrics, user
/// by user (`losslab train --save-run DIR`):
///
/// ```
/// DIR/qrels.txt                               the test split as TREC qrels: `user 0 item 1`
/// DIR/index.csv                               label,folder,seed,per_user,run,recommendations
/// DIR/<folder>/seed-<seed>/per_user.csv       user,<column>,…   each evaluated user's test metrics
/// DIR/<folder>/seed-<seed>/run.trec           user Q0 item rank score <folder>   the top max(k) per user
/// DIR/<folder>/seed-<seed>/recommendations.csv  user,rank,item,score   the same lists as CSV
/// ```
///
/// Ids are the data's original ids. `<folder>` is the variant's label made a safe, unique folder name
/// exactly as `--save-model` does (``ModelWriter/folderNames(_:reserving:)``, with `qrels.txt` reserved too);
/// it is also the run tag of `run.trec`, which may not contain spaces.
///
/// - `per_user.csv` has one row per evaluated user (a user with at least one test item), in the order the
///   report averages them, and one column per ``EvaluationOptions/columns`` entry, headed by its name
///   (`ndcg@10`); values are printed so that they read back exactly, so summing a column in file order and
///   dividing by the row count gives the report's mean bit for bit.
/// - `run.trec` and `recommendations.csv` list, for each evaluated user, the `max(k)` best candidates (every
///   item except the user's training and validation items, as in the evaluation), best first, ranks from 1: by score,
///   highest first, equal scores by the item's position in the data (the order in which items first appear
///   in the interactions file), lowest first (``TopItems/top(_:scores:excluding:)``). Scores are the
///   model's `Float` scores, printed so that they read back exactly.
public enum RunWriter {
  /// The index file's name.
  public static let indexName = "index.csv"
  /// The qrels file's name.
  public static let qrelsName = "qrels.txt"
  /// The per-user metrics file's name, in each seed folder.
  public static let perUserName = "per_user.csv"
  /// The TREC run file's name, in each seed folder.
  public static let runName = "run.trec"
  /// The recommendations file's name, in each seed folder.
  public static let recommendationsName = "recommendations.csv"

  /// One variant and seed's files: its label, seed and folder (the variant's folder is also the run tag of
  /// `run.trec`), as for models.
  public typealias Entry = ModelWriter.Entry

  /// The folder of each of `labels`: ``ModelWriter/folderNames(_:reserving:)`` with `index.csv` and
  /// `qrels.txt` reserved.
  public static func folderNames(_ labels: [String]) -> [String] {
    ModelWriter.folderNames(labels, reserving: [indexName, qrelsName])
  }

  /// Every file a run of `config` writes into `folder`.
  static func files(of config: TrainingConfig, in folder: String) -> [String] {
    var files = [indexName, qrelsName].map { joinPath(folder, $0) }
    for name in folderNames(config.variants.map(\.loss.label)) {
      for seed in config.seeds {
        let seedFolder = joinPath(folder, "\(name)/seed-\(seed)")
        files += [perUserName, runName, recommendationsName].map { joinPath(seedFolder, $0) }
      }
    }
    return files
  }

  /// Checks, before the training starts, that `folder` is a folder or can be made one, and that no file a
  /// run of `config` would write there is a folder or one of `inputs`.
  ///
  /// - Throws: ``AtomicFile/WriteError`` saying why not.
  public static func check(_ folder: String, config: TrainingConfig, inputs: InputFiles = InputFiles())
    throws(AtomicFile.WriteError)
  {
    try checkFolderPath(folder)
    for file in files(of: config, in: folder) {
      switch kind(of: file) {
      case .missing: continue
      case .folder: throw AtomicFile.WriteError(path: file, reason: "it is a folder")
      default: try AtomicFile.check(file, inputs: inputs)
      }
    }
  }

  /// Checks that every user and item id of `data` can be written in the TREC formats, whose fields are
  /// separated by white space: no id is empty or contains white space.
  ///
  /// - Throws: ``AtomicFile/WriteError`` naming the first id that cannot, at `folder`'s qrels file.
  public static func checkIDs(_ data: InteractionData, folder: String) throws(AtomicFile.WriteError) {
    for (kind, ids) in [("user", data.userIDs), ("item", data.itemIDs)] {
      if let bad = ids.first(where: { $0.isEmpty || $0.contains(where: \.isWhitespace) }) {
        throw AtomicFile.WriteError(
          path: joinPath(folder, qrelsName),
          reason: "the \(kind) id '\(bad)' is empty or contains white space, which the TREC formats cannot hold")
      }
    }
  }

  /// Writes `folder/qrels.txt`, every variant and seed's files, and the index; returns what was written.
  ///
  /// - Parameters:
  ///   - report: The trained report (its runs keep their models and per-user tables).
  ///   - data: The data the report was trained on, for the original ids.
  ///   - split: The split the report was trained on, for the test items and the excluded training items.
  ///   - folder: The run folder, created if missing.
  ///   - inputs: Files never to write over.
  /// - Throws: ``AtomicFile/WriteError`` when a folder or file cannot be written, would replace one of
  ///   `inputs`, or an id cannot be written in the TREC formats.
  @discardableResult
  public static func write(
    _ report: TrainingReport, data: InteractionData, split: DataSplit, to folder: String,
    inputs: InputFiles = InputFiles()
  ) throws(AtomicFile.WriteError) -> [Entry] {
    try checkFolderPath(folder)
    try checkIDs(data, folder: folder)
    try makeFolder(folder)

    var qrels: [String] = []
    for (user, items) in split.testItemsByUser.enumerated() {
      for item in items { qrels.append("\(data.userIDs[user]) 0 \(data.itemIDs[Int(item)]) 1") }
    }
    try AtomicFile.write(text(qrels), to: joinPath(folder, qrelsName), inputs: inputs)

    let count = report.config.evaluation.largestCutoff
    let names = folderNames(report.results.map(\.variant.loss.label))
    let entries = try ModelWriter.eachSeedFolder(of: report, names: names, in: folder) {
      (entry, directory, run) throws(AtomicFile.WriteError) in
      let table = run.table
      var perUser = [(["user"] + table.columns.map(\.name)).map(csvField).joined(separator: ",")]
      perUser.reserveCapacity(table.users.count + 1)
      for (row, user) in table.users.enumerated() {
        let values = table.row(row).values.map(roundTrip)
        perUser.append(([csvField(data.userIDs[user])] + values).joined(separator: ","))
      }

      var trec: [String] = []
      var recommendations = ["user,rank,item,score"]
      let model = try ModelWriter.keptModel(of: run, entry, directory)
      var scores = [Float](repeating: 0, count: model.itemCount)
      for user in table.users {
        let top = scores.withUnsafeMutableBufferPointer { buffer in
          model.scoreAll(user: user, into: buffer)
          return TopItems.top(
            count, scores: UnsafeBufferPointer(buffer), excluding: split.testExcludedItems(of: user))
        }
        let userID = data.userIDs[user]
        for (position, scored) in top.enumerated() {
          let itemID = data.itemIDs[scored.item]
          trec.append("\(userID) Q0 \(itemID) \(position + 1) \(scored.score) \(entry.folder)")
          recommendations.append("\(csvField(userID)),\(position + 1),\(csvField(itemID)),\(scored.score)")
        }
      }
      try AtomicFile.write(text(perUser), to: joinPath(directory, perUserName), inputs: inputs)
      try AtomicFile.write(text(trec), to: joinPath(directory, runName), inputs: inputs)
      try AtomicFile.write(text(recommendations), to: joinPath(directory, recommendationsName), inputs: inputs)
    }

    try ModelWriter.writeIndex(
      entries, columns: ["per_user", "run", "recommendations"], files: [perUserName, runName, recommendationsName],
      to: joinPath(folder, indexName), inputs: inputs)
    return entries
  }

  /// Lines joined, each ending in `\n`.
  private static func text(_ lines: [String]) -> String {
    lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
  }
}
