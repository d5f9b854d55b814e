import RankingLosses
import Testing

@Suite("Loss registry")
struct RegistryTests {
  let registry = LossRegistry.standard

  @Test("lists every built-in loss with its kind, summary and parameters")
  func listing() throws {
    #expect(
      registry.names == [
        "bpr", "adaptive_bpr", "hinge", "adaptive_hinge", "warp", "log_sigmoid_bpr", "adaptive_log_sigmoid_bpr",
      ])
    let kinds = registry.descriptors.map { "\($0.name):\($0.kind)" }
    #expect(
      kinds == [
        "bpr:pairwise", "adaptive_bpr:adaptive", "hinge:pairwise", "adaptive_hinge:adaptive", "warp:adaptive",
        "log_sigmoid_bpr:pairwise", "adaptive_log_sigmoid_bpr:adaptive",
      ])
    #expect(registry.descriptors.allSatisfy { !$0.summary.isEmpty })
    let warp = try registry.descriptor(named: "warp")
    let numItems = try #require(warp.parameters.first)
    #expect(warp.parameters.count == 1)
    #expect(numItems.name == "num_items")
    #expect(numItems.type == .integer)
    #expect(numItems.defaultValue == nil)
    #expect(numItems.rangeDescription == ">= 1")
    #expect(try registry.descriptor(named: "bpr").parameters.isEmpty)
  }

  @Test("builds the loss a name stands for")
  func building() throws {
    #expect(try registry.makeLoss("bpr") is BPRLoss)
    #expect(try registry.makeLoss("adaptive_hinge") is AdaptiveLoss<HingeLoss>)
    #expect(try registry.makeLoss("adaptive_log_sigmoid_bpr") is AdaptiveLoss<LogSigmoidBPRLoss>)
    let warp = try #require(try registry.makeLoss("warp", parameters: ["num_items": .integer(30)]) as? WARPLoss)
    #expect(warp.numItems == 30)
    // A real with no fraction is accepted for an integer parameter (YAML and JSON writers differ).
    let fromReal = try #require(try registry.makeLoss("warp", parameters: ["num_items": .real(30)]) as? WARPLoss)
    #expect(fromReal.numItems == 30)
  }

  @Test("an unknown name lists the known ones and suggests the closest")
  func unknownName() {
    #expect(throws: LossError.self) { try registry.makeLoss("warpp") }
    #expect(
      error(of: "warpp").description
        == "unknown loss 'warpp' (did you mean 'warp'?); known losses: bpr, adaptive_bpr, hinge, adaptive_hinge, "
        + "warp, log_sigmoid_bpr, adaptive_log_sigmoid_bpr")
    #expect(error(of: "adaptive-hinge").description.contains("(did you mean 'adaptive_hinge'?)"))
    #expect(!error(of: "completely_different").description.contains("did you mean"))
  }

  func error(of name: String, _ parameters: [String: LossParameterValue] = [:]) -> LossError {
    do {
      _ = try registry.makeLoss(name, parameters: parameters)
      return .custom("no error")
    } catch {
      return error
    }
  }

  @Test("parameters are validated by the registry, with readable messages")
  func parameterValidation() {
    #expect(
      error(of: "warp").description
        == "warp needs parameter 'num_items' (integer >= 1: catalog size in the weight log(num_items / tries); "
        + "the number of items a positive competes with)")
    #expect(
      error(of: "warp", ["num_items": .integer(0)]).description
        == "parameter 'num_items' of warp must be >= 1, got 0")
    #expect(
      error(of: "warp", ["num_items": .real(2.5)]).description
        == "parameter 'num_items' of warp must be an integer, got a real number (2.5)")
    #expect(
      error(of: "warp", ["num_items": .string("many")]).description
        == "parameter 'num_items' of warp must be an integer, got a string (many)")
    #expect(
      error(of: "warp", ["num_items": .integer(3), "num_item": .integer(3)]).description
        == "warp has no parameter 'num_item' (did you mean 'num_items'?); parameters: num_items")
    #expect(
      error(of: "bpr", ["margin": .real(1)]).description
        == "bpr has no parameter 'margin'; it takes no parameters")
  }

  @Test("custom losses register from user code, with parameters, and get an adaptive variant")
  func customRegistration() throws {
    struct ScaledHinge: PairwiseLoss {
      var scale: Double
      var name: String { "scaled_hinge" }
      var reduction: LossReduction { .mean }
      func term<S: LossScalar>(difference d: S, idealDifference m: S) -> PairTerm<S> {
        let x = m - d
        return x > 0 ? PairTerm(value: S(scale) * x, derivative: -S(scale)) : PairTerm(value: 0, derivative: 0)
      }
    }
    var custom = LossRegistry.standard
    try custom.registerPairwise(
      name: "scaled_hinge", summary: "scale * max(m - d, 0), mean",
      parameters: [
        LossParameterSpec(
          name: "scale", type: .real, defaultValue: .real(2), minimum: 0, maximum: 10, doc: "slope of the hinge")
      ]
    ) { parameters in ScaledHinge(scale: parameters.real("scale")) }
    #expect(custom.names.suffix(2) == ["scaled_hinge", "adaptive_scaled_hinge"])
    #expect(!LossRegistry.standard.contains("scaled_hinge"))  // the standard registry is untouched

    let batch = try LossBatch<Double>(positiveScores: [0, 2], negativeScores: [[0.5, 0], [1, 1.5]])
    // Default scale 2: the highest negatives are 1 and 1.5; terms 2·(1 − (0 − 1)) = 4 and 2·(1 − 0.5) = 1.
    #expect(try custom.makeLoss("adaptive_scaled_hinge").value(of: batch) == 2.5)
    #expect(try custom.makeLoss("adaptive_scaled_hinge", parameters: ["scale": .integer(1)]).value(of: batch) == 1.25)
    #expect(
      throws: LossError.invalidParameter(
        loss: "scaled_hinge", parameter: "scale", message: "must be 0 ... 10, got 11.0")
    ) {
      try custom.makeLoss("scaled_hinge", parameters: ["scale": .real(11)])
    }

    #expect(throws: LossError.duplicateLoss(name: "scaled_hinge")) {
      try custom.registerPairwise(name: "scaled_hinge", summary: "again") { _ in ScaledHinge(scale: 1) }
    }
    // Registering a pair is all or nothing: a taken adaptive name leaves the pairwise name free.
    try custom.register(
      LossDescriptor(name: "adaptive_foo", kind: .adaptive, summary: "") { _ in try WARPLoss(numItems: 3) })
    #expect(throws: LossError.duplicateLoss(name: "adaptive_foo")) {
      try custom.registerPairwise(name: "foo", summary: "again") { _ in BPRLoss() }
    }
    #expect(!custom.contains("foo"))
    #expect(throws: LossError.invalidLossName("Squared Hinge")) {
      try custom.register(LossDescriptor(name: "Squared Hinge", kind: .pairwise, summary: "") { _ in HingeLoss() })
    }
    #expect(throws: LossError.self) {
      try custom.register(
        LossDescriptor(
          name: "bad_default", kind: .pairwise, summary: "",
          parameters: [LossParameterSpec(name: "k", type: .integer, defaultValue: .integer(0), minimum: 1, doc: "")]
        ) { _ in HingeLoss() })
    }
  }
}
