import RealModule

/// The kernels' inner loops over eight lanes at a time, written for the concrete `Float` and `Double` SIMD
/// types: the compiler turns those into packed compares, blends and arithmetic, which it does not do for
/// the same code written generically. The generic kernels reach them through the dispatchers in
/// `KernelOps.swift`, whose type checks fold away once the kernels are specialized.
///
/// The Double implementation is the Float one with the type swapped (see the bottom of this file).
protocol VectorKernels: LossScalar {
  /// `d = p − n` and the poison `(p − p) + (n − n)` (NaN where an input is not finite), `count` lanes.
  static func differences(
    _ p: UnsafePointer<Self>, _ n: UnsafePointer<Self>, into d: UnsafeMutablePointer<Self>,
    poison: UnsafeMutablePointer<Self>, count: Int)
  /// `poison += x − x`.
  static func addPoison(_ x: UnsafePointer<Self>, to poison: UnsafeMutablePointer<Self>, count: Int)
  /// One row of the adaptive scan: a strictly greater score replaces the column's best and its row; the
  /// row's `Σ (v − v)` (NaN if a score is not finite) is added to `poison[0]`.
  static func maxScan(
    _ row: UnsafePointer<Self>, best: UnsafeMutablePointer<Self>, bestRow: UnsafeMutablePointer<Self>,
    poison: UnsafeMutablePointer<Self>, count: Int, row k: Int)
  /// Four rows of the adaptive scan (`row`, `row + stride`, …, rows `k` to `k + 3`, in order) with each
  /// column's best kept in registers: the same result as four calls of `maxScan`, with a quarter of the
  /// loads and stores of `best` and `bestRow`.
  static func maxScan4(
    _ row: UnsafePointer<Self>, stride: Int, best: UnsafeMutablePointer<Self>, bestRow: UnsafeMutablePointer<Self>,
    poison: UnsafeMutablePointer<Self>, count: Int, row k: Int)
  /// One row of the WARP scan: `h = (m − p) + n`; the first `h > 0` of a column records the row and `h`.
  static func violationScan(
    _ row: UnsafePointer<Self>, margins: UnsafePointer<Self>?, positives: UnsafePointer<Self>,
    found: UnsafeMutablePointer<Self>, hinge: UnsafeMutablePointer<Self>, poison: UnsafeMutablePointer<Self>,
    count: Int, row k: Int)
  /// Four rows of the WARP scan (rows `k` to `k + 3`, `stride` scalars apart in the scores and in the
  /// margins), with each column's state kept in registers: the same result as four calls of `violationScan`.
  static func violationScan4(
    _ row: UnsafePointer<Self>, stride: Int, margins: UnsafePointer<Self>?, positives: UnsafePointer<Self>,
    found: UnsafeMutablePointer<Self>, hinge: UnsafeMutablePointer<Self>, poison: UnsafeMutablePointer<Self>,
    count: Int, row k: Int)
  /// Hinge terms `max(m − d, 0)` and their derivatives `−[m − d > 0]`.
  static func hingeTerms(
    _ d: UnsafePointer<Self>, ideal m: UnsafePointer<Self>?, count: Int, values: UnsafeMutablePointer<Self>,
    derivatives: UnsafeMutablePointer<Self>)
  /// `g = ∂loss/∂l · ∂l/∂d` to the positives and `−g` to the negatives.
  static func pairGradients(
    seedReduction: Bool, values: UnsafePointer<Self>, derivatives: UnsafePointer<Self>, count: Int, batch: Int,
    positive: UnsafeMutablePointer<Self>, negative: UnsafeMutablePointer<Self>)
  /// `Σ v` and `Σ v²` in `Double`.
  static func sums(_ values: UnsafePointer<Self>, count: Int) -> (sum: Double, squares: Double)
  /// The whole pairwise pass for the seed's hinge or BPR in one loop: terms, `Σ l`, `Σ l²`, the poison of
  /// the inputs and (when `gp` is given) both gradients, with `∂loss/∂l = (1 + 2l)/B`.
  static func fusedPairwise(
    bpr: Bool, _ p: UnsafePointer<Self>, _ n: UnsafePointer<Self>, ideal m: UnsafePointer<Self>?, count: Int,
    batch: Int, gp: UnsafeMutablePointer<Self>?, gn: UnsafeMutablePointer<Self>?
  ) -> (sum: Double, squares: Double, poison: Self)
  /// Row numbers kept as scalars (exact below 2²⁴) converted to integers.
  static func rowIndices(_ rows: UnsafePointer<Self>, into indices: UnsafeMutablePointer<Int32>, count: Int)
  /// BPR terms: `y = 1 / (1 + e^{−d})`, `m − y` and `−(1 − y)·y`, with the vectorized `exp`.
  static func bprTerms(
    _ d: UnsafePointer<Self>, ideal m: UnsafePointer<Self>?, count: Int, values: UnsafeMutablePointer<Self>,
    derivatives: UnsafeMutablePointer<Self>)
}

