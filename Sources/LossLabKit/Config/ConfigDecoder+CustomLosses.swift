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
  /// expression's text.
  func decodeCustomLosses(
    _ node: YAMLNode, _ path: ConfigPath, into registry: inout LossRegistry, _ reader: inout ConfigReader
  ) {
    guard let entries = reader.sequence(node, path, what: "custom_losses") else { return }
    for (i, entry) in entries.enumerated() {
      let entryPath = path.index(i)
      guard let fields = reader.mapping(entry, entryPath, allowed: Self.customLossKeys, what: "a custom loss") else {
        continue
      }
      guard let nameNode = fields["name"]?.value, let expressionNode = fields["expression"]?.value else {
        reader.error("a custom loss needs 'name' and 'expression'", at: entry.mark, entryPath)
        continue
      }
      guard let name = reader.string(nameNode, entryPath.key("name"), what: "name"),
        let text = reader.string(expressionNode, entryPath.key("expression"), what: "expression")
      else { continue }
      if let kindNode = fields["kind"]?.value, let kind = reader.string(kindNode, entryPath.key("kind"), what: "kind"),
        kind != "pairwise"
      {
        reader.error(
          "custom losses are pairwise ('kind: pairwise'); adaptive_\(name) is made from it automatically",
          at: kindNode.mark, entryPath.key("kind"))
        continue
      }
      var reduction = CustomReduction.mean
      if let reductionNode = fields["reduction"]?.value {
        guard let chosen: CustomReduction = reader.choice(reductionNode, entryPath.key("reduction"), what: "reduction")
        else { continue }
        reduction = chosen
      }
      let summary =
        fields["description"].flatMap {
          reader.name($0.value, entryPath.key("description"), what: "description", noun: "a description")
        }
        ?? "\(text), reduction \(reduction.rawValue)"
      let loss: ExpressionLoss
      do {
        loss = try ExpressionLoss(name: name, expression: text, reduction: reduction.lossReduction)
      } catch {
        // The column inside the expression, moved to the file: past the opening quote of a quoted string.
        let quoted = expressionNode.scalar?.style == .singleQuoted || expressionNode.scalar?.style == .doubleQuoted
        let mark = YAMLMark(
          line: expressionNode.mark.line, column: expressionNode.mark.column + (quoted ? 1 : 0) + error.column - 1)
        reader.error("in the expression, \(error)", at: mark, entryPath.key("expression"))
        continue
      }
      if !loss.expression.dependsOnDifference {
        reader.error(
          "the expression does not use d, so no score gets a gradient", at: expressionNode.mark,
          entryPath.key("expression"))
        continue
      }
      do {
        try registry.registerPairwise(
          name: name, summary: summary, adaptiveSummary: "\(name) on each positive's highest-scoring negative",
          origin: reader.file
        ) { _ in loss }
      } catch {
        reader.error(error.description, at: nameNode.mark, entryPath.key("name"))
      }
    }
  }
}
