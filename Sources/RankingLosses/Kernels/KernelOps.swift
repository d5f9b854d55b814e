import CLossKernels

// Dispatchers from the generic kernels to the loops of the active instruction-set path (`KernelISA`), in C
// for `Float` and `Double`. In a kernel specialized for `Float`, `S.self == Float.self` is a constant and
// the call goes straight to the path's table; any other `LossScalar` takes the plain generic loop here.

/// The active path's loops for `S` (`Float` or `Double`), or `nil` for another scalar type.
@inline(__always)
func kernelTable<S: LossScalar>(_: S.Type) -> UnsafePointer<ll_loss_kernels>? {
  if S.self == Float.self { return KernelISA.active.floatKernels }
  if S.self == Double.self { return KernelISA.active.doubleKernels }
  return nil
}

/// `d = p − n` and the poison of `p` and `n`.
@inline(__always)
func kernelDifferences<S: LossScalar>(
  _ p: UnsafePointer<S>, _ n: UnsafePointer<S>, into d: UnsafeMutablePointer<S>, poison: UnsafeMutablePointer<S>,
  count: Int
) {
  if let table = kernelTable(S.self) {
    table.pointee.differences!(p, n, d, poison, count)
  } else {
    for j in 0..<count {
      d[j] = p[j] - n[j]
      poison[j] = (p[j] - p[j]) + (n[j] - n[j])
    }
  }
}

/// `poison += x − x`.
@inline(__always)
func kernelAddPoison<S: LossScalar>(_ x: UnsafePointer<S>, to poison: UnsafeMutablePointer<S>, count: Int) {
  if let table = kernelTable(S.self) {
    table.pointee.add_poison!(x, poison, count)
  } else {
    for j in 0..<count { poison[j] += x[j] - x[j] }
  }
}

/// The adaptive scan of one tile of `count` columns over `rows` rows `stride` scalars apart: each column's
/// first maximal score to `best` and its row to `bestRow`. With `previous`, the previous tile's gradient
/// rows are written as the scan passes (as ``kernelPickedRows(_:stride:rows:bestRow:g:count:)`` would).
/// Returns the sum of `v − v` over every score (NaN when one is not finite).
@inline(__always)
func kernelMaxScanTile<S: LossScalar>(
  _ n: UnsafePointer<S>, stride: Int, rows: Int, best: UnsafeMutablePointer<S>, bestRow: UnsafeMutablePointer<S>,
  count: Int,
  previous: (gn: UnsafeMutablePointer<S>, bestRow: UnsafePointer<S>, g: UnsafePointer<S>, count: Int)? = nil
) -> Double {
  if let table = kernelTable(S.self) {
    return table.pointee.max_scan_tile!(
      n, stride, rows, best, bestRow, count, previous?.gn, previous?.bestRow, previous?.g, previous?.count ?? 0)
  }
  if let previous {
    kernelPickedRows(
      previous.gn, stride: stride, rows: rows, bestRow: previous.bestRow, g: previous.g, count: previous.count)
  }
  var check = 0.0
  for j in 0..<count {
    best[j] = n[j]
    bestRow[j] = 0
    check += Double(n[j] - n[j])
  }
  for k in 1..<max(1, rows) {
    for j in 0..<count {
      let v = n[k * stride + j]
      check += Double(v - v)
      if v > best[j] {
        best[j] = v
        bestRow[j] = S(k)
      }
    }
  }
  return check
}

/// Writes the `rows` rows of a tile of `count` gradient columns (`stride` apart) whole: `g[j]` in row
/// `bestRow[j]` of column j, 0 elsewhere (streaming stores on the vector paths: the rows are not read first).
@inline(__always)
func kernelPickedRows<S: LossScalar>(
  _ gn: UnsafeMutablePointer<S>, stride: Int, rows: Int, bestRow: UnsafePointer<S>, g: UnsafePointer<S>, count: Int
) {
  if let table = kernelTable(S.self) {
    table.pointee.picked_rows!(gn, stride, rows, bestRow, g, count)
    return
  }
  for k in 0..<rows {
    for j in 0..<count { gn[k * stride + j] = bestRow[j] == S(k) ? g[j] : 0 }
  }
}

