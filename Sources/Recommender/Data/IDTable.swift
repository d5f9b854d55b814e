/// External ids interned into dense indices in order of first appearance, keyed on the ids' bytes: an
/// open-addressing hash table (linear probing, at most half full) over one growing byte arena, so that an id
/// seen again costs a hash and a comparison, and no `String` is made until ``ids()``.
final class IDTable {
  /// The ids' bytes, one after another.
  private var arena: UnsafeMutablePointer<UInt8>
  private var arenaCapacity: Int
  private var arenaCount = 0
  /// Where each id starts in the arena; `starts[count]` is the arena's end.
  private var starts: [Int] = [0]
  /// Each id's hash, for the probes and the regrowth.
  private var hashes: [UInt64] = []
  /// `index + 1` of the id in each slot, 0 for an empty slot.
  private var slots: UnsafeMutablePointer<UInt32>
  private var mask: Int

  /// The number of distinct ids.
  var count: Int { hashes.count }

  init() {
    arenaCapacity = 1 << 12
    arena = .allocate(capacity: arenaCapacity)
    mask = (1 << 10) - 1
    slots = .allocate(capacity: mask + 1)
    slots.initialize(repeating: 0, count: mask + 1)
  }

  deinit {
    arena.deallocate()
    slots.deallocate()
  }

  /// The dense index of the id `bytes`, added when new; `nil` when the table is full (2³² − 1 ids).
  @inline(__always)
  func index(of bytes: UnsafeBufferPointer<UInt8>) -> Int32? {
    let hash = hashBytes(bytes)
    var slot = Int(truncatingIfNeeded: hash) & mask
    while true {
      let entry = slots[slot]
      if entry == 0 { break }
      let index = Int(entry - 1)
      if hashes[index] == hash {
        let start = starts[index]
        let length = starts[index + 1] - start
        if length == bytes.count, length == 0 || memcmp(arena + start, bytes.baseAddress!, length) == 0 {
          return Int32(index)
        }
      }
      slot = (slot + 1) & mask
    }
    guard count < Int(Int32.max) else { return nil }
    let index = count
    append(bytes)
    hashes.append(hash)
    slots[slot] = UInt32(index + 1)
    if 2 * count > mask { grow() }
    return Int32(index)
  }

  /// The ids as text, by dense index.
  func ids() -> [String] {
    (0..<count).map { index in
      String(
        decoding: UnsafeBufferPointer(start: arena + starts[index], count: starts[index + 1] - starts[index]),
        as: UTF8.self)
    }
  }

  private func append(_ bytes: UnsafeBufferPointer<UInt8>) {
    if arenaCount + bytes.count > arenaCapacity {
      let capacity = max(arenaCapacity * 2, arenaCount + bytes.count)
      let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
      grown.update(from: arena, count: arenaCount)
      arena.deallocate()
      arena = grown
      arenaCapacity = capacity
    }
    if let base = bytes.baseAddress { (arena + arenaCount).update(from: base, count: bytes.count) }
    arenaCount += bytes.count
    starts.append(arenaCount)
  }

  private func grow() {
    slots.deallocate()
    mask = mask * 2 + 1
    slots = .allocate(capacity: mask + 1)
    slots.initialize(repeating: 0, count: mask + 1)
    for (index, hash) in hashes.enumerated() {
      var slot = Int(truncatingIfNeeded: hash) & mask
      while slots[slot] != 0 { slot = (slot + 1) & mask }
      slots[slot] = UInt32(index + 1)
    }
  }
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A 64-bit hash of a short byte string (an id): eight bytes at a time, each word mixed in with a
/// multiplication and the result finished like SplitMix64's output function.
@inline(__always)
func hashBytes(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
  var h: UInt64 = 0x9E37_79B9_7F4A_7C15 &* UInt64(bytes.count &+ 1)
  guard let base = bytes.baseAddress else { return mix64(h) }
  let raw = UnsafeRawPointer(base)
  var i = 0
  let count = bytes.count
  while i + 8 <= count {
    h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
    h ^= h >> 29
    i += 8
  }
  if i < count {
    var tail: UInt64 = 0
    withUnsafeMutableBytes(of: &tail) { $0.baseAddress!.copyMemory(from: raw + i, byteCount: count - i) }
    h = (h ^ tail) &* 0xBF58_476D_1CE4_E5B9
  }
  return mix64(h)
}

/// SplitMix64's finaliser: every input bit affects every output bit.
@inline(__always)
func mix64(_ x: UInt64) -> UInt64 {
  var z = x
  z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
  z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
  return z ^ (z >> 31)
}