extension Float: VectorKernels {
  @inline(__always)
  static func fusedPairwise(
    bpr: Bool, _ p: UnsafePointer<Float>, _ n: UnsafePointer<Float>, ideal m: UnsafePointer<Float>?, count: Int,
    batch: Int, gp: UnsafeMutablePointer<Float>?, gn: UnsafeMutablePointer<Float>?
  ) -> (sum: Double, squares: Double, poison: Float) {
    let one = SIMD8<Float>(repeating: 1)
    let zero = SIMD8<Float>()
    let inverse = SIMD8<Float>(repeating: 1 / Float(batch))
    var sum = SIMD8<Double>()
    var squares = SIMD8<Double>()
    // Terms are summed in the scalar type over blocks of 32 × 8 pairs, and the blocks in Double.
    var blockSum = SIMD8<Float>()
    var blockSquares = SIMD8<Float>()
    var poison = SIMD8<Float>()
    var j = 0
    var block = 0
    while j + 8 <= count {
      let positive = UnsafeRawPointer(p + j).loadUnaligned(as: SIMD8<Float>.self)
      let negative = UnsafeRawPointer(n + j).loadUnaligned(as: SIMD8<Float>.self)
      let margin = m.map { UnsafeRawPointer($0 + j).loadUnaligned(as: SIMD8<Float>.self) } ?? one
      let d = positive - negative
      // `d − d` is NaN when p or n is not finite (or when p − n overflows: the caller's scan for the bad
      // value then finds none and goes on).
      poison += m == nil ? d - d : (d - d) + (margin - margin)
      let l: SIMD8<Float>
      let dl: SIMD8<Float>
      var active = SIMDMask<SIMD8<Float.SIMDMaskScalar>>()
      if bpr {
        let y = one / (one + RankingLosses.vectorExp(-d))
        l = margin - y
        dl = -((one - y) * y)
      } else {
        let x = margin - d
        active = x .> 0
        l = zero.replacing(with: x, where: active)
        dl = zero
      }
      blockSum += l
      blockSquares += l * l
      block += 1
      if block == 32 {
        sum += SIMD8<Double>(blockSum)
        squares += SIMD8<Double>(blockSquares)
        blockSum = SIMD8()
        blockSquares = SIMD8()
        block = 0
      }
      if let gp, let gn {
        // Hinge: `dl` is −1 or 0, so `g` is `−(1 + 2l)/B` where the term is active and +0 elsewhere.
        let g = bpr ? (one + 2 * l) * inverse * dl : zero.replacing(with: -((one + 2 * l) * inverse), where: active)
        UnsafeMutableRawPointer(gp + j).storeBytes(of: g, as: SIMD8<Float>.self)
        UnsafeMutableRawPointer(gn + j).storeBytes(of: -g, as: SIMD8<Float>.self)
      }
      j += 8
    }
    var tail = 0.0
    var tailSquares = 0.0
    var tailPoison: Float = 0
    while j < count {
      let margin = m?[j] ?? 1
      tailPoison += (p[j] - p[j]) + (n[j] - n[j]) + (margin - margin)
      let d = p[j] - n[j]
      let t =
        bpr
        ? BPRLoss().term(difference: d, idealDifference: margin)
        : HingeLoss().term(difference: d, idealDifference: margin)
      tail += Double(t.value)
      tailSquares += Double(t.value) * Double(t.value)
      if let gp, let gn {
        let g = (1 + 2 * t.value) * (1 / Float(batch)) * t.derivative
        gp[j] = g
        gn[j] = -g
      }
      j += 1
    }
    sum += SIMD8<Double>(blockSum)
    squares += SIMD8<Double>(blockSquares)
    return (sum.sum() + tail, squares.sum() + tailSquares, poison.sum() + tailPoison)
  }

  @inline(__always)
  static func rowIndices(_ rows: UnsafePointer<Float>, into indices: UnsafeMutablePointer<Int32>, count: Int) {
    for j in 0..<count { indices[j] = Int32(rows[j]) }
  }

  @inline(__always)
  static func bprTerms(
    _ d: UnsafePointer<Float>, ideal m: UnsafePointer<Float>?, count: Int, values: UnsafeMutablePointer<Float>,
    derivatives: UnsafeMutablePointer<Float>
  ) {
    let one = SIMD8<Float>(repeating: 1)
    var j = 0
    while j + 8 <= count {
      let x = UnsafeRawPointer(d + j).loadUnaligned(as: SIMD8<Float>.self)
      let y = one / (one + RankingLosses.vectorExp(-x))
      let margin = m.map { UnsafeRawPointer($0 + j).loadUnaligned(as: SIMD8<Float>.self) } ?? one
      UnsafeMutableRawPointer(values + j).storeBytes(of: margin - y, as: SIMD8<Float>.self)
      UnsafeMutableRawPointer(derivatives + j).storeBytes(of: -((one - y) * y), as: SIMD8<Float>.self)
      j += 8
    }
    while j < count {
      let y = 1 / (1 + Float.exp(-d[j]))
      values[j] = (m?[j] ?? 1) - y
      derivatives[j] = -((1 - y) * y)
      j += 1
    }
  }

  @inline(__always)
  static func differences(
    _ p: UnsafePointer<Float>, _ n: UnsafePointer<Float>, into d: UnsafeMutablePointer<Float>,
    poison: UnsafeMutablePointer<Float>, count: Int
  ) {
    var j = 0
    while j + 8 <= count {
      let positive = UnsafeRawPointer(p + j).loadUnaligned(as: SIMD8<Float>.self)
      let negative = UnsafeRawPointer(n + j).loadUnaligned(as: SIMD8<Float>.self)
      UnsafeMutableRawPointer(d + j).storeBytes(of: positive - negative, as: SIMD8<Float>.self)
      UnsafeMutableRawPointer(poison + j).storeBytes(
        of: (positive - positive) + (negative - negative), as: SIMD8<Float>.self)
      j += 8
    }
    while j < count {
      d[j] = p[j] - n[j]
      poison[j] = (p[j] - p[j]) + (n[j] - n[j])
      j += 1
    }
  }

