import RankingLosses
import YAMLNodes

/// Reads typed values out of YAML nodes and collects every problem it meets, with its place and key path,
/// so that one pass reports all of them.
struct ConfigReader {
  let file: String
  private(set) var diagnostics: [ConfigDiagnostic] = []
  /// The number of errors among ``diagnostics`` (warnings do not count).
  private(set) var errorCount = 0

  init(file: String) {
    self.file = file
  }

  var hasErrors: Bool { errorCount > 0 }

  /// A point to compare with later: ``hasErrors(since:)`` tells whether an error was reported after it.
  /// Warnings never count, so that a warning cannot make a decoder drop a value it should keep.
  struct Checkpoint {
    fileprivate let errors: Int
  }

  /// The current point (see ``Checkpoint``).
  var checkpoint: Checkpoint { Checkpoint(errors: errorCount) }

  /// Whether an error was reported since `checkpoint`.
  func hasErrors(since checkpoint: Checkpoint) -> Bool { errorCount > checkpoint.errors }

  /// The diagnostics in the order of their place in the file (stable: problems at one place keep their
  /// order; those without a place come first).
  var orderedDiagnostics: [ConfigDiagnostic] {
    diagnostics.enumerated().sorted { a, b in
      let ma = a.element.mark.map { ($0.line, $0.column) } ?? (0, 0)
      let mb = b.element.mark.map { ($0.line, $0.column) } ?? (0, 0)
      return ma != mb ? ma < mb : a.offset < b.offset
    }.map(\.element)
  }

  mutating func error(
    _ message: String, at mark: YAMLMark?, _ path: ConfigPath, category: FailureCategory = .badData
  ) {
    diagnostics.append(ConfigDiagnostic(file: file, mark: mark, keyPath: path, message: message, category: category))
    errorCount += 1
  }

  /// Reports something that does not stop the config but probably is not what was meant.
  mutating func warning(_ message: String, at mark: YAMLMark?, _ path: ConfigPath) {
    diagnostics.append(ConfigDiagnostic(file: file, mark: mark, keyPath: path, message: message, severity: .warning))
  }

  /// Adds diagnostics found elsewhere (for example by a plugin load) to this file's.
  mutating func append(_ diagnostic: ConfigDiagnostic) {
    diagnostics.append(diagnostic)
    if diagnostic.severity == .error { errorCount += 1 }
  }

  // MARK: Structure

  /// The pairs of a mapping node, with unknown keys reported (with a suggestion) and skipped.
  ///
  /// - Parameters:
  ///   - hints: For unknown keys known to belong elsewhere, what to say instead of a suggestion.
  ///   - takesLists: Whether the keys' values may be lists, so that a value cut by a comma (`{a: 1, 2}`)
  ///     is answered with the list form.
  mutating func mapping(
    _ node: YAMLNode, _ path: ConfigPath, allowed: [String], what: String, hints: [String: String] = [:],
    takesLists: Bool = false
  ) -> [String: (key: YAMLNode, value: YAMLNode)]? {
    guard let pairs = node.mapping else {
      error("\(what) must be a mapping, got \(node.kindDescription)", at: node.mark, path)
      return nil
    }
    var result: [String: (key: YAMLNode, value: YAMLNode)] = [:]
    for (index, pair) in pairs.enumerated() {
      guard let key = pair.key.scalar?.text else {
        error("keys must be plain names, got \(pair.key.kindDescription)", at: pair.key.mark, path)
        continue
      }
      guard allowed.contains(key) else {
        let hint =
          hints[key].map { " (\($0))" } ?? commaHint(at: index, of: pairs, takesLists: takesLists)
          ?? closestName(to: key, among: allowed).map { " (did you mean '\($0)'?)" } ?? ""
        error(
          "unknown key '\(key)'\(hint); \(what) takes: \(allowed.joined(separator: ", "))", at: pair.key.mark,
          path.key(key))
        continue
      }
      result[key] = (pair.key, pair.value)
    }
    return result
  }

