// MARK: - Ticks and numbers

extension SVGPlot {
  /// Ticks on an axis: their values and the decimals their step needs.
  struct TickScale: Sendable, Equatable {
    /// The tick values, ascending.
    var values: [Double]
    /// Digits after the point that show every tick exactly, or `nil` to print each in its shortest form.
    var decimals: Int?

    /// The label of each tick, all with the same `decimals` digits after the point (`0.900`, `0.925`, `0.950`;
    /// `10`, `20`).
    var labels: [String] {
      values.map { value in decimals.map { fixedString(value, decimals: $0) } ?? shortestString(value) }
    }
  }

  /// The steps ``coveringTicks(min:max:integer:)`` tries, as (mantissa, power): mantissa × 10^power with mantissa
  /// in {10, 20, 25, 50}, ascending from about a thousandth of `span` to about `span`.
  private static func candidateSteps(span: Double, integer: Bool) -> [(mantissa: Int, power: Int)] {
    let top = decimalExponent(span)
    var steps: [(mantissa: Int, power: Int)] = []
    for power in (top - 4)...(top) {
      for mantissa in [10, 20, 25, 50] {
        if integer && (power < -1 || (power == -1 && mantissa == 25)) { continue }
        steps.append((mantissa, power))
      }
    }
    return steps
  }

  /// The tick `k × mantissa × 10^power`, the double nearest its decimal value.
  private static func tickValue(_ k: Double, mantissa: Int, power: Int) -> Double {
    let units = k * Double(mantissa)
    let tick = power >= 0 ? units * power10(power) : units / power10(-power)
    return tick == 0 ? 0 : tick
  }

  /// The digits after the point that a step of mantissa × 10^power needs (0.025 needs 3, 0.02 needs 2).
  private static func stepDecimals(mantissa: Int, power: Int) -> Int {
    Swift.max(0, mantissa == 25 ? -power : -(power + 1))
  }

  /// Ticks that cover `min…max` for a y axis: equally spaced at a "nice" step (1, 2, 2.5 or 5 × 10ⁿ), the first at
  /// or below `min` and the last at or above `max`, so that every value drawn lies between two labels.
  ///
  /// Of the steps giving 4 to 6 ticks, the one whose ticks waste the least room beyond the data wins (on a tie, the
  /// larger step, unless only it has a 2.5); when no step gives 4 to 6 (an integer axis over a short range), the smallest step giving at most
  /// 6. Every label has the decimals of the step.
  ///
  /// ```swift
  /// coveringTicks(min: 0.893, max: 0.929)   // 0.890, 0.900, 0.910, 0.920, 0.930
  /// coveringTicks(min: 0, max: 0.47)        // 0.0, 0.1, 0.2, 0.3, 0.4, 0.5
  /// ```
  ///
  /// - Parameters:
  ///   - min: The low end of the data; swapped with `max` when greater.
  ///   - max: The high end of the data.
  ///   - integer: Whether ticks must be integers.
  /// - Returns: The ticks; `[min]` when `min == max`; empty when an end is NaN or infinite or the ticks would be.
  static func coveringTicks(min: Double, max: Double, integer: Bool = false) -> TickScale {
    guard min.isFinite, max.isFinite else { return TickScale(values: [], decimals: nil) }
    let (low, high) = min <= max ? (min, max) : (max, min)
    let span = high - low
    guard span > 0, span.isFinite else { return TickScale(values: [low == 0 ? 0 : low], decimals: nil) }
    var best: (waste: Double, mantissa: Int, power: Int, first: Double, last: Double)?
    var fallback: (mantissa: Int, power: Int, first: Double, last: Double)?
    for (mantissa, power) in candidateSteps(span: span, integer: integer) {
      let step = Double(mantissa) * power10(power)
      let first = (low / step + 1e-9).rounded(.down)
      let last = (high / step - 1e-9).rounded(.up)
      guard first.isFinite, last.isFinite, step.isFinite, step > 0 else { continue }
      let count = last - first + 1
      if count <= 6 && fallback == nil { fallback = (mantissa, power, first, last) }
      guard count >= 4 && count <= 6 else { continue }
      let waste = (last - first) * step / span
      if let previous = best {
        // Less waste wins; on a tie the larger step (this one), unless it brings a 2.5 the other lacks.
        if waste > previous.waste * (1 + 1e-9) { continue }
        if waste >= previous.waste * (1 - 1e-9) && mantissa == 25 && previous.mantissa != 25 { continue }
      }
      best = (waste, mantissa, power, first, last)
    }
    guard let chosen = best.map({ ($0.mantissa, $0.power, $0.first, $0.last) }) ?? fallback else {
      return TickScale(values: [], decimals: nil)
    }
    let (mantissa, power, first, last) = chosen
    var values: [Double] = []
    var k = first
    while k <= last && values.count < 100 {
      values.append(tickValue(k, mantissa: mantissa, power: power))
      k += 1
    }
    guard values.allSatisfy(\.isFinite) else { return TickScale(values: [], decimals: nil) }
    return TickScale(values: values, decimals: stepDecimals(mantissa: mantissa, power: power))
  }

