import Foundation
import LossLabKit
import RankingLosses
import Testing

@Suite("custom_losses in configs")
struct CustomLossConfigTests {
  static let yaml = """
    metadata:
      genre: [0, 0, 1]
    custom_losses:
      - name: squared_hinge
        kind: pairwise
        expression: "max(0, m - d)^2"
        reduction: mean
      - name: my_hinge
        expression: max(0, m - d)
        reduction: seed
    losses:
      - hinge
      - my_hinge
      - adaptive_squared_hinge
      - loss: squared_hinge
        partial_credit: {genre: 0.25}
    scenarios:
      - name: s
        positive_scores: [1.0, 0.5]
        negative_scores: [0.5, 2.0]
        positive_items: [0, 1]
        negative_items: [1, 2]

    """

  @Test("a declared loss is used like a built-in: by name, adaptive, with partial credit")
  func declared() throws {
    let report = try run(Self.yaml)
    let values = report.cells[0].map { $0.value! }
    #expect(report.labels == ["hinge", "my_hinge", "adaptive_squared_hinge", "squared_hinge+credit(genre=0.25)"])
    // max(0, m − d) with the seed's reduction is the built-in hinge.
    #expect(values[1] == values[0])
    // Columns: d = 0.5 and −1.5, so max(0, 1 − d)² = 0.25 and 6.25, mean 3.25.
    #expect(values[2] == 3.25)
    // Item 1 shares item 0's genre: m = 0.75, (0.75 − 0.5)² = 0.0625; the other pair as before: mean 3.15625.
    #expect(values[3] == 3.15625)
    let loaded = check(Self.yaml)
    let origin = try #require(loaded.config?.registry.descriptor(named: "squared_hinge").origin)
    #expect(origin == "test.yaml")
    #expect(LossListing(registry: loaded.config!.registry).render().contains("[from test.yaml]"))
  }

  @Test("an expression error points at its column inside the string")
  func expressionErrors() {
    let broken = Self.yaml.replacingOccurrences(of: "\"max(0, m - d)^2\"", with: "\"max(0, m - d)^2 + sigmod(d)\"")
    #expect(
      renderedErrors(broken).hasPrefix(
        """
        test.yaml:6:36: error: custom_losses[0].expression: in the expression, column 19: unknown name 'sigmod' \
        (did you mean 'sigmoid'?); use d, m, numbers and the functions abs, exp, log, log1p, max, min, relu, sigmoid, \
        softplus, sqrt
         6 |     expression: "max(0, m - d)^2 + sigmod(d)"
           |                                    ^
        """))
    let plain = Self.yaml.replacingOccurrences(of: "expression: max(0, m - d)", with: "expression: max(0, m - d")
    #expect(
      errors(plain).first
        == "test.yaml:9:29: error: custom_losses[1].expression: in the expression, column 13: expected ')' after the "
        + "arguments of 'max'")
    let kind = Self.yaml.replacingOccurrences(of: "kind: pairwise", with: "kind: adaptive")
    #expect(
      errors(kind).first
        == "test.yaml:5:11: error: custom_losses[0].kind: custom losses are pairwise ('kind: pairwise'); "
        + "adaptive_squared_hinge is made from it automatically")
    let clash = Self.yaml.replacingOccurrences(of: "name: my_hinge", with: "name: hinge")
    #expect(
      errors(clash).first == "test.yaml:8:11: error: custom_losses[1].name: a loss named 'hinge' is registered already")
    let constant = Self.yaml.replacingOccurrences(of: "expression: max(0, m - d)", with: "expression: m * 2")
    #expect(
      errors(constant).first
        == "test.yaml:9:17: error: custom_losses[1].expression: the expression does not use d, so no score gets a gradient"
    )
  }

  @Test("an expression over the length or nesting limit is rejected at the column where it crosses it")
  func expressionLimits() {
    let long = String(repeating: "d+", count: 600) + "d"
    let tooLong = Self.yaml.replacingOccurrences(of: "\"max(0, m - d)^2\"", with: "\"\(long)\"")
    // The opening quote is at column 17, so the expression's column 1001 is the file's 1018.
    #expect(
      errors(tooLong).first
        == "test.yaml:6:1018: error: custom_losses[0].expression: in the expression, column 1001: the expression is "
        + "1201 characters long; at most 1000 are allowed")
    let deep = String(repeating: "(", count: 40) + "d" + String(repeating: ")", count: 40)
    let tooDeep = Self.yaml.replacingOccurrences(of: "expression: max(0, m - d)", with: "expression: \(deep)")
    #expect(
      errors(tooDeep).first
        == "test.yaml:9:49: error: custom_losses[1].expression: in the expression, column 33: nesting deeper than 32 "
        + "levels (parentheses, functions, '-' or '^'); simplify the expression")
    #expect(check(tooLong).config == nil && check(tooDeep).config == nil)
  }
}
