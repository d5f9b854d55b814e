import Foundation
import LossLabKit
import LossLabTestSupport
import Testing

/// Issue 13's messages, each with its exact text: indentation mistakes explained against the line above,
/// lists written without brackets, a parameter or training setting one level too high, a custom loss's
/// error not cascading, every independent problem of an entry at once, and a training config's data files
/// checked by their headers at the config's lines.
@Suite("Messages that help")
struct MessageTests {
  @Test("a key deeper than the line above: read as more of its value; the line above is quoted")
  func keyTooDeep() {
    let yaml = "losses:\n  - loss: warp\n     params: {num_items: 10}\nscenarios: []\n"
    #expect(
      renderedErrors(yaml) == """
        test.yaml:3:12: error: mapping values are not allowed in this context (indentation: line 3 starts at \
        column 6, deeper than 'loss' at column 5 on line 2, so YAML reads it as more of the value of 'loss'; \
        start it at column 5 to make it a key beside 'loss')
         2 |   - loss: warp
         3 |      params: {num_items: 10}
           |            ^
        """)
  }

  @Test("a key at the column of a list's '-': a new item needs '- ', the item's keys are further in")
  func keyAtDashColumn() {
    let yaml = "losses:\n  - loss: warp\n  params: {num_items: 10}\nscenarios: []\n"
    #expect(
      renderedErrors(yaml) == """
        test.yaml:3:3: error: while parsing a block collection: did not find expected '-' indicator (indentation: \
        line 3 starts at column 3 without '- ', where the list of line 2 puts its '-'; begin it with '- ' for a \
        new item, or indent it to column 5, like 'loss' on line 2, to continue that item)
         2 |   - loss: warp
         3 |   params: {num_items: 10}
           |   ^
        """)
  }

  @Test("a line between columns: the columns open above it, nearest first; blank lines skipped")
  func betweenColumns() {
    let yaml = """
      scenarios:
        - name: a
          positive_scores: [1]

         negative_scores: [[0]]
      losses: [bpr]

      """
    #expect(
      renderedErrors(yaml) == """
        test.yaml:5:4: error: while parsing a block collection: did not find expected '-' indicator (indentation: \
        line 5 starts at column 4, which lines up with nothing above: 'positive_scores' at column 5 (line 3), \
        the '-' at column 3 (line 2), 'scenarios' at column 1 (line 1); align it with the one it belongs to)
         3 |     positive_scores: [1]
         5 |    negative_scores: [[0]]
           |    ^
        """)
  }

  @Test("a list item indented deeper than the one above joins it: the name says so")
  func itemJoinsTheOneAbove() {
    #expect(
      errors("losses:\n  - bpr\n   - hinge\nscenarios: []\n").first
        == "test.yaml:2:5: error: losses[0]: unknown loss 'bpr - hinge'; known losses: bpr, adaptive_bpr, hinge, "
        + "adaptive_hinge, warp, log_sigmoid_bpr, adaptive_log_sigmoid_bpr (an item indented deeper than the one "
        + "above continues it as one text: align the '-' of each item)")
  }

  @Test("a scalar with ': ' on one line gets libyaml's message alone: no indentation story to tell")
  func noHintWithoutIndentation() {
    #expect(
      errors("losses: [bpr]\nexperiment: a: b\nscenarios: []\n") == [
        "test.yaml:2:14: error: mapping values are not allowed in this context"
      ])
  }

  /// A training config's text with `body` after its data section.
  static func training(_ body: String) -> String {
    "data:\n  interactions: {path: r.csv, user: u, item: i}\n" + body
  }

  @Test("seeds: 1, 2, 3 is one text; the list form is suggested")
  func seedsWithoutBrackets() throws {
    #expect(
      try trainingDiagnostics(Self.training("seeds: 1, 2, 3\nlosses: [bpr]\n")) == [
        "t.yaml:3:8: error: seeds: several values are written as a list in brackets: seeds: [1, 2, 3] (got the "
          + "text '1, 2, 3')"
      ])
  }

  @Test("a training setting's list without brackets, and a comma in braces that starts a new key")
  func commaInBraces() throws {
    #expect(
      try trainingDiagnostics(Self.training("training:\n  learning_rate: 0.05, 0.1\nlosses: [bpr]\n")) == [
        "t.yaml:4:18: error: training.learning_rate: several values are written as a list in brackets: "
          + "learning_rate: [0.05, 0.1] (got the text '0.05, 0.1')"
      ])
    #expect(
      try trainingDiagnostics(Self.training("training: {learning_rate: 0.05, 0.1, 0.2}\nlosses: [bpr]\n")) == [
        "t.yaml:3:33: error: training.0.1: unknown key '0.1' (in braces, commas separate entries, so '0.1' reads "
          + "as a key; several values of 'learning_rate' are written as a list in brackets: learning_rate: "
          + "[0.05, 0.1, 0.2]); training takes: epochs, batch_size, negatives, sampler, optimizer, learning_rate, l2, "
          + "threads, patience",
        "t.yaml:3:38: error: training.0.2: unknown key '0.2' (in braces, commas separate entries, so '0.2' reads "
          + "as a key; several values of 'learning_rate' are written as a list in brackets: learning_rate: "
          + "[0.05, 0.1, 0.2]); training takes: epochs, batch_size, negatives, sampler, optimizer, learning_rate, l2, "
          + "threads, patience",
      ])
    // A key that takes one value: the comma is explained, no list suggested.
    #expect(
      errors(config(scenarios: "  - {name: r, generate: {batch: 4, negatives: 2, num_items: 5, seed: 1, 2}}")) == [
        "test.yaml:4:73: error: scenarios[0].generate.2: unknown key '2' (in braces, commas separate entries, so "
          + "'2' reads as a key without a value, after 'seed: 1'); generate takes: batch, negatives, num_items, "
          + "distribution, location, scale, positive_shift, seed"
      ])
  }

  @Test("a parameter or a training setting at the entry's level points to params: and training:")
  func oneLevelTooHigh() throws {
    #expect(
      errors(config(losses: "  - loss: warp\n    num_items: 10")) == [
        "test.yaml:3:5: error: losses[0].num_items: unknown key 'num_items' (num_items is a parameter of warp: put "
          + "it under 'params', as params: {num_items: 10}); a loss entry takes: loss, label, params, partial_credit"
      ])
    #expect(
      try trainingDiagnostics(Self.training("losses:\n  - loss: bpr\n    learning_rate: 0.1\n")) == [
        "t.yaml:5:5: error: losses[0].learning_rate: unknown key 'learning_rate' (learning_rate is a training "
          + "setting: put it under 'training', as training: {learning_rate: 0.1}); a loss entry takes: loss, label, "
          + "params, partial_credit, model, training"
      ])
  }

  @Test("a custom loss that fails its checks is reported once, not again where losses: names it")
  func noCascade() {
    let yaml = config(
      losses: "  - bad1\n  - adaptive_bad1\n  - loss: bad1\n    label: third",
      extra: "custom_losses:\n  - name: bad1\n    expression: \"max(0, m - d\"\n")
    #expect(
      errors(yaml) == [
        "test.yaml:3:30: error: custom_losses[0].expression: in the expression, column 13: expected ')' after the "
          + "arguments of 'max'"
      ])
  }

  @Test("every problem of a custom loss at once: each missing key, a bad kind and reduction")
  func everyCustomLossProblem() {
    let yaml = config(
      extra:
        "custom_losses:\n  - {name: c, kind: adaptive, reduction: median}\n  - {expression: \"m - d\", kind: pairwise}\n"
    )
    #expect(
      errors(yaml) == [
        "test.yaml:2:5: error: custom_losses[0]: a custom loss needs 'expression'",
        "test.yaml:2:21: error: custom_losses[0].kind: custom losses are pairwise ('kind: pairwise'); adaptive_c is "
          + "made from it automatically",
        "test.yaml:2:42: error: custom_losses[0].reduction: unknown reduction 'median' (did you mean 'mean'?); use "
          + "one of: mean, sum, seed",
        "test.yaml:3:5: error: custom_losses[1]: a custom loss needs 'name'",
      ])
  }

  @Test("an unknown loss name does not hide the entry's other problems")
  func everyEntryProblem() {
    let yaml = config(losses: "  - loss: warpp\n    label: [3]\n    params: 5\n    partial_credit: {genre: 2}")
    #expect(
      errors(yaml) == [
        "test.yaml:2:11: error: losses[0].loss: unknown loss 'warpp' (did you mean 'warp'?); known losses: bpr, "
          + "adaptive_bpr, hinge, adaptive_hinge, warp, log_sigmoid_bpr, adaptive_log_sigmoid_bpr",
        "test.yaml:3:12: error: losses[0].label: label must be text, got a sequence",
        "test.yaml:4:13: error: losses[0].params: params must be a mapping from parameter name to value, got a scalar",
        "test.yaml:5:21: error: losses[0].partial_credit: partial credit needs item metadata: add a top-level "
          + "'metadata:' with one category code per item for each field",
      ])
  }

  @Test("validate opens a training config's data files: a missing file and misspelled columns at their lines")
  func dataFilesChecked() throws {
    let folder = try temporaryFolder()
    try "user,movie,stars\n1,10,5\n".write(
      to: folder.appendingPathComponent("ratings.csv"), atomically: true, encoding: .utf8)
    try "movie,genres\n10,Drama\n".write(
      to: folder.appendingPathComponent("movies.csv"), atomically: true, encoding: .utf8)
    let config = folder.appendingPathComponent("c.yaml").path
    try """
    data:
      interactions: {path: ratings.csv, user: user, item: movieId, rating: stars, timestamp: time}
      items:
        path: movies.csv
        id: movie
        fields:
          genre: {column: genre, separator: "|"}
          kind: kinds
    losses: [bpr]

    """.write(toFile: config, atomically: true, encoding: .utf8)
    let ratings = folder.appendingPathComponent("ratings.csv").path
    let movies = folder.appendingPathComponent("movies.csv").path
    var loader = ConfigLoader()
    loader.decoder.checksDataFiles = true
    let loaded = loader.load(path: config)
    #expect(
      loaded.diagnostics.map(\.description) == [
        "\(config):2:55: error: data.interactions.item: \(ratings):1: no column 'movieId' for the item ids (did you "
          + "mean 'movie'?); the columns are: user, movie, stars",
        "\(config):2:90: error: data.interactions.timestamp: \(ratings):1: no column 'time' for the timestamps; the "
          + "columns are: user, movie, stars",
        "\(config):7:23: error: data.items.fields.genre.column: \(movies):1: no column 'genre' for the field 'genre' "
          + "(did you mean 'genres'?); the columns are: movie, genres",
        "\(config):8:13: error: data.items.fields.kind: \(movies):1: no column 'kinds' for the field 'kind'; the "
          + "columns are: movie, genres",
      ])
    // Without the check (list, report), the header is not read.
    #expect(ConfigLoader().load(path: config).diagnostics.isEmpty)

    try FileManager.default.removeItem(atPath: ratings)
    let missing = loader.load(path: config)
    #expect(
      missing.diagnostics.first?.description
        == "\(config):2:24: error: data.interactions.path: cannot open \(ratings): no such file")
    #expect(missing.diagnostics.first?.category == .unreadableInput)

    // The command: the same messages, quoted, and the exit code of an unreadable input.
    let validate = try losslab(["validate", "c.yaml"], in: folder)
    #expect(validate.status == 66)
    #expect(
      validate.stderr.hasPrefix(
        """
        c.yaml:2:24: error: data.interactions.path: cannot open ratings.csv: no such file
         2 |   interactions: {path: ratings.csv, user: user, item: movieId, rating: stars, timestamp: time}
           |                        ^

        """), "\(validate.stderr)")
  }

  @Test("a config read from a pipe (/dev/stdin, <(…)) is checked like a file")
  func configFromPipe() throws {
    let shell = Process()
    shell.executableURL = URL(fileURLWithPath: "/bin/sh")
    shell.arguments = [
      "-c",
      "printf 'losses: [warpp]\\nscenarios: [{name: s, positive_scores: [1.0], negative_scores: [0.5]}]\\n' | "
        + "'\(losslabBinary.path)' validate /dev/stdin",
    ]
    let errors = Pipe()
    shell.standardError = errors
    shell.standardOutput = Pipe()
    try shell.run()
    let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    shell.waitUntilExit()
    #expect(shell.terminationStatus == 65)
    #expect(
      text.hasPrefix(
        "/dev/stdin:1:10: error: losses[0]: unknown loss 'warpp' (did you mean 'warp'?); known losses: "), "\(text)")
  }
}