  /// The "nice" ticks inside `min…max`: the multiples of a step of 1, 2, 2.5 or 5 × 10ⁿ, the smallest such step
  /// giving at most about `count` intervals over the range.
  ///
  /// Each tick is the double nearest its decimal value (`0.3`, never `0.30000000000000004`).
  ///
  /// ```swift
  /// niceTicks(min: 0, max: 1, count: 5)        // [0, 0.2, 0.4, 0.6, 0.8, 1]
  /// niceTicks(min: 0.9, max: 0.95, count: 2)   // [0.9, 0.925, 0.95]
  /// niceTicks(min: 1, max: 10, count: 5, integer: true)   // [2, 4, 6, 8, 10]
  /// ```
  ///
  /// - Parameters:
  ///   - min: The low end of the range; swapped with `max` when greater.
  ///   - max: The high end of the range.
  ///   - count: The wanted number of intervals, at least 1.
  ///   - integer: Whether ticks must be integers (the step is then 1, 2, 5 × 10ⁿ or larger; 2.5 is skipped).
  /// - Returns: The ticks, ascending; `[min]` when `min == max`; empty when an end is NaN or infinite.
  static func niceTicks(min: Double, max: Double, count: Int, integer: Bool = false) -> [Double] {
    tickScale(min: min, max: max, count: count, integer: integer).values
  }

  /// ``niceTicks(min:max:count:integer:)`` with the decimals its labels need.
  static func tickScale(min: Double, max: Double, count: Int, integer: Bool = false) -> TickScale {
    guard min.isFinite, max.isFinite else { return TickScale(values: [], decimals: nil) }
    let (low, high) = min <= max ? (min, max) : (max, min)
    let span = high - low
    guard span > 0, span.isFinite else {
      return TickScale(values: [low == 0 ? 0 : low], decimals: nil)
    }
    let raw = span / Double(Swift.max(count, 1))
    guard raw > 0, raw.isFinite else { return TickScale(values: [low, high], decimals: nil) }
    // The step is mantissa × 10^power, mantissa in {10, 20, 25, 50}.
    let exponent = decimalExponent(raw)
    var mantissa = 100
    var power = exponent - 1
    for candidate in [10, 20, 25, 50] where Double(candidate) * power10(power) >= raw * (1 - 1e-9) {
      mantissa = candidate
      break
    }
    if mantissa == 100 { (mantissa, power) = (10, power + 1) }
    if integer {
      if power <= -2 { (mantissa, power) = (10, -1) }
      if power == -1 && mantissa == 25 { mantissa = 50 }
    }
    let step = Double(mantissa) * power10(power)
    func value(_ k: Double) -> Double { tickValue(k, mantissa: mantissa, power: power) }
    let first = (low / step - 1e-9).rounded(.up)
    let last = (high / step + 1e-9).rounded(.down)
    guard first.isFinite, last.isFinite, last >= first else { return TickScale(values: [], decimals: nil) }
    var values: [Double] = []
    var k = first
    while k <= last && values.count < 1000 {
      values.append(value(k))
      k += 1
    }
    return TickScale(values: values, decimals: stepDecimals(mantissa: mantissa, power: power))
  }

