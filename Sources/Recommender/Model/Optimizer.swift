/// The update rule applied to each parameter row a training example touches.
public enum OptimizerKind: String, Sendable, Hashable, CaseIterable {
  /// `θ ← θ − η g`.
  case sgd
  /// `G ← G + g²`, `θ ← θ − η g / √G`, with `G` starting at 1 (as LightFM's adagrad), per coordinate.
  case adagrad
  /// Adam (Kingma & Ba 2015), `β₁ = 0.9`, `β₂ = 0.999`, `ε = 1e−8`, with bias correction counted per row
  /// (rows are updated sparsely) in the paper's efficient form: `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`,
  /// `θ ← θ − η √(1−β₂ᵗ)/(1−β₁ᵗ) · m / (√v + ε)`.
  case adam
}

/// Optimizer state for one parameter buffer of `rows × width` values.
final class OptimizerState: @unchecked Sendable {
  let kind: OptimizerKind
  let learningRate: Float
  let width: Int
  /// Adagrad's accumulated squares, or Adam's first moments.
  private let first: UnsafeMutableBufferPointer<Float>
  /// Adam's second moments.
  private let second: UnsafeMutableBufferPointer<Float>
  /// Adam's per-row step counts.
  private let steps: UnsafeMutableBufferPointer<Int32>

  static let beta1: Float = 0.9
  static let beta2: Float = 0.999
  static let epsilon: Float = 1e-8

  init(kind: OptimizerKind, learningRate: Float, rows: Int, width: Int) {
    self.kind = kind
    self.learningRate = learningRate
    self.width = width
    let size = kind == .sgd ? 0 : rows * width
    first = allocateLargeTable(Float.self, count: size)
    first.initialize(repeating: kind == .adagrad ? 1 : 0)
    second = allocateLargeTable(Float.self, count: kind == .adam ? size : 0)
    second.initialize(repeating: 0)
    steps = .allocate(capacity: kind == .adam ? rows : 0)
    steps.initialize(repeating: 0)
  }

  deinit {
    first.deallocate()
    second.deallocate()
    steps.deallocate()
  }

  /// Applies gradient `g` (width values) to row `row` of `parameters`.
  @inline(__always)
  func step(_ parameters: UnsafeMutablePointer<Float>, row: Int, gradient g: UnsafePointer<Float>) {
    let theta = parameters + row * width
    let eta = learningRate
    switch kind {
    case .sgd:
      var f = 0
      while f + 8 <= width {
        store(load(theta + f) - eta * load(g + f), theta + f)
        f += 8
      }
      while f < width {
        theta[f] -= eta * g[f]
        f += 1
      }
    case .adagrad:
      let accumulated = first.baseAddress! + row * width
      var f = 0
      while f + 8 <= width {
        let gradient = load(g + f)
        let sum = load(accumulated + f) + gradient * gradient
        store(sum, accumulated + f)
        store(load(theta + f) - eta * gradient / sum.squareRoot(), theta + f)
        f += 8
      }
      while f < width {
        accumulated[f] += g[f] * g[f]
        theta[f] -= eta * g[f] / accumulated[f].squareRoot()
        f += 1
      }
    case .adam:
      let m = first.baseAddress! + row * width
      let v = second.baseAddress! + row * width
      steps[row] &+= 1
      let t = Float(steps[row])
      let correction1 = 1 - pow(Self.beta1, t)
      let correction2 = 1 - pow(Self.beta2, t)
      let stepSize = eta * correction2.squareRoot() / correction1
      for f in 0..<width {
        m[f] = Self.beta1 * m[f] + (1 - Self.beta1) * g[f]
        v[f] = Self.beta2 * v[f] + (1 - Self.beta2) * g[f] * g[f]
        theta[f] -= stepSize * m[f] / (v[f].squareRoot() + Self.epsilon)
      }
    }
  }
}

/// Eight floats from `p` (no alignment needed).
@inline(__always)
func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
  UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

/// Eight floats from `p` (no alignment needed).
@inline(__always)
func load(_ p: UnsafeMutablePointer<Float>) -> SIMD8<Float> {
  UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

/// Stores eight floats at `p` (no alignment needed).
@inline(__always)
func store(_ value: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
  UnsafeMutableRawPointer(p).storeBytes(of: value, as: SIMD8<Float>.self)
}

/// `x^y` for `Float` without Foundation.
@inline(__always)
private func pow(_ x: Float, _ y: Float) -> Float {
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
