import RankingLosses
import YAMLNodes

extension ConfigDecoder {
  /// The keys of a loss entry written as a mapping (beyond a kind's extra keys).
  static let lossKeys = ["loss", "label", "params", "partial_credit"]
  /// The most variants one loss entry's grid may expand to (the product of its lists' lengths).
  static let maxGridPoints = 10_000

  /// Decodes `losses:`: each entry's variants (a grid expands to one per point; labels unique across the
  /// list) and its extra keys, for the caller to read in the same walk.
  ///
  /// - Parameter extraKeys: Keys an entry may have beyond ``lossKeys`` (a training config's `training`).
  func decodeLosses(
    _ node: YAMLNode, _ path: ConfigPath, lookUp: LossLookUp, partialCredit: PartialCreditContext,
    extraKeys: [String], _ reader: inout ConfigReader
  ) -> [LossEntry] {
    guard let entries = reader.sequence(node, path, what: "losses") else { return [] }
    guard !entries.isEmpty else {
      reader.error("losses is empty; name at least one loss (see `losslab list`)", at: node.mark, path)
      return []
    }
    var decoded: [LossEntry] = []
    var labels: [String: ConfigPath] = [:]
    for (i, entry) in entries.enumerated() {
      let entryPath = path.index(i)
      let (variants, extra) = decodeLoss(
        entry, entryPath, lookUp: lookUp, partialCredit: partialCredit, extraKeys: extraKeys, &reader)
      var kept: [LossVariant] = []
      for variant in variants {
        // A string parameter's value is part of a generated label.
        if let problem = forbiddenCharacterProblem(in: variant.label) {
          reader.error("the label '\(variant.label)' \(problem)", at: entry.mark, entryPath)
          continue
        }
        if let other = labels[variant.label] {
          reader.error(
            "the label '\(variant.label)' is already used by \(other); give this entry a different 'label'",
            at: entry.mark, entryPath)
          continue
        }
        labels[variant.label] = entryPath
        kept.append(variant)
      }
      if !kept.isEmpty { decoded.append(LossEntry(path: entryPath, variants: kept, extra: extra)) }
    }
    return decoded
  }