/// The WARP scan of one tile: `h = (m − p) + n` row by row; each column's first row with `h > 0` to `found`
/// (−1 when none) and that `h` to `hinge`; with `gradients`, row k of `gn` gets `w·(1 + 2·w·h)/B` in the
/// columns first violated at row k and 0 elsewhere (`w = weights[k + 1]`). Returns the sum of `v − v` over
/// the positives, scores and margins (NaN when one is not finite).
@inline(__always)
func kernelWARPTile<S: LossScalar>(
  _ n: UnsafePointer<S>, margins m: UnsafePointer<S>?, stride: Int, rows: Int, positives p: UnsafePointer<S>,
  found: UnsafeMutablePointer<S>, hinge: UnsafeMutablePointer<S>, count: Int, weights: UnsafePointer<S>,
  batch: Int, gn: UnsafeMutablePointer<S>?
) -> Double {
  if let table = kernelTable(S.self) {
    return table.pointee.warp_tile!(n, m, stride, rows, p, found, hinge, count, weights, batch, gn)
  }
  var check = 0.0
  for j in 0..<count {
    found[j] = -1
    hinge[j] = 0
    check += Double(p[j] - p[j])
  }
  for k in 0..<rows {
    for j in 0..<count {
      let margin = m?[k * stride + j] ?? 1
      let v = n[k * stride + j]
      let x = (margin - p[j]) + v
      check += Double((v - v) + (margin - margin))
      if x > 0, found[j] < 0 {
        found[j] = S(k)
        hinge[j] = x
      }
    }
    if let gn {
      let w = weights[k + 1]
      for j in 0..<count {
        gn[k * stride + j] = found[j] == S(k) ? (w * (1 + 2 * (w * hinge[j]))) / S(batch) : 0
      }
    }
  }
  return check
}

/// `g` to the positives, `−g` to the negatives.
@inline(__always)
func kernelPairGradients<S: LossScalar>(
  reduction: LossReduction, values: UnsafePointer<S>, derivatives: UnsafePointer<S>, count: Int, batch: Int,
  positive: UnsafeMutablePointer<S>, negative: UnsafeMutablePointer<S>
) {
  let seed = reduction == .sumPlusSumOfSquares
  if reduction == .sum {
    for j in 0..<count {
      positive[j] = derivatives[j]
      negative[j] = -derivatives[j]
    }
  } else if let table = kernelTable(S.self) {
    table.pointee.pair_gradients!(seed ? 1 : 0, values, derivatives, count, batch, positive, negative)
  } else {
    let inverse = 1 / S(batch)
    for j in 0..<count {
      let g = seed ? (1 + 2 * values[j]) * inverse * derivatives[j] : inverse * derivatives[j]
      positive[j] = g
      negative[j] = -g
    }
  }
}

/// `Σ v` and `Σ v²` in `Double`, added to `sums`.
@inline(__always)
func kernelAccumulate<S: LossScalar>(_ values: UnsafePointer<S>, count: Int, into sums: inout ChunkSums) {
  var sum = 0.0
  var squares = 0.0
  if let table = kernelTable(S.self) {
    table.pointee.sums!(values, count, &sum, &squares)
  } else {
    for j in 0..<count {
      sum += Double(values[j])
      squares += Double(values[j]) * Double(values[j])
    }
  }
  sums.sum += sum
  sums.sumOfSquares += squares
}

/// Whether a poison buffer saw a non-finite input.
@inline(__always)
func kernelPoisoned<S: LossScalar>(_ poison: UnsafePointer<S>, count: Int) -> Bool {
  var sums = ChunkSums()
  kernelAccumulate(poison, count: count, into: &sums)
  return !sums.sum.isFinite
}

/// BPR terms through the active path (`Float`, `Double`) or ``BPRLoss/term(difference:idealDifference:)``.
@inline(__always)
func kernelBPRTerms<S: LossScalar>(
  _ d: UnsafePointer<S>, ideal m: UnsafePointer<S>?, count: Int, values: UnsafeMutablePointer<S>,
  derivatives: UnsafeMutablePointer<S>
) {
  if let table = kernelTable(S.self) {
    table.pointee.bpr_terms!(d, m, count, values, derivatives)
  } else {
    for j in 0..<count {
      let t = BPRLoss().term(difference: d[j], idealDifference: m?[j] ?? 1)
      values[j] = t.value
      derivatives[j] = t.derivative
    }
  }
}

