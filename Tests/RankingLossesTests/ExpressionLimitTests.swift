import Dispatch
import Foundation
import LossLabTestSupport
import RankingLosses
import RealModule
import Testing

/// Expressions that used to exhaust the stack (parser, evaluator, or the tree's destruction): each is now a
/// located error, and the largest legal expression evaluates on a thread with a small stack.
@Suite("Expression limits: length and nesting")
struct ExpressionLimitTests {
  func error(_ text: String) -> String { thrownMessage { _ = try LossExpression(text) } }

  static let depthMessage =
    "nesting deeper than 32 levels (parentheses, functions, '-' or '^'); simplify the expression"

  /// `text` repeated `count` times.
  func repeated(_ text: String, _ count: Int) -> String { String(repeating: text, count: count) }

  @Test("the limits are 1,000 characters and 32 levels")
  func limits() {
    #expect(LossExpression.maximumLength == 1_000)
    #expect(LossExpression.maximumDepth == 32)
  }

  @Test("an expression over 1,000 characters is rejected at column 1001, before it is parsed")
  func tooLong() throws {
    #expect(
      error(repeated("d+", 20_000) + "d")
        == "column 1001: the expression is 40001 characters long; at most 1000 are allowed")
    #expect(
      error(repeated("(", 10_000)) == "column 1001: the expression is 10000 characters long; at most 1000 are allowed")
    // Exactly 1,000 characters: 499 d's and a 10 in one sum.
    let longest = "d" + repeated("+d", 498) + "+10"
    #expect(longest.count == 1_000)
    let term = try LossExpression(longest).evaluate(difference: 0.5, idealDifference: 1.0)
    #expect(term == PairTerm(value: 259.5, derivative: 499))
    #expect(
      error(longest + " ") == "column 1001: the expression is 1001 characters long; at most 1000 are allowed")
  }

  @Test("33 nested parentheses: an error at the 33rd '('; 32 evaluate")
  func parentheses() throws {
    #expect(error(repeated("(", 33) + "d" + repeated(")", 33)) == "column 33: \(Self.depthMessage)")
    #expect(error(repeated("(", 400) + "d" + repeated(")", 400)) == "column 33: \(Self.depthMessage)")
    // Unclosed: the depth is crossed before the end is reached.
    #expect(error(repeated("(", 999)) == "column 33: \(Self.depthMessage)")
    let deepest = try LossExpression(repeated("(", 32) + "m - d" + repeated(")", 32))
    #expect(deepest.evaluate(difference: 0.25, idealDifference: 1.0) == PairTerm(value: 0.75, derivative: -1))
  }

  @Test("33 nested function calls: an error at the 33rd name; 32 evaluate")
  func functions() throws {
    #expect(error(repeated("exp(", 33) + "d" + repeated(")", 33)) == "column 129: \(Self.depthMessage)")
    #expect(error(repeated("exp(", 150) + "d" + repeated(")", 150)) == "column 129: \(Self.depthMessage)")
    #expect(error(repeated("max(0, ", 40) + "d" + repeated(")", 40)) == "column 225: \(Self.depthMessage)")
    // sqrt(sqrt(…(d))) 32 times: the same operations as the dual numbers, in the same order.
    let deepest = try LossExpression(repeated("sqrt(", 32) + "d" + repeated(")", 32))
    var value = 2.0
    var derivative = 1.0
    for _ in 0..<32 {
      let root = value.squareRoot()
      (value, derivative) = (root, derivative / (2 * root))
    }
    #expect(deepest.evaluate(difference: 2.0, idealDifference: 1.0) == PairTerm(value: value, derivative: derivative))
    // max(1, max(1, …max(1, d))): the first argument wins ties, so d only counts above 1.
    let maxima = try LossExpression(repeated("max(1, ", 32) + "d" + repeated(")", 32))
    #expect(maxima.evaluate(difference: 3.0, idealDifference: 1.0) == PairTerm(value: 3, derivative: 1))
    #expect(maxima.evaluate(difference: 1.0, idealDifference: 1.0) == PairTerm(value: 1, derivative: 0))
  }

  @Test("33 unary minus signs: an error at the 33rd '-'; 32 evaluate")
  func unaryMinus() throws {
    #expect(error(repeated("-", 33) + "d") == "column 33: \(Self.depthMessage)")
    #expect(error(repeated("- ", 499) + "d") == "column 65: \(Self.depthMessage)")
    let even = try LossExpression(repeated("-", 32) + "d")
    #expect(even.evaluate(difference: 0.5, idealDifference: 1.0) == PairTerm(value: 0.5, derivative: 1))
    let odd = try LossExpression(repeated("-", 31) + "d")
    #expect(odd.evaluate(difference: 0.5, idealDifference: 1.0) == PairTerm(value: -0.5, derivative: -1))
  }

  @Test("a chain of 33 '^': an error at the 33rd '^'; 32 evaluate")
  func powerChains() throws {
    #expect(error(repeated("d^", 33) + "d") == "column 66: \(Self.depthMessage)")
    #expect(error(repeated("d^", 499) + "d") == "column 66: \(Self.depthMessage)")
    // d^d^…^d at d = 1: every power is 1, and each level's derivative d·(d′·log d + b·d′/d) = 1.
    let tower = try LossExpression(repeated("d^", 32) + "d")
    #expect(tower.evaluate(difference: 1.0, idealDifference: 1.0) == PairTerm(value: 1, derivative: 1))
    // 1^1^…^d: 1^d is 1 with derivative d′·log 1 = 0, and every power above is 1^1.
    let ones = try LossExpression(repeated("1^", 32) + "d")
    #expect(ones.evaluate(difference: 5.0, idealDifference: 1.0) == PairTerm(value: 1, derivative: 0))
  }

  @Test("parentheses, functions, '-' and '^' count together")
  func mixedNesting() throws {
    // "-(" opens two levels: the 17th '-' opens the 33rd.
    #expect(error(repeated("-(", 17) + "d" + repeated(")", 17)) == "column 33: \(Self.depthMessage)")
    // The 16th "d^-" opens levels 31 and 32 (its '^' and '-'); the 17th's '^' at column 50 is the 33rd.
    #expect(error(repeated("d^-", 17) + "d") == "column 50: \(Self.depthMessage)")
    #expect(error(repeated("abs(-", 16) + "(d" + repeated(")", 17)) == "column 81: \(Self.depthMessage)")
    let deepest = try LossExpression(repeated("-(", 16) + "d" + repeated(")", 16))
    #expect(deepest.evaluate(difference: 0.5, idealDifference: 1.0) == PairTerm(value: 0.5, derivative: 1))
    // Levels close again: 32 deep twice in a row is fine.
    let twice = repeated("(", 32) + "d" + repeated(")", 32)
    let sum = try LossExpression(twice + " + " + twice)
    #expect(sum.evaluate(difference: 0.5, idealDifference: 1.0) == PairTerm(value: 1, derivative: 2))
  }

  /// 1,000 characters at depth 32 with the most values pending at once (three per level: `1 + 1 * max(1, …`),
  /// then a long sum.
  static let largest =
    String(repeating: "1+1*max(1,", count: 32) + "d" + String(repeating: ")", count: 32)
    + String(repeating: "+d", count: 322) + "+10"

  @Test("the largest, deepest legal expression parses and evaluates on a thread with a 64 KB stack")
  func smallStack() throws {
    #expect(Self.largest.count == 1_000)
    let expression = try LossExpression(Self.largest)
    // At d = 3 the innermost max is d (3), each level adds 1: 35; then 322·3 + 10.
    let expected = PairTerm<Double>(value: 35 + 966 + 10, derivative: 323)
    #expect(expression.evaluate(difference: 3.0, idealDifference: 1.0) == expected)
    final class Results: @unchecked Sendable {
      var parsed: LossExpression?
      var double: PairTerm<Double>?
      var float: PairTerm<Float>?
    }
    let results = Results()
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
      results.parsed = try? LossExpression(Self.largest)
      results.double = expression.evaluate(difference: 3.0, idealDifference: 1.0)
      results.float = expression.evaluate(difference: Float(3), idealDifference: 1)
      done.signal()
    }
    thread.stackSize = 64 * 1024
    thread.start()
    done.wait()
    #expect(results.parsed == expression)
    #expect(results.double == expected)
    #expect(results.float == PairTerm(value: 1011, derivative: 323))
  }

  @Test("limit errors come back quickly")
  func quick() {
    let start = ContinuousClock.now
    for text in [
      repeated("d+", 20_000), repeated("(", 10_000), repeated("exp(", 10_000), repeated("- ", 10_000),
      repeated("d^", 10_000), repeated("(", 999),
    ] {
      #expect(error(text).contains(" levels ") || error(text).contains(" characters long; "))
    }
    #expect(ContinuousClock.now - start < .seconds(2))
  }

  @Test("exponents that are NaN, infinite or huge do not trap: they take the pow paths")
  func extremeExponents() throws {
    func same<S: LossScalar>(_ a: S, _ b: S) -> Bool { a == b || (a.isNaN && b.isNaN) }
    let variable = try LossExpression("d^m")
    let product = try LossExpression("d^(m * d)")
    for m in [Double.nan, .infinity, -.infinity, 1e300, -1e300, 9.3e18, -9.3e18, 65, -65, 64.5] {
      for d in [0.5, 2.0, 0.0, -1.0] {
        // A constant exponent (derivative 0) that is not a small whole number: pow, b·a^(b−1)·a′.
        let term = variable.evaluate(difference: d, idealDifference: m)
        #expect(same(term.value, Double.pow(d, m)), "\(d)^\(m)")
        #expect(same(term.derivative, m * Double.pow(d, m - 1)), "\(d)^\(m)")
        let single = variable.evaluate(difference: Float(d), idealDifference: Float(m))
        #expect(same(single.value, Float.pow(Float(d), Float(m))), "\(d)^\(m)")
        // A variable exponent: exp(b log a) and its derivative.
        let varying = product.evaluate(difference: d, idealDifference: m)
        #expect(same(varying.value, Double.pow(d, m * d)), "\(d)^(\(m)·\(d))")
      }
    }
    // A whole-number exponent of at most 64 in magnitude multiplies, for any sign of the base.
    #expect(variable.evaluate(difference: -2.0, idealDifference: 64.0).value == 0x1p64)
    #expect(variable.evaluate(difference: -2.0, idealDifference: -3.0) == PairTerm(value: -0.125, derivative: -0.1875))
  }
}
