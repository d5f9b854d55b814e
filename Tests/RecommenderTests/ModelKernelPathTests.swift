import LossLabTestSupport
import RankingLosses
import Testing

@testable import Recommender

// The recommender's loops run in C, one compilation per instruction-set path (ModelKernels). These tests
// run them on every path this machine supports and compare, bit for bit, with the Swift loops they
// replaced (kept below as references) and with each other, up to a whole training run.

/// `body(isa)` on every supported path, with that path selected (through `forEachKernelISA`, whose lock
/// every path-switching test shares); the path in use before is restored.
func onEveryPath<T: Sendable>(_ body: (KernelISA) throws -> T) rethrows -> [(isa: KernelISA, value: T)] {
  var results: [(isa: KernelISA, value: T)] = []
  try forEachKernelISA { isa in
    #expect(KernelISA.active == isa)
    results.append((isa, try body(isa)))
  }
  return results
}

/// Random floats over several orders of magnitude and both signs (so that the order of additions shows in
/// the last bits).
func wideRandomFloats(_ count: Int, using random: inout SplitMix64) -> [Float] {
  (0..<count).map { _ in
    Float(random.nextGaussian()) * Float(1 << Int.random(in: 0...12, using: &random)) / 64
  }
}

// MARK: - The Swift loops the C replaced (references)

/// The Swift `dot` the C replaced: eight lanes, `SIMD8.sum()`, the scalar tail.
func referenceDot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
  var lanes = SIMD8<Float>()
  var f = 0
  while f + 8 <= n {
    lanes +=
      UnsafeRawPointer(a + f).loadUnaligned(as: SIMD8<Float>.self)
      * UnsafeRawPointer(b + f).loadUnaligned(as: SIMD8<Float>.self)
    f += 8
  }
  var sum = lanes.sum()
  while f < n {
    sum += a[f] * b[f]
    f += 1
  }
  return sum
}

/// The Swift `panelDot` the C replaced: dot's lanes for sixteen items at once.
func referencePanelDot(_ a: UnsafePointer<Float>, _ q: UnsafePointer<Float>, _ n: Int) -> SIMD16<Float> {
  let chunks = n / 8
  var sum = SIMD16<Float>(repeating: -0.0)
  for j in 0..<8 {
    var lane = SIMD16<Float>()
    var f = j
    for _ in 0..<chunks {
      lane += SIMD16<Float>(repeating: a[f]) * UnsafeRawPointer(q + 16 * f).loadUnaligned(as: SIMD16<Float>.self)
      f += 8
    }
    sum += lane
  }
  var f = 8 * chunks
  while f < n {
    sum += SIMD16<Float>(repeating: a[f]) * UnsafeRawPointer(q + 16 * f).loadUnaligned(as: SIMD16<Float>.self)
    f += 1
  }
  return sum
}

/// The Swift optimizer state and step the C replaced (SGD and Adagrad eight lanes at a time, Adam scalar).
final class ReferenceOptimizer {
  /// The update rule.
  let kind: OptimizerKind
  /// η.
  let eta: Float
  /// Values per row.
  let width: Int
  /// Adagrad's accumulated squares, or Adam's first moments.
  var first: [Float]
  /// Adam's second moments.
  var second: [Float]
  /// Adam's per-row step counts.
  var steps: [Int32]

  /// State for `rows` rows of `width` values.
  init(kind: OptimizerKind, learningRate: Float, rows: Int, width: Int) {
    self.kind = kind
    eta = learningRate
    self.width = width
    first = [Float](repeating: kind == .adagrad ? 1 : 0, count: rows * width)
    second = [Float](repeating: 0, count: rows * width)
    steps = [Int32](repeating: 0, count: rows)
  }

