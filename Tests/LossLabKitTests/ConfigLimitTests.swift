import Foundation
import LossLabKit
import LossLabTestSupport
import RankingLosses
import Testing
import YAMLNodes

/// Configs that push the limits: counts whose products overflow, huge grids, names with control characters,
/// thousands of errors, long lines.
@Suite("Config limits, names and error output")
struct ConfigLimitTests {
  // MARK: Counts

  @Test("generate: B · (N + 1) that overflows is reported with its factors, not trapped")
  func generateOverflow() {
    let scenarios = """
        - {name: a, generate: {batch: 3, negatives: 9223372036854775807, num_items: 10}}
        - {name: b, generate: {batch: 9223372036854775807, negatives: 2, num_items: 10}}
        - {name: c, generate: {batch: 4294967296, negatives: 4294967296, num_items: 10}}
        - {name: d, generate: {batch: 9223372036854775807, negatives: 9223372036854775807, num_items: 10}}
      """
    #expect(
      errors(config(scenarios: scenarios)) == [
        "test.yaml:4:25: error: scenarios[0].generate: generate asks for 3 x 9223372036854775808 scores; "
          + "at most 50000000 are allowed",
        "test.yaml:5:25: error: scenarios[1].generate: generate asks for 9223372036854775807 x 3 scores; "
          + "at most 50000000 are allowed",
        "test.yaml:6:25: error: scenarios[2].generate: generate asks for 4294967296 x 4294967297 scores; "
          + "at most 50000000 are allowed",
        "test.yaml:7:25: error: scenarios[3].generate: generate asks for 9223372036854775807 x 9223372036854775808 "
          + "scores; at most 50000000 are allowed",
      ])
  }

  @Test("generated scenarios together stay within the limit; the one that passes it is named")
  func generateTotal() throws {
    var decoder = ConfigDecoder()
    decoder.maxGeneratedScores = 100
    let scenarios = """
        - {name: a, generate: {batch: 20, negatives: 1, num_items: 10}}
        - {name: b, generate: {batch: 10, negatives: 2, num_items: 10}}
        - {name: c, generate: {batch: 15, negatives: 1, num_items: 10}}
        - {name: d, generate: {batch: 5, negatives: 1, num_items: 10}}
      """
    let root = try YAMLParser.parse(Array(config(scenarios: scenarios).utf8))
    let (decoded, diagnostics) = decoder.decode(root, file: "test.yaml")
    // a, b and c draw 40 + 30 + 30 = 100 scores, the limit; d's 10 more pass it.
    #expect(decoded == nil)
    #expect(
      diagnostics.map(\.description) == [
        "test.yaml:7:25: error: scenarios[3].generate: generate asks for 5 x 2 scores, and the scenarios before it "
          + "for 100; at most 100 are allowed in all"
      ])
  }

  @Test("ScoreGenerator checks its counts itself")
  func generatorAPI() {
    #expect(ScoreGenerator(batch: Int.max, negatives: 2, numItems: 3).scoreCount == nil)
    #expect(ScoreGenerator(batch: 2, negatives: Int.max, numItems: 3).scoreCount == nil)
    #expect(ScoreGenerator(batch: 4, negatives: 2, numItems: 3).scoreCount == 12)
    #expect(
      thrownMessage { _ = try ScoreGenerator(batch: Int.max, negatives: 2, numItems: 3).generate() }
        == "generate asks for 9223372036854775807 x 3 scores, more than a 64-bit count holds")
    #expect(
      thrownMessage { _ = try ScoreGenerator(batch: 2, negatives: Int.max, numItems: 3).generate() }
        == "generate asks for 2 x 9223372036854775808 scores, more than a 64-bit count holds")
    #expect(
      thrownMessage { _ = try ScoreGenerator(batch: 0, negatives: 2, numItems: 3).generate() }
        == "batch must be >= 1, got 0")
    #expect(
      thrownMessage { _ = try ScoreGenerator(batch: 1, negatives: -4, numItems: 3).generate() }
        == "negatives must be >= 1, got -4")
    #expect(
      thrownMessage { _ = try ScoreGenerator(batch: 1, negatives: 1, numItems: 0).generate() }
        == "num_items must be >= 1, got 0")
    #expect(throws: Never.self) { _ = try ScoreGenerator(batch: 2, negatives: 3, numItems: 5).generate() }
  }

  /// A registry with `grid_loss`, which takes `count` real parameters `p0`, `p1`, … and a string one, `tag`.
  static func gridRegistry(parameters count: Int) -> LossRegistry {
    var registry = LossRegistry.standard
    let specs =
      (0..<count).map { LossParameterSpec(name: "p\($0)", type: .real, defaultValue: .real(0), doc: "a number") }
      + [LossParameterSpec(name: "tag", type: .string, defaultValue: .string(""), doc: "text")]
    try! registry.registerPairwise(name: "grid_loss", summary: "hinge", parameters: specs, adaptiveSummary: nil) { _ in
      HingeLoss()
    }
    return registry
  }

  @Test("a grid expands to at most 10000 variants; an overflowing product is reported with its factors")
  func gridLimit() {
    let loader = ConfigLoader(registry: Self.gridRegistry(parameters: 41))
    let list = "[" + (0..<101).map(String.init).joined(separator: ", ") + "]"
    let wide = config(losses: "  - loss: grid_loss\n    params: {p0: \(list), p1: \(list)}")
    #expect(
      loader.load(source: Array(wide.utf8), file: "test.yaml").diagnostics.map(\.description) == [
        "test.yaml:3:13: error: losses[0].params: the grid has 101 x 101 points; at most 10000 are allowed in one entry"
      ])
    // 3^41 does not fit in 64 bits.
    let deep = config(
      losses: "  - loss: grid_loss\n    params: {" + (0..<41).map { "p\($0): [1, 2, 3]" }.joined(separator: ", ") + "}")
    #expect(
      loader.load(source: Array(deep.utf8), file: "test.yaml").diagnostics.map(\.description) == [
        "test.yaml:3:13: error: losses[0].params: the grid has "
          + Array(repeating: "3", count: 41).joined(separator: " x ")
          + " points; at most 10000 are allowed in one entry"
      ])
    // 100 x 100 is the limit, allowed.
    let list100 = "[" + (0..<100).map(String.init).joined(separator: ", ") + "]"
    let allowed = config(losses: "  - loss: grid_loss\n    params: {p0: \(list100), p1: \(list100)}")
    #expect(loader.load(source: Array(allowed.utf8), file: "test.yaml").lossTable?.losses.count == 10_000)
  }

  @Test("huge and non-finite numbers in integer settings are errors, not traps")
  func hugeIntegers() {
    let yaml = """
      data:
        interactions: {path: x.csv, user: u, item: i}
      model: {factors: 1e300}
      training: {epochs: 9.3e18, batch_size: -9223372036854775808, negatives: 9223372036854775807, threads: .nan}
      evaluation: {k: 9223372036854775807, eval_every: 9223372036854775807}
      seeds: [9223372036854775807, 99999999999999999999]
      losses: [bpr]

      """
    #expect(
      errors(yaml) == [
        "test.yaml:3:18: error: model.factors: factors must be an integer, got the number 1e+300",
        "test.yaml:4:20: error: training.epochs: epochs must be an integer, got the number 9.3e+18",
        "test.yaml:4:40: error: training.batch_size: batch_size must be >= 1, got -9223372036854775808",
        "test.yaml:4:73: error: training.negatives: negatives must be at most 10000, got 9223372036854775807",
        "test.yaml:4:103: error: training.threads: threads must be an integer, got the number nan",
        "test.yaml:6:30: error: seeds[1]: the integer 99999999999999999999 does not fit in 64 bits",
      ])
    let big = config(
      losses: "  - loss: warp\n    params: {num_items: 9223372036854775807}",
      scenarios: "  - {name: s, generate: {batch: 2, num_items: 9223372036854775807, seed: 9223372036854775807}}")
    #expect(check(big).lossTable != nil)
  }

  // MARK: Names

  @Test("labels, scenario, experiment and metadata field names with control characters are rejected where they are")
  func controlCharacters() {
    let yaml = #"""
      experiment: "ex\tp"
      metadata:
        "g\r": [0]
        "k\u0007ey": [1]
      losses:
        - {loss: bpr, label: "a\nb"}
        - {loss: hinge, label: "\u2028"}
        - {loss: hinge, label: "ok\u2029"}
        - {loss: warp, label: "\u0085"}
      scenarios:
        - {name: "s\u007F", positive_scores: [1.0], negative_scores: [0.5]}

      """#
    #expect(
      errors(yaml) == [
        "test.yaml:1:13: error: experiment: an experiment name may not contain control characters "
          + "(found U+0009 at character 3)",
        "test.yaml:3:3: error: metadata.g\\r: a metadata field name may not contain control characters "
          + "(found U+000D at character 2)",
        "test.yaml:4:3: error: metadata.k\\u{7}ey: a metadata field name may not contain control characters "
          + "(found U+0007 at character 2)",
        "test.yaml:6:24: error: losses[0].label: a label may not contain control characters "
          + "(found U+000A at character 2)",
        "test.yaml:7:26: error: losses[1].label: a label may not contain control characters "
          + "(found U+2028 at character 1)",
        "test.yaml:8:26: error: losses[2].label: a label may not contain control characters "
          + "(found U+2029 at character 3)",
        "test.yaml:9:25: error: losses[3].label: a label may not contain control characters "
          + "(found U+0085 at character 1)",
        "test.yaml:11:12: error: scenarios[0].name: a scenario name may not contain control characters "
          + "(found U+007F at character 2)",
      ])
  }

  @Test("a description with control characters is rejected; a block scalar's final line break is dropped")
  func descriptionControlCharacters() throws {
    let escape = #"""
      description: "\x1b[31mred\x1b[0m"
      losses: [bpr]
      scenarios:
        - {name: s, positive_scores: [1.0], negative_scores: [0.5]}

      """#
    #expect(
      errors(escape) == [
        "test.yaml:1:14: error: description: the description may not contain control characters "
          + "(found U+001B at character 1); write it as one line of text"
      ])
    let rest = "losses: [bpr]\nscenarios:\n  - {name: s, positive_scores: [1.0], negative_scores: [0.5]}\n"
    let nul = "description: \"a\\x00b\"\n" + rest
    #expect(
      errors(nul) == [
        "test.yaml:1:14: error: description: the description may not contain control characters "
          + "(found U+0000 at character 2); write it as one line of text"
      ])
    let twoLines = "description: |\n  one\n  two\n" + rest
    #expect(
      errors(twoLines) == [
        "test.yaml:1:14: error: description: the description may not contain control characters "
          + "(found U+000A at character 4); write it as one line of text"
      ])
    let block = "description: |\n  one line\n" + rest
    #expect(errors(block).isEmpty)
  }

  @Test("empty labels and names are rejected; '.' and '..' are labels like any other")
  func emptyNames() {
    let yaml = """
      experiment: ""
      metadata:
        "": [0]
      losses:
        - {loss: bpr, label: ""}
        - {loss: hinge, label: .}
        - {loss: adaptive_hinge, label: ..}
      scenarios:
        - {name: "", positive_scores: [1.0], negative_scores: [0.5]}

      """
    #expect(
      errors(yaml) == [
        "test.yaml:1:13: error: experiment: an experiment name may not be empty; remove 'experiment' to use the "
          + "file's name",
        "test.yaml:3:3: error: metadata.\"\": a metadata field name may not be empty",
        "test.yaml:5:24: error: losses[0].label: a label may not be empty; remove 'label' to use the generated one",
        "test.yaml:9:12: error: scenarios[0].name: a scenario name may not be empty",
      ])
    let dots = config(losses: "  - {loss: bpr, label: .}\n  - {loss: hinge, label: ..}")
    #expect(check(dots).lossTable?.losses.map(\.label) == [".", ".."])
  }

  @Test("a rejected label gives no variant, so it causes no clash with a generated label")
  func rejectedLabelNoClash() {
    #expect(
      errors(config(losses: "  - hinge\n  - {loss: hinge, label: \"\"}")) == [
        "test.yaml:3:26: error: losses[1].label: a label may not be empty; remove 'label' to use the generated one"
      ])
  }

  @Test("a string parameter that brings a control character into a generated label")
  func generatedLabel() {
    let loader = ConfigLoader(registry: Self.gridRegistry(parameters: 0))
    let yaml = config(losses: "  - loss: grid_loss\n    params: {tag: \"x\\ty\"}")
    #expect(
      loader.load(source: Array(yaml.utf8), file: "test.yaml").diagnostics.map(\.description) == [
        "test.yaml:2:5: error: losses[0]: the label 'grid_loss(tag=x\\ty)' may not contain control characters "
          + "(found U+0009 at character 16)"
      ])
  }

  @Test("custom loss names and descriptions, and training metadata fields, with control characters")
  func customAndTrainingNames() {
    let custom = config(
      losses: "  - bpr",
      extra: """
        custom_losses:
          - {name: "sq\\nhinge", expression: "max(0, m - d)^2"}
          - {name: fine, expression: "max(0, m - d)", description: "two\\nlines"}

        """)
    #expect(
      errors(custom) == [
        "test.yaml:2:12: error: custom_losses[0].name: 'sq\\nhinge' is not a valid loss name: use lower-case "
          + "letters, digits and '_', starting with a letter",
        "test.yaml:3:60: error: custom_losses[1].description: a description may not contain control characters "
          + "(found U+000A at character 4)",
      ])
    let training = """
      data:
        interactions: {path: r.csv, user: u, item: i}
        items: {path: i.csv, id: item, fields: {"ge\\tnre": genres, "": kind}}
      losses: [bpr]

      """
    #expect(
      errors(training) == [
        "test.yaml:3:43: error: data.items.fields.ge\\tnre: a metadata field name may not contain control "
          + "characters (found U+0009 at character 3)",
        "test.yaml:3:62: error: data.items.fields.\"\": a metadata field name may not be empty",
      ])
  }

  @Test("a key with a control character is quoted escaped, on one line")
  func escapedKey() {
    #expect(
      errors(config(extra: "\"exp\\nx\": 1\n")) == [
        "test.yaml:1:1: error: exp\\nx: unknown key 'exp\\nx'; a config takes: experiment, description, metadata, "
          + "plugins, custom_losses, losses, scenarios"
      ])
  }

  // MARK: Error output

  /// A config with `count` unknown keys in its one scenario (lines 7, 8, …).
  static func manyUnknownKeys(_ count: Int) -> String {
    config(
      scenarios: "  - name: s\n    positive_scores: [1.0]\n    negative_scores: [0.5]\n"
        + (0..<count).map { "    key\($0): 1" }.joined(separator: "\n"))
  }

  @Test("at most 20 diagnostics per file are printed, then an exact count of the rest; the API keeps them all")
  func errorCap() throws {
    let loaded = check(Self.manyUnknownKeys(25))
    #expect(loaded.diagnostics.count == 25)
    let error = try #require(throws: ConfigErrors.self) { try loaded.get() }
    #expect(error.diagnostics.count == 25)
    let lines = error.description.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.count == 20 * 3 + 1)
    #expect(
      lines[57] == "test.yaml:26:5: error: scenarios[0].key19: unknown key 'key19'; a scenario takes: "
        + "name, positive_scores, negative_scores, positive_items, negative_items, num_items, generate")
    #expect(lines.last == "… and 5 more errors in test.yaml")
    #expect(
      ConfigErrors.render(error.diagnostics, sources: error.sources, limit: nil).split(separator: "\n").count == 75)
    // Exactly at the limit: no count line.
    let twenty = try #require(throws: ConfigErrors.self) { try check(Self.manyUnknownKeys(20)).get() }
    #expect(twenty.description.split(separator: "\n").count == 60)
    #expect(!twenty.description.contains("more error"))
  }

  @Test("losslab validate prints 20 diagnostics and the count of the rest, and fails")
  func errorCapCommandLine() throws {
    let folder = try temporaryFolder()
    try Self.manyUnknownKeys(1000).write(
      to: folder.appendingPathComponent("many.yaml"), atomically: true, encoding: .utf8)
    let result = try losslab(["validate", "many.yaml"], in: folder)
    #expect(result.status == 65)
    let lines = result.stderr.split(separator: "\n")
    #expect(lines.count == 61)
    #expect(lines.first?.hasPrefix("many.yaml:7:5: error: scenarios[0].key0: unknown key 'key0'") == true)
    #expect(lines.last == "… and 980 more errors in many.yaml")
  }

  @Test("the count is per file, and counts warnings apart")
  func errorCapPerFile() {
    func diagnostic(_ file: String, _ line: Int, _ severity: ConfigDiagnostic.Severity) -> ConfigDiagnostic {
      ConfigDiagnostic(file: file, mark: YAMLMark(line: line, column: 1), message: "m", severity: severity)
    }
    let a = (1...22).map { diagnostic("a.yaml", $0, .error) } + [diagnostic("a.yaml", 23, .warning)]
    let b = (1...21).map { diagnostic("b.yaml", $0, $0 == 21 ? .warning : .error) }
    let text = ConfigErrors.render(a + b, sources: [:])
    let lines = text.split(separator: "\n")
    #expect(lines.count == 42)
    #expect(lines[19] == "a.yaml:20:1: error: m")
    #expect(lines[20] == "b.yaml:1:1: error: m")
    #expect(lines[40] == "… and 2 more errors and 1 more warning in a.yaml")
    #expect(lines[41] == "… and 1 more warning in b.yaml")
    #expect(ConfigErrors.render([], sources: [:]) == "")
  }

  @Test("a long source line is cut around the column, with the caret under the right character")
  func longLineExcerpt() {
    let head = String(repeating: "x", count: 200)
    let tail = String(repeating: "y", count: 200)
    // The unknown key 'ünknown' in a long line, after wide and multi-byte characters.
    let line = "losses: [{label: \"日本語\(head)é\", ünknown: 1, loss: bpr}]  # \(tail)"
    let scalars = Array(line.unicodeScalars)
    let column = scalars.firstIndex(of: "ü")! + 1
    let rendered = renderedErrors(line + "\nscenarios: [{name: s, positive_scores: [1.0], negative_scores: [0.5]}]\n")
    let window = String(String.UnicodeScalarView(scalars[(column - 1 - 60)..<(column - 1 + 60)]))
    #expect(
      rendered == """
        test.yaml:1:\(column): error: losses[0].ünknown: unknown key 'ünknown'; a loss entry takes: loss, label, \
        params, partial_credit
         1 | …\(window)…
           | \(String(repeating: " ", count: 61))^
        """)
    // The start of the line: no '…' before, the caret two columns along per wide character.
    let start = "losses: [{label: 日本語, ünknown: 1, loss: bpr}]  # \(tail)"
    let prefix = String(String.UnicodeScalarView(Array(start.unicodeScalars)[0..<120]))
    #expect(
      renderedErrors(start + "\nscenarios: [{name: s, positive_scores: [1.0], negative_scores: [0.5]}]\n") == """
        test.yaml:1:23: error: losses[0].ünknown: unknown key 'ünknown'; a loss entry takes: loss, label, params, \
        partial_credit
         1 | \(prefix)…
           | \(String(repeating: " ", count: 17 + 6 + 2))^
        """)
    // The end of the line: the window ends with it, no '…' after.
    let end = "losses: [{label: \"\(head)\", ünknown: 1, loss: bpr}]"
    let endScalars = Array(end.unicodeScalars)
    let endColumn = endScalars.firstIndex(of: "ü")! + 1
    let last = String(String.UnicodeScalarView(endScalars[(endScalars.count - 120)...]))
    #expect(
      renderedErrors(end + "\nscenarios: [{name: s, positive_scores: [1.0], negative_scores: [0.5]}]\n") == """
        test.yaml:1:\(endColumn): error: losses[0].ünknown: unknown key 'ünknown'; a loss entry takes: loss, label, \
        params, partial_credit
         1 | …\(last)
           | \(String(repeating: " ", count: 1 + endColumn - 1 - (endScalars.count - 120)))^
        """)
  }

  @Test("lines are counted as libyaml counts them: U+2028, U+2029 and U+0085 end a line")
  func unicodeLineBreaks() {
    // Inside a quoted label: libyaml keeps U+2028 and U+2029 (the label is rejected) and folds U+0085 into a
    // space, but counts a new line for each.
    for separator in ["\u{2028}", "\u{2029}", "\u{85}"] {
      let yaml =
        "losses:\n  - {loss: bpr, label: \"a\(separator)b\"}\n  - warpp\n"
        + "scenarios: [{name: s, positive_scores: [1.0], negative_scores: [0.5]}]\n"
      let rendered = renderedErrors(yaml).split(separator: "\n").suffix(3)
      #expect(rendered.first?.hasPrefix("test.yaml:4:5: error: losses[1]: unknown loss 'warpp'") == true)
      #expect(rendered.dropFirst().first == " 4 |   - warpp")
    }
  }

  @Test("every diagnostic of a long file quotes its own line")
  func manyLinesQuoted() {
    let count = 3000
    let loaded = check(Self.manyUnknownKeys(count))
    let text = ConfigErrors.render(loaded.diagnostics, sources: ["test.yaml": loaded.source!], limit: nil)
    let lines = text.split(separator: "\n")
    #expect(lines.count == count * 3)
    for k in stride(from: 0, to: count, by: 499) {
      #expect(lines[3 * k + 1] == " \(7 + k) |     key\(k): 1")
    }
  }
}
