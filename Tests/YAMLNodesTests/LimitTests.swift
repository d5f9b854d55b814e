import Testing
import YAMLNodes

/// Hostile input (alias bombs, deep nesting) gets an error quickly, never a crash or a memory blow-up.
@Suite("Limits")
struct LimitTests {
  /// No timing here (a timed assertion flakes on a busy machine): that the error comes at the exact alias
  /// that passes the node limit shows the expansion stops there, bounded in time and memory.
  @Test("the billion laughs throws tooLarge at the alias that passes the limit")
  func aliasBomb() {
    let bomb = """
      a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
      b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
      c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
      d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
      e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
      f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
      g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
      h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
      i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]

      """
    let error = parseError(bomb)
    #expect(error?.kind == .tooLarge)
    // a..f expand to 672 610 nodes with the keys; g's third *f (597 871 nodes each) passes 2 000 000.
    #expect(error?.description == "7:14: aliases expand the document beyond 2000000 nodes")

    let small = parseError(bomb, limits: YAMLLimits(maxNodes: 1000))
    #expect(small?.description == "4:8: aliases expand the document beyond 1000 nodes")
  }

  @Test("aliases within the node limit expand fine")
  func aliasesWithinLimit() throws {
    let source = "a: &a [1, 2, 3]\nb: [*a, *a]\n"
    // root 1 + keys 2 + a 4 + b (1 + 4 + 4) = 16 nodes.
    #expect(parseError(source, limits: YAMLLimits(maxNodes: 16)) == nil)
    #expect(
      parseError(source, limits: YAMLLimits(maxNodes: 15))?.description
        == "2:9: aliases expand the document beyond 15 nodes")
  }

  @Test("a large document without aliases is bounded too")
  func plainNodeLimit() {
    let error = parseError("[1, 2, 3]", limits: YAMLLimits(maxNodes: 3))
    #expect(error?.kind == .tooLarge)
    #expect(error?.description == "1:8: the document has more than 3 nodes")
  }

  @Test("100000 open brackets give tooDeep, not a stack overflow")
  func openBrackets() {
    let error = parseError(String(repeating: "[", count: 100_000))
    #expect(error?.kind == .tooDeep)
    #expect(error?.description == "1:201: nesting deeper than 200 levels")
  }

  @Test("a valid document at the depth limit parses; one level more throws at the node that goes too deep")
  func depthLimit() throws {
    var node = try #require(try YAMLParser.parse(nested("x", depth: 200)))
    for _ in 1..<200 {
      node = try #require(node.sequence?.first)
    }
    #expect(node.sequence?.first?.scalar?.text == "x")
    #expect(parseError(nested("x", depth: 201))?.description == "1:201: nesting deeper than 200 levels")

    let limits = YAMLLimits(maxDepth: 3)
    #expect(parseError("a: {b: [c]}\n", limits: limits) == nil)
    #expect(parseError("a:\n  b:\n    - c\n    - x\n", limits: limits) == nil)
    // The fourth level is the mapping `c: d` inside the sequence.
    let tooDeep = parseError("a:\n  b:\n    - c: d\n", limits: limits)
    #expect(tooDeep?.kind == .tooDeep)
    #expect(tooDeep?.description == "3:7: nesting deeper than 3 levels")
    #expect(parseError("scalar", limits: YAMLLimits(maxDepth: 0)) == nil)
    #expect(parseError("[]", limits: YAMLLimits(maxDepth: 0))?.description == "1:1: nesting deeper than 0 levels")
  }

  @Test("an alias cannot nest a collection deeper than the limit")
  func aliasDepth() {
    let limits = YAMLLimits(maxDepth: 3)
    #expect(parseError("x: &x [[1]]\ny: *x\n", limits: limits) == nil)
    let error = parseError("x: &x [[1]]\ny: [*x]\n", limits: limits)
    #expect(error?.kind == .tooDeep)
    #expect(error?.description == "2:5: nesting deeper than 3 levels")
  }
}
