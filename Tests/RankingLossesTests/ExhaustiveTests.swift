import Dispatch
import Foundation
@testable import RankingLosses
import Synchronization
import Testing

/// Every `Float` input of the vector `exp` (2³²) and every `Float` in `[0, 1]` of the vector `log1p`
/// (about 1.07 × 10⁹), on every instruction-set path: the same bits on each, and within 1 ulp of the exact
/// value. A long run, not part of `swift test`:
///
/// ```sh
/// LOSSLAB_EXHAUSTIVE=1 swift test -c release -Xswiftc -enable-testing --filter ExhaustiveTests
/// ```
@Suite(
  "Exhaustive: exp and log1p over every Float input, on every path",
  .enabled(if: ProcessInfo.processInfo.environment["LOSSLAB_EXHAUSTIVE"] == "1"))
struct ExhaustiveTests {
  /// Runs `check(first, count)` over `0..<total` in chunks of 2²⁰ on every core; returns the chunks' results.
  private func chunks<R: Sendable>(total: Int, _ check: @Sendable (Int, Int) -> R) -> [R] {
    let size = 1 << 20
    let count = (total + size - 1) / size
    let results = Mutex([R?](repeating: nil, count: count))
    DispatchQueue.concurrentPerform(iterations: count) { chunk in
      let first = chunk * size
      let r = check(first, min(size, total - first))
      results.withLock { $0[chunk] = r }
    }
    return results.withLock { $0.map { $0! } }
  }

  @Test("exp: every Float, the same bits on every path, within 1 ulp of exp in Double")
  func exp() {
    let others = KernelISA.supported.filter { $0 != .baseline }
    let results = chunks(total: 1 << 32) { first, count -> (worst: Double, at: Float, differing: Int) in
      let xs = (0..<count).map { Float(bitPattern: UInt32(first + $0)) }
      let base = vectorExp(xs, isa: .baseline)
      var differing = 0
      for isa in others {
        differing += zip(vectorExp(xs, isa: isa), base).count {
          $0.bitPattern != $1.bitPattern && !($0.isNaN && $1.isNaN)
        }
      }
      var worst = (0.0, Float(0))
      for (x, e) in zip(xs, base) {
        let error = ulpError(e, exact: Foundation.exp(Double(x)))
        if !(error <= worst.0) { worst = (error, x) }
      }
      return (worst.0, worst.1, differing)
    }
    let worst = results.max { $0.worst < $1.worst }!
    #expect(worst.worst < 1, "\(worst.worst) ulp at x = \(worst.at)")
    #expect(results.reduce(0) { $0 + $1.differing } == 0)
    print("exp over 2^32 Floats: max \(worst.worst) ulp at x = \(worst.at); paths compared: \(KernelISA.supported)")
  }

  @Test("log1p: every Float in [0, 1], the same bits on every path, within 1 ulp of log1p in Double")
  func log1p() {
    let others = KernelISA.supported.filter { $0 != .baseline }
    let total = Int(Float(1).bitPattern) + 1  // the bit patterns of 0 … 1
    let results = chunks(total: total) { first, count -> (worst: Double, at: Float, differing: Int) in
      let ts = (0..<count).map { Float(bitPattern: UInt32(first + $0)) }
      let base = vectorLog1pUnit(ts, isa: .baseline)
      var differing = 0
      for isa in others {
        differing += zip(vectorLog1pUnit(ts, isa: isa), base).count { $0.bitPattern != $1.bitPattern }
      }
      var worst = (0.0, Float(0))
      for (t, l) in zip(ts, base) {
        let error = ulpError(l, exact: Foundation.log1p(Double(t)))
        if !(error <= worst.0) { worst = (error, t) }
      }
      return (worst.0, worst.1, differing)
    }
    let worst = results.max { $0.worst < $1.worst }!
    #expect(worst.worst <= 1, "\(worst.worst) ulp at t = \(worst.at)")
    #expect(results.reduce(0) { $0 + $1.differing } == 0)
    print("log1p over [0, 1]: max \(worst.worst) ulp at t = \(worst.at); paths compared: \(KernelISA.supported)")
  }
}
