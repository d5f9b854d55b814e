import RealModule

/// A loss term written as an expression over `d` (positive − negative score) and `m` (the pair's ideal
/// difference), parsed once and evaluated with its derivative by forward-mode automatic differentiation.
///
/// Grammar (usual precedence; `^` binds tighter than unary minus and is right-associative):
///
/// ```
/// expression := term (("+" | "-") term)*
/// term       := unary (("*" | "/") unary)*
/// unary      := "-" unary | power
/// power      := primary ("^" unary)?
/// primary    := number | "d" | "m" | function "(" expression ("," expression)* ")" | "(" expression ")"
/// ```
///
/// Functions: `exp log log1p sqrt abs relu sigmoid softplus` (one argument) and `min max` (two). At a tie,
/// `max` and `min` take — and pass the derivative to — their first argument, so `max(0, m - d)` is the
/// built-in hinge, gradient 0 at the kink included; `relu` and `abs` pass 0 at 0.
///
/// ```swift
/// let squaredHinge = try LossExpression("max(0, m - d)^2")
/// squaredHinge.evaluate(difference: 0.5, idealDifference: 1.0)   // value 0.25, derivative −1
/// ```
public struct LossExpression: Sendable, Hashable, CustomStringConvertible {
  indirect enum Node: Sendable, Hashable {
    case number(Double)
    case difference
    case ideal
    case negate(Node)
    case binary(Operator, Node, Node)
    case call(Function, [Node])
  }