  @inline(__always)
  static func addPoison(_ x: UnsafePointer<Float>, to poison: UnsafeMutablePointer<Float>, count: Int) {
    var j = 0
    while j + 8 <= count {
      let v = UnsafeRawPointer(x + j).loadUnaligned(as: SIMD8<Float>.self)
      let old = UnsafeRawPointer(poison + j).loadUnaligned(as: SIMD8<Float>.self)
      UnsafeMutableRawPointer(poison + j).storeBytes(of: old + (v - v), as: SIMD8<Float>.self)
      j += 8
    }
    while j < count {
      poison[j] += x[j] - x[j]
      j += 1
    }
  }

  @inline(__always)
  static func maxScan4(
    _ row: UnsafePointer<Float>, stride: Int, best: UnsafeMutablePointer<Float>, bestRow: UnsafeMutablePointer<Float>,
    poison: UnsafeMutablePointer<Float>, count: Int, row k: Int
  ) {
    let k0 = SIMD8<Float>(repeating: Float(k))
    let k1 = SIMD8<Float>(repeating: Float(k + 1))
    let k2 = SIMD8<Float>(repeating: Float(k + 2))
    let k3 = SIMD8<Float>(repeating: Float(k + 3))
    let (r0, r1, r2, r3) = (row, row + stride, row + 2 * stride, row + 3 * stride)
    var check0 = SIMD8<Float>()
    var check1 = SIMD8<Float>()
    var j = 0
    while j + 8 <= count {
      var b = UnsafeRawPointer(best + j).loadUnaligned(as: SIMD8<Float>.self)
      var r = UnsafeRawPointer(bestRow + j).loadUnaligned(as: SIMD8<Float>.self)
      let v0 = UnsafeRawPointer(r0 + j).loadUnaligned(as: SIMD8<Float>.self)
      var greater = v0 .> b
      b.replace(with: v0, where: greater)
      r.replace(with: k0, where: greater)
      let v1 = UnsafeRawPointer(r1 + j).loadUnaligned(as: SIMD8<Float>.self)
      greater = v1 .> b
      b.replace(with: v1, where: greater)
      r.replace(with: k1, where: greater)
      let v2 = UnsafeRawPointer(r2 + j).loadUnaligned(as: SIMD8<Float>.self)
      greater = v2 .> b
      b.replace(with: v2, where: greater)
      r.replace(with: k2, where: greater)
      let v3 = UnsafeRawPointer(r3 + j).loadUnaligned(as: SIMD8<Float>.self)
      greater = v3 .> b
      b.replace(with: v3, where: greater)
      r.replace(with: k3, where: greater)
      UnsafeMutableRawPointer(best + j).storeBytes(of: b, as: SIMD8<Float>.self)
      UnsafeMutableRawPointer(bestRow + j).storeBytes(of: r, as: SIMD8<Float>.self)
      check0 += (v0 - v0) + (v1 - v1)
      check1 += (v2 - v2) + (v3 - v3)
      j += 8
    }
    poison[0] += (check0 + check1).sum()
    if j < count {
      for q in 0..<4 {
        maxScan(
          row + q * stride + j, best: best + j, bestRow: bestRow + j, poison: poison, count: count - j, row: k + q)
      }
    }
  }

  @inline(__always)
  static func maxScan(
    _ row: UnsafePointer<Float>, best: UnsafeMutablePointer<Float>, bestRow: UnsafeMutablePointer<Float>,
    poison: UnsafeMutablePointer<Float>, count: Int, row k: Int
  ) {
    let kf = SIMD8<Float>(repeating: Float(k))
    var check0 = SIMD8<Float>()
    var check1 = SIMD8<Float>()
    var j = 0
    while j + 16 <= count {
      for half in 0..<2 {
        let at = j + 8 * half
        let v = UnsafeRawPointer(row + at).loadUnaligned(as: SIMD8<Float>.self)
        let b = UnsafeRawPointer(best + at).loadUnaligned(as: SIMD8<Float>.self)
        let greater = v .> b
        UnsafeMutableRawPointer(best + at).storeBytes(of: b.replacing(with: v, where: greater), as: SIMD8<Float>.self)
        let r = UnsafeRawPointer(bestRow + at).loadUnaligned(as: SIMD8<Float>.self)
        UnsafeMutableRawPointer(bestRow + at).storeBytes(
          of: r.replacing(with: kf, where: greater), as: SIMD8<Float>.self)
        if half == 0 { check0 += v - v } else { check1 += v - v }
      }
      j += 16
    }
    while j < count {
      let v = row[j]
      poison[0] += v - v
      if v > best[j] {
        best[j] = v
        bestRow[j] = Float(k)
      }
      j += 1
    }
    poison[0] += (check0 + check1).sum()
  }

