import Foundation
import LossLabTestSupport
import RankingLosses
import Testing

/// Every case of the golden file, computed by the seed's PyTorch functions, reproduced by LossLab.
@Suite("Golden reference cases")
struct GoldenTests {
  @Test("the fixture holds the 200 cases its README describes")
  func fixtureIsComplete() {
    let cases = GoldenCase.all
    #expect(cases.count == 200)
    #expect(Set(cases.map(\.id)).count == 200)
    #expect(cases.filter { $0.error != nil }.count == 7)
    let perLoss = Dictionary(grouping: cases, by: \.loss).mapValues(\.count)
    #expect(perLoss == ["bpr": 36, "adaptive_bpr": 40, "hinge": 36, "adaptive_hinge": 40, "warp": 48])
    // Stricter than the seed: 5 null-metadata cases and 5 unknown-field cases also raise here.
    #expect(cases.filter(\.lossLabRejects).count == 17)
  }

  /// Float64: value within rtol 1e-12 (1e-6 where the reference rounds through float32), gradients within
  /// `atol + rtol · max|expected gradient|`, as the fixture's README suggests.
  @Test("Double matches the float64 reference, on every path", arguments: GoldenCase.all)
  func double(_ golden: GoldenCase) throws {
    try forEachKernelISA { isa in
      if golden.lossLabRejects {
        #expect(throws: LossError.self, "\(isa): \(golden.id) must be rejected") {
          try golden.makeLoss().evaluate(golden.batch(Double.self), computeGradients: true)
        }
        return
      }
      let output = try golden.makeLoss().evaluate(golden.batch(Double.self), computeGradients: true)
      let expected = try #require(golden.expectedLoss)
      #expect(
        abs(output.value - expected) <= golden.valueTolerance,
        "\(isa): \(golden.id): loss \(output.value), expected \(expected)")

      let gradients = try #require(output.gradients)
      let expectedPositive = try #require(golden.expectedGradPositive)
      let expectedNegative = try #require(golden.expectedGradNegative)
      #expect(gradients.positiveScores.count == expectedPositive.count)
      #expect(gradients.negativeScores.rowArrays.map(\.count) == expectedNegative.map(\.count))
      let tolerance = golden.gradientTolerance
      for (j, (got, want)) in zip(gradients.positiveScores, expectedPositive).enumerated() {
        #expect(abs(got - want) <= tolerance, "\(isa): \(golden.id): d/d positive[\(j)] = \(got), expected \(want)")
      }
      for (k, (gotRow, wantRow)) in zip(gradients.negativeScores.rowArrays, expectedNegative).enumerated() {
        for (j, (got, want)) in zip(gotRow, wantRow).enumerated() {
          #expect(
            abs(got - want) <= tolerance, "\(isa): \(golden.id): d/d negative[\(k)][\(j)] = \(got), expected \(want)")
          // Exact zeros stay exact zeros: negatives the reference does not use get no gradient at all.
          if want == 0 { #expect(got == 0, "\(isa): \(golden.id): negative[\(k)][\(j)] must get exactly 0") }
        }
      }
    }
  }

  /// Float32: the value within rtol 1e-5, atol 1e-6 of the reference run on float32 tensors.
  @Test("Float matches the float32 reference, on every path", arguments: GoldenCase.all)
  func float(_ golden: GoldenCase) throws {
    try forEachKernelISA { isa in
      if golden.lossLabRejects {
        #expect(throws: LossError.self) {
          try golden.makeLoss().evaluate(golden.batch(Float.self), computeGradients: false)
        }
        return
      }
      let output = try golden.makeLoss().evaluate(golden.batch(Float.self), computeGradients: true)
      let expected = try #require(golden.expectedLossFloat32)
      #expect(
        abs(Double(output.value) - expected) <= 1e-6 + 1e-5 * abs(expected),
        "\(isa): \(golden.id): float loss \(output.value), expected \(expected)")
      #expect(output.gradients?.positiveScores.allSatisfy(\.isFinite) == true)
    }
  }

  @Test("the reference's own error message is reproduced")
  func weightSumMessage() throws {
    for golden in GoldenCase.all where golden.error != nil {
      let error = try #require(throws: LossError.self) { try golden.makeLoss() }
      #expect("ValueError: \(error)" == golden.error, "\(golden.id)")
    }
  }
}
