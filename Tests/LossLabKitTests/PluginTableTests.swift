import CLossLabPlugin
import Foundation
import LossLabKit
import LossLabTestSupport
import RankingLosses
import Testing

/// A plugin table built in memory, as a plugin would return it: every field can be set to anything, NULL
/// included. The memory lives as long as the builder.
final class PluginTable {
  var abiVersion = UInt32(LOSSLAB_PLUGIN_ABI_VERSION)
  var lossCount: UInt32? = nil  // nil: losses.count
  var nullLosses = false
  var losses: [Loss] = [Loss()]
  private var allocations: [UnsafeMutableRawPointer] = []

  struct Parameter {
    var name: Bytes? = .text("scale")
    var value = 1.0
    var minimum = 0.0
    var maximum = 10.0
    var doc: Bytes? = .text("a factor")
  }

  struct Loss {
    var name: Bytes? = .text("table_loss")
    var summary: Bytes? = .text("a loss from a table")
    var kind = Int32(LOSSLAB_PAIRWISE)
    var parameterCount: Int32? = nil  // nil: parameters.count
    var nullParameters = false
    var parameters: [Parameter] = [Parameter()]
    var evaluate: losslab_evaluate_fn? = { _, _, _, _, _, _, value, _, _, _, _ in
      value?.pointee = 0
      return 0
    }
  }

  /// A string field's bytes: text with a NUL after it, or raw bytes without one.
  enum Bytes {
    case text(String)
    case unterminated([UInt8])
  }

  deinit {
    for pointer in allocations { pointer.deallocate() }
  }

  private func string(_ bytes: Bytes?) -> UnsafePointer<CChar>? {
    guard let bytes else { return nil }
    let content: [UInt8]
    switch bytes {
    case .text(let text): content = Array(text.utf8) + [0]
    case .unterminated(let raw): content = raw
    }
    let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: max(1, content.count))
    for (i, byte) in content.enumerated() { pointer[i] = CChar(bitPattern: byte) }
    allocations.append(UnsafeMutableRawPointer(pointer))
    return UnsafePointer(pointer)
  }

  private func array<T>(_ elements: [T]) -> UnsafePointer<T> {
    let pointer = UnsafeMutablePointer<T>.allocate(capacity: max(1, elements.count))
    pointer.initialize(from: elements, count: elements.count)
    allocations.append(UnsafeMutableRawPointer(pointer))
    return UnsafePointer(pointer)
  }

  /// The `losslab_plugin` the fields describe.
  func pointer() -> UnsafeRawPointer {
    let entries = losses.map { loss in
      let parameters = loss.parameters.map {
        losslab_parameter(
          name: string($0.name), default_value: $0.value, minimum: $0.minimum, maximum: $0.maximum,
          doc: string($0.doc))
      }
      return losslab_loss(
        name: string(loss.name), summary: string(loss.summary), kind: loss.kind,
        parameter_count: loss.parameterCount ?? Int32(parameters.count),
        parameters: loss.nullParameters ? nil : array(parameters), evaluate: loss.evaluate)
    }
    let table = losslab_plugin(
      abi_version: abiVersion, loss_count: lossCount ?? UInt32(entries.count),
      losses: nullLosses ? nil : array(entries))
    return UnsafeRawPointer(array([table]))
  }

  /// The message `descriptors(fromTable:path:)` throws for this table at `./bad.so`, or `"accepted"`.
  func problem() -> String {
    do {
      _ = try PluginLoader.descriptors(fromTable: pointer(), path: "./bad.so")
      return "accepted"
    } catch {
      return error.description
    }
  }
}

/// `PluginLoader.descriptors(fromTable:path:)`: one test per malformed field, with its exact message.
@Suite("Plugin tables")
struct PluginTableTests {
  /// The message for a table with one change to a well-formed two-loss table.
  func problem(_ change: (PluginTable) -> Void) -> String {
    let table = PluginTable()
    var second = PluginTable.Loss()
    second.name = .text("other_loss")
    second.kind = Int32(LOSSLAB_ADAPTIVE)
    table.losses.append(second)
    change(table)
    return table.problem()
  }

