import CLossKernels

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
///
/// The row updates run in C, in the active instruction-set path's loops (``ModelKernels``), element by
/// element with the same operations on every path: `θ − η·g` (SGD); `G + g²`, then `θ − (η·g)/√G`
/// (Adagrad); `β₁m + (1 − β₁)g`, `(β₂v + ((1 − β₂)g)g)`, then `θ − (s·m)/(√v + ε)` with
/// `s = (η·√(1 − β₂ᵗ))/(1 − β₁ᵗ)` (Adam, `t` the row's step count).
final class OptimizerState: @unchecked Sendable {
  /// The update rule.
  let kind: OptimizerKind
  /// η.
  let learningRate: Float
  /// Values per row.
  let width: Int
  /// The state as the C loops read it: kind, η, width and the buffers below.
  let state: UnsafeMutablePointer<ll_optimizer>
  /// Adagrad's accumulated squares, or Adam's first moments.
  private let first: UnsafeMutableBufferPointer<Float>
  /// Adam's second moments.
  private let second: UnsafeMutableBufferPointer<Float>
  /// Adam's per-row step counts.
  private let steps: UnsafeMutableBufferPointer<Int32>

  /// Adam's β₁ (also in `CLossKernels/model_body.h`).
  static let beta1: Float = 0.9
  /// Adam's β₂ (also in `CLossKernels/model_body.h`).
  static let beta2: Float = 0.999
  /// Adam's ε (also in `CLossKernels/model_body.h`).
  static let epsilon: Float = 1e-8

  /// State for `rows` rows of `width` values, updated by `kind` with learning rate `learningRate`.
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
    let code: Int32
    switch kind {
    case .sgd: code = Int32(LL_OPTIMIZER_SGD)
    case .adagrad: code = Int32(LL_OPTIMIZER_ADAGRAD)
    case .adam: code = Int32(LL_OPTIMIZER_ADAM)
    }
    state = .allocate(capacity: 1)
    state.initialize(
      to: ll_optimizer(
        kind: code, learning_rate: learningRate, width: width, first: first.baseAddress, second: second.baseAddress,
        steps: steps.baseAddress))
  }

  deinit {
    state.deallocate()
    first.deallocate()
    second.deallocate()
    steps.deallocate()
  }

  /// Applies gradient `g` (width values) to row `row` of `parameters`, with the loops of `kernels`.
  @inline(__always)
  func step(
    _ parameters: UnsafeMutablePointer<Float>, row: Int, gradient g: UnsafePointer<Float>, kernels: ModelKernels
  ) {
    kernels.step(state, parameters, row: row, gradient: g)
  }

  /// ``step(_:row:gradient:kernels:)`` with the gradient `a·x[f] + c·θ[f]` (`θ` the row being updated, each
  /// element's gradient taken before it changes): a training row's `g·p_u + λ·q` without a scratch row.
  @inline(__always)
  func step(
    _ parameters: UnsafeMutablePointer<Float>, row: Int, gradient a: Float, times x: UnsafePointer<Float>,
    plus c: Float, kernels: ModelKernels
  ) {
    kernels.stepCombined(state, parameters, row: row, a, x, c)
  }
}