  @inline(__always)
  static func violationScan4(
    _ row: UnsafePointer<Float>, stride: Int, margins: UnsafePointer<Float>?, positives: UnsafePointer<Float>,
    found: UnsafeMutablePointer<Float>, hinge: UnsafeMutablePointer<Float>, poison: UnsafeMutablePointer<Float>,
    count: Int, row k: Int
  ) {
    let one = SIMD8<Float>(repeating: 1)
    var j = 0
    while j + 8 <= count {
      let p = UnsafeRawPointer(positives + j).loadUnaligned(as: SIMD8<Float>.self)
      var f = UnsafeRawPointer(found + j).loadUnaligned(as: SIMD8<Float>.self)
      var h = UnsafeRawPointer(hinge + j).loadUnaligned(as: SIMD8<Float>.self)
      var q = UnsafeRawPointer(poison + j).loadUnaligned(as: SIMD8<Float>.self)
      for r in 0..<4 {
        let v = UnsafeRawPointer(row + r * stride + j).loadUnaligned(as: SIMD8<Float>.self)
        let m = margins.map { UnsafeRawPointer($0 + r * stride + j).loadUnaligned(as: SIMD8<Float>.self) } ?? one
        let x = (m - p) + v
        let first = (x .> 0) .& (f .< 0)
        f.replace(with: SIMD8<Float>(repeating: Float(k + r)), where: first)
        h.replace(with: x, where: first)
        q += (v - v) + (m - m)
      }
      UnsafeMutableRawPointer(found + j).storeBytes(of: f, as: SIMD8<Float>.self)
      UnsafeMutableRawPointer(hinge + j).storeBytes(of: h, as: SIMD8<Float>.self)
      UnsafeMutableRawPointer(poison + j).storeBytes(of: q, as: SIMD8<Float>.self)
      j += 8
    }
    if j < count {
      for r in 0..<4 {
        violationScan(
          row + r * stride + j, margins: margins.map { $0 + r * stride + j }, positives: positives + j,
          found: found + j, hinge: hinge + j, poison: poison + j, count: count - j, row: k + r)
      }
    }
  }

  @inline(__always)
  static func violationScan(
    _ row: UnsafePointer<Float>, margins: UnsafePointer<Float>?, positives: UnsafePointer<Float>,
    found: UnsafeMutablePointer<Float>, hinge: UnsafeMutablePointer<Float>, poison: UnsafeMutablePointer<Float>,
    count: Int, row k: Int
  ) {
    let kf = SIMD8<Float>(repeating: Float(k))
    let one = SIMD8<Float>(repeating: 1)
    var j = 0
    while j + 8 <= count {
      let v = UnsafeRawPointer(row + j).loadUnaligned(as: SIMD8<Float>.self)
      let m = margins.map { UnsafeRawPointer($0 + j).loadUnaligned(as: SIMD8<Float>.self) } ?? one
      let p = UnsafeRawPointer(positives + j).loadUnaligned(as: SIMD8<Float>.self)
      let f = UnsafeRawPointer(found + j).loadUnaligned(as: SIMD8<Float>.self)
      let h = (m - p) + v
      let first = (h .> 0) .& (f .< 0)
      UnsafeMutableRawPointer(found + j).storeBytes(of: f.replacing(with: kf, where: first), as: SIMD8<Float>.self)
      let old = UnsafeRawPointer(hinge + j).loadUnaligned(as: SIMD8<Float>.self)
      UnsafeMutableRawPointer(hinge + j).storeBytes(of: old.replacing(with: h, where: first), as: SIMD8<Float>.self)
      let q = UnsafeRawPointer(poison + j).loadUnaligned(as: SIMD8<Float>.self)
      UnsafeMutableRawPointer(poison + j).storeBytes(of: q + (v - v) + (m - m), as: SIMD8<Float>.self)
      j += 8
    }
    while j < count {
      let m = margins?[j] ?? 1
      let h = (m - positives[j]) + row[j]
      poison[j] += (row[j] - row[j]) + (m - m)
      if h > 0, found[j] < 0 {
        found[j] = Float(k)
        hinge[j] = h
      }
      j += 1
    }
  }

  @inline(__always)
  static func hingeTerms(
    _ d: UnsafePointer<Float>, ideal m: UnsafePointer<Float>?, count: Int, values: UnsafeMutablePointer<Float>,
    derivatives: UnsafeMutablePointer<Float>
  ) {
    let one = SIMD8<Float>(repeating: 1)
    let zero = SIMD8<Float>()
    var j = 0
    while j + 8 <= count {
      let margin = m.map { UnsafeRawPointer($0 + j).loadUnaligned(as: SIMD8<Float>.self) } ?? one
      let x = margin - UnsafeRawPointer(d + j).loadUnaligned(as: SIMD8<Float>.self)
      let positive = x .> 0
      UnsafeMutableRawPointer(values + j).storeBytes(
        of: zero.replacing(with: x, where: positive), as: SIMD8<Float>.self)
      UnsafeMutableRawPointer(derivatives + j).storeBytes(
        of: zero.replacing(with: -one, where: positive), as: SIMD8<Float>.self)
      j += 8
    }
    while j < count {
      let x = (m?[j] ?? 1) - d[j]
      values[j] = x > 0 ? x : 0
      derivatives[j] = x > 0 ? -1 : 0
      j += 1
    }
  }

