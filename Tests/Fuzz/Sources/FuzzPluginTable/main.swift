import CLossLabPlugin
import FuzzSupport
import LossLabKit

/// A stand-in for a plugin's evaluate function: the check only looks at whether it is there.
let evaluate: losslab_evaluate_fn = { _, _, _, _, _, _, _, _, _, _, _ in 0 }

/// Reads the fuzzer's bytes one field at a time; past the end every read is zero.
struct Reader {
  let bytes: [UInt8]
  var at = 0
  mutating func byte() -> UInt8 {
    defer { at += 1 }
    return at < bytes.count ? bytes[at] : 0
  }
  mutating func int32() -> Int32 {
    var value: UInt32 = 0
    for shift in stride(from: 0, to: 32, by: 8) { value |= UInt32(byte()) << UInt32(shift) }
    return Int32(bitPattern: value)
  }
  mutating func double() -> Double {
    var value: UInt64 = 0
    for shift in stride(from: 0, to: 64, by: 8) { value |= UInt64(byte()) << UInt64(shift) }
    return Double(bitPattern: value)
  }
  /// A C string of up to 255 bytes (any bytes but NUL), or NULL when the length byte is 255.
  mutating func string(_ keep: inout [UnsafeMutablePointer<CChar>]) -> UnsafePointer<CChar>? {
    let length = Int(byte())
    guard length != 255 else { return nil }
    let text = UnsafeMutablePointer<CChar>.allocate(capacity: length + 1)
    for i in 0..<length { text[i] = CChar(bitPattern: max(byte(), 1)) }
    text[length] = 0
    keep.append(text)
    return UnsafePointer(text)
  }
}

// The bytes describe a table: its ABI version and loss count, then per loss its name, summary, kind,
// parameter count, whether the parameter array and evaluate are NULL, and each parameter's name, default,
// minimum and maximum. Every pointer is NULL or valid (a real plugin's could be anything, which no check can
// see); the check must turn every other malformation into a PluginError, never a trap.
runFuzzer { data, size in
  var reader = Reader(bytes: bytes(data, size))
  var strings: [UnsafeMutablePointer<CChar>] = []
  defer { for s in strings { s.deallocate() } }
  let version = reader.byte() % 4 == 0 ? UInt32(reader.byte()) : UInt32(LOSSLAB_PLUGIN_ABI_VERSION)
  let declared = reader.int32()
  let lossCount = Int(min(max(declared, 0), 8))
  let losses = UnsafeMutablePointer<losslab_loss>.allocate(capacity: max(lossCount, 1))
  var parameterArrays: [UnsafeMutablePointer<losslab_parameter>] = []
  defer {
    losses.deallocate()
    for p in parameterArrays { p.deallocate() }
  }
  for index in 0..<lossCount {
    let name = reader.string(&strings)
    let summary = reader.string(&strings)
    let kind = reader.int32()
    let parameterCount = reader.int32()
    let flags = reader.byte()
    let stored = Int(min(max(parameterCount, 0), 8))
    var parameters: UnsafeMutablePointer<losslab_parameter>? = nil
    if flags & 1 == 0 {
      let array = UnsafeMutablePointer<losslab_parameter>.allocate(capacity: max(stored, 1))
      parameterArrays.append(array)
      for p in 0..<stored {
        array[p] = losslab_parameter(
          name: reader.string(&strings), default_value: reader.double(), minimum: reader.double(),
          maximum: reader.double(), doc: reader.string(&strings))
      }
      parameters = array
    }
    // A count larger than the array would make any reader overrun it; keep the two consistent unless the
    // array is NULL, which the check must catch.
    let count = parameters == nil ? parameterCount : (parameterCount < 0 ? parameterCount : Int32(stored))
    losses[index] = losslab_loss(
      name: name, summary: summary, kind: kind, parameter_count: count, parameters: UnsafePointer(parameters),
      evaluate: flags & 2 == 0 ? evaluate : nil)
  }
  // A NULL loss array with any count, or the real array with its real count.
  let nullLosses = lossCount > 0 && reader.byte() % 8 == 0
  var table = losslab_plugin(
    abi_version: version, loss_count: nullLosses ? UInt32(bitPattern: declared) : UInt32(lossCount),
    losses: nullLosses ? nil : UnsafePointer(losses))
  let useNullTable = size > 0 && reader.byte() == 0xFF
  _ = withUnsafePointer(to: &table) { pointer in
    try? PluginLoader.descriptors(fromTable: useNullTable ? nil : UnsafeRawPointer(pointer), path: "./fuzz.so")
  }
  return 0
}
