#if canImport(Glibc)
  import Glibc
#endif

/// Allocates `count` elements for a large table that training reads and writes at random (factor rows,
/// optimizer state), asking Linux for transparent huge pages over it (`madvise(MADV_HUGEPAGE)` on the
/// 2 MiB-aligned part), so that random rows cost fewer TLB misses. Elsewhere, or when the system declines,
/// this is an ordinary allocation. The memory is uninitialized; free it with `deallocate()`.
func allocateLargeTable<Element>(_: Element.Type, count: Int) -> UnsafeMutableBufferPointer<Element> {
  let table = UnsafeMutableBufferPointer<Element>.allocate(capacity: count)
  #if os(Linux)
    let hugePage = 1 << 21
    let bytes = count * MemoryLayout<Element>.stride
    if bytes >= 2 * hugePage, let base = table.baseAddress {
      let start = (Int(bitPattern: base) + hugePage - 1) & ~(hugePage - 1)
      let end = (Int(bitPattern: base) + bytes) & ~(hugePage - 1)
      if end > start, let pointer = UnsafeMutableRawPointer(bitPattern: start) {
        _ = madvise(pointer, end - start, MADV_HUGEPAGE)
      }
    }
  #endif
  return table
}