/// `log_sigmoid_bpr` terms: `Float` through the active path's vector `exp` and `log1p`, any other scalar
/// through ``LogSigmoidBPRLoss/term(difference:idealDifference:)``.
@inline(__always)
func kernelLogSigmoidTerms<S: LossScalar>(
  _ d: UnsafePointer<S>, ideal m: UnsafePointer<S>?, count: Int, values: UnsafeMutablePointer<S>,
  derivatives: UnsafeMutablePointer<S>
) {
  if S.self == Float.self {
    KernelISA.active.floatKernels.pointee.log_sigmoid_terms!(d, m, count, values, derivatives)
  } else {
    for j in 0..<count {
      let t = LogSigmoidBPRLoss().term(difference: d[j], idealDifference: m?[j] ?? 1)
      values[j] = t.value
      derivatives[j] = t.derivative
    }
  }
}

/// Hinge terms through the active path (`Float`, `Double`) or a plain loop.
@inline(__always)
func kernelHingeTerms<S: LossScalar>(
  _ d: UnsafePointer<S>, ideal m: UnsafePointer<S>?, count: Int, values: UnsafeMutablePointer<S>,
  derivatives: UnsafeMutablePointer<S>
) {
  if let table = kernelTable(S.self) {
    table.pointee.hinge_terms!(d, m, count, values, derivatives)
  } else {
    for j in 0..<count {
      let x = (m?[j] ?? 1) - d[j]
      values[j] = x > 0 ? x : 0
      derivatives[j] = x > 0 ? -1 : 0
    }
  }
}

/// Row numbers kept as scalars, as integers.
@inline(__always)
func kernelRowIndices<S: LossScalar>(_ rows: UnsafePointer<S>, into indices: UnsafeMutablePointer<Int32>, count: Int) {
  if let table = kernelTable(S.self) {
    table.pointee.row_indices!(rows, indices, count)
  } else {
    for j in 0..<count { indices[j] = Int32(rows[j]) }
  }
}

/// The fused one-loop pairwise pass of the seed's hinge or BPR, for `Float` and `Double`; `nil` for other
/// scalar types (the kernel then takes its general path).
@inline(__always)
func kernelFusedPairwise<S: LossScalar>(
  bpr: Bool, _ p: UnsafePointer<S>, _ n: UnsafePointer<S>, ideal m: UnsafePointer<S>?, count: Int, batch: Int,
  gp: UnsafeMutablePointer<S>?, gn: UnsafeMutablePointer<S>?
) -> (sum: Double, squares: Double, nonFinite: Bool)? {
  guard let table = kernelTable(S.self) else { return nil }
  var sum = 0.0
  var squares = 0.0
  let poison = table.pointee.fused_pairwise!(bpr ? 1 : 0, p, n, m, count, batch, gp, gn, &sum, &squares)
  return (sum, squares, !poison.isFinite)
}

/// `eˣ` per element with the vector `exp` of path `isa` (`Float`: under 1 ulp over every input; `Double`:
/// under 1 ulp), as the kernels compute it.
func vectorExp<S: LossScalar>(_ x: [S], isa: KernelISA = .active) -> [S] {
  precondition(S.self == Float.self || S.self == Double.self, "vectorExp: Float or Double")
  var y = [S](repeating: 0, count: x.count)
  let table = S.self == Float.self ? isa.floatKernels : isa.doubleKernels
  x.withUnsafeBufferPointer { x in
    y.withUnsafeMutableBufferPointer { y in table.pointee.exp!(x.baseAddress, y.baseAddress, x.count) }
  }
  return y
}

/// `log(1 + t)` per element, `t` in `[0, 1]`, with the vector `log1p` of path `isa` (within 1 ulp).
func vectorLog1pUnit(_ t: [Float], isa: KernelISA = .active) -> [Float] {
  var y = [Float](repeating: 0, count: t.count)
  t.withUnsafeBufferPointer { t in
    y.withUnsafeMutableBufferPointer { y in isa.floatKernels.pointee.log1p_unit!(t.baseAddress, y.baseAddress, t.count)
    }
  }
  return y
}
