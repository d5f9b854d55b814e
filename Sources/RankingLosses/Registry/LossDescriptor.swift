/// A named loss strategy in a ``LossRegistry``: what it is called, what it is, which parameters it takes,
/// and how to build it.
public struct LossDescriptor: Sendable {
  /// Builds a loss from validated parameters. An error it throws that is not a ``LossError`` reaches the
  /// caller as ``LossError/custom(_:)`` with the error's description.
  public typealias Factory = @Sendable (LossParameters) throws -> any LossProtocol

  /// The name users write, lower-case snake case (`adaptive_hinge`).
  public let name: String
  /// Pairwise or adaptive.
  public let kind: LossKind
  /// A one-line description.
  public let summary: String
  /// The parameters the loss takes, in display order.
  public let parameters: [LossParameterSpec]
  /// Builds the loss; called only with parameters validated against ``parameters``.
  public let factory: Factory
  /// Where the loss comes from: `built-in`, or the config file (or plugin) that defined it.
  public var origin: String = "built-in"

  /// Creates a descriptor.
  ///
  /// - Parameters:
  ///   - name: Lower-case snake case: `[a-z][a-z0-9_]*`.
  ///   - kind: Pairwise or adaptive.
  ///   - summary: One line for `losslab list`.
  ///   - parameters: The parameters, with their types, defaults and ranges.
  ///   - factory: Builds the loss from validated parameters.
  public init(
    name: String, kind: LossKind, summary: String, parameters: [LossParameterSpec] = [],
    factory: @escaping Factory
  ) {
    self.name = name
    self.kind = kind
    self.summary = summary
    self.parameters = parameters
    self.factory = factory
  }

  /// Checks raw parameters against ``parameters``: no unknown names, every required one present, each of
  /// the right type and in range. Missing optional parameters get their defaults.
  ///
  /// - Throws: ``LossError/unknownParameter(loss:parameter:known:suggestion:)``,
  ///   ``LossError/missingParameter(loss:parameter:expected:)`` or
  ///   ``LossError/invalidParameter(loss:parameter:message:)``.
  public func validate(_ raw: [String: LossParameterValue]) throws(LossError) -> LossParameters {
    let known = parameters.map(\.name)
    for key in raw.keys.sorted() where !known.contains(key) {
      throw .unknownParameter(
        loss: name, parameter: key, known: known, suggestion: closestName(to: key, among: known))
    }
    var values: [String: LossParameterValue] = [:]
    for spec in parameters {
      if let given = raw[spec.name] {
        values[spec.name] = try spec.validate(given, loss: name)
      } else if let fallback = spec.defaultValue {
        values[spec.name] = fallback
      } else {
        throw .missingParameter(
          loss: name, parameter: spec.name, expected: "\(spec.type) \(spec.rangeDescription): \(spec.doc)")
      }
    }
    return LossParameters(values)
  }

  /// Validates `raw` and builds the loss.
  ///
  /// - Throws: as ``validate(_:)``, or whatever the factory throws.
  public func makeLoss(_ raw: [String: LossParameterValue] = [:]) throws(LossError) -> any LossProtocol {
    try build(try validate(raw))
  }

  /// Builds the loss from parameters that ``validate(_:)`` returned (so that a caller who keeps the
  /// validated values does not validate twice).
  ///
  /// - Throws: whatever the factory throws, as a ``LossError``.
  public func build(_ parameters: LossParameters) throws(LossError) -> any LossProtocol {
    do {
      return try factory(parameters)
    } catch let error as LossError {
      throw error
    } catch {
      throw .custom("\(name): \(error)")
    }
  }
}