  /// `x^y` by repeated squaring, as the Swift optimizer computed it.
  private static func pow(_ x: Float, _ y: Float) -> Float {
    var result: Float = 1
    var base = x
    var n = Int(y)
    while n > 0 {
      if n & 1 == 1 { result *= base }
      base *= base
      n >>= 1
    }
    return result
  }

  /// Applies gradient `g` to row `row` of `theta`.
  func step(_ theta: inout [Float], row: Int, gradient g: [Float]) {
    let o = row * width
    switch kind {
    case .sgd:
      var f = 0
      while f + 8 <= width {
        var t = SIMD8<Float>(theta[(o + f)..<(o + f + 8)])
        t = t - eta * SIMD8<Float>(g[f..<(f + 8)])
        for l in 0..<8 { theta[o + f + l] = t[l] }
        f += 8
      }
      while f < width {
        theta[o + f] -= eta * g[f]
        f += 1
      }
    case .adagrad:
      var f = 0
      while f + 8 <= width {
        let gradient = SIMD8<Float>(g[f..<(f + 8)])
        let sum = SIMD8<Float>(first[(o + f)..<(o + f + 8)]) + gradient * gradient
        let t = SIMD8<Float>(theta[(o + f)..<(o + f + 8)]) - eta * gradient / sum.squareRoot()
        for l in 0..<8 {
          first[o + f + l] = sum[l]
          theta[o + f + l] = t[l]
        }
        f += 8
      }
      while f < width {
        first[o + f] += g[f] * g[f]
        theta[o + f] -= eta * g[f] / first[o + f].squareRoot()
        f += 1
      }
    case .adam:
      let (beta1, beta2, epsilon): (Float, Float, Float) = (0.9, 0.999, 1e-8)
      steps[row] &+= 1
      let t = Float(steps[row])
      let correction1 = 1 - Self.pow(beta1, t)
      let correction2 = 1 - Self.pow(beta2, t)
      let stepSize = eta * correction2.squareRoot() / correction1
      for f in 0..<width {
        first[o + f] = beta1 * first[o + f] + (1 - beta1) * g[f]
        second[o + f] = beta2 * second[o + f] + (1 - beta2) * g[f] * g[f]
        theta[o + f] -= stepSize * first[o + f] / (second[o + f].squareRoot() + epsilon)
      }
    }
  }
}

/// A random model with nonzero biases.
private func randomKernelModel(users: Int, items: Int, factors: Int, seed: UInt64) -> FactorModel {
  let model = FactorModel(userCount: users, itemCount: items, factors: factors, initScale: 0.7, seed: seed)
  var random = SplitMix64(seed: seed &+ 1)
  for item in model.itemBias.indices { model.itemBias[item] = Float(random.nextGaussian()) }
  return model
}

// MARK: - Tests

@Suite("Model kernels on every instruction-set path")
struct ModelKernelPathTests {
  /// Factor counts with and without a tail past the last multiple of eight (and of sixteen).
  static let factorCounts = [1, 3, 7, 8, 9, 13, 16, 17, 31, 32, 33, 40, 64, 67]

  /// The lane order the C `lane_sum` reproduces.
  @Test("Swift's SIMD8.sum() adds the lanes in order 0 … 7 from −0, as the C lane sum does")
  func laneSumOrder() {
    var random = SplitMix64(seed: 99)
    for _ in 0..<20_000 {
      let v = SIMD8<Float>(wideRandomFloats(8, using: &random))
      var sequential: Float = -0.0
      for lane in 0..<8 { sequential += v[lane] }
      #expect(v.sum().bitPattern == sequential.bitPattern)
    }
  }

