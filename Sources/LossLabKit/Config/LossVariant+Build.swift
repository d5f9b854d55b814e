import RankingLosses

/// Why a loss variant cannot be built.
public struct VariantError: CategorizedError, Sendable {
  /// The message.
  public var description: String
  /// Always ``FailureCategory/badData``: the config asks for a loss that cannot be made.
  public var category: FailureCategory { .badData }
}

/// A variant's loss, built, with the parameters it was built with.
public struct BuiltLoss: Sendable {
  /// The loss, with partial credit when the variant asks for it.
  public var loss: any LossProtocol
  /// The parameters the loss was made with: the variant's, `num_items` from its context, and the defaults
  /// of the rest.
  public var parameters: [String: LossParameterValue]
}

extension LossVariant {
  /// Whether this variant still needs `num_items` from its context (a scenario, the metadata or a data
  /// set's catalog): its loss declares the parameter without a default and the variant does not give it.
  public func needsNumItems(in registry: LossRegistry) -> Bool {
    (try? registry.descriptor(named: name)).map(needsNumItems(of:)) ?? false
  }

  private func needsNumItems(of descriptor: LossDescriptor) -> Bool {
    parameters["num_items"] == nil
      && descriptor.parameters.contains { $0.name == "num_items" && $0.defaultValue == nil }
  }

  /// Builds this variant's loss: the one place where both runners turn a variant into a loss.
  ///
  /// The registry makes the loss from the variant's parameters, plus `num_items = numItems` when the loss
  /// needs it and the variant does not give it (``needsNumItems(in:)``); partial credit wraps it with
  /// `metadata`.
  ///
  /// - Parameters:
  ///   - registry: The config's registry (standard losses, plugins, custom losses).
  ///   - numItems: The catalog size of the context, or `nil` when it gives none.
  ///   - metadata: The item metadata partial credit reads, if any.
  /// - Throws: ``VariantError`` with the registry's or the decorator's message, or when `num_items` is needed
  ///   and `numItems` is `nil`.
  public func makeLoss(
    registry: LossRegistry, numItems: Int?, metadata: ItemMetadata?
  ) throws(VariantError) -> BuiltLoss {
    do {
      let descriptor = try registry.descriptor(named: name)
      var parameters = self.parameters
      if needsNumItems(of: descriptor) {
        guard let numItems else { throw VariantError(description: "\(name) needs num_items and none is given") }
        parameters["num_items"] = .integer(numItems)
      }
      let validated = try descriptor.validate(parameters)
      let loss = try descriptor.build(validated)
      guard let partialCredit else { return BuiltLoss(loss: loss, parameters: validated.values) }
      let credited = try AnyLoss(loss).withPartialCredit(metadata: metadata, weights: partialCredit)
      return BuiltLoss(loss: credited, parameters: validated.values)
    } catch let error as VariantError {
      throw error
    } catch {
      throw VariantError(description: "\(error)")
    }
  }
}

extension ExperimentConfig {
  /// Builds the loss of `variant` for `scenario`: `num_items`, when the loss needs it, comes from the
  /// scenario, else from the metadata's item count.
  ///
  /// - Throws: ``VariantError`` when `num_items` is needed and has no source, or the loss cannot be built.
  public func buildLoss(_ variant: LossVariant, on scenario: Scenario) throws(VariantError) -> any LossProtocol {
    let numItems = scenario.numItems ?? metadata?.itemCount
    if numItems == nil, variant.needsNumItems(in: registry) {
      throw VariantError(
        description:
          "\(variant.name) needs num_items and scenario '\(scenario.name)' gives none: set params: {num_items: N}, "
          + "the scenario's num_items, or top-level metadata")
    }
    return try variant.makeLoss(registry: registry, numItems: numItems, metadata: metadata).loss
  }
}
