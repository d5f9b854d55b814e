import RealModule

/// A loss term written as an expression over `d` (positive − negative score) and `m` (the pair's ideal
/// difference), parsed once into a flat postfix program and evaluated with its derivative by forward-mode
/// automatic differentiation.
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
/// Limits, so that no text can exhaust a thread's stack or take long to parse or evaluate: at most
/// ``maximumLength`` characters and at most ``maximumDepth`` nested levels, where each parenthesis pair,
/// function call, unary minus and `^` opens a level. Neither parsing nor evaluation recurses: the parser
/// keeps what is open on an explicit stack, and evaluation runs over the program in a loop, on a value stack
/// sized when parsing: a temporary allocation on the calling thread's stack (a value stack over 1 KB goes to
/// the heap only where the thread's stack lacks the room).
///
/// ```swift
/// let squaredHinge = try LossExpression("max(0, m - d)^2")
/// squaredHinge.evaluate(difference: 0.5, idealDifference: 1.0)   // value 0.25, derivative −1
/// ```
public struct LossExpression: Sendable, Hashable, CustomStringConvertible {
  /// One step of the postfix program, on a stack of dual numbers.
  enum Instruction: Sendable, Hashable {
    /// Pushes a constant (derivative 0).
    case constant(Double)
    /// Pushes `d` (derivative 1).
    case difference
    /// Pushes `m` (derivative 0).
    case ideal
    /// Negates the top.
    case negate
    /// Pops `b`, then `a`, and pushes `a op b`.
    case binary(Operator)
    /// Pops the function's arguments (the last on top) and pushes its result.
    case call(Function)

    /// How the instruction changes the number of values on the stack.
    var stackEffect: Int {
      switch self {
      case .constant, .difference, .ideal: return 1
      case .negate: return 0
      case .binary: return -1
      case .call(let function): return 1 - function.arity
      }
    }
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

  /// The longest expression accepted, in characters: 1,000.
  ///
  /// Ten times a long loss term in practice (`softplus(m - 1 - d)` has 19 characters, real terms stay under
  /// 100), and small enough that every expression parses and evaluates in microseconds: each instruction of
  /// the program takes at least one character.
  public static let maximumLength = 1_000

  /// The deepest nesting accepted: 32 levels, each parenthesis pair, function call, unary minus and `^`
  /// (which nests its exponent, `d^d^d` being `d^(d^d)`) opening one.
  ///
  /// Real terms nest 3 or 4 deep (`-log(sigmoid(d - m))` is 3). The bound keeps the parser's stack of open
  /// groups and operators and the evaluator's value stack (a few values per level) small.
  public static let maximumDepth = 32

  /// The text as written.
  public let source: String
  /// The postfix program.
  let program: [Instruction]
  /// The most values the program has on its stack at once.
  let stackSize: Int
  /// Whether the program pushes `d`.
  let usesDifference: Bool

  /// The functions an expression may call, with their number of arguments.
  public static let functions: [String: Int] = Dictionary(
    uniqueKeysWithValues: Function.allCases.map { ($0.rawValue, $0.arity) })

  /// Parses an expression.
  ///
  /// - Throws: ``LossExpressionError`` with the 1-based column of the problem, also for an expression
  ///   longer than ``maximumLength`` characters or nested deeper than ``maximumDepth`` levels.
  public init(_ source: String) throws(LossExpressionError) {
    var parser = ExpressionParser(source)
    try parser.parse()
    program = parser.program
    stackSize = parser.maximumStackDepth
    usesDifference = parser.usesDifference
    self.source = source
  }

  /// The source text.
  public var description: String { source }

  /// Whether the expression uses `d` at all (a loss whose term ignores the scores cannot train).
  public var dependsOnDifference: Bool { usesDifference }

  /// Whether two expressions have the same source text.
  public static func == (lhs: LossExpression, rhs: LossExpression) -> Bool { lhs.source == rhs.source }

  /// Hashes the source text.
  public func hash(into hasher: inout Hasher) { hasher.combine(source) }

  /// The term and its derivative with respect to `d` at (`difference`, `idealDifference`).
  @_specialize(where Scalar == Float)
  @_specialize(where Scalar == Double)
  public func evaluate<Scalar: LossScalar>(difference: Scalar, idealDifference: Scalar) -> PairTerm<Scalar> {
    withUnsafeTemporaryAllocation(of: Dual<Scalar>.self, capacity: stackSize) { stack in
      run(stack, Dual(value: difference, derivative: 1), Dual(value: idealDifference, derivative: 0))
    }
  }

