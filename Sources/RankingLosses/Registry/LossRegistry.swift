/// Named loss strategies: look them up, list them with their parameters, build them, add your own.
///
/// The registry is a value: ``standard`` holds the built-in losses, and a copy can be extended without
/// touching the library or any global state.
///
/// ```swift
/// var registry = LossRegistry.standard
/// let warp = try registry.makeLoss("warp", parameters: ["num_items": .integer(1000)])
///
/// struct SquaredHinge: PairwiseLoss { … }
/// try registry.registerPairwise(name: "squared_hinge", summary: "mean of max(m − d, 0)²") { _ in SquaredHinge() }
/// registry.names   // […, "squared_hinge", "adaptive_squared_hinge"]
/// ```
///
/// Built-in losses: `bpr`, `hinge`, `log_sigmoid_bpr` (pairwise), `adaptive_bpr`, `adaptive_hinge`,
/// `adaptive_log_sigmoid_bpr`, `warp` (adaptive).
public struct LossRegistry: Sendable {
  private var descriptorsByName: [String: LossDescriptor] = [:]
  /// The registered names, in registration order.
  public private(set) var names: [String] = []

  /// An empty registry.
  public init() {}

  /// The registry of the built-in losses.
  public static let standard: LossRegistry = {
    var registry = LossRegistry()
    do {
      try registry.registerPairwise(
        name: "bpr",
        summary: "seed BPR: l = m - sigmoid(d), loss = (sum l + sum l^2) / B",
        adaptiveSummary: "seed BPR on each positive's highest-scoring negative"
      ) { _ in BPRLoss() }
      try registry.registerPairwise(
        name: "hinge",
        summary: "seed hinge: l = max(m - d, 0), loss = (sum l + sum l^2) / B",
        adaptiveSummary: "seed hinge on each positive's highest-scoring negative"
      ) { _ in HingeLoss() }
      try registry.register(
        LossDescriptor(
          name: "warp", kind: .adaptive,
          summary: "WARP: first violating negative, weighted log(num_items / tries), (sum L + sum L^2) / B",
          parameters: WARPLoss.parameters
        ) { parameters in try WARPLoss(numItems: parameters.integer("num_items")) })
      try registry.registerPairwise(
        name: "log_sigmoid_bpr",
        summary: "textbook BPR (LightFM, implicit, RecBole): mean of softplus(m - 1 - d) = -log sigmoid(d)",
        adaptiveSummary: "textbook BPR on each positive's highest-scoring negative"
      ) { _ in LogSigmoidBPRLoss() }
    } catch {
      preconditionFailure("the built-in losses must register: \(error)")
    }
    return registry
  }()

  /// The descriptors, in registration order.
  public var descriptors: [LossDescriptor] { names.compactMap { descriptorsByName[$0] } }

  /// The descriptor of the loss named `name`.
  ///
  /// - Throws: ``LossError/unknownLoss(name:known:suggestion:)``, listing the known names and suggesting
  ///   the closest one.
  public func descriptor(named name: String) throws(LossError) -> LossDescriptor {
    guard let descriptor = descriptorsByName[name] else {
      throw .unknownLoss(name: name, known: names, suggestion: closestName(to: name, among: names))
    }
    return descriptor
  }

  /// Whether a loss named `name` is registered.
  public func contains(_ name: String) -> Bool { descriptorsByName[name] != nil }

  /// Builds the loss named `name` from raw parameters, validated against its declared parameters.
  ///
  /// - Parameters:
  ///   - name: A registered name.
  ///   - parameters: Parameter name → value; missing optional parameters take their defaults.
  /// - Throws: ``LossError/unknownLoss(name:known:suggestion:)`` or any error of
  ///   ``LossDescriptor/validate(_:)``.
  public func makeLoss(
    _ name: String, parameters: [String: LossParameterValue] = [:]
  ) throws(LossError) -> any LossProtocol {
    try descriptor(named: name).makeLoss(parameters)
  }

  /// Adds a loss.
  ///
  /// - Throws: ``LossError/invalidLossName(_:)`` for a name that is not lower-case snake case,
  ///   ``LossError/duplicateLoss(name:)`` if the name is taken, and
  ///   ``LossError/invalidParameter(loss:parameter:message:)`` for a parameter default that fails its
  ///   own spec.
  public mutating func register(_ descriptor: LossDescriptor) throws(LossError) {
    try checkNew(descriptor.name)
    var seen: Set<String> = []
    for spec in descriptor.parameters {
      guard seen.insert(spec.name).inserted else {
        throw .invalidParameter(loss: descriptor.name, parameter: spec.name, message: "is declared twice")
      }
      if let fallback = spec.defaultValue { _ = try spec.validate(fallback, loss: descriptor.name) }
    }
    descriptorsByName[descriptor.name] = descriptor
    names.append(descriptor.name)
  }

  /// Adds a pairwise loss and, unless `adaptiveSummary` is `nil`, its adaptive variant
  /// `adaptive_<name>` built with ``AdaptiveLoss``.
  ///
  /// - Parameters:
  ///   - name: The pairwise loss's name.
  ///   - summary: One line for the pairwise loss.
  ///   - parameters: Parameters shared by both variants.
  ///   - adaptiveSummary: One line for the adaptive variant; `nil` registers no adaptive variant.
  ///   - origin: Where the loss comes from, for `losslab list`.
  ///   - factory: Builds the pairwise loss from validated parameters.
  /// - Throws: as ``register(_:)``, for either name.
  public mutating func registerPairwise<Loss: PairwiseLoss>(
    name: String, summary: String, parameters: [LossParameterSpec] = [],
    adaptiveSummary: String? = "the adaptive variant: each positive against its highest-scoring negative",
    origin: String = "built-in", factory: @escaping @Sendable (LossParameters) throws -> Loss
  ) throws(LossError) {
    try checkNew(name)
    if adaptiveSummary != nil { try checkNew("adaptive_\(name)") }
    var pairwise = LossDescriptor(name: name, kind: .pairwise, summary: summary, parameters: parameters) {
      parameters in try factory(parameters)
    }
    pairwise.origin = origin
    try register(pairwise)
    guard let adaptiveSummary else { return }
    var adaptive = LossDescriptor(
      name: "adaptive_\(name)", kind: .adaptive, summary: adaptiveSummary, parameters: parameters
    ) { parameters in AdaptiveLoss(try factory(parameters)) }
    adaptive.origin = origin
    try register(adaptive)
  }

  private func checkNew(_ name: String) throws(LossError) {
    guard let first = name.unicodeScalars.first, ("a"..."z").contains(first),
      name.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" })
    else { throw .invalidLossName(name) }
    guard descriptorsByName[name] == nil else { throw .duplicateLoss(name: name) }
  }
}