  /// The hint for a key without a value in a run of such keys after a key with a plain value, as `2` and `3`
  /// in `{seed: 1, 2, 3}`: in braces, commas separate entries, so each reads as a key; where values may be
  /// lists, the list form in brackets.
  private func commaHint(at index: Int, of pairs: [YAMLNode.Pair], takesLists: Bool) -> String? {
    func bare(_ pair: YAMLNode.Pair) -> String? {
      guard let key = pair.key.scalar, key.style == .plain, let value = pair.value.scalar, value.style == .plain,
        value.text.isEmpty
      else { return nil }
      return key.text
    }
    guard bare(pairs[index]) != nil else { return nil }
    var first = index
    while first > 0, bare(pairs[first - 1]) != nil { first -= 1 }
    guard first > 0, let owner = pairs[first - 1].key.scalar?.text, let value = pairs[first - 1].value.scalar,
      value.style == .plain, !value.text.isEmpty
    else { return nil }
    var last = index
    while last + 1 < pairs.count, bare(pairs[last + 1]) != nil { last += 1 }
    let values = [value.text] + pairs[first...last].compactMap(bare)
    let key = pairs[index].key.scalar?.text ?? ""
    guard takesLists else {
      return " (in braces, commas separate entries, so '\(key)' reads as a key without a value, after "
        + "'\(owner): \(value.text)')"
    }
    return " (in braces, commas separate entries, so '\(key)' reads as a key; several values of '\(owner)' are "
      + "written as a list in brackets: \(owner): [\(values.joined(separator: ", "))])"
  }

  /// The elements of a sequence node.
  mutating func sequence(_ node: YAMLNode, _ path: ConfigPath, what: String) -> [YAMLNode]? {
    guard let elements = node.sequence else {
      error("\(what) must be a list, got \(node.kindDescription)", at: node.mark, path)
      return nil
    }
    return elements
  }

  // MARK: Scalars

  mutating func resolved(_ node: YAMLNode, _ path: ConfigPath) -> ResolvedScalar? {
    guard let scalar = node.scalar else { return nil }
    do {
      return try resolve(scalar, tag: node.tag)
    } catch {
      switch error {
      case .integerOverflow(let text): self.error("the integer \(text) does not fit in 64 bits", at: node.mark, path)
      case .realOverflow(let text): self.error("the number \(text) overflows to infinity", at: node.mark, path)
      }
    }
    return nil
  }

