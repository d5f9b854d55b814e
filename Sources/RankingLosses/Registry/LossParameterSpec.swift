/// The type of a loss parameter.
public enum LossParameterType: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
  /// A whole number (`Int`).
  case integer
  /// A real number (`Double`); integers are accepted.
  case real
  /// `true` or `false`.
  case boolean
  /// Text.
  case string

  /// `"integer"`, `"real"`, `"boolean"` or `"string"`.
  public var description: String { rawValue }
}

/// A parameter value as given by a caller or a config file.
public enum LossParameterValue: Sendable, Hashable, CustomStringConvertible {
  /// A whole number.
  case integer(Int)
  /// A real number.
  case real(Double)
  /// A Boolean.
  case boolean(Bool)
  /// Text.
  case string(String)

  /// The value as written in a config: `30`, `0.5`, `true`, `text`.
  public var description: String {
    switch self {
    case .integer(let v): return String(v)
    case .real(let v): return String(describing: v)
    case .boolean(let v): return String(v)
    case .string(let v): return v
    }
  }

  /// The name of the value's type, for error messages.
  public var typeName: String {
    switch self {
    case .integer: return "an integer"
    case .real: return "a real number"
    case .boolean: return "a boolean"
    case .string: return "a string"
    }
  }
}

/// What a loss declares about one of its parameters: name, type, default, valid range and a one-line doc.
///
/// The registry checks every parameter against its spec before a factory sees it, so factories can
/// read validated values without checking them again.
public struct LossParameterSpec: Sendable, Hashable {
  /// The parameter's name, e.g. `num_items`.
  public var name: String
  /// Its type.
  public var type: LossParameterType
  /// The value used when none is given; `nil` means the parameter is required.
  public var defaultValue: LossParameterValue?
  /// The smallest valid value (inclusive), for numbers; `nil` for no bound.
  public var minimum: Double?
  /// The largest valid value (inclusive), for numbers; `nil` for no bound.
  public var maximum: Double?
  /// For strings, the allowed values; empty for any.
  public var choices: [String]
  /// A one-line description.
  public var doc: String

  /// Creates a spec.
  public init(
    name: String, type: LossParameterType, defaultValue: LossParameterValue? = nil,
    minimum: Double? = nil, maximum: Double? = nil, choices: [String] = [], doc: String
  ) {
    self.name = name
    self.type = type
    self.defaultValue = defaultValue
    self.minimum = minimum
    self.maximum = maximum
    self.choices = choices
    self.doc = doc
  }

  /// The valid range as text: `>= 1`, `0 ... 1`, `one of: a, b`, or `any`.
  public var rangeDescription: String {
    func format(_ x: Double) -> String {
      x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(describing: x)
    }
    if !choices.isEmpty { return "one of: \(choices.joined(separator: ", "))" }
    switch (minimum, maximum) {
    case (let lo?, let hi?): return "\(format(lo)) ... \(format(hi))"
    case (let lo?, nil): return ">= \(format(lo))"
    case (nil, let hi?): return "<= \(format(hi))"
    case (nil, nil): return "any"
    }
  }

  /// Checks a value against the spec and converts it to the spec's type (an integer given for a real
  /// becomes a real; a real with no fractional part given for an integer becomes an integer).
  ///
  /// - Parameters:
  ///   - value: The value as given.
  ///   - loss: The loss's name, for the message.
  /// - Returns: The value converted to ``type``.
  /// - Throws: ``LossError/invalidParameter(loss:parameter:message:)`` for the wrong type or a value out
  ///   of range.
  public func validate(_ value: LossParameterValue, loss: String) throws(LossError) -> LossParameterValue {
    func invalid(_ message: String) -> LossError {
      .invalidParameter(loss: loss, parameter: name, message: message)
    }
    let converted: LossParameterValue
    switch (type, value) {
    case (.integer, .integer), (.real, .real), (.boolean, .boolean), (.string, .string):
      converted = value
    case (.real, .integer(let v)):
      converted = .real(Double(v))
    case (.integer, .real(let v)) where v.isFinite && v == v.rounded() && abs(v) <= 9e15:
      converted = .integer(Int(v))
    default:
      throw invalid("must be \(type == .integer ? "an integer" : "a \(type)"), got \(value.typeName) (\(value))")
    }
    let number: Double?
    switch converted {
    case .integer(let v): number = Double(v)
    case .real(let v):
      guard v.isFinite else { throw invalid("must be finite, got \(v)") }
      number = v
    default: number = nil
    }
    if let number {
      if let minimum, number < minimum { throw invalid("must be \(rangeDescription), got \(converted)") }
      if let maximum, number > maximum { throw invalid("must be \(rangeDescription), got \(converted)") }
    }
    if case .string(let s) = converted, !choices.isEmpty, !choices.contains(s) {
      let hint = closestName(to: s, among: choices).map { " (did you mean '\($0)'?)" } ?? ""
      throw invalid("must be \(rangeDescription), got '\(s)'\(hint)")
    }
    return converted
  }
}

/// The validated parameters handed to a loss factory: every declared parameter, given or defaulted,
/// converted to its declared type.
public struct LossParameters: Sendable, Hashable {
  /// The values by parameter name.
  public let values: [String: LossParameterValue]

  /// Wraps already-validated values. ``LossRegistry`` builds these; tests and factories may too.
  public init(_ values: [String: LossParameterValue] = [:]) {
    self.values = values
  }

  /// The integer parameter `name`.
  /// - Precondition: the loss declared `name` as an integer (the registry has checked the value).
  public func integer(_ name: String) -> Int {
    guard case .integer(let v)? = values[name] else {
      preconditionFailure("parameter '\(name)' is not a declared integer parameter")
    }
    return v
  }

  /// The real parameter `name`.
  /// - Precondition: the loss declared `name` as a real.
  public func real(_ name: String) -> Double {
    guard case .real(let v)? = values[name] else {
      preconditionFailure("parameter '\(name)' is not a declared real parameter")
    }
    return v
  }

  /// The Boolean parameter `name`.
  /// - Precondition: the loss declared `name` as a boolean.
  public func boolean(_ name: String) -> Bool {
    guard case .boolean(let v)? = values[name] else {
      preconditionFailure("parameter '\(name)' is not a declared boolean parameter")
    }
    return v
  }

  /// The string parameter `name`.
  /// - Precondition: the loss declared `name` as a string.
  public func string(_ name: String) -> String {
    guard case .string(let v)? = values[name] else {
      preconditionFailure("parameter '\(name)' is not a declared string parameter")
    }
    return v
  }
}