  @inline(__always)
  static func pairGradients(
    seedReduction: Bool, values: UnsafePointer<Float>, derivatives: UnsafePointer<Float>, count: Int, batch: Int,
    positive: UnsafeMutablePointer<Float>, negative: UnsafeMutablePointer<Float>
  ) {
    let inverse = 1 / Float(batch)
    var j = 0
    while j + 8 <= count {
      let l = UnsafeRawPointer(values + j).loadUnaligned(as: SIMD8<Float>.self)
      let dl = UnsafeRawPointer(derivatives + j).loadUnaligned(as: SIMD8<Float>.self)
      let g = seedReduction ? (1 + 2 * l) * inverse * dl : inverse * dl
      UnsafeMutableRawPointer(positive + j).storeBytes(of: g, as: SIMD8<Float>.self)
      UnsafeMutableRawPointer(negative + j).storeBytes(of: -g, as: SIMD8<Float>.self)
      j += 8
    }
    while j < count {
      let g = seedReduction ? (1 + 2 * values[j]) * inverse * derivatives[j] : inverse * derivatives[j]
      positive[j] = g
      negative[j] = -g
      j += 1
    }
  }

  @inline(__always)
  static func sums(_ values: UnsafePointer<Float>, count: Int) -> (sum: Double, squares: Double) {
    var sum = SIMD8<Double>()
    var squares = SIMD8<Double>()
    var j = 0
    while j + 8 <= count {
      let v = SIMD8<Double>(UnsafeRawPointer(values + j).loadUnaligned(as: SIMD8<Float>.self))
      sum += v
      squares += v * v
      j += 8
    }
    var tail = 0.0
    var tailSquares = 0.0
    while j < count {
      let v = Double(values[j])
      tail += v
      tailSquares += v * v
      j += 1
    }
    return (sum.sum() + tail, squares.sum() + tailSquares)
  }
}

extension Double: VectorKernels {
  @inline(__always)
  static func fusedPairwise(
    bpr: Bool, _ p: UnsafePointer<Double>, _ n: UnsafePointer<Double>, ideal m: UnsafePointer<Double>?, count: Int,
    batch: Int, gp: UnsafeMutablePointer<Double>?, gn: UnsafeMutablePointer<Double>?
  ) -> (sum: Double, squares: Double, poison: Double) {
    let one = SIMD8<Double>(repeating: 1)
    let zero = SIMD8<Double>()
    let inverse = SIMD8<Double>(repeating: 1 / Double(batch))
    var sum = SIMD8<Double>()
    var squares = SIMD8<Double>()
    // Terms are summed in the scalar type over blocks of 32 × 8 pairs, and the blocks in Double.
    var blockSum = SIMD8<Double>()
    var blockSquares = SIMD8<Double>()
    var poison = SIMD8<Double>()
    var j = 0
    var block = 0
    while j + 8 <= count {
      let positive = UnsafeRawPointer(p + j).loadUnaligned(as: SIMD8<Double>.self)
      let negative = UnsafeRawPointer(n + j).loadUnaligned(as: SIMD8<Double>.self)
      let margin = m.map { UnsafeRawPointer($0 + j).loadUnaligned(as: SIMD8<Double>.self) } ?? one
      let d = positive - negative
      // `d − d` is NaN when p or n is not finite (or when p − n overflows: the caller's scan for the bad
      // value then finds none and goes on).
      poison += m == nil ? d - d : (d - d) + (margin - margin)
      let l: SIMD8<Double>
      let dl: SIMD8<Double>
      var active = SIMDMask<SIMD8<Double.SIMDMaskScalar>>()
      if bpr {
        let y =
          one
          / (one + SIMD8(lowHalf: RankingLosses.vectorExp(-d.lowHalf), highHalf: RankingLosses.vectorExp(-d.highHalf)))
        l = margin - y
        dl = -((one - y) * y)
      } else {
        let x = margin - d
        active = x .> 0
        l = zero.replacing(with: x, where: active)
        dl = zero
      }
      blockSum += l
      blockSquares += l * l
      block += 1
      if block == 32 {
        sum += blockSum
        squares += blockSquares
        blockSum = SIMD8()
        blockSquares = SIMD8()
        block = 0
      }
      if let gp, let gn {
        // Hinge: `dl` is −1 or 0, so `g` is `−(1 + 2l)/B` where the term is active and +0 elsewhere.
        let g = bpr ? (one + 2 * l) * inverse * dl : zero.replacing(with: -((one + 2 * l) * inverse), where: active)
        UnsafeMutableRawPointer(gp + j).storeBytes(of: g, as: SIMD8<Double>.self)
        UnsafeMutableRawPointer(gn + j).storeBytes(of: -g, as: SIMD8<Double>.self)
      }
      j += 8
    }
    var tail = 0.0
    var tailSquares = 0.0
    var tailPoison: Double = 0
    while j < count {
      let margin = m?[j] ?? 1
      tailPoison += (p[j] - p[j]) + (n[j] - n[j]) + (margin - margin)
      let d = p[j] - n[j]
      let t =
        bpr
        ? BPRLoss().term(difference: d, idealDifference: margin)
        : HingeLoss().term(difference: d, idealDifference: margin)
      tail += Double(t.value)
      tailSquares += Double(t.value) * Double(t.value)
      if let gp, let gn {
        let g = (1 + 2 * t.value) * (1 / Double(batch)) * t.derivative
        gp[j] = g
        gn[j] = -g
      }
      j += 1
    }
    sum += blockSum
    squares += blockSquares
    return (sum.sum() + tail, squares.sum() + tailSquares, poison.sum() + tailPoison)
  }

  @inline(__always)
  static func rowIndices(_ rows: UnsafePointer<Double>, into indices: UnsafeMutablePointer<Int32>, count: Int) {
    for j in 0..<count { indices[j] = Int32(rows[j]) }
  }

