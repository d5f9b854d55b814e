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
  /// Every `Float` whose bit pattern is in `0..<total`, in chunks of 2²⁰ on every core: `f` on each path
  /// against the baseline's bits (NaN equals NaN), and the baseline's largest error from `exact` in ulps.
  private func sweep(
    bitPatterns total: Int, _ f: @escaping @Sendable ([Float], KernelISA) -> [Float],
    exact: @escaping @Sendable (Double) -> Double
  ) -> (worst: Double, at: Float, differing: Int) {
    let size = 1 << 20
    let chunks = (total + size - 1) / size
    let others = KernelISA.supported.filter { $0 != .baseline }
    let results = Mutex([(worst: Double, at: Float, differing: Int)](repeating: (0, 0, 0), count: chunks))
    DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
      let first = chunk * size
      let xs = (0..<min(size, total - first)).map { Float(bitPattern: UInt32(first + $0)) }
      let base = f(xs, .baseline)
      var differing = 0
      for isa in others {
        differing += zip(f(xs, isa), base).count { $0.bitPattern != $1.bitPattern && !($0.isNaN && $1.isNaN) }
      }
      var worst = (0.0, Float(0))
      for (x, y) in zip(xs, base) {
        let error = ulpError(y, exact: exact(Double(x)))
        if !(error <= worst.0) { worst = (error, x) }
      }
      results.withLock { $0[chunk] = (worst.0, worst.1, differing) }
    }
    return results.withLock { all in
      let worst = all.max { $0.worst < $1.worst }!
      return (worst.worst, worst.at, all.reduce(0) { $0 + $1.differing })
    }
  }

  @Test("exp: every Float, the same bits on every path, within 1 ulp of exp in Double")
  func exp() {
    let result = sweep(bitPatterns: 1 << 32, { vectorExp($0, isa: $1) }, exact: { Foundation.exp($0) })
    #expect(result.worst < 1, "\(result.worst) ulp at x = \(result.at)")
    #expect(result.differing == 0)
    print("exp over 2^32 Floats: max \(result.worst) ulp at x = \(result.at); paths compared: \(KernelISA.supported)")
  }

  @Test("log1p: every Float in [0, 1], the same bits on every path, within 1 ulp of log1p in Double")
  func log1p() {
    let total = Int(Float(1).bitPattern) + 1  // the bit patterns of 0 … 1
    let result = sweep(bitPatterns: total, { vectorLog1pUnit($0, isa: $1) }, exact: { Foundation.log1p($0) })
    #expect(result.worst <= 1, "\(result.worst) ulp at t = \(result.at)")
    #expect(result.differing == 0)
    print("log1p over [0, 1]: max \(result.worst) ulp at t = \(result.at); paths compared: \(KernelISA.supported)")
  }
}