  @Test("a well-formed table gives its descriptors")
  func wellFormed() throws {
    let table = PluginTable()
    var second = PluginTable.Loss()
    second.name = .text("other_loss")
    second.summary = nil
    second.kind = Int32(LOSSLAB_ADAPTIVE)
    second.parameters = [
      PluginTable.Parameter(name: .text("Alpha_2"), value: 0, minimum: -.infinity, maximum: .infinity, doc: nil),
      PluginTable.Parameter(name: .text("_beta"), value: 5, minimum: 5, maximum: 5),
    ]
    table.losses.append(second)
    let descriptors = try PluginLoader.descriptors(fromTable: table.pointer(), path: "./good.so")
    #expect(descriptors.map(\.name) == ["table_loss", "other_loss"])
    #expect(descriptors.map(\.kind) == [.pairwise, .adaptive])
    #expect(descriptors.map(\.summary) == ["a loss from a table", "a plugin loss"])
    #expect(descriptors.map(\.origin) == ["./good.so", "./good.so"])
    #expect(
      descriptors[0].parameters == [
        LossParameterSpec(name: "scale", type: .real, defaultValue: .real(1), minimum: 0, maximum: 10, doc: "a factor")
      ])
    #expect(
      descriptors[1].parameters == [
        LossParameterSpec(name: "Alpha_2", type: .real, defaultValue: .real(0), doc: ""),
        LossParameterSpec(name: "_beta", type: .real, defaultValue: .real(5), minimum: 5, maximum: 5, doc: "a factor"),
      ])
    // The loss calls the table's evaluate.
    let loss = try descriptors[0].makeLoss(["scale": .real(2)])
    #expect(
      try loss.evaluate(LossBatch<Double>(positiveScores: [1], negativeScores: [0]), computeGradients: false).value == 0
    )
    // No losses at all, with a NULL array, is a valid (empty) table.
    let empty = PluginTable()
    empty.losses = []
    empty.nullLosses = true
    #expect(try PluginLoader.descriptors(fromTable: empty.pointer(), path: "./empty.so").isEmpty)
  }

  @Test("the table: NULL, another ABI version, too many losses, no loss array")
  func tableFields() {
    #expect(
      thrownMessage { _ = try PluginLoader.descriptors(fromTable: nil, path: "./bad.so") }
        == "plugin ./bad.so: losslab_plugin_entry returned no table")
    #expect(
      problem { $0.abiVersion = 2 }
        == "plugin ./bad.so: it was built for plugin ABI version 2; this LossLab speaks version 1")
    #expect(problem { $0.lossCount = 1025 } == "plugin ./bad.so: loss_count is 1025; it must be at most 1024")
    #expect(
      problem { $0.lossCount = UInt32.max } == "plugin ./bad.so: loss_count is 4294967295; it must be at most 1024")
    #expect(problem { $0.nullLosses = true } == "plugin ./bad.so: losses is NULL but loss_count is 2")
  }

  @Test("a loss's name: NULL, too long (read only up to the bound), not a loss name, used twice")
  func lossNames() {
    #expect(problem { $0.losses[1].name = nil } == "plugin ./bad.so: losses[1].name is NULL")
    // 65 bytes and no NUL: strnlen stops at the bound, inside the buffer.
    #expect(
      problem { $0.losses[1].name = .unterminated(Array(repeating: UInt8(ascii: "a"), count: 65)) }
        == "plugin ./bad.so: losses[1].name is longer than 64 bytes")
    #expect(problem { $0.losses[1].name = .text(String(repeating: "a", count: 64)) } == "accepted")
    #expect(
      problem { $0.losses[1].name = .text("Cubic-Hinge") }
        == "plugin ./bad.so: losses[1].name 'Cubic-Hinge' is not a valid loss name: use lower-case letters, digits "
        + "and '_', starting with a letter")
    #expect(
      problem { $0.losses[1].name = .text("two\nlines") }
        == "plugin ./bad.so: losses[1].name 'two\\nlines' is not a valid loss name: use lower-case letters, digits "
        + "and '_', starting with a letter")
    #expect(problem { $0.losses[1].name = .text("") }.hasPrefix("plugin ./bad.so: losses[1].name '' is not a valid"))
    #expect(
      problem { $0.losses[1].name = .text("table_loss") }
        == "plugin ./bad.so: losses[1].name 'table_loss' is used by losses[0] already")
  }

  @Test("a loss's summary: too long, not UTF-8, control characters")
  func summaries() {
    #expect(
      problem { $0.losses[0].summary = .text(String(repeating: "s", count: 257)) }
        == "plugin ./bad.so: losses[0].summary is longer than 256 bytes")
    #expect(problem { $0.losses[0].summary = .text(String(repeating: "s", count: 256)) } == "accepted")
    #expect(
      problem { $0.losses[0].summary = .unterminated([0x61, 0xFF, 0xFE, 0]) }
        == "plugin ./bad.so: losses[0].summary is not valid UTF-8")
    #expect(
      problem { $0.losses[0].summary = .text("one\nline") }
        == "plugin ./bad.so: losses[0].summary may not contain control characters (found U+000A at character 4)")
    #expect(
      problem { $0.losses[0].summary = .text("tab\tbed") }
        == "plugin ./bad.so: losses[0].summary may not contain control characters (found U+0009 at character 4)")
    #expect(
      problem { $0.losses[0].summary = .text("line\u{2028}sep") }
        == "plugin ./bad.so: losses[0].summary may not contain control characters (found U+2028 at character 5)")
  }

  @Test("a loss's kind, parameter count, parameter array and evaluate function")
  func lossFields() {
    #expect(
      problem { $0.losses[1].kind = 2 }
        == "plugin ./bad.so: losses[1].kind is 2; it must be LOSSLAB_PAIRWISE (0) or LOSSLAB_ADAPTIVE (1)")
    #expect(
      problem { $0.losses[1].kind = -1 }
        == "plugin ./bad.so: losses[1].kind is -1; it must be LOSSLAB_PAIRWISE (0) or LOSSLAB_ADAPTIVE (1)")
    #expect(
      problem { $0.losses[1].parameterCount = -1 }
        == "plugin ./bad.so: losses[1].parameter_count is -1; it must be between 0 and 64")
    #expect(
      problem { $0.losses[1].parameterCount = 65 }
        == "plugin ./bad.so: losses[1].parameter_count is 65; it must be between 0 and 64")
    #expect(
      problem { $0.losses[1].nullParameters = true }
        == "plugin ./bad.so: losses[1].parameters is NULL but parameter_count is 1")
    #expect(
      problem {
        $0.losses[1].nullParameters = true
        $0.losses[1].parameterCount = 0
      } == "accepted")
    #expect(problem { $0.losses[1].evaluate = nil } == "plugin ./bad.so: losses[1].evaluate is NULL")
  }

  @Test("a parameter's name: NULL, too long, not an identifier, used twice in its loss")
  func parameterNames() {
    #expect(
      problem { $0.losses[1].parameters[0].name = nil } == "plugin ./bad.so: losses[1].parameters[0].name is NULL")
    #expect(
      problem { $0.losses[1].parameters[0].name = .unterminated(Array(repeating: UInt8(ascii: "p"), count: 65)) }
        == "plugin ./bad.so: losses[1].parameters[0].name is longer than 64 bytes")
    #expect(
      problem { $0.losses[1].parameters[0].name = .text("2nd") }
        == "plugin ./bad.so: losses[1].parameters[0].name '2nd' is not a valid parameter name: use letters, digits "
        + "and '_', starting with a letter or '_'")
    #expect(
      problem { $0.losses[1].parameters[0].name = .text("a\tb") }
        == "plugin ./bad.so: losses[1].parameters[0].name 'a\\tb' is not a valid parameter name: use letters, digits "
        + "and '_', starting with a letter or '_'")
    #expect(
      problem { $0.losses[1].parameters.append(PluginTable.Parameter()) }
        == "plugin ./bad.so: losses[1].parameters[1].name 'scale' is used by losses[1].parameters[0] already")
  }

  @Test("a parameter's values: NaN, an infinite default, out of order; its doc")
  func parameterValues() {
    #expect(
      problem { $0.losses[0].parameters[0].value = .nan }
        == "plugin ./bad.so: losses[0].parameters[0].default_value is NaN")
    #expect(
      problem { $0.losses[0].parameters[0].minimum = .nan }
        == "plugin ./bad.so: losses[0].parameters[0].minimum is NaN")
    #expect(
      problem { $0.losses[0].parameters[0].maximum = .nan }
        == "plugin ./bad.so: losses[0].parameters[0].maximum is NaN")
    #expect(
      problem {
        $0.losses[0].parameters[0].value = .infinity
        $0.losses[0].parameters[0].maximum = .infinity
      } == "plugin ./bad.so: losses[0].parameters[0].default_value is inf; it must be finite")
    #expect(
      problem { $0.losses[0].parameters[0].value = -1 }
        == "plugin ./bad.so: losses[0].parameters[0] has minimum 0.0, default_value -1.0 and maximum 10.0; it needs "
        + "minimum <= default_value <= maximum")
    #expect(
      problem {
        $0.losses[0].parameters[0].minimum = 3
        $0.losses[0].parameters[0].maximum = 2
      }
        == "plugin ./bad.so: losses[0].parameters[0] has minimum 3.0, default_value 1.0 and maximum 2.0; it needs "
        + "minimum <= default_value <= maximum")
    #expect(
      problem { $0.losses[0].parameters[0].doc = .text(String(repeating: "d", count: 300)) }
        == "plugin ./bad.so: losses[0].parameters[0].doc is longer than 256 bytes")
    #expect(
      problem { $0.losses[0].parameters[0].doc = .text("two\nlines") }
        == "plugin ./bad.so: losses[0].parameters[0].doc may not contain control characters "
        + "(found U+000A at character 4)")
    #expect(
      problem { $0.losses[0].parameters[0].doc = .unterminated([0xC3, 0x28, 0]) }
        == "plugin ./bad.so: losses[0].parameters[0].doc is not valid UTF-8")
  }
}
