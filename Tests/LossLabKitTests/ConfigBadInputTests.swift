import Foundation
import LossLabKit
import Testing

/// One test per class of bad input: the message text and its place, verbatim.
@Suite("Bad configs")
struct ConfigBadInputTests {
  @Test("YAML syntax errors keep libyaml's message and mark, quoted with a caret")
  func syntax() {
    let yaml = "losses:\n  - bpr\nscenarios:\n  - name: s\n    positive_scores: [1.0\n    negative_scores: [0.5]\n"
    #expect(
      renderedErrors(yaml, file: "x.yaml") == """
        x.yaml:6:20: error: while parsing a flow sequence: did not find expected ',' or ']'
         6 |     negative_scores: [0.5]
           |                    ^
        """)
  }

  @Test("tabs")
  func tabs() {
    #expect(
      errors("losses:\n\t- bpr\nscenarios: []\n") == [
        "test.yaml:2:1: error: while scanning for the next token: found character that cannot start any token "
          + "(a tab character: YAML indents with spaces only)"
      ])
  }

  @Test("bad indentation")
  func indentation() {
    #expect(
      errors("losses:\n  - bpr\n scenarios:\n  - name: s\n") == [
        "test.yaml:3:2: error: while parsing a block mapping: did not find expected key (indentation: line 3 starts "
          + "at column 2, which lines up with nothing above: the '-' at column 3 (line 2), 'losses' at column 1 "
          + "(line 1); align it with the one it belongs to)"
      ])
  }

  @Test("duplicate keys, which libyaml lets through")
  func duplicateKeys() {
    let yaml =
      "losses: [bpr]\nscenarios:\n  - name: s\n    positive_scores: [1.0]\n    negative_scores: [0.5]\n    positive_scores: [2.0]\n"
    #expect(errors(yaml) == ["test.yaml:6:5: error: duplicate key 'positive_scores' (first at line 4, column 5)"])
  }

  @Test("unknown keys, loss names and parameters, with suggestions")
  func unknownNames() {
    let yaml = """
      losses:
        - loss: warpp
        - loss: warp
          params: {num_item: 3}
        - loss: bpr
          lable: x
      scenarios:
        - name: s
          positive_scores: [1.0]
          negative_scores: [[0.5]]
      experimnt: x

      """
    #expect(
      errors(yaml) == [
        "test.yaml:2:11: error: losses[0].loss: unknown loss 'warpp' (did you mean 'warp'?); known losses: bpr, "
          + "adaptive_bpr, hinge, adaptive_hinge, warp, log_sigmoid_bpr, adaptive_log_sigmoid_bpr",
        "test.yaml:4:14: error: losses[1].params.num_item: unknown key 'num_item' (did you mean 'num_items'?); "
          + "params of warp takes: num_items",
        "test.yaml:6:5: error: losses[2].lable: unknown key 'lable' (did you mean 'label'?); a loss entry takes: "
          + "loss, label, params, partial_credit",
        "test.yaml:11:1: error: experimnt: unknown key 'experimnt' (did you mean 'experiment'?); a config takes: "
          + "experiment, description, metadata, plugins, custom_losses, losses, scenarios",
      ])
  }

  @Test("wrong types")
  func wrongTypes() {
    let yaml = """
      losses: bpr
      scenarios:
        - name: 5
          positive_scores: ["1.0"]
          negative_scores: 0.5
        - name: g
          generate: {batch: 2.5, distribution: gaussian}

      """
    #expect(
      errors(yaml) == [
        "test.yaml:1:9: error: losses: losses must be a list, got a scalar",
        "test.yaml:3:11: error: scenarios[0].name: name must be text, got the integer 5 (quote it to make it text)",
        "test.yaml:4:23: error: scenarios[0].positive_scores[0]: a score must be a number, got the text '1.0'",
        "test.yaml:5:22: error: scenarios[0].negative_scores: negative_scores must be a list, got a scalar",
        "test.yaml:7:15: error: scenarios[1].generate: generate needs 'num_items' (the catalog the item ids are drawn "
          + "from), or the scenario's num_items, or metadata",
        "test.yaml:7:23: error: scenarios[1].generate.batch: batch must be an integer, got the number 2.5",
        "test.yaml:7:42: error: scenarios[1].generate.distribution: unknown distribution 'gaussian'; use one of: "
          + "normal, uniform",
      ])
    #expect(
      errors(config(losses: "  - loss: warp\n    params: {num_items: 0.5}")) == [
        "test.yaml:3:25: error: losses[0].params.num_items: must be an integer, got a real number (0.5)"
      ])
  }

  @Test("numbers that overflow, and non-finite scores")
  func overflowAndNonFinite() {
    let yaml = config(
      scenarios:
        "  - name: s\n    positive_scores: [1e999, .nan]\n    negative_scores: [0.5, -.inf]\n    num_items: 99999999999999999999"
    )
    #expect(
      errors(yaml) == [
        "test.yaml:5:23: error: scenarios[0].positive_scores[0]: the number 1e999 overflows to infinity",
        "test.yaml:5:30: error: scenarios[0].positive_scores[1]: a score is NaN; it must be finite",
        "test.yaml:6:28: error: scenarios[0].negative_scores[1]: a score is -infinite; it must be finite",
        "test.yaml:7:16: error: scenarios[0].num_items: the integer 99999999999999999999 does not fit in 64 bits",
      ])
  }

  @Test("empty and ragged score lists, mismatched shapes")
  func shapes() {
    let yaml = config(
      losses: "  - adaptive_bpr",
      scenarios: """
          - name: a
            positive_scores: []
            negative_scores: []
          - name: b
            positive_scores: [1.0, 2.0]
            negative_scores: [[0.5, 1.0], [0.5]]
          - name: c
            positive_scores: [1.0, 2.0]
            negative_scores: [0.5]
          - name: d
            positive_scores: [1.0]
            negative_scores: [[0.5], [1.0]]
            positive_items: [0]
            negative_items: [1]
        """)
    #expect(
      errors(yaml) == [
        "test.yaml:5:22: error: scenarios[0].positive_scores: positive_scores is empty; a batch needs at least one positive",
        "test.yaml:6:22: error: scenarios[0].negative_scores: negative_scores is empty; each positive needs at least one negative",
        "test.yaml:9:35: error: scenarios[1].negative_scores[1]: negative_scores row 1 has 1 entry but there are 2 "
          + "positive scores; each row holds one negative per positive",
        "test.yaml:12:22: error: scenarios[2].negative_scores: negative_scores has 1 entry but there are 2 positive "
          + "scores; a flat list gives one negative per positive (write N rows for many)",
        "test.yaml:17:21: error: scenarios[3].negative_items: negative_items is a list of 1 but negative_scores is "
          + "2 x 1; they must match",
      ])
  }

  @Test("item ids out of range")
  func itemIDs() {
    let yaml = config(
      scenarios: """
          - name: s
            positive_scores: [1.0, 2.0]
            negative_scores: [0.5, 0.5]
            positive_items: [3, 0]
            negative_items: [-1, 2]
          - name: t
            positive_scores: [1.0]
            negative_scores: [0.5]
            positive_items: [4]
            negative_items: [0]
            num_items: 10
        """,
      extra: "metadata:\n  genre: [0, 0, 1]\n")
    #expect(
      errors(yaml) == [
        "test.yaml:9:22: error: scenarios[0].positive_items[0]: item id 3 is out of range: the metadata covers items 0..<3",
        "test.yaml:10:22: error: scenarios[0].negative_items[0]: item id -1 is negative; ids count from 0",
        "test.yaml:14:22: error: scenarios[1].positive_items[0]: item id 4 is out of range: the metadata covers items 0..<3",
      ])
  }

  @Test("partial-credit weight problems")
  func weights() {
    let yaml = """
      metadata:
        genre: [0, 0, 1]
      losses:
        - loss: bpr
          partial_credit: {genre: 0.75, director: 0.5}
        - loss: hinge
          partial_credit: {genre: -0.5}
        - loss: hinge
          label: h2
          partial_credit: {directr: 0.5}
      scenarios:
        - {name: s, positive_scores: [1.0], negative_scores: [0.5], positive_items: [0], negative_items: [1]}

      """
    #expect(
      errors(yaml) == [
        "test.yaml:5:21: error: losses[0].partial_credit: sum of metadata weights was 1.25, must be <=1",
        "test.yaml:7:29: error: losses[1].partial_credit.genre: metadata weight for 'genre' is -0.5; weights must be "
          + "finite and >= 0",
        "test.yaml:10:22: error: losses[2].partial_credit.directr: metadata weight for 'directr', but the metadata "
          + "has no such field (fields: genre)",
      ])
    #expect(
      errors(config(losses: "  - loss: bpr\n    partial_credit: {genre: 0.5}")) == [
        "test.yaml:3:21: error: losses[0].partial_credit: partial credit needs item metadata: add a top-level "
          + "'metadata:' with one category code per item for each field"
      ])
  }

  @Test("WARP without num_items")
  func warpWithoutNumItems() {
    #expect(
      errors(config(losses: "  - warp")) == [
        "test.yaml:2:5: error: losses[0]: warp needs num_items and scenario 's' gives none: set params: "
          + "{num_items: N}, the scenario's num_items, or top-level metadata"
      ])
  }

  @Test("an empty file, an empty document, a file that is not UTF-8, a missing file")
  func files() throws {
    #expect(errors("") == ["test.yaml: error: the file is empty; a config needs 'losses' and 'scenarios'"])
    #expect(
      errors("# only a comment\n") == ["test.yaml: error: the file is empty; a config needs 'losses' and 'scenarios'"])
    #expect(errors("---\n") == ["test.yaml:2:1: error: the document is empty; a config needs 'losses' and 'scenarios'"])
    let latin1: [UInt8] = Array("losses: [bpr]\nscenarios:\n  - name: caf".utf8) + [0xE9, 0x0A]
    #expect(
      ConfigLoader().load(source: latin1, file: "l.yaml").diagnostics.map(\.description) == [
        "l.yaml:3:14: error: incomplete UTF-8 octet sequence: a config must be UTF-8 text"
      ])
    let missing = ConfigLoader().load(path: "/nonexistent/losslab.yaml")
    #expect(
      missing.diagnostics.map(\.description) == [
        "/nonexistent/losslab.yaml: error: cannot open the config: no such file"
      ])
    #expect(missing.diagnostics.first?.category == .unreadableInput)
  }

  /// Nine levels of nine aliases would expand to 9⁹ nodes; the third `*a5` (line 7, column 20) takes the
  /// document past 2 million.
  @Test("an alias bomb stops at the alias that passes the node limit")
  func aliasBomb() {
    var lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in 1...9 {
      lines.append("a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 9).joined(separator: ", ") + "]")
    }
    lines.append("losses: *a9")
    let found = errors(lines.joined(separator: "\n") + "\n")
    #expect(found == ["test.yaml:7:20: error: aliases expand the document beyond 2000000 nodes"])
  }

  /// `losses:` is depth 1, so the 200th `[` (column 8 + 200) is the first too deep.
  @Test("deep nesting is an error, not a stack overflow")
  func deepNesting() {
    let deep = "losses: " + String(repeating: "[", count: 100_000)
    #expect(errors(deep) == ["test.yaml:1:208: error: nesting deeper than 200 levels"])
  }

  @Test("generated ids must stay inside the metadata, even when num_items comes from the scenario")
  func generatedIDs() {
    let yaml = config(
      scenarios: "  - name: g\n    num_items: 10\n    generate: {batch: 8, negatives: 2}",
      extra: "metadata:\n  genre: [0, 1, 0, 1]\n")
    #expect(
      errors(yaml) == [
        "test.yaml:8:15: error: scenarios[0].generate: generate would draw item ids from 0..<10, but the metadata "
          + "covers items 0..<4"
      ])
  }

  @Test("parameters for a loss that takes none; a misspelt partial-credit field")
  func parameterMistakes() {
    #expect(
      errors(config(losses: "  - loss: bpr\n    params: {margin: 1}")) == [
        "test.yaml:3:13: error: losses[0].params: bpr takes no parameters; remove 'params'"
      ])
    #expect(
      errors(config(losses: "  - loss: bpr\n    partial_credit: {gnre: 0.5}", extra: "metadata:\n  genre: [0, 1]\n"))
        == [
          "test.yaml:5:22: error: losses[0].partial_credit.gnre: metadata weight for 'gnre', but the metadata has no "
            + "such field (did you mean 'genre'?) (fields: genre)"
        ])
  }

  @Test("a byte-order mark and \\r line breaks are read like any UTF-8 file")
  func lineEndings() throws {
    let bom = [0xEF, 0xBB, 0xBF] + Array(config().utf8)
    #expect(ConfigLoader().load(source: bom, file: "bom.yaml").config != nil)
    let cr = Array("losses:\r  - bpx\rscenarios: [{name: s, positive_scores: [1.0], negative_scores: [0.5]}]\r".utf8)
    let loaded = ConfigLoader().load(source: cr, file: "cr.yaml")
    #expect(
      loaded.diagnostics.map { $0.rendered(source: loaded.source) } == [
        """
        cr.yaml:2:5: error: losses[0]: unknown loss 'bpx' (did you mean 'bpr'?); known losses: bpr, adaptive_bpr, \
        hinge, adaptive_hinge, warp, log_sigmoid_bpr, adaptive_log_sigmoid_bpr
         2 |   - bpx
           |     ^
        """
      ])
  }
}
