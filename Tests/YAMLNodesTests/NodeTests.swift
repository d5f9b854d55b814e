import Testing
import YAMLNodes

/// The trees that valid YAML gives: content, marks, styles, tags and aliases.
@Suite("Nodes")
struct NodeTests {
  @Test("marks of scalars, sequences and mappings in block and flow styles")
  func marks() throws {
    let source = """
      name: warp
      params: {margin: 1.5, items: [1, 2]}
      list:
        - "x"
        - 'y'

      """
    let root = try #require(try YAMLParser.parse(source))
    #expect(root.kindDescription == "a mapping")
    #expect(root.span == "1:1-6:1")
    let pairs = try #require(root.mapping)
    #expect(pairs.map { $0.key.scalar?.text } == ["name", "params", "list"])
    #expect(pairs.map { $0.key.span } == ["1:1-1:5", "2:1-2:7", "3:1-3:5"])

    let name = try #require(root["name"])
    #expect(name.scalar == YAMLScalar(text: "warp", style: .plain))
    #expect(name.span == "1:7-1:11")

    let params = try #require(root["params"])
    #expect(params.kindDescription == "a mapping")
    #expect(params.span == "2:9-2:37")
    #expect(params["margin"]?.span == "2:18-2:21")
    let items = try #require(params["items"])
    #expect(items.kindDescription == "a sequence")
    #expect(items.span == "2:30-2:36")
    #expect(items.sequence?.map(\.span) == ["2:31-2:32", "2:34-2:35"])
    #expect(items.sequence?.map { $0.scalar?.text } == ["1", "2"])

    let list = try #require(root["list"])
    #expect(list.span == "4:3-6:1")
    #expect(list.sequence?.map(\.span) == ["4:5-4:8", "5:5-5:8"])
    #expect(
      list.sequence?.map { $0.scalar } == [
        YAMLScalar(text: "x", style: .doubleQuoted), YAMLScalar(text: "y", style: .singleQuoted),
      ])
  }

  @Test("marks count Unicode scalars, not bytes")
  func unicodeColumns() throws {
    let root = try #require(try YAMLParser.parse("größe: [ä, ö]\n"))
    #expect(root["größe"]?.span == "1:8-1:14")
    #expect(root["größe"]?.sequence?.map(\.span) == ["1:9-1:10", "1:12-1:13"])
  }

  @Test("scalar styles and text")
  func styles() throws {
    let source = """
      plain: a b
      single: 'it''s'
      double: "tab\\there"
      literal: |
        line 1
        line 2
      folded: >
        line 1
        line 2
      empty:

      """
    let root = try #require(try YAMLParser.parse(source))
    #expect(root["plain"]?.scalar == YAMLScalar(text: "a b", style: .plain))
    #expect(root["single"]?.scalar == YAMLScalar(text: "it's", style: .singleQuoted))
    #expect(root["double"]?.scalar == YAMLScalar(text: "tab\there", style: .doubleQuoted))
    #expect(root["literal"]?.scalar == YAMLScalar(text: "line 1\nline 2\n", style: .literal))
    #expect(root["literal"]?.mark == YAMLMark(line: 4, column: 10))
    #expect(root["folded"]?.scalar == YAMLScalar(text: "line 1 line 2\n", style: .folded))
    #expect(root["empty"]?.scalar == YAMLScalar(text: "", style: .plain))
  }

  @Test("explicit tags, and none for untagged nodes")
  func tags() throws {
    let root = try #require(try YAMLParser.parse("a: !!str 5\nb: !custom [1]\nc: 5\nd: \"5\"\ne: ! x\n"))
    #expect(root["a"]?.tag == "tag:yaml.org,2002:str")
    #expect(root["a"]?.scalar == YAMLScalar(text: "5", style: .plain))
    #expect(root["a"]?.mark == YAMLMark(line: 1, column: 4))
    #expect(root["b"]?.tag == "!custom")
    #expect(root["b"]?.kindDescription == "a sequence")
    #expect(root["c"]?.tag == nil)
    #expect(root["d"]?.tag == nil)
    #expect(root["e"]?.tag == "!")
    #expect(root.tag == nil)
  }

  @Test("an empty or comment-only stream has no document")
  func emptyStreams() throws {
    #expect(try YAMLParser.parse("") == nil)
    #expect(try YAMLParser.parse([UInt8]()) == nil)
    #expect(try YAMLParser.parse("# only a comment\n\n   \n# another\n") == nil)
    #expect(try YAMLParser.parse("\n\n") == nil)
  }

  @Test("a document that is only a null is a scalar, not nil")
  func nullDocuments() throws {
    let tilde = try #require(try YAMLParser.parse("~"))
    #expect(tilde.scalar == YAMLScalar(text: "~", style: .plain))
    #expect(tilde.kindDescription == "a scalar")
    let dashes = try #require(try YAMLParser.parse("---\n"))
    #expect(dashes.scalar == YAMLScalar(text: "", style: .plain))
    #expect(dashes.mark == YAMLMark(line: 2, column: 1))
  }

  @Test("bytes and strings parse alike; a byte-order mark is allowed")
  func bytes() throws {
    let fromBytes = try YAMLParser.parse(Array("a: [1, 2]\n".utf8))
    let fromString = try YAMLParser.parse("a: [1, 2]\n")
    #expect(fromBytes == fromString)
    let withBOM = try #require(try YAMLParser.parse([0xEF, 0xBB, 0xBF] + Array("a: 1\n".utf8)))
    #expect(withBOM["a"]?.scalar?.text == "1")
    // A string with the mark parses as its bytes do: same node, same error marks.
    #expect(try YAMLParser.parse("\u{FEFF}a: 1\n") == withBOM)
    func message(_ parse: () throws(YAMLError) -> YAMLNode?) -> String {
      do { return "\(try parse().map { _ in "parsed" } ?? "empty")" } catch { return error.description }
    }
    let stringError = message { () throws(YAMLError) in try YAMLParser.parse("\u{FEFF}a: 1\na: 2\n") }
    let bytesError = message { () throws(YAMLError) in try YAMLParser.parse(Array("\u{FEFF}a: 1\na: 2\n".utf8)) }
    #expect(stringError == bytesError)
    #expect(stringError.hasPrefix("2:1: "), "\(stringError)")
  }

  @Test("an alias yields the anchored node itself")
  func aliases() throws {
    let source = """
      base: &base
        lr: 0.1
        layers: [64, 32]
      copy: *base
      list: [&x one, *x, *x]

      """
    let root = try #require(try YAMLParser.parse(source))
    let base = try #require(root["base"])
    #expect(base.span == "1:7-4:1")
    #expect(root["copy"] == base)
    #expect(root["copy"]?["layers"]?.sequence?.map { $0.scalar?.text } == ["64", "32"])
    let list = try #require(root["list"]?.sequence)
    #expect(list.map { $0.scalar?.text } == ["one", "one", "one"])
    #expect(list.map(\.span) == ["5:8-5:14", "5:8-5:14", "5:8-5:14"])
  }

  @Test("a redefined anchor shadows the earlier one")
  func shadowedAnchor() throws {
    let root = try #require(try YAMLParser.parse("- &a first\n- *a\n- &a second\n- *a\n"))
    #expect(root.sequence?.map { $0.scalar?.text } == ["first", "first", "second", "second"])
  }

  @Test("conveniences answer nil for the other kinds")
  func conveniences() throws {
    let root = try #require(try YAMLParser.parse("[a, {b: c}]"))
    #expect(root.scalar == nil)
    #expect(root.mapping == nil)
    let items = try #require(root.sequence)
    #expect(items.map(\.kindDescription) == ["a scalar", "a mapping"])
    #expect(items[0].sequence == nil)
    #expect(items[1].mapping?.first?.value.scalar?.text == "c")
    #expect(YAMLMark(line: 7, column: 12).description == "7:12")
    #expect(YAMLMark(line: 1, column: 9) < YAMLMark(line: 2, column: 1))
  }
}
