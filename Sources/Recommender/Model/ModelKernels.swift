import CLossKernels

/// The recommender's hot loops of one instruction-set path: dot products and scoring (``FactorModel``), the
/// gradient rows of training and the optimizers' row updates (``OptimizerState``).
///
/// The loops are written once, in C with clang's portable vector types (`CLossKernels/model_body.h`), and
/// compiled for each path of `KernelISA` (baseline, AVX2 + FMA, AVX-512) by per-function `target`
/// attributes, as the loss kernels are. ``active`` follows the path the loss kernels use (`KernelISA.active`:
/// `LOSSLAB_ISA`, cpuid, or `KernelISA.select(_:)`).
///
/// Every path gives the same results bit for bit, and the same as the Swift loops they replaced: no
/// `a·b + c` is contracted into a fused multiply-add, every element takes the same operations in the same
/// order, and a dot product keeps eight accumulator lanes (factor `f` in lane `f mod 8`, summed `0 … 7`
/// from `−0` as `SIMD8.sum()` does) on every path.
struct ModelKernels {
  /// The path's table of C function pointers.
  let table: UnsafePointer<ll_model_kernels>

  /// The loops of the path in use now (`KernelISA.active`). Fetch it once per batch or per call that loops,
  /// not per element.
  static var active: ModelKernels { ModelKernels(table: ll_model_kernels_for(ll_isa_active())!) }

  /// `Σ_f a[f]·b[f]` over `n` factors: eight lanes of products accumulated chunk by chunk, the lanes summed
  /// in order, then the factors past the last multiple of eight.
  @inline(__always)
  func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
    table.pointee.dot!(a, b, n)
  }

  /// `scores[i] = dot(p, q + i·factors, factors) + bias[i]` for every item `i < items`.
  @inline(__always)
  func scoreAll(
    _ p: UnsafePointer<Float>, items q: UnsafePointer<Float>, bias: UnsafePointer<Float>, itemCount: Int,
    factors: Int, into scores: UnsafeMutablePointer<Float>
  ) {
    table.pointee.score_all!(p, q, bias, itemCount, factors, scores)
  }

  /// `scores[r] = dot(p_{users[r]}, q_{items[r]}) + bias[items[r]]` for `r < count` (user rows in `p`, item
  /// rows in `q`, `factors` each): a batch's pairs, four at a time so that their sums interleave.
  @inline(__always)
  func scorePairs(
    users p: UnsafePointer<Float>, items q: UnsafePointer<Float>, bias: UnsafePointer<Float>,
    _ userIndices: UnsafePointer<Int>, _ itemIndices: UnsafePointer<Int>, count: Int, factors: Int,
    into scores: UnsafeMutablePointer<Float>
  ) {
    table.pointee.score_pairs!(p, q, bias, userIndices, itemIndices, count, factors, scores)
  }

  /// Row `r` of `scores` (`itemCount` floats from `r · itemCount`) gets the scores of user `users[r]`
  /// (user rows in `p`), each equal to ``scoreAll(_:items:bias:itemCount:factors:into:)``'s; four users
  /// share each item row's loads.
  @inline(__always)
  func scoreBlock(
    _ p: UnsafePointer<Float>, users: UnsafePointer<Int>, count: Int, items q: UnsafePointer<Float>,
    bias: UnsafePointer<Float>, itemCount: Int, factors: Int, into scores: UnsafeMutablePointer<Float>
  ) {
    table.pointee.score_block!(p, users, count, q, bias, itemCount, factors, scores)
  }

  /// ``scoreBlock(_:users:count:items:bias:itemCount:factors:into:)`` from item panels (``ItemPanels``'
  /// `values` and padded `bias`): the same scores, bit for bit.
  @inline(__always)
  func scorePanels(
    _ p: UnsafePointer<Float>, users: UnsafePointer<Int>, count: Int, panels: UnsafePointer<Float>,
    bias: UnsafePointer<Float>, itemCount: Int, factors: Int, into scores: UnsafeMutablePointer<Float>
  ) {
    table.pointee.score_panels!(p, users, count, panels, bias, itemCount, factors, scores)
  }

  /// `out[f] = a·x[f] + c·y[f]` for `f < n`.
  @inline(__always)
  func combine(
    _ out: UnsafeMutablePointer<Float>, _ a: Float, _ x: UnsafePointer<Float>, _ c: Float, _ y: UnsafePointer<Float>,
    _ n: Int
  ) {
    table.pointee.combine!(out, a, x, c, y, n)
  }

  /// `out[f] += a·x[f]` for `f < n`.
  @inline(__always)
  func accumulate(_ out: UnsafeMutablePointer<Float>, _ a: Float, _ x: UnsafePointer<Float>, _ n: Int) {
    table.pointee.accumulate!(out, a, x, n)
  }

  /// Applies gradient `g` to row `row` of `parameters` with the optimizer state `state`.
  @inline(__always)
  func step(
    _ state: UnsafePointer<ll_optimizer>, _ parameters: UnsafeMutablePointer<Float>, row: Int,
    gradient g: UnsafePointer<Float>
  ) {
    table.pointee.step!(state, parameters, row, g)
  }

  /// ``step(_:_:row:gradient:)`` with the gradient `a·x[f] + c·θ[f]`, `θ` the row being updated (each
  /// element's gradient taken before the element changes).
  @inline(__always)
  func stepCombined(
    _ state: UnsafePointer<ll_optimizer>, _ parameters: UnsafeMutablePointer<Float>, row: Int, _ a: Float,
    _ x: UnsafePointer<Float>, _ c: Float
  ) {
    table.pointee.step_combined!(state, parameters, row, a, x, c)
  }

  /// For each of the `keyCount` ascending distinct keys (none −∞ or NaN), the number of the `count` scores
  /// above it to `greater` and equal to it to `equal`; `count` fits in 32 bits.
  @inline(__always)
  func countAboveAndEqual(
    _ scores: UnsafePointer<Float>, count: Int, keys: UnsafePointer<Float>, keyCount: Int,
    greater: UnsafeMutablePointer<Int>, equal: UnsafeMutablePointer<Int>
  ) {
    table.pointee.count_above_equal!(scores, count, keys, keyCount, greater, equal)
  }
}