  /// One entry: a bare name, or a mapping with `loss`, `label`, `params` (a list is a grid) and
  /// `partial_credit`, plus `extraKeys`. Every problem of the entry is reported, not only the first.
  private func decodeLoss(
    _ node: YAMLNode, _ path: ConfigPath, lookUp: LossLookUp, partialCredit: PartialCreditContext,
    extraKeys: [String], _ reader: inout ConfigReader
  ) -> (variants: [LossVariant], extra: [String: (key: YAMLNode, value: YAMLNode)]) {
    // A bare name: default parameters.
    if node.scalar != nil {
      guard let name = reader.string(node, path, what: "a loss name"), lookUp.find(name, at: node, path, &reader) != nil
      else { return ([], [:]) }
      return ([LossVariant(label: name, name: name, mark: node.mark, keyPath: path)], [:])
    }
    let misplaced = misplacedKeyHints(node, lookUp: lookUp, extraKeys: extraKeys)
    guard
      let fields = reader.mapping(
        node, path, allowed: Self.lossKeys + extraKeys, what: "a loss entry", hints: misplaced)
    else {
      return ([], [:])
    }
    let extra = fields.filter { extraKeys.contains($0.key) }
    // Each key is checked on its own, so that an unknown name does not hide the entry's other problems.
    var found: (name: String, descriptor: LossDescriptor)? = nil
    if let nameNode = fields["loss"]?.value {
      if let name = reader.string(nameNode, path.key("loss"), what: "loss"),
        let descriptor = lookUp.find(name, at: nameNode, path.key("loss"), &reader)
      {
        found = (name, descriptor)
      }
    } else {
      reader.error("a loss entry needs 'loss': a registered name (see `losslab list`)", at: node.mark, path)
    }
    let label = fields["label"].flatMap {
      reader.name(
        $0.value, path.key("label"), what: "label", noun: "a label",
        emptyHint: "remove 'label' to use the generated one")
    }
    guard let (name, descriptor) = found else {
      // Parameters cannot be checked without the loss; partial credit can.
      if let paramsNode = fields["params"]?.value, paramsNode.mapping == nil {
        reader.error(
          "params must be a mapping from parameter name to value, got \(paramsNode.kindDescription)",
          at: paramsNode.mark, path.key("params"))
      }
      if let creditNode = fields["partial_credit"]?.value {
        _ = decodeWeights(creditNode, path.key("partial_credit"), partialCredit, &reader)
      }
      return ([], extra)
    }

    // Parameters: each value a scalar, or a list of scalars that expands into a grid.
    var axes: [(name: String, values: [LossParameterValue])] = []
    if let paramsNode = fields["params"]?.value {
      let paramsPath = path.key("params")
      let known = descriptor.parameters.map(\.name)
      if known.isEmpty, paramsNode.mapping?.isEmpty == false {
        reader.error("\(name) takes no parameters; remove 'params'", at: paramsNode.mark, paramsPath)
      } else if let pairs = reader.mapping(
        paramsNode, paramsPath, allowed: known, what: "params of \(name)", takesLists: true)
      {
        for spec in descriptor.parameters {
          guard let (_, valueNode) = pairs[spec.name] else { continue }
          let valuePath = paramsPath.key(spec.name)
          if reader.unbracketedList(valueNode, valuePath, key: spec.name) { continue }
          let valueNodes = valueNode.sequence ?? [valueNode]
          if valueNode.sequence != nil, valueNodes.isEmpty {
            reader.error("the grid for '\(spec.name)' is empty; give at least one value", at: valueNode.mark, valuePath)
            continue
          }
          var values: [LossParameterValue] = []
          for (k, element) in valueNodes.enumerated() {
            let elementPath = valueNode.sequence != nil ? valuePath.index(k) : valuePath
            guard let raw = reader.parameterValue(element, elementPath) else { continue }
            do {
              values.append(try spec.validate(raw, loss: name))
            } catch {
              reader.error(parameterMessage(error), at: element.mark, elementPath)
            }
          }
          if values.count == valueNodes.count { axes.append((spec.name, values)) }
        }
      }
    }

    // Partial credit.
    var weights: MetadataWeights? = nil
    if let creditNode = fields["partial_credit"]?.value {
      weights = decodeWeights(creditNode, path.key("partial_credit"), partialCredit, &reader)
      if weights == nil { return ([], extra) }
    }
    // A label that failed its checks gives no variant (a generated label in its place could clash).
    if fields["label"] != nil, label == nil { return ([], extra) }

    // Expand the grid, in the order the loss declares its parameters, once its size is known to be small.
    var size = 1
    for axis in axes {
      let (product, overflow) = size.multipliedReportingOverflow(by: axis.values.count)
      size = overflow ? Int.max : product
    }
    if size > Self.maxGridPoints, let paramsNode = fields["params"]?.value {
      reader.error(
        "the grid has \(axes.map { String($0.values.count) }.joined(separator: " x ")) points; "
          + "at most \(Self.maxGridPoints) are allowed in one entry",
        at: paramsNode.mark, path.key("params"))
      return ([], extra)
    }
    var points: [[(String, LossParameterValue)]] = [[]]
    for axis in axes {
      points = points.flatMap { point in axis.values.map { point + [(axis.name, $0)] } }
    }
    let gridKeys = Set(axes.filter { $0.values.count > 1 }.map(\.name))
    let variants = points.map { point in
      let parameters = Dictionary(point, uniquingKeysWith: { $1 })
      let shown: [(String, LossParameterValue)]
      if label != nil {
        shown = point.filter { gridKeys.contains($0.0) }
      } else {
        shown = point.filter { name, value in
          descriptor.parameters.first { $0.name == name }?.defaultValue != value
        }
      }
      var text = label ?? name
      if !shown.isEmpty { text += "(" + shown.map { "\($0.0)=\($0.1)" }.joined(separator: ", ") + ")" }
      if label == nil, let weights {
        text += "+credit(" + weights.entries.map { "\($0.field)=\($0.weight)" }.joined(separator: ", ") + ")"
      }
      return LossVariant(
        label: text, name: name, parameters: parameters, partialCredit: weights, mark: node.mark, keyPath: path)
    }
    return (variants, extra)
  }

  /// Hints for keys of a loss entry that belong one level down: a parameter of the entry's loss (under
  /// `params:`) or a training setting (under `training:`, where the entry takes one).
  private func misplacedKeyHints(_ node: YAMLNode, lookUp: LossLookUp, extraKeys: [String]) -> [String: String] {
    guard let pairs = node.mapping else { return [:] }
    var hints: [String: String] = [:]
    let name = pairs.first { $0.key.scalar?.text == "loss" }?.value.scalar?.text
    let parameters = name.flatMap { try? lookUp.registry.descriptor(named: $0) }?.parameters.map(\.name) ?? []
    for pair in pairs {
      guard let key = pair.key.scalar?.text, !Self.lossKeys.contains(key), !extraKeys.contains(key) else { continue }
      let value = pair.value.scalar.map { $0.style == .plain ? $0.text : "…" } ?? "…"
      if let name, parameters.contains(key) {
        hints[key] = "\(key) is a parameter of \(name): put it under 'params', as params: {\(key): \(value)}"
      } else if extraKeys.contains("training"), Self.trainingKeys.contains(key) {
        hints[key] = "\(key) is a training setting: put it under 'training', as training: {\(key): \(value)}"
      }
    }
    return hints
  }