  /// The terms of `count` pairs: `values[i]`, `derivatives[i]` at (`d[i]`, `m[i]`), with `m = 1` everywhere
  /// when `m` is `nil`. The same numbers as ``evaluate(difference:idealDifference:)`` pair by pair, with one
  /// value stack for all of them. Specialized for `Float` and `Double`, so that the (generic) fused kernels
  /// reach a specialized loop.
  @_specialize(where Scalar == Float)
  @_specialize(where Scalar == Double)
  func evaluate<Scalar: LossScalar>(
    differences d: UnsafePointer<Scalar>, idealDifferences m: UnsafePointer<Scalar>?, count: Int,
    values: UnsafeMutablePointer<Scalar>, derivatives: UnsafeMutablePointer<Scalar>
  ) {
    withUnsafeTemporaryAllocation(of: Dual<Scalar>.self, capacity: stackSize) { stack in
      for i in 0..<count {
        let t = run(stack, Dual(value: d[i], derivative: 1), Dual(value: m?[i] ?? 1, derivative: 0))
        values[i] = t.value
        derivatives[i] = t.derivative
      }
    }
  }

  /// A value and its derivative with respect to `d` (a dual number).
  struct Dual<S: LossScalar> {
    var value: S
    var derivative: S
  }

  /// Runs the program on `stack` (``stackSize`` slots, uninitialized; `Dual` is trivial) and returns the
  /// one value left. The parser guarantees that no instruction pops an empty stack or pushes past
  /// ``stackSize``.
  @inline(__always)
  private func run<S: LossScalar>(_ stack: UnsafeMutableBufferPointer<Dual<S>>, _ d: Dual<S>, _ m: Dual<S>)
    -> PairTerm<S>
  {
    program.withUnsafeBufferPointer { program in
      let s = stack.baseAddress!
      var top = -1
      for instruction in program {
        switch instruction {
        case .constant(let x):
          top += 1
          s[top] = Dual(value: S(x), derivative: 0)
        case .difference:
          top += 1
          s[top] = d
        case .ideal:
          top += 1
          s[top] = m
        case .negate:
          s[top] = Dual(value: -s[top].value, derivative: -s[top].derivative)
        case .binary(let op):
          let b = s[top]
          top -= 1
          s[top] = Self.apply(op, s[top], b)
        case .call(let function):
          if function.arity == 2 {
            let b = s[top]
            top -= 1
            let a = s[top]
            // At a tie the first argument wins, value and derivative.
            if function == .max {
              s[top] = a.value >= b.value ? a : b
            } else {
              s[top] = a.value <= b.value ? a : b
            }
          } else {
            s[top] = Self.apply(function, s[top])
          }
        }
      }
      return PairTerm(value: s[0].value, derivative: s[0].derivative)
    }
  }

  @inline(__always)
  private static func apply<S: LossScalar>(_ op: Operator, _ a: Dual<S>, _ b: Dual<S>) -> Dual<S> {
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
  }

  /// A one-argument function of `a` (`min` and `max` are handled by the caller).
  @inline(__always)
  private static func apply<S: LossScalar>(_ function: Function, _ a: Dual<S>) -> Dual<S> {
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
    case .min, .max: return a
    }
  }

  /// `a^b`: an integer constant exponent multiplies (any sign of base); another constant exponent uses
  /// `pow` with `∂ = b·a^(b−1)·a′`; an exponent that depends on `d` goes through `exp(b log a)`.
  ///
  /// The integer path converts `b` to `Int` only when it is a whole number of magnitude at most 64, so a
  /// NaN, infinite or huge exponent cannot trap: it takes the `pow` paths.
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

/// An operator-precedence parser over the expression's characters that emits the postfix program as it goes.
///
/// It does not recurse: what is open (parentheses, calls, unary minus signs, `^` waiting for an exponent,
/// `+ - * /` waiting for a right operand) sits on an explicit stack, at most ``LossExpression/maximumDepth``
/// levels deep with two pending operators each. It accepts the grammar of ``LossExpression`` and reports each
/// problem at the same place as a recursive-descent parser would.
struct ExpressionParser {
  /// Something open, waiting for what follows.
  enum Pending {
    /// A unary minus, waiting for its operand.
    case negate
    /// A `^`, waiting for its exponent.
    case power
    /// `+ - * /`, waiting for the right operand.
    case binary(LossExpression.Operator)
    /// A `(` at a 0-based position.
    case parenthesis(open: Int)
    /// A function call: the function, the position of its name and the number of arguments begun.
    case call(LossExpression.Function, start: Int, arguments: Int)
  }

  let characters: [Character]
  var index = 0
  /// The levels open at `index`.
  var depth = 0
  /// What is open, innermost last.
  var pending: [Pending] = []
  /// The program so far.
  var program: [LossExpression.Instruction] = []
  /// The values on the stack after the program so far, and the most at any point.
  var stackDepth = 0
  var maximumStackDepth = 0
  /// Whether the program pushes `d`.
  var usesDifference = false

  init(_ source: String) {
    characters = Array(source)
  }