  /// The `e` with 10ᵉ ≤ `x` < 10ᵉ⁺¹, for a finite positive `x`.
  static func decimalExponent(_ x: Double) -> Int {
    var e = Int((Double(x.exponent) * 0.301_029_995_663_981_2).rounded(.down))
    while e > -340 && power10(e) > x { e -= 1 }
    while e < 310 && power10(e + 1) <= x { e += 1 }
    return e
  }

  /// 10ⁿ, exact for |n| ≤ 22.
  static func power10(_ n: Int) -> Double {
    // Multiply by 10 (exact up to 10²²); a negative power divides, so that 10⁻ⁿ is correctly rounded.
    var result = 1.0
    for _ in 0..<Swift.min(abs(n), 400) { result *= 10 }
    return n >= 0 ? result : 1 / result
  }

  /// `value` rounded to `decimals` digits after the point, trailing zeros (and a bare point) removed:
  /// `decimalString(0.30000000000000004, decimals: 2) == "0.3"`. Beyond 9 × 10¹⁵ the shortest form is used.
  static func decimalString(_ value: Double, decimals: Int) -> String {
    guard var (digits, _) = roundedDigits(value, decimals: decimals) else { return shortestString(value) }
    if digits.contains(".") {
      while digits.hasSuffix("0") { digits.removeLast() }
      if digits.hasSuffix(".") { digits.removeLast() }
    }
    return value < 0 && digits != "0" ? "-" + digits : digits
  }

  /// `value` rounded to exactly `decimals` digits after the point, trailing zeros kept: `fixedString(0.9,
  /// decimals: 3) == "0.900"`. Beyond 9 × 10¹⁵ the shortest form is used.
  static func fixedString(_ value: Double, decimals: Int) -> String {
    guard let (digits, isZero) = roundedDigits(value, decimals: decimals) else { return shortestString(value) }
    return value < 0 && !isZero ? "-" + digits : digits
  }

  /// The digits of `|value|` rounded to `decimals` (0 to 17) places, with the point and the zeros before
  /// it (`0.900`), and whether they round to zero; `nil` when not finite or not below 9 × 10¹⁵ once scaled.
  private static func roundedDigits(_ value: Double, decimals: Int) -> (text: String, isZero: Bool)? {
    guard value.isFinite else { return nil }
    let digitsAfter = Swift.min(Swift.max(decimals, 0), 17)
    let scaled = (abs(value) * power10(digitsAfter)).rounded()
    guard scaled < 9e15 else { return nil }
    var digits = String(Int64(scaled))
    if digitsAfter > 0 {
      if digits.count <= digitsAfter {
        digits = String(repeating: "0", count: digitsAfter - digits.count + 1) + digits
      }
      digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -digitsAfter))
    }
    return (digits, scaled == 0)
  }

  /// The shortest text that reads back as `value`, without a trailing `.0`; `-0` prints as `0`.
  static func shortestString(_ value: Double) -> String {
    guard value.isFinite else { return nonFiniteText(value) }
    if value == 0 { return "0" }
    let text = "\(value)"
    return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
  }

  /// `value` with four significant digits (`0.9123`, `12.35`, `1235`), for tooltips.
  static func significantString(_ value: Double) -> String {
    guard value.isFinite, value != 0 else { return shortestString(value) }
    return decimalString(value, decimals: Swift.max(0, 3 - decimalExponent(abs(value))))
  }

  /// An SVG coordinate: two decimals at most; `0` for a non-finite value.
  static func coordinate(_ value: Double) -> String {
    guard value.isFinite else { return "0" }
    return decimalString(value, decimals: 2)
  }
}