  /// A registry parameter error without the loss-and-parameter prefix the key path already says.
  private func parameterMessage(_ error: LossError) -> String {
    if case .invalidParameter(_, _, let message) = error { return message }
    return error.description
  }

  /// Decodes `partial_credit:` — metadata field → weight — and checks it against the fields the config
  /// declares.
  private func decodeWeights(
    _ node: YAMLNode, _ path: ConfigPath, _ context: PartialCreditContext, _ reader: inout ConfigReader
  ) -> MetadataWeights? {
    guard let pairs = node.mapping else {
      reader.error(
        "partial_credit must be a mapping from metadata field to weight, got \(node.kindDescription)", at: node.mark,
        path)
      return nil
    }
    var entries: [MetadataWeights.Entry] = []
    var marks: [String: (key: YAMLMark, value: YAMLMark)] = [:]
    for pair in pairs {
      guard let field = pair.key.scalar?.text else {
        reader.error(
          "metadata field names must be plain text, got \(pair.key.kindDescription)", at: pair.key.mark, path)
        return nil
      }
      guard let weight = reader.number(pair.value, path.key(field), what: "the weight of '\(field)'") else {
        return nil
      }
      entries.append(MetadataWeights.Entry(field: field, weight: weight))
      marks[field] = (pair.key.mark, pair.value.mark)
    }
    guard let fieldNames = context.fieldNames else {
      if !context.declared {
        reader.error("partial credit needs item metadata: \(context.hint)", at: node.mark, path)
      }
      return nil
    }
    let weights = MetadataWeights(entries)
    do {
      try weights.validate(fieldNames: fieldNames)
      return weights
    } catch {
      switch error {
      case .unknownMetadataField(let field, _):
        reader.error(error.description, at: marks[field]?.key, path.key(field))
      case .invalidWeight(let field, _):
        reader.error(error.description, at: marks[field]?.value, path.key(field))
      default:
        reader.error(error.description, at: node.mark, path)
      }
      return nil
    }
  }
}

/// What a config's `partial_credit:` entries may refer to.
struct PartialCreditContext {
  /// The metadata fields the config declares (a loss-table config's `metadata:`, a training config's
  /// `data.items.fields`); `nil` when it declares none or they failed to decode.
  var fieldNames: [String]?
  /// Whether the config declares metadata at all (so a failed declaration is not reported twice).
  var declared: Bool
  /// What to add, for a config that declares none.
  var hint: String
}

/// Looks loss names up in a config's registry.
struct LossLookUp {
  /// The standard losses plus the config's plugins and custom losses.
  var registry: LossRegistry
  /// Plugins named by the config but not loaded (``PluginPolicy/check``): a name the registry does not know
  /// may come from them.
  var skippedPlugins: [String]
  /// Custom losses of the config that failed their checks (reported there): a reference to one, or to its
  /// adaptive variant, is not reported again as an unknown loss.
  var failedCustomLosses: Set<String> = []

  /// The descriptor of `name`, or `nil` after reporting why: an error for an unknown name, or a warning when
  /// the name may come from a plugin that was not loaded; nothing for a custom loss that failed its checks.
  func find(_ name: String, at node: YAMLNode, _ path: ConfigPath, _ reader: inout ConfigReader) -> LossDescriptor? {
    do {
      return try registry.descriptor(named: name)
    } catch {
      let base = name.hasPrefix("adaptive_") ? String(name.dropFirst("adaptive_".count)) : name
      if failedCustomLosses.contains(name) || failedCustomLosses.contains(base) {
        return nil
      }
      if skippedPlugins.isEmpty {
        // `  - bpr` over `   - hinge`: the deeper line continues the plain scalar above it.
        let joined =
          name.contains(" - ")
          ? " (an item indented deeper than the one above continues it as one text: align the '-' of each item)"
          : ""
        reader.error(error.description + joined, at: node.mark, path)
      } else {
        reader.warning(
          "'\(name)' is not checked: it is not a built-in or custom loss, and the plugins that may define it "
            + "(\(skippedPlugins.joined(separator: ", "))) were not loaded; `losslab validate --load-plugins` loads them",
          at: node.mark, path)
      }
      return nil
    }
  }
}