  @inline(__always)
  static func bprTerms(
    _ d: UnsafePointer<Double>, ideal m: UnsafePointer<Double>?, count: Int, values: UnsafeMutablePointer<Double>,
    derivatives: UnsafeMutablePointer<Double>
  ) {
    let one = SIMD8<Double>(repeating: 1)
    var j = 0
    while j + 8 <= count {
      let x = UnsafeRawPointer(d + j).loadUnaligned(as: SIMD8<Double>.self)
      let y =
        one
        / (one + SIMD8(lowHalf: RankingLosses.vectorExp(-x.lowHalf), highHalf: RankingLosses.vectorExp(-x.highHalf)))
      let margin = m.map { UnsafeRawPointer($0 + j).loadUnaligned(as: SIMD8<Double>.self) } ?? one
      UnsafeMutableRawPointer(values + j).storeBytes(of: margin - y, as: SIMD8<Double>.self)
      UnsafeMutableRawPointer(derivatives + j).storeBytes(of: -((one - y) * y), as: SIMD8<Double>.self)
      j += 8
    }
    while j < count {
      let y = 1 / (1 + Double.exp(-d[j]))
      values[j] = (m?[j] ?? 1) - y
      derivatives[j] = -((1 - y) * y)
      j += 1
    }
  }

  @inline(__always)
  static func differences(
    _ p: UnsafePointer<Double>, _ n: UnsafePointer<Double>, into d: UnsafeMutablePointer<Double>,
    poison: UnsafeMutablePointer<Double>, count: Int
  ) {
    var j = 0
    while j + 8 <= count {
      let positive = UnsafeRawPointer(p + j).loadUnaligned(as: SIMD8<Double>.self)
      let negative = UnsafeRawPointer(n + j).loadUnaligned(as: SIMD8<Double>.self)
      UnsafeMutableRawPointer(d + j).storeBytes(of: positive - negative, as: SIMD8<Double>.self)
      UnsafeMutableRawPointer(poison + j).storeBytes(
        of: (positive - positive) + (negative - negative), as: SIMD8<Double>.self)
      j += 8
    }
    while j < count {
      d[j] = p[j] - n[j]
      poison[j] = (p[j] - p[j]) + (n[j] - n[j])
      j += 1
    }
  }

  @inline(__always)
  static func addPoison(_ x: UnsafePointer<Double>, to poison: UnsafeMutablePointer<Double>, count: Int) {
    var j = 0
    while j + 8 <= count {
      let v = UnsafeRawPointer(x + j).loadUnaligned(as: SIMD8<Double>.self)
      let old = UnsafeRawPointer(poison + j).loadUnaligned(as: SIMD8<Double>.self)
      UnsafeMutableRawPointer(poison + j).storeBytes(of: old + (v - v), as: SIMD8<Double>.self)
      j += 8
    }
    while j < count {
      poison[j] += x[j] - x[j]
      j += 1
    }
  }

  @inline(__always)
  static func maxScan4(
    _ row: UnsafePointer<Double>, stride: Int, best: UnsafeMutablePointer<Double>,
    bestRow: UnsafeMutablePointer<Double>,
    poison: UnsafeMutablePointer<Double>, count: Int, row k: Int
  ) {
    let k0 = SIMD8<Double>(repeating: Double(k))
    let k1 = SIMD8<Double>(repeating: Double(k + 1))
    let k2 = SIMD8<Double>(repeating: Double(k + 2))
    let k3 = SIMD8<Double>(repeating: Double(k + 3))
    let (r0, r1, r2, r3) = (row, row + stride, row + 2 * stride, row + 3 * stride)
    var check0 = SIMD8<Double>()
    var check1 = SIMD8<Double>()
    var j = 0
    while j + 8 <= count {
      var b = UnsafeRawPointer(best + j).loadUnaligned(as: SIMD8<Double>.self)
      var r = UnsafeRawPointer(bestRow + j).loadUnaligned(as: SIMD8<Double>.self)
      let v0 = UnsafeRawPointer(r0 + j).loadUnaligned(as: SIMD8<Double>.self)
      var greater = v0 .> b
      b.replace(with: v0, where: greater)
      r.replace(with: k0, where: greater)
      let v1 = UnsafeRawPointer(r1 + j).loadUnaligned(as: SIMD8<Double>.self)
      greater = v1 .> b
      b.replace(with: v1, where: greater)
      r.replace(with: k1, where: greater)
      let v2 = UnsafeRawPointer(r2 + j).loadUnaligned(as: SIMD8<Double>.self)
      greater = v2 .> b
      b.replace(with: v2, where: greater)
      r.replace(with: k2, where: greater)
      let v3 = UnsafeRawPointer(r3 + j).loadUnaligned(as: SIMD8<Double>.self)
      greater = v3 .> b
      b.replace(with: v3, where: greater)
      r.replace(with: k3, where: greater)
      UnsafeMutableRawPointer(best + j).storeBytes(of: b, as: SIMD8<Double>.self)
      UnsafeMutableRawPointer(bestRow + j).storeBytes(of: r, as: SIMD8<Double>.self)
      check0 += (v0 - v0) + (v1 - v1)
      check1 += (v2 - v2) + (v3 - v3)
      j += 8
    }
    poison[0] += (check0 + check1).sum()
    if j < count {
      for q in 0..<4 {
        maxScan(
          row + q * stride + j, best: best + j, bestRow: bestRow + j, poison: poison, count: count - j, row: k + q)
      }
    }
  }

