import RankingLosses
import YAMLNodes

/// The `reduction:` of a custom loss.
enum CustomReduction: String, CaseIterable {
  /// `Σl / B`.
  case mean
  /// `Σl`.
  case sum
  /// The seed notebook's `(Σl + Σl²) / B`.
  case seed

  /// The registry's reduction.
  var lossReduction: LossReduction {
    switch self {
    case .mean: return .mean
    case .sum: return .sum
    case .seed: return .sumPlusSumOfSquares
    }
  }
}

extension ConfigDecoder {
  /// The keys of a `custom_losses:` entry.
  static let customLossKeys = ["name", "kind", "expression", "reduction", "description"]

  /// Decodes `custom_losses:` — pairwise losses given by an expression over `d` and `m` — and registers
  /// each (with its adaptive variant) in `registry`. Expression errors point at their column inside the
  /// expression's text. Every problem of an entry is reported, each key checked on its own.
  ///
  /// - Returns: The names of the entries that failed, so that `losses:` does not report them again as
  ///   unknown losses.
  @discardableResult
  func decodeCustomLosses(
    _ node: YAMLNode, _ path: ConfigPath, into registry: inout LossRegistry, _ reader: inout ConfigReader
  ) -> Set<String> {
    var failed: Set<String> = []
    guard let entries = reader.sequence(node, path, what: "custom_losses") else { return failed }
    for (i, entry) in entries.enumerated() {
      let entryPath = path.index(i)
      guard let fields = reader.mapping(entry, entryPath, allowed: Self.customLossKeys, what: "a custom loss") else {
        continue
      }
      let missing = ["name", "expression"].filter { fields[$0] == nil }
      if !missing.isEmpty {
        reader.error(
          "a custom loss needs \(missing.map { "'\($0)'" }.joined(separator: " and "))", at: entry.mark, entryPath)
      }
      let nameNode = fields["name"]?.value
      let name = nameNode.flatMap { reader.string($0, entryPath.key("name"), what: "name") }
      let errorsBefore = reader.errorCount
      let expressionNode = fields["expression"]?.value
      let text = expressionNode.flatMap { reader.string($0, entryPath.key("expression"), what: "expression") }
      if let kindNode = fields["kind"]?.value, let kind = reader.string(kindNode, entryPath.key("kind"), what: "kind"),
        kind != "pairwise"
      {
        reader.error(
          "custom losses are pairwise ('kind: pairwise'); adaptive_\(name ?? "NAME") is made from it automatically",
          at: kindNode.mark, entryPath.key("kind"))
      }
      var reduction = CustomReduction.mean
      if let reductionNode = fields["reduction"]?.value,
        let chosen: CustomReduction = reader.choice(reductionNode, entryPath.key("reduction"), what: "reduction")
      {
        reduction = chosen
      }
      let description = fields["description"].flatMap {
        reader.name($0.value, entryPath.key("description"), what: "description", noun: "a description")
      }
      var loss: ExpressionLoss? = nil
      if let text, let expressionNode {
        do {
          let parsed = try ExpressionLoss(name: name ?? "custom", expression: text, reduction: reduction.lossReduction)
          if parsed.expression.dependsOnDifference {
            loss = parsed
          } else {
            reader.error(
              "the expression does not use d, so no score gets a gradient", at: expressionNode.mark,
              entryPath.key("expression"))
          }
        } catch {
          // The column inside the expression, moved to the file: past the opening quote of a quoted string.
          let quoted = expressionNode.scalar?.style == .singleQuoted || expressionNode.scalar?.style == .doubleQuoted
          let mark = YAMLMark(
            line: expressionNode.mark.line, column: expressionNode.mark.column + (quoted ? 1 : 0) + error.column - 1)
          reader.error("in the expression, \(error)", at: mark, entryPath.key("expression"))
        }
      }
      guard let name, let nameNode else { continue }
      guard let loss, reader.errorCount == errorsBefore, missing.isEmpty else {
        failed.insert(name)
        continue
      }
      let summary = description ?? "\(text ?? ""), reduction \(reduction.rawValue)"
      do {
        try registry.registerPairwise(
          name: name, summary: summary, adaptiveSummary: "\(name) on each positive's highest-scoring negative",
          origin: reader.file
        ) { _ in loss }
      } catch {
        reader.error(error.description, at: nameNode.mark, entryPath.key("name"))
        // A clash with a registered name leaves references to that other loss; any other failure, none.
        if (try? registry.descriptor(named: name)) == nil { failed.insert(name) }
      }
    }
    return failed
  }
}