  /// A binary operator, by its character.
  enum Operator: Character, Sendable, Hashable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", power = "^"
  }

  /// A function an expression may call, by its name (resolved once, when parsing).
  enum Function: String, CaseIterable, Sendable, Hashable {
    case exp, log, log1p, sqrt, abs, relu, sigmoid, softplus, min, max

    /// The number of arguments.
    var arity: Int { self == .min || self == .max ? 2 : 1 }
  }

  /// The text as written.
  public let source: String
  let root: Node

  /// The functions an expression may call, with their number of arguments.
  public static let functions: [String: Int] = Dictionary(
    uniqueKeysWithValues: Function.allCases.map { ($0.rawValue, $0.arity) })

  /// Parses an expression.
  ///
  /// - Throws: ``LossExpressionError`` with the 1-based column of the problem.
  public init(_ source: String) throws(LossExpressionError) {
    var parser = ExpressionParser(source)
    root = try parser.parse()
    self.source = source
  }

  /// The source text.
  public var description: String { source }

  /// Whether the expression uses `d` at all (a loss whose term ignores the scores cannot train).
  public var dependsOnDifference: Bool { Self.uses(root) }

  private static func uses(_ node: Node) -> Bool {
    switch node {
    case .difference: return true
    case .number, .ideal: return false
    case .negate(let x): return uses(x)
    case .binary(_, let a, let b): return uses(a) || uses(b)
    case .call(_, let args): return args.contains(where: uses)
    }
  }

  /// The term and its derivative with respect to `d` at (`difference`, `idealDifference`).
  public func evaluate<Scalar: LossScalar>(difference: Scalar, idealDifference: Scalar) -> PairTerm<Scalar> {
    let result = Self.evaluate(
      root, Dual(value: difference, derivative: 1), Dual(value: idealDifference, derivative: 0))
    return PairTerm(value: result.value, derivative: result.derivative)
  }

  /// A value and its derivative with respect to `d` (a dual number).
  struct Dual<S: LossScalar> {
    var value: S
    var derivative: S
  }

  private static func evaluate<S: LossScalar>(_ node: Node, _ d: Dual<S>, _ m: Dual<S>) -> Dual<S> {
    switch node {
    case .number(let x): return Dual(value: S(x), derivative: 0)
    case .difference: return d
    case .ideal: return m
    case .negate(let x):
      let a = evaluate(x, d, m)
      return Dual(value: -a.value, derivative: -a.derivative)
    case .binary(let op, let lhs, let rhs):
      let a = evaluate(lhs, d, m)
      let b = evaluate(rhs, d, m)
      switch op {
      case .add: return Dual(value: a.value + b.value, derivative: a.derivative + b.derivative)
      case .subtract: return Dual(value: a.value - b.value, derivative: a.derivative - b.derivative)
      case .multiply:
        return Dual(value: a.value * b.value, derivative: a.derivative * b.value + a.value * b.derivative)
      case .divide:
        return Dual(
          value: a.value / b.value, derivative: (a.derivative * b.value - a.value * b.derivative) / (b.value * b.value))
      case .power: return power(a, b)
      }
    case .call(let function, let args):
      let a = evaluate(args[0], d, m)
      switch function {
      case .exp:
        let e = S.exp(a.value)
        return Dual(value: e, derivative: e * a.derivative)
      case .log: return Dual(value: S.log(a.value), derivative: a.derivative / a.value)
      case .log1p: return Dual(value: S.log(onePlus: a.value), derivative: a.derivative / (1 + a.value))
      case .sqrt:
        let r = a.value.squareRoot()
        return Dual(value: r, derivative: a.derivative / (2 * r))
      case .abs:
        return Dual(value: abs(a.value), derivative: a.value > 0 ? a.derivative : a.value < 0 ? -a.derivative : 0)
      case .relu: return a.value > 0 ? a : Dual(value: 0, derivative: 0)
      case .sigmoid:
        let y = S.stableSigmoid(a.value)
        return Dual(value: y, derivative: y * (1 - y) * a.derivative)
      case .softplus: return Dual(value: S.softplus(a.value), derivative: S.stableSigmoid(a.value) * a.derivative)
      case .max:
        let b = evaluate(args[1], d, m)
        return a.value >= b.value ? a : b
      case .min:
        let b = evaluate(args[1], d, m)
        return a.value <= b.value ? a : b
      }
    }
  }

  /// `a^b`: an integer constant exponent multiplies (any sign of base); another constant exponent uses
  /// `pow` with `∂ = b·a^(b−1)·a′`; an exponent that depends on `d` goes through `exp(b log a)`.
  private static func power<S: LossScalar>(_ a: Dual<S>, _ b: Dual<S>) -> Dual<S> {
    if b.derivative == 0, b.value == b.value.rounded(), abs(b.value) <= 64 {
      let n = Int(Double(b.value))
      let value = S.pow(a.value, n)
      let derivative = n == 0 ? 0 : S(n) * S.pow(a.value, n - 1) * a.derivative
      return Dual(value: value, derivative: derivative)
    }
    let value = S.pow(a.value, b.value)
    // A constant exponent: b·a^(b−1)·a′, finite at a = 0 for b ≥ 1; otherwise through exp(b·log a).
    if b.derivative == 0 {
      let derivative = a.derivative == 0 ? 0 : b.value * S.pow(a.value, b.value - 1) * a.derivative
      return Dual(value: value, derivative: derivative)
    }
    return Dual(value: value, derivative: value * (b.derivative * S.log(a.value) + b.value * a.derivative / a.value))
  }
}

/// A problem in a loss expression: what, and at which 1-based column of the expression.
public struct LossExpressionError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The 1-based column (in characters) of the problem within the expression.
  public var column: Int
  /// What is wrong.
  public var message: String

  /// `"column C: MESSAGE"`.
  public var description: String { "column \(column): \(message)" }
}

/// A recursive-descent parser over the expression's characters.
struct ExpressionParser {
  let characters: [Character]
  var index = 0

  init(_ source: String) {
    characters = Array(source)
  }

  mutating func parse() throws(LossExpressionError) -> LossExpression.Node {
    skipSpace()
    guard index < characters.count else { throw error("the expression is empty") }
    let node = try expression()
    skipSpace()
    guard index == characters.count else { throw error("unexpected '\(characters[index])'") }
    return node
  }