  @inline(__always)
  static func maxScan(
    _ row: UnsafePointer<Double>, best: UnsafeMutablePointer<Double>, bestRow: UnsafeMutablePointer<Double>,
    poison: UnsafeMutablePointer<Double>, count: Int, row k: Int
  ) {
    let kf = SIMD8<Double>(repeating: Double(k))
    var check0 = SIMD8<Double>()
    var check1 = SIMD8<Double>()
    var j = 0
    while j + 16 <= count {
      for half in 0..<2 {
        let at = j + 8 * half
        let v = UnsafeRawPointer(row + at).loadUnaligned(as: SIMD8<Double>.self)
        let b = UnsafeRawPointer(best + at).loadUnaligned(as: SIMD8<Double>.self)
        let greater = v .> b
        UnsafeMutableRawPointer(best + at).storeBytes(of: b.replacing(with: v, where: greater), as: SIMD8<Double>.self)
        let r = UnsafeRawPointer(bestRow + at).loadUnaligned(as: SIMD8<Double>.self)
        UnsafeMutableRawPointer(bestRow + at).storeBytes(
          of: r.replacing(with: kf, where: greater), as: SIMD8<Double>.self)
        if half == 0 { check0 += v - v } else { check1 += v - v }
      }
      j += 16
    }
    while j < count {
      let v = row[j]
      poison[0] += v - v
      if v > best[j] {
        best[j] = v
        bestRow[j] = Double(k)
      }
      j += 1
    }
    poison[0] += (check0 + check1).sum()
  }

  @inline(__always)
  static func violationScan4(
    _ row: UnsafePointer<Double>, stride: Int, margins: UnsafePointer<Double>?, positives: UnsafePointer<Double>,
    found: UnsafeMutablePointer<Double>, hinge: UnsafeMutablePointer<Double>, poison: UnsafeMutablePointer<Double>,
    count: Int, row k: Int
  ) {
    let one = SIMD8<Double>(repeating: 1)
    var j = 0
    while j + 8 <= count {
      let p = UnsafeRawPointer(positives + j).loadUnaligned(as: SIMD8<Double>.self)
      var f = UnsafeRawPointer(found + j).loadUnaligned(as: SIMD8<Double>.self)
      var h = UnsafeRawPointer(hinge + j).loadUnaligned(as: SIMD8<Double>.self)
      var q = UnsafeRawPointer(poison + j).loadUnaligned(as: SIMD8<Double>.self)
      for r in 0..<4 {
        let v = UnsafeRawPointer(row + r * stride + j).loadUnaligned(as: SIMD8<Double>.self)
        let m = margins.map { UnsafeRawPointer($0 + r * stride + j).loadUnaligned(as: SIMD8<Double>.self) } ?? one
        let x = (m - p) + v
        let first = (x .> 0) .& (f .< 0)
        f.replace(with: SIMD8<Double>(repeating: Double(k + r)), where: first)
        h.replace(with: x, where: first)
        q += (v - v) + (m - m)
      }
      UnsafeMutableRawPointer(found + j).storeBytes(of: f, as: SIMD8<Double>.self)
      UnsafeMutableRawPointer(hinge + j).storeBytes(of: h, as: SIMD8<Double>.self)
      UnsafeMutableRawPointer(poison + j).storeBytes(of: q, as: SIMD8<Double>.self)
      j += 8
    }
    if j < count {
      for r in 0..<4 {
        violationScan(
          row + r * stride + j, margins: margins.map { $0 + r * stride + j }, positives: positives + j,
          found: found + j, hinge: hinge + j, poison: poison + j, count: count - j, row: k + r)
      }
    }
  }

  @inline(__always)
  static func violationScan(
    _ row: UnsafePointer<Double>, margins: UnsafePointer<Double>?, positives: UnsafePointer<Double>,
    found: UnsafeMutablePointer<Double>, hinge: UnsafeMutablePointer<Double>, poison: UnsafeMutablePointer<Double>,
    count: Int, row k: Int
  ) {
    let kf = SIMD8<Double>(repeating: Double(k))
    let one = SIMD8<Double>(repeating: 1)
    var j = 0
    while j + 8 <= count {
      let v = UnsafeRawPointer(row + j).loadUnaligned(as: SIMD8<Double>.self)
      let m = margins.map { UnsafeRawPointer($0 + j).loadUnaligned(as: SIMD8<Double>.self) } ?? one
      let p = UnsafeRawPointer(positives + j).loadUnaligned(as: SIMD8<Double>.self)
      let f = UnsafeRawPointer(found + j).loadUnaligned(as: SIMD8<Double>.self)
      let h = (m - p) + v
      let first = (h .> 0) .& (f .< 0)
      UnsafeMutableRawPointer(found + j).storeBytes(of: f.replacing(with: kf, where: first), as: SIMD8<Double>.self)
      let old = UnsafeRawPointer(hinge + j).loadUnaligned(as: SIMD8<Double>.self)
      UnsafeMutableRawPointer(hinge + j).storeBytes(of: old.replacing(with: h, where: first), as: SIMD8<Double>.self)
      let q = UnsafeRawPointer(poison + j).loadUnaligned(as: SIMD8<Double>.self)
      UnsafeMutableRawPointer(poison + j).storeBytes(of: q + (v - v) + (m - m), as: SIMD8<Double>.self)
      j += 8
    }
    while j < count {
      let m = margins?[j] ?? 1
      let h = (m - positives[j]) + row[j]
      poison[j] += (row[j] - row[j]) + (m - m)
      if h > 0, found[j] < 0 {
        found[j] = Double(k)
        hinge[j] = h
      }
      j += 1
    }
  }