  /// Reports a plain scalar that reads like a list without brackets (`seeds: 1, 2, 3`, one text in YAML)
  /// where the key takes a list, with the list form to write instead.
  ///
  /// - Parameter key: The key as the config spells it, for the suggestion.
  /// - Returns: Whether the node was such a scalar (and an error was reported).
  mutating func unbracketedList(_ node: YAMLNode, _ path: ConfigPath, key: String) -> Bool {
    guard let scalar = node.scalar, scalar.style == .plain, scalar.text.contains(",") else { return false }
    let parts = scalar.text.split(separator: ",", omittingEmptySubsequences: false).map { part in
      String(part.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
    guard parts.count >= 2, parts.allSatisfy({ !$0.isEmpty && !$0.contains(" ") }) else { return false }
    error(
      "several values are written as a list in brackets: \(key): [\(parts.joined(separator: ", "))] (got the "
        + "text '\(scalar.text)')", at: node.mark, path)
    return true
  }

  mutating func string(_ node: YAMLNode, _ path: ConfigPath, what: String) -> String? {
    guard let scalar = node.scalar else {
      error("\(what) must be text, got \(node.kindDescription)", at: node.mark, path)
      return nil
    }
    guard scalar.style == .plain else { return scalar.text }  // quoted: text whatever it reads like
    guard let value = resolved(node, path) else { return nil }  // an overflow, already reported
    if case .string = value { return scalar.text }
    error("\(what) must be text, got \(describe(value)) (quote it to make it text)", at: node.mark, path)
    return nil
  }

  /// Text that names something in the output — a label, a scenario, an experiment, a metadata field:
  /// ``string(_:_:what:)``, then not empty and without control characters (``isForbiddenInNames(_:)``).
  ///
  /// - Parameters:
  ///   - what: The value, for type errors (`label must be text, …`).
  ///   - noun: The value with its article, for the name checks (`a label may not be empty`).
  ///   - emptyHint: Added to the message for an empty name, after `; `.
  mutating func name(_ node: YAMLNode, _ path: ConfigPath, what: String, noun: String, emptyHint: String? = nil)
    -> String?
  {
    guard let text = string(node, path, what: what) else { return nil }
    return checkName(text, at: node.mark, path, noun: noun, emptyHint: emptyHint) ? text : nil
  }

  /// Whether `text` is usable as a name (see ``name(_:_:what:noun:emptyHint:)``); reports why not.
  mutating func checkName(
    _ text: String, at mark: YAMLMark?, _ path: ConfigPath, noun: String, emptyHint: String? = nil
  )
    -> Bool
  {
    if text.isEmpty {
      error("\(noun) may not be empty\(emptyHint.map { "; \($0)" } ?? "")", at: mark, path)
      return false
    }
    if let problem = forbiddenCharacterProblem(in: text) {
      error("\(noun) \(problem)", at: mark, path)
      return false
    }
    return true
  }

  /// A value of a string enumeration, with "did you mean".
  mutating func choice<T: RawRepresentable & CaseIterable>(
    _ node: YAMLNode, _ path: ConfigPath, what: String
  ) -> T? where T.RawValue == String {
    guard let text = string(node, path, what: what) else { return nil }
    if let value = T(rawValue: text) { return value }
    let names = T.allCases.map(\.rawValue)
    let hint = closestName(to: text, among: names).map { " (did you mean '\($0)'?)" } ?? ""
    error("unknown \(what) '\(text)'\(hint); use one of: \(names.joined(separator: ", "))", at: node.mark, path)
    return nil
  }

  /// An integer (a real without a fractional part counts), at least `minimum` and at most `maximum` when
  /// they are given; each failure is reported with the value and the bound.
  mutating func integer(
    _ node: YAMLNode, _ path: ConfigPath, what: String, minimum: Int? = nil, maximum: Int? = nil
  ) -> Int? {
    guard node.scalar != nil else {
      error("\(what) must be an integer, got \(node.kindDescription)", at: node.mark, path)
      return nil
    }
    guard let value = resolved(node, path) else { return nil }
    // A real with no fractional part counts as an integer, as it does for loss parameters.
    let whole: Int?
    switch value {
    case .integer(let n): whole = n
    case .real(let x) where x.isFinite && x == x.rounded() && abs(x) <= 9e15: whole = Int(x)
    default: whole = nil
    }
    guard let n = whole else {
      error("\(what) must be an integer, got \(describe(value))", at: node.mark, path)
      return nil
    }
    if let minimum, n < minimum {
      error("\(what) must be >= \(minimum), got \(n)", at: node.mark, path)
      return nil
    }
    if let maximum, n > maximum {
      error("\(what) must be at most \(maximum), got \(n)", at: node.mark, path)
      return nil
    }
    return n
  }

  /// A number: an integer or a real (non-finite values are returned; callers that need finite values
  /// check).
  mutating func number(_ node: YAMLNode, _ path: ConfigPath, what: String) -> Double? {
    guard node.scalar != nil else {
      error("\(what) must be a number, got \(node.kindDescription)", at: node.mark, path)
      return nil
    }
    guard let value = resolved(node, path) else { return nil }
    switch value {
    case .integer(let n): return Double(n)
    case .real(let x): return x
    default:
      error("\(what) must be a number, got \(describe(value))", at: node.mark, path)
      return nil
    }
  }

  /// A finite number, e.g. a score.
  mutating func finiteNumber(_ node: YAMLNode, _ path: ConfigPath, what: String) -> Double? {
    guard let x = number(node, path, what: what) else { return nil }
    guard x.isFinite else {
      error("\(what) is \(x.isNaN ? "NaN" : x > 0 ? "infinite" : "-infinite"); it must be finite", at: node.mark, path)
      return nil
    }
    return x
  }

  /// A parameter value for the registry: integer, real, Boolean or text.
  mutating func parameterValue(_ node: YAMLNode, _ path: ConfigPath) -> LossParameterValue? {
    guard node.scalar != nil else {
      error("a parameter value must be a number, a boolean or text, got \(node.kindDescription)", at: node.mark, path)
      return nil
    }
    switch resolved(node, path) {
    case .integer(let n)?: return .integer(n)
    case .real(let x)?:
      guard x.isFinite else {
        error("a parameter value must be finite, got \(x)", at: node.mark, path)
        return nil
      }
      return .real(x)
    case .boolean(let b)?: return .boolean(b)
    case .string(let s)?: return .string(s)
    case .null?:
      error("a parameter value must be given, got null", at: node.mark, path)
      return nil
    case nil: return nil
    }
  }

  func describe(_ value: ResolvedScalar) -> String {
    switch value {
    case .null: return "null"
    case .boolean(let b): return "the boolean \(b)"
    case .integer(let n): return "the integer \(n)"
    case .real(let x): return "the number \(x)"
    case .string(let s): return "the text '\(s)'"
    }
  }
}