  /// `ModelKernels.dot` against the Swift `dot`.
  @Test("dot equals the Swift dot bit for bit on every path, for any factor count", arguments: factorCounts)
  func dot(factors: Int) {
    var random = SplitMix64(seed: UInt64(factors))
    let a = wideRandomFloats(factors * 50, using: &random)
    let b = wideRandomFloats(factors * 50, using: &random)
    let expected = a.withUnsafeBufferPointer { a in
      b.withUnsafeBufferPointer { b in
        (0..<50).map { referenceDot(a.baseAddress! + $0 * factors, b.baseAddress! + $0 * factors, factors).bitPattern }
      }
    }
    for (isa, got) in onEveryPath({ _ in
      let kernels = ModelKernels.active
      return a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
          (0..<50).map { kernels.dot(a.baseAddress! + $0 * factors, b.baseAddress! + $0 * factors, factors).bitPattern }
        }
      }
    }) {
      #expect(got == expected, "\(isa), \(factors) factors")
    }
  }

  /// Every scoring entry point against the Swift dot (and the Swift panel dot), for full and partial panels.
  @Test(
    "scoreAll, score, scoreBlock, the panels' scoreBlock and scorePairs equal the Swift scores bit for bit on every path",
    arguments: factorCounts)
  func scoring(factors: Int) {
    for items in [1, 15, 16, 17, 41] {
      let model = randomKernelModel(users: 19, items: items, factors: factors, seed: UInt64(factors * 100 + items))
      var random = SplitMix64(seed: UInt64(items))
      let users = (0..<13).map { _ in Int.random(in: 0..<model.userCount, using: &random) }
      // The Swift scores: dot + bias per pair, and the panel lanes + the padded biases.
      var expected: [UInt32] = []
      for user in users {
        for item in 0..<items {
          let s = referenceDot(
            model.userFactors.baseAddress! + user * factors, model.itemFactors.baseAddress! + item * factors, factors)
          expected.append((s + model.itemBias[item]).bitPattern)
        }
      }
      let panels = model.itemPanels()
      var expectedPanels: [UInt32] = []
      for user in users {
        var row: [Float] = []
        panels.values.withUnsafeBufferPointer { values in
          for panel in 0..<panels.count {
            let s =
              referencePanelDot(
                model.userFactors.baseAddress! + user * factors, values.baseAddress! + panel * factors * 16, factors)
              + SIMD16<Float>(panels.bias[(panel * 16)..<(panel * 16 + 16)])
            for lane in 0..<16 { row.append(s[lane]) }
          }
        }
        expectedPanels += row.prefix(items).map(\.bitPattern)
      }
      #expect(expectedPanels == expected, "the Swift panel scores equal the Swift dot scores")
      let pairOrder = Array(0..<(users.count * items)).shuffled(using: &random)
      for (isa, got) in onEveryPath({ _ -> [[UInt32]] in
        var all = [Float](repeating: .nan, count: users.count * items)
        for (row, user) in users.enumerated() {
          all.withUnsafeMutableBufferPointer {
            model.scoreAll(
              user: user, into: UnsafeMutableBufferPointer(rebasing: $0[(row * items)..<((row + 1) * items)]))
          }
        }
        let single = users.flatMap { user in (0..<items).map { model.score(user: user, item: $0) } }
        // A training batch's pairs: every (user, item) of the rows, shuffled, put back in row order.
        let pairUsers = pairOrder.map { users[$0 / items] }
        let pairItems = pairOrder.map { $0 % items }
        var shuffledPairs = [Float](repeating: .nan, count: pairOrder.count)
        ModelKernels.active.scorePairs(
          users: model.userFactors.baseAddress!, items: model.itemFactors.baseAddress!,
          bias: model.itemBias.baseAddress!, pairUsers, pairItems, count: pairOrder.count, factors: factors,
          into: &shuffledPairs)
        var pairs = shuffledPairs
        for (r, pair) in pairOrder.enumerated() { pairs[pair] = shuffledPairs[r] }
        var blocked = [Float](repeating: .nan, count: users.count * items)
        var paneled = [Float](repeating: .nan, count: users.count * items)
        users.withUnsafeBufferPointer { users in
          blocked.withUnsafeMutableBufferPointer { model.scoreBlock(users: users, into: $0) }
          paneled.withUnsafeMutableBufferPointer { model.scoreBlock(users: users, panels: panels, into: $0) }
        }
        return [all, single, blocked, paneled, pairs].map { $0.map(\.bitPattern) }
      }) {
        #expect(got[0] == expected, "\(isa): scoreAll, \(factors) factors, \(items) items")
        #expect(got[1] == expected, "\(isa): score(user:item:), \(factors) factors, \(items) items")
        #expect(got[2] == expected, "\(isa): scoreBlock, \(factors) factors, \(items) items")
        #expect(got[3] == expected, "\(isa): panels' scoreBlock, \(factors) factors, \(items) items")
        #expect(got[4] == expected, "\(isa): scorePairs, \(factors) factors, \(items) items")
      }
    }
  }

  /// `combine` and `accumulate` against the training loop's Swift expressions.
  @Test(
    "the gradient rows (combine, accumulate) equal the Swift loops bit for bit on every path",
    arguments: factorCounts)
  func gradientRows(factors: Int) {
    var random = SplitMix64(seed: UInt64(factors) &+ 5)
    let x = wideRandomFloats(factors, using: &random)
    let y = wideRandomFloats(factors, using: &random)
    let z = wideRandomFloats(factors, using: &random)
    let (a, c, e) = (Float(random.nextGaussian()), Float(random.nextGaussian()) / 100, Float(random.nextGaussian()))
    var expected = (0..<factors).map { a * x[$0] + c * y[$0] }
    for f in 0..<factors { expected[f] += e * z[f] }
    for (isa, got) in onEveryPath({ _ -> [UInt32] in
      let kernels = ModelKernels.active
      var out = [Float](repeating: .nan, count: factors)
      out.withUnsafeMutableBufferPointer { out in
        kernels.combine(out.baseAddress!, a, x, c, y, factors)
        kernels.accumulate(out.baseAddress!, e, z, factors)
      }
      return out.map(\.bitPattern)
    }) {
      #expect(got == expected.map(\.bitPattern), "\(isa), \(factors) factors")
    }
  }

  /// `OptimizerState.step` (both forms) against the Swift optimizer, over 40 steps on random rows.
  @Test(
    "optimizer steps (given and combined gradients) equal the Swift steps bit for bit on every path",
    arguments: OptimizerKind.allCases)
  func optimizerSteps(kind: OptimizerKind) {
    let rows = 5
    for width in [1, 3, 7, 8, 9, 16, 17, 32, 40, 67] {
      var random = SplitMix64(seed: UInt64(width) &* 31 &+ 7)
      let initial = wideRandomFloats(rows * width, using: &random)
      // 40 steps on random rows: each with a given gradient, or a combined one a·x + c·θ.
      let plan: [(row: Int, combined: Bool, g: [Float], a: Float, c: Float)] = (0..<40).map { _ in
        (
          Int.random(in: 0..<rows, using: &random), Bool.random(using: &random),
          wideRandomFloats(width, using: &random),
          Float(random.nextGaussian()), Float(random.nextGaussian()) / 1000
        )
      }
      let rate: Float = kind == .adam ? 0.01 : 0.05
      let reference = ReferenceOptimizer(kind: kind, learningRate: rate, rows: rows, width: width)
      var theta = initial
      for step in plan {
        // The Swift training loop computed the combined gradient into a row first.
        let g = step.combined ? (0..<width).map { step.a * step.g[$0] + step.c * theta[step.row * width + $0] } : step.g
        reference.step(&theta, row: step.row, gradient: g)
      }
      let expected = theta.map(\.bitPattern)
      for (isa, got) in onEveryPath({ _ -> [UInt32] in
        let kernels = ModelKernels.active
        let state = OptimizerState(kind: kind, learningRate: rate, rows: rows, width: width)
        var parameters = initial
        parameters.withUnsafeMutableBufferPointer { parameters in
          for step in plan {
            if step.combined {
              state.step(
                parameters.baseAddress!, row: step.row, gradient: step.a, times: step.g, plus: step.c, kernels: kernels)
            } else {
              state.step(parameters.baseAddress!, row: step.row, gradient: step.g, kernels: kernels)
            }
          }
        }
        return parameters.map(\.bitPattern)
      }) {
        #expect(got == expected, "\(isa), \(kind), width \(width)")
      }
    }
  }

  /// Whole training runs (one thread, so deterministic) compared across the paths.
  @Test(
    "a short training run gives the same model, losses and metrics bit for bit on every path",
    arguments: [("adaptive_bpr", OptimizerKind.adagrad), ("warp", .adam), ("hinge", .sgd), ("bpr", .adagrad)])
  func training(loss name: String, optimizer: OptimizerKind) throws {
    var options = TrainingTests.options()
    options.epochs = 4
    options.factors = 13  // a whole vector and a tail on every path
    options.optimizer = optimizer
    options.learningRate = optimizer == .adam ? 0.01 : 0.1
    options.l2 = 0.001
    let loss = try LossRegistry.standard.makeLoss(name, parameters: name == "warp" ? ["num_items": .integer(60)] : [:])
    let runs = try onEveryPath { _ -> [[UInt64]] in
      let (result, metrics) = try TrainingTests.train(loss, options)
      let model = result.model
      return [
        model.userFactors.map { UInt64($0.bitPattern) }, model.itemFactors.map { UInt64($0.bitPattern) },
        model.itemBias.map { UInt64($0.bitPattern) }, result.history.map(\.loss.bitPattern),
        [metrics.auc, metrics.ndcg, metrics.map, metrics.precision].map(\.bitPattern),
      ]
    }
    let first = try #require(runs.first)
    #expect(Set(first.value[0]).count > 1, "the model trained")
    for run in runs.dropFirst() {
      #expect(run.value == first.value, "\(name), \(optimizer): \(run.isa) differs from \(first.isa)")
    }
  }

  /// `RankingEvaluation.countAboveAndEqual` against plain counts.
  @Test(
    "counting the scores above and equal to each key gives the plain counts on every path",
    arguments: [1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 20, 24, 25, 31, 32])
  func counting(keys keyCount: Int) {
    var random = SplitMix64(seed: UInt64(keyCount) &+ 40)
    // Scores on a coarse grid (many ties), some NaN and ±∞.
    for count in [0, 1, 7, 100, 1003] {
      let scores: [Float] = (0..<count).map { _ in
        switch Int.random(in: 0..<50, using: &random) {
        case 0: .nan
        case 1: .infinity
        case 2: -.infinity
        default: Float(Int.random(in: -40...40, using: &random)) / 4
        }
      }
      let keys = Array(Set((0..<keyCount).map { _ in Float(Int.random(in: -48...48, using: &random)) / 4 })).sorted()
      let expected = keys.map { key in (scores.filter { $0 > key }.count, scores.filter { $0 == key }.count) }
      for (isa, got) in onEveryPath({ _ -> [[Int]] in
        var greater = [Int](repeating: -1, count: keys.count)
        var equal = [Int](repeating: -1, count: keys.count)
        scores.withUnsafeBufferPointer { scores in
          keys.withUnsafeBufferPointer { keys in
            greater.withUnsafeMutableBufferPointer { greater in
              equal.withUnsafeMutableBufferPointer { equal in
                RankingEvaluation.countAboveAndEqual(scores: scores, values: keys, greater: greater, equal: equal)
              }
            }
          }
        }
        return [greater, equal]
      }) {
        #expect(got[0] == expected.map(\.0), "\(isa): above, \(keys.count) keys, \(count) scores")
        #expect(got[1] == expected.map(\.1), "\(isa): equal, \(keys.count) keys, \(count) scores")
      }
    }
  }
}