  @inline(__always)
  static func hingeTerms(
    _ d: UnsafePointer<Double>, ideal m: UnsafePointer<Double>?, count: Int, values: UnsafeMutablePointer<Double>,
    derivatives: UnsafeMutablePointer<Double>
  ) {
    let one = SIMD8<Double>(repeating: 1)
    let zero = SIMD8<Double>()
    var j = 0
    while j + 8 <= count {
      let margin = m.map { UnsafeRawPointer($0 + j).loadUnaligned(as: SIMD8<Double>.self) } ?? one
      let x = margin - UnsafeRawPointer(d + j).loadUnaligned(as: SIMD8<Double>.self)
      let positive = x .> 0
      UnsafeMutableRawPointer(values + j).storeBytes(
        of: zero.replacing(with: x, where: positive), as: SIMD8<Double>.self)
      UnsafeMutableRawPointer(derivatives + j).storeBytes(
        of: zero.replacing(with: -one, where: positive), as: SIMD8<Double>.self)
      j += 8
    }
    while j < count {
      let x = (m?[j] ?? 1) - d[j]
      values[j] = x > 0 ? x : 0
      derivatives[j] = x > 0 ? -1 : 0
      j += 1
    }
  }

  @inline(__always)
  static func pairGradients(
    seedReduction: Bool, values: UnsafePointer<Double>, derivatives: UnsafePointer<Double>, count: Int, batch: Int,
    positive: UnsafeMutablePointer<Double>, negative: UnsafeMutablePointer<Double>
  ) {
    let inverse = 1 / Double(batch)
    var j = 0
    while j + 8 <= count {
      let l = UnsafeRawPointer(values + j).loadUnaligned(as: SIMD8<Double>.self)
      let dl = UnsafeRawPointer(derivatives + j).loadUnaligned(as: SIMD8<Double>.self)
      let g = seedReduction ? (1 + 2 * l) * inverse * dl : inverse * dl
      UnsafeMutableRawPointer(positive + j).storeBytes(of: g, as: SIMD8<Double>.self)
      UnsafeMutableRawPointer(negative + j).storeBytes(of: -g, as: SIMD8<Double>.self)
      j += 8
    }
    while j < count {
      let g = seedReduction ? (1 + 2 * values[j]) * inverse * derivatives[j] : inverse * derivatives[j]
      positive[j] = g
      negative[j] = -g
      j += 1
    }
  }

  @inline(__always)
  static func sums(_ values: UnsafePointer<Double>, count: Int) -> (sum: Double, squares: Double) {
    var sum = SIMD8<Double>()
    var squares = SIMD8<Double>()
    var j = 0
    while j + 8 <= count {
      let v = UnsafeRawPointer(values + j).loadUnaligned(as: SIMD8<Double>.self)
      sum += v
      squares += v * v
      j += 8
    }
    var tail = 0.0
    var tailSquares = 0.0
    while j < count {
      let v = Double(values[j])
      tail += v
      tailSquares += v * v
      j += 1
    }
    return (sum.sum() + tail, squares.sum() + tailSquares)
  }
}

/// `log_sigmoid_bpr` terms in `Float`, eight lanes at a time: with `x = (m − 1) − d` and
/// `e = e^{−|x|}` (one ``vectorExp(_:)-(SIMD8<Float>)``), `l = softplus(x) = max(x, 0) + log1p(e)` and
/// `∂l/∂d = −σ(x) = −(x ≥ 0 ? 1 : e) / (1 + e)` — the formulas of ``LossScalar/softplus(_:)`` and
/// ``LossScalar/stableSigmoid(_:)``, with the vectorized `exp` and `log1p` (each less than 1 ulp from the
/// exact value; see `VectorMath.swift`).
@inline(__always)
func logSigmoidTermsFloat(
  _ d: UnsafePointer<Float>, ideal m: UnsafePointer<Float>?, count: Int, values: UnsafeMutablePointer<Float>,
  derivatives: UnsafeMutablePointer<Float>
) {
  let one = SIMD8<Float>(repeating: 1)
  let zero = SIMD8<Float>()
  var j = 0
  while j + 8 <= count {
    let margin = m.map { UnsafeRawPointer($0 + j).loadUnaligned(as: SIMD8<Float>.self) } ?? one
    let x = (margin - one) - UnsafeRawPointer(d + j).loadUnaligned(as: SIMD8<Float>.self)
    let nonNegative = x .>= 0
    let e = vectorExp(-x.replacing(with: -x, where: x .< 0))
    let l = zero.replacing(with: x, where: nonNegative) + vectorLog1pUnit(e)
    let sigmoid = e.replacing(with: one, where: nonNegative) / (one + e)
    UnsafeMutableRawPointer(values + j).storeBytes(of: l, as: SIMD8<Float>.self)
    UnsafeMutableRawPointer(derivatives + j).storeBytes(of: -sigmoid, as: SIMD8<Float>.self)
    j += 8
  }
  while j < count {
    let t = LogSigmoidBPRLoss().term(difference: d[j], idealDifference: m?[j] ?? 1)
    values[j] = t.value
    derivatives[j] = t.derivative
    j += 1
  }
}
