import RankingLosses
import YAMLNodes

extension ConfigDecoder {
  /// Decodes a loss-table config's `metadata:`: field name → one category code per item.
  func decodeMetadata(_ node: YAMLNode, _ path: ConfigPath, _ reader: inout ConfigReader) -> ItemMetadata? {
    guard let pairs = node.mapping else {
      reader.error(
        "metadata must be a mapping from field name to a list of category codes, got \(node.kindDescription)",
        at: node.mark, path)
      return nil
    }
    guard !pairs.isEmpty else {
      reader.error("metadata has no fields; give at least one, e.g. genre: [0, 0, 1]", at: node.mark, path)
      return nil
    }
    var fields: [ItemMetadata.Field] = []
    var failed = false
    for pair in pairs {
      guard let name = pair.key.scalar?.text else {
        reader.error(
          "metadata field names must be plain text, got \(pair.key.kindDescription)", at: pair.key.mark, path)
        failed = true
        continue
      }
      let fieldPath = path.key(name)
      guard reader.checkName(name, at: pair.key.mark, fieldPath, noun: "a metadata field name") else {
        failed = true
        continue
      }
      guard let elements = reader.sequence(pair.value, fieldPath, what: "metadata field '\(name)'") else {
        failed = true
        continue
      }
      guard !elements.isEmpty else {
        reader.error(
          "metadata field '\(name)' is empty; it needs one category code per item", at: pair.value.mark, fieldPath)
        failed = true
        continue
      }
      var codes: [Int] = []
      codes.reserveCapacity(elements.count)
      for (i, element) in elements.enumerated() {
        if let code = reader.integer(element, fieldPath.index(i), what: "a category code") {
          codes.append(code)
        } else {
          failed = true
        }
      }
      if let first = fields.first, codes.count != first.codes.count, !failed {
        reader.error(
          "metadata field '\(name)' has \(codes.count) codes but '\(first.name)' has \(first.codes.count); every field needs one code per item",
          at: pair.value.mark, fieldPath)
        failed = true
      }
      fields.append(ItemMetadata.Field(name: name, codes: codes))
    }
    guard !failed else { return nil }
    do {
      return try ItemMetadata(fields: fields)
    } catch {
      reader.error(error.description, at: node.mark, path)
      return nil
    }
  }
}