  private func error(_ message: String, at position: Int? = nil) -> LossExpressionError {
    LossExpressionError(column: (position ?? index) + 1, message: message)
  }

  private mutating func skipSpace() {
    while index < characters.count, characters[index].isWhitespace { index += 1 }
  }

  private mutating func peek() -> Character? {
    skipSpace()
    return index < characters.count ? characters[index] : nil
  }

  private mutating func expression() throws(LossExpressionError) -> LossExpression.Node {
    var node = try term()
    while let c = peek(), let op = LossExpression.Operator(rawValue: c), op == .add || op == .subtract {
      index += 1
      node = .binary(op, node, try term())
    }
    return node
  }

  private mutating func term() throws(LossExpressionError) -> LossExpression.Node {
    var node = try unary()
    while let c = peek(), let op = LossExpression.Operator(rawValue: c), op == .multiply || op == .divide {
      index += 1
      node = .binary(op, node, try unary())
    }
    return node
  }

  private mutating func unary() throws(LossExpressionError) -> LossExpression.Node {
    if peek() == "-" {
      index += 1
      return .negate(try unary())
    }
    return try power()
  }

  private mutating func power() throws(LossExpressionError) -> LossExpression.Node {
    let base = try primary()
    if peek() == "^" {
      index += 1
      return .binary(.power, base, try unary())
    }
    return base
  }

  private mutating func primary() throws(LossExpressionError) -> LossExpression.Node {
    guard let c = peek() else {
      throw error("the expression ends too early; expected a number, d, m, a function or '('")
    }
    if c == "(" {
      let open = index
      index += 1
      let node = try expression()
      guard peek() == ")" else { throw error("'(' at column \(open + 1) is not closed") }
      index += 1
      return node
    }
    if c.isNumber || c == "." { return try number() }
    if c.isLetter || c == "_" {
      let start = index
      while index < characters.count,
        characters[index].isLetter || characters[index].isNumber || characters[index] == "_"
      {
        index += 1
      }
      let name = String(characters[start..<index])
      if name == "d" { return .difference }
      if name == "m" { return .ideal }
      guard let function = LossExpression.Function(rawValue: name) else {
        let known = LossExpression.functions.keys.sorted()
        let hint = closestName(to: name, among: known + ["d", "m"]).map { " (did you mean '\($0)'?)" } ?? ""
        throw error(
          "unknown name '\(name)'\(hint); use d, m, numbers and the functions \(known.joined(separator: ", "))",
          at: start)
      }
      let arity = function.arity
      guard peek() == "(" else { throw error("'\(name)' needs its argument\(arity == 1 ? "" : "s") in parentheses") }
      index += 1
      var arguments = [try expression()]
      while peek() == "," {
        index += 1
        arguments.append(try expression())
      }
      guard peek() == ")" else { throw error("expected ')' after the arguments of '\(name)'") }
      guard arguments.count == arity else {
        throw error(
          "'\(name)' takes \(arity) argument\(arity == 1 ? "" : "s"), got \(arguments.count)", at: start)
      }
      index += 1
      return .call(function, arguments)
    }
    throw error("unexpected '\(c)'; expected a number, d, m, a function or '('")
  }

  private mutating func number() throws(LossExpressionError) -> LossExpression.Node {
    let start = index
    while index < characters.count, characters[index].isNumber || characters[index] == "." { index += 1 }
    if index < characters.count, characters[index] == "e" || characters[index] == "E" {
      var look = index + 1
      if look < characters.count, characters[look] == "-" || characters[look] == "+" { look += 1 }
      if look < characters.count, characters[look].isNumber {
        index = look
        while index < characters.count, characters[index].isNumber { index += 1 }
      }
    }
    let text = String(characters[start..<index])
    guard let value = Double(text), value.isFinite else { throw error("'\(text)' is not a number", at: start) }
    return .number(value)
  }
}
