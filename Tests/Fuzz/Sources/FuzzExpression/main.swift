import FuzzSupport
import RankingLosses

// Any text either parses within the limits or is rejected with a column inside it; a parsed expression
// evaluates (value and derivative, Double and Float) without trapping at ordinary and extreme points.
runFuzzer { data, size in
  let text = String(decoding: bytes(data, size), as: UTF8.self)
  do throws(LossExpressionError) {
    let expression = try LossExpression(text)
    for (d, m) in [(0.5, 1.0), (0.0, 0.0), (-3.0, 1.0), (1e300, -1e300), (-.infinity, .nan)] {
      _ = expression.evaluate(difference: d, idealDifference: m) as PairTerm<Double>
      _ = expression.evaluate(difference: Float(d), idealDifference: Float(m)) as PairTerm<Float>
    }
    _ = expression.dependsOnDifference
  } catch {
    precondition(error.column >= 1 && error.column <= text.count + 1, "column \(error.column) outside the text")
  }
  return 0
}
