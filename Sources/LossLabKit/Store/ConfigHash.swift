import Foundation
import RankingLosses
import Recommender

/// What identifies a training run's results: a canonical text of everything in a decoded config that
/// changes a cell's result or the report assembled from the cells, and its hash.
///
/// The canonical text is built from the decoded config, not the file, so comments, spacing, key order and
/// the way a value is written (`0.10`, `1e-1`) do not matter. It holds, one `key: value` line each:
///
/// - the store format version;
/// - the data as loaded: ``Recommender/InteractionData/fingerprint`` (a hash of every interaction, id and
///   metadata code, after `min_rating` and the removal of repeated pairs) and its counts. The content, not
///   the file, identifies it: machines that mount the data elsewhere, a copy with another mtime, a gzip
///   copy or a cached load share a hash, and any edit of the data (even one that keeps the file's size)
///   changes it;
/// - the split (method, fractions, seed) and the search (method, trials, seed);
/// - the evaluation: metrics, cut-offs, ties, the evaluation interval actually used (`eval_every`, or 1
///   under `train --plot`), the selection column and the significance settings;
/// - the seeds;
/// - every variant: label, loss name, kind and description, its origin (`built-in`, or the size of the
///   plugin file that defines it), the parameters given, partial credit, the grid's size, and every point
///   with all its settings (factors, init_scale, epochs, batch_size, negatives, sampler, optimizer,
///   learning_rate, l2, threads, patience).
///
/// Left out: the experiment's name and description, the config's and data files' paths and formats, and output
/// options (`--format`, `--output`, …). The hash is the 64-bit FNV-1a hash of the canonical text's UTF-8
/// bytes, as 16 hexadecimal digits.
public enum ConfigHash {
  /// The canonical text of `config` (lines ending in `\n`).
  ///
  /// - Parameters:
  ///   - config: The decoded config.
  ///   - evalEvery: The evaluation interval the run uses (``TrainingRunner/evalEveryOverride`` or the
  ///     config's).
  ///   - data: The data the config loaded.
  public static func canonical(_ config: TrainingConfig, evalEvery: Int, data: InteractionData) -> String {
    var lines = ["format: \(ResultStore.formatVersion)"]
    lines.append(
      "data: fingerprint \(data.fingerprint), \(data.count) interactions, \(data.userCount) users, "
        + "\(data.itemCount) items, metadata fields [\((data.metadata?.fields ?? []).map { quoted($0.name) }.joined(separator: " "))]"
    )
    let split = config.split
    lines.append(
      "split: method \(split.method.rawValue), test_fraction \(split.testFraction), "
        + "validation_fraction \(split.validationFraction.map { "\($0)" } ?? "none"), seed \(split.seed)")
    if let search = config.search {
      lines.append(
        "search: method \(search.method.rawValue), trials \(search.trials.map(String.init) ?? "none"), seed \(search.seed)"
      )
    } else {
      lines.append("search: none")
    }
    let evaluation = config.evaluation
    var significance = "none"
    if let s = evaluation.significance {
      significance =
        "test \(s.test.rawValue), permutations \(s.permutations), seed \(s.seed), max_p \(s.maxP), "
        + "correction \(s.correction.rawValue)"
    }
    lines.append(
      "evaluation: metrics \(evaluation.metrics.map(\.rawValue).joined(separator: " ")), "
        + "k \(evaluation.cutoffs.map(String.init).joined(separator: " ")), ties \(evaluation.ties.rawValue), "
        + "eval_every \(evalEvery), select \(evaluation.select.name), significance \(significance)")
    lines.append("seeds: \(config.seeds.map(String.init).joined(separator: " "))")
    for (v, variant) in config.variants.enumerated() {
      let loss = variant.loss
      var origin = "built-in"
      var kind = "unknown"
      var summary = ""
      if let descriptor = try? config.registry.descriptor(named: loss.name) {
        kind = descriptor.kind == .pairwise ? "pairwise" : "adaptive"
        summary = descriptor.summary
        // A plugin's file by its size; a custom loss is declared in the config, whose expression is in the
        // summary.
        if descriptor.origin != "built-in" && descriptor.origin != config.file {
          origin = "plugin of size \(fileSize(descriptor.origin))"
        } else if descriptor.origin != "built-in" {
          origin = "the config"
        }
      }
      let parameters = loss.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\(parameterText($0.value))" }
      let credit = loss.partialCredit.map { $0.entries.map { "\(quoted($0.field))=\($0.weight)" } } ?? []
      lines.append(
        "variant \(v): label \(quoted(loss.label)), loss \(quoted(loss.name)), kind \(kind), origin \(origin), "
          + "summary \(quoted(summary)), params [\(parameters.joined(separator: " "))], "
          + "partial_credit [\(credit.joined(separator: " "))], grid_size \(variant.gridSize)")
      for (p, point) in variant.points.enumerated() {
        let o = point.options
        lines.append(
          "variant \(v) point \(p): factors \(o.factors), init_scale \(o.initScale), epochs \(o.epochs), "
            + "batch_size \(o.batchSize), negatives \(o.negatives), sampler \(o.sampler.rawValue), "
            + "optimizer \(o.optimizer.rawValue), learning_rate \(o.learningRate), l2 \(o.l2), threads \(o.threads), "
            + "patience \(o.patience.map(String.init) ?? "none")")
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// The hash of a canonical text: FNV-1a (64 bits) of its UTF-8 bytes, as 16 lower-case hexadecimal digits.
  public static func hash(_ canonical: String) -> String {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in canonical.utf8 {
      h ^= UInt64(byte)
      h = h &* 0x0000_0100_0000_01b3
    }
    let hex = String(h, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
  }

  /// The first line where two canonical texts differ, as `(stored, current)`; `nil` when they are equal.
  public static func firstDifference(_ stored: String, _ current: String) -> (stored: String, current: String)? {
    let a = stored.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let b = current.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    for i in 0..<max(a.count, b.count) {
      let x = i < a.count ? a[i] : "(no line)"
      let y = i < b.count ? b[i] : "(no line)"
      if x != y { return (x, y) }
    }
    return nil
  }

  /// A file's size in bytes, or `missing`.
  static func fileSize(_ path: String) -> String {
    var info = stat()
    guard stat(path, &info) == 0 else { return "missing" }
    return "\(info.st_size)"
  }

  /// Text in double quotes, with `"` and `\` escaped.
  static func quoted(_ text: String) -> String {
    "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
  }

  /// A parameter value with its type.
  static func parameterText(_ value: LossParameterValue) -> String {
    switch value {
    case .integer(let n): return "integer:\(n)"
    case .real(let x): return "real:\(x)"
    case .boolean(let b): return "boolean:\(b)"
    case .string(let s): return "string:\(quoted(s))"
    }
  }
}
