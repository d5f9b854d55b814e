import Foundation
import CLossKernels
@testable import RankingLosses
import Testing

@Suite("Vectorized log1p and the log_sigmoid_bpr kernel (Float), on every instruction-set path")
struct SoftplusKernelTests {
  // Observed: 0.84 ulp at t = 0.41283742 (just below √2 − 1, where k switches).
  @Test(
    "log1p on [0, 1]: within 1 ulp of log1p in Double over 1.2M values and the edges", arguments: KernelISA.supported)
  func log1pSweep(isa: KernelISA) {
    var values = (0..<1_000_000).map { Float(Double($0) / 999_999) }
    values += (0..<200_000).map { Float(pow(2, -Double($0) / 2_000)) }  // 2⁻¹⁰⁰ … 1, log-spaced
    values += [0, Float.leastNonzeroMagnitude, Float.leastNormalMagnitude, 0x1p-24, 0x1p-23, 0x1p-25, 1]
    let s2m1 = Float(2.0.squareRoot() - 1)
    values += [s2m1, s2m1.nextUp, s2m1.nextDown, s2m1.nextUp.nextUp, s2m1.nextDown.nextDown, Float(1).nextDown]
    var worst = (ulps: 0.0, at: Float(0))
    for (t, l) in zip(values, vectorLog1pUnit(values, isa: isa)) {
      let e = ulpError(l, exact: log1p(Double(t)))
      if e > worst.ulps { worst = (e, t) }
    }
    #expect(worst.ulps <= 1, "\(worst)")
    // Below 2⁻²⁴, 1 + t rounds to 1 and the result is t itself.
    #expect(
      vectorLog1pUnit([0x1p-25, 1e-30, Float.leastNonzeroMagnitude, 0], isa: isa) == [
        0x1p-25, 1e-30, Float.leastNonzeroMagnitude, 0,
      ])
    let nans = vectorLog1pUnit([Float](repeating: .nan, count: 19), isa: isa)
    #expect(nans.allSatisfy { $0.isNaN })
  }

  // Budget: exp within 1 ulp, then one addition and one division (0.5 ulp each) for σ, and log1p within
  // 1 ulp plus one addition for softplus. Observed: values 1.33 ulp, derivatives 1.96 ulp at most.
  @Test(
    "log_sigmoid_bpr terms: values within 2 ulps and derivatives within 2.5 of softplus and σ in Double",
    arguments: KernelISA.supported)
  func terms(isa: KernelISA) {
    // x = m − 1 − d over [−120, 120], with and without margins; 20,001 pairs (a scalar tail of 1).
    let count = 20_001
    let d = (0..<count).map { Float(-120 + 240 * Double($0) / Double(count - 1)) }
    let m = (0..<count).map { Float(1 - 0.25 * Double($0 % 3)) }
    for margins in [nil, m] {
      var values = [Float](repeating: .nan, count: count)
      var derivatives = [Float](repeating: .nan, count: count)
      d.withUnsafeBufferPointer { d in
        (margins ?? []).withUnsafeBufferPointer { margin in
          isa.floatKernels.pointee.log_sigmoid_terms!(
            d.baseAddress!, margins == nil ? nil : margin.baseAddress!, count, &values, &derivatives)
        }
      }
      var worstValue = 0.0
      var worstDerivative = 0.0
      for i in 0..<count {
        // x as the kernel rounds it (Float); softplus and σ of that x, exactly enough in Double.
        let x = Double(((margins?[i] ?? 1) - 1) - d[i])
        let softplus = max(x, 0) + log1p(exp(-abs(x)))
        let sigmoid = x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x))
        worstValue = max(worstValue, ulpError(values[i], exact: softplus))
        worstDerivative = max(worstDerivative, ulpError(-derivatives[i], exact: sigmoid))
      }
      #expect(worstValue <= 2, "values: \(worstValue) ulp")
      #expect(worstDerivative <= 2.5, "derivatives: \(worstDerivative) ulp")
    }
  }
}