  mutating func parse() throws(LossExpressionError) {
    let limit = LossExpression.maximumLength
    guard characters.count <= limit else {
      throw error("the expression is \(characters.count) characters long; at most \(limit) are allowed", at: limit)
    }
    skipSpace()
    guard index < characters.count else { throw error("the expression is empty") }
    while true {
      try operand()
      // After an operand: a '^' takes what follows as its exponent; anything else ends pending '-' and '^',
      // continues with an operator, or closes the innermost group.
      afterOperand: while true {
        if peek() == "^" {
          try nest(at: index)
          index += 1
          pending.append(.power)
          break afterOperand
        }
        endUnary()
        if let c = peek(), let op = LossExpression.Operator(rawValue: c) {
          endBinary(atLeast: precedence(op))
          index += 1
          pending.append(.binary(op))
          break afterOperand
        }
        endBinary(atLeast: 1)
        guard let group = pending.last else {
          guard index == characters.count else { throw error("unexpected '\(characters[index])'") }
          assert(stackDepth == 1 && depth == 0)
          return
        }
        switch group {
        case .parenthesis(let open):
          guard peek() == ")" else { throw error("'(' at column \(open + 1) is not closed") }
        case .call(let function, let start, let arguments):
          let name = function.rawValue
          if peek() == "," {
            index += 1
            pending[pending.count - 1] = .call(function, start: start, arguments: arguments + 1)
            break afterOperand
          }
          guard peek() == ")" else { throw error("expected ')' after the arguments of '\(name)'") }
          let arity = function.arity
          guard arguments == arity else {
            throw error("'\(name)' takes \(arity) argument\(arity == 1 ? "" : "s"), got \(arguments)", at: start)
          }
          emit(.call(function))
        case .negate, .power, .binary:
          preconditionFailure("operators are ended before their group")
        }
        // The group is closed and is itself an operand.
        index += 1
        depth -= 1
        pending.removeLast()
      }
    }
  }

  /// Reads unary minus signs and openings up to an operand (a number, `d` or `m`), and emits the operand.
  private mutating func operand() throws(LossExpressionError) {
    while true {
      guard let c = peek() else {
        throw error("the expression ends too early; expected a number, d, m, a function or '('")
      }
      if c == "-" {
        try nest(at: index)
        index += 1
        pending.append(.negate)
        continue
      }
      if c == "(" {
        try nest(at: index)
        pending.append(.parenthesis(open: index))
        index += 1
        continue
      }
      if c.isNumber || c == "." { return try number() }
      guard c.isLetter || c == "_" else { throw error("unexpected '\(c)'; expected a number, d, m, a function or '('") }
      let start = index
      while index < characters.count,
        characters[index].isLetter || characters[index].isNumber || characters[index] == "_"
      {
        index += 1
      }
      let name = String(characters[start..<index])
      if name == "d" { return emit(.difference) }
      if name == "m" { return emit(.ideal) }
      guard let function = LossExpression.Function(rawValue: name) else {
        let known = LossExpression.functions.keys.sorted()
        let hint = closestName(to: name, among: known + ["d", "m"]).map { " (did you mean '\($0)'?)" } ?? ""
        throw error(
          "unknown name '\(name)'\(hint); use d, m, numbers and the functions \(known.joined(separator: ", "))",
          at: start)
      }
      let arity = function.arity
      guard peek() == "(" else { throw error("'\(name)' needs its argument\(arity == 1 ? "" : "s") in parentheses") }
      try nest(at: start)
      index += 1
      pending.append(.call(function, start: start, arguments: 1))
    }
  }

  /// `+ -` bind less than `* /`.
  private func precedence(_ op: LossExpression.Operator) -> Int {
    op == .add || op == .subtract ? 1 : 2
  }

  /// Emits the pending unary minus signs and `^` that the operand just read completes.
  private mutating func endUnary() {
    while let last = pending.last {
      switch last {
      case .negate: emit(.negate)
      case .power: emit(.binary(.power))
      default: return
      }
      pending.removeLast()
      depth -= 1
    }
  }

  /// Emits the pending binary operators of the innermost group that bind at least as tightly as `level`.
  private mutating func endBinary(atLeast level: Int) {
    while case .binary(let op) = pending.last, precedence(op) >= level {
      emit(.binary(op))
      pending.removeLast()
    }
  }

  private func error(_ message: String, at position: Int? = nil) -> LossExpressionError {
    LossExpressionError(column: (position ?? index) + 1, message: message)
  }

  private mutating func emit(_ instruction: LossExpression.Instruction) {
    program.append(instruction)
    stackDepth += instruction.stackEffect
    maximumStackDepth = max(maximumStackDepth, stackDepth)
    if instruction == .difference { usesDifference = true }
  }

  /// Opens a level at `position` (the character that opens it).
  private mutating func nest(at position: Int) throws(LossExpressionError) {
    let limit = LossExpression.maximumDepth
    guard depth < limit else {
      throw error(
        "nesting deeper than \(limit) levels (parentheses, functions, '-' or '^'); simplify the expression",
        at: position)
    }
    depth += 1
  }

  private mutating func skipSpace() {
    while index < characters.count, characters[index].isWhitespace { index += 1 }
  }

  private mutating func peek() -> Character? {
    skipSpace()
    return index < characters.count ? characters[index] : nil
  }

  private mutating func number() throws(LossExpressionError) {
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
    emit(.constant(value))
  }
}
