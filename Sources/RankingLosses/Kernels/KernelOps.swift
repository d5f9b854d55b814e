// Dispatchers from the generic kernels to the concrete `Float` / `Double` loops of `VectorKernels`. In a
// kernel specialized for `Float`, `S.self == Float.self` is a constant and the call is direct; any other
// `LossScalar` takes the plain generic loop.

@inline(__always)
private func cast<S, T>(_ p: UnsafePointer<S>, _: T.Type) -> UnsafePointer<T> {
  UnsafeRawPointer(p).assumingMemoryBound(to: T.self)
}

@inline(__always)
private func cast<S, T>(_ p: UnsafeMutablePointer<S>, _: T.Type) -> UnsafeMutablePointer<T> {
  UnsafeMutableRawPointer(p).assumingMemoryBound(to: T.self)
}

@inline(__always)
private func cast<S, T>(_ p: UnsafePointer<S>?, _: T.Type) -> UnsafePointer<T>? {
  p.map { UnsafeRawPointer($0).assumingMemoryBound(to: T.self) }
}

/// `d = p − n` and the poison of `p` and `n`.
@inline(__always)
func kernelDifferences<S: LossScalar>(
  _ p: UnsafePointer<S>, _ n: UnsafePointer<S>, into d: UnsafeMutablePointer<S>, poison: UnsafeMutablePointer<S>,
  count: Int
) {
  if S.self == Float.self {
    Float.differences(
      cast(p, Float.self), cast(n, Float.self), into: cast(d, Float.self), poison: cast(poison, Float.self),
      count: count)
  } else if S.self == Double.self {
    Double.differences(
      cast(p, Double.self), cast(n, Double.self), into: cast(d, Double.self), poison: cast(poison, Double.self),
      count: count)
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
  if S.self == Float.self {
    Float.addPoison(cast(x, Float.self), to: cast(poison, Float.self), count: count)
  } else if S.self == Double.self {
    Double.addPoison(cast(x, Double.self), to: cast(poison, Double.self), count: count)
  } else {
    for j in 0..<count { poison[j] += x[j] - x[j] }
  }
}

/// Four rows of the adaptive scan, `stride` scalars apart.
@inline(__always)
func kernelMaxScan4<S: LossScalar>(
  _ row: UnsafePointer<S>, stride: Int, best: UnsafeMutablePointer<S>, bestRow: UnsafeMutablePointer<S>,
  poison: UnsafeMutablePointer<S>, count: Int, row k: Int
) {
  if S.self == Float.self {
    Float.maxScan4(
      cast(row, Float.self), stride: stride, best: cast(best, Float.self), bestRow: cast(bestRow, Float.self),
      poison: cast(poison, Float.self), count: count, row: k)
  } else if S.self == Double.self {
    Double.maxScan4(
      cast(row, Double.self), stride: stride, best: cast(best, Double.self), bestRow: cast(bestRow, Double.self),
      poison: cast(poison, Double.self), count: count, row: k)
  } else {
    for q in 0..<4 {
      kernelMaxScan(row + q * stride, best: best, bestRow: bestRow, poison: poison, count: count, row: k + q)
    }
  }
}

/// One row of the adaptive scan.
@inline(__always)
func kernelMaxScan<S: LossScalar>(
  _ row: UnsafePointer<S>, best: UnsafeMutablePointer<S>, bestRow: UnsafeMutablePointer<S>,
  poison: UnsafeMutablePointer<S>, count: Int, row k: Int
) {
  if S.self == Float.self {
    Float.maxScan(
      cast(row, Float.self), best: cast(best, Float.self), bestRow: cast(bestRow, Float.self),
      poison: cast(poison, Float.self), count: count, row: k)
  } else if S.self == Double.self {
    Double.maxScan(
      cast(row, Double.self), best: cast(best, Double.self), bestRow: cast(bestRow, Double.self),
      poison: cast(poison, Double.self), count: count, row: k)
  } else {
    for j in 0..<count {
      poison[j] += row[j] - row[j]
      if row[j] > best[j] {
        best[j] = row[j]
        bestRow[j] = S(k)
      }
    }
  }
}

/// Four rows of the WARP scan, `stride` scalars apart.
@inline(__always)
func kernelViolationScan4<S: LossScalar>(
  _ row: UnsafePointer<S>, stride: Int, margins: UnsafePointer<S>?, positives: UnsafePointer<S>,
  found: UnsafeMutablePointer<S>, hinge: UnsafeMutablePointer<S>, poison: UnsafeMutablePointer<S>, count: Int,
  row k: Int
) {
  if S.self == Float.self {
    Float.violationScan4(
      cast(row, Float.self), stride: stride, margins: cast(margins, Float.self), positives: cast(positives, Float.self),
      found: cast(found, Float.self), hinge: cast(hinge, Float.self), poison: cast(poison, Float.self), count: count,
      row: k)
  } else if S.self == Double.self {
    Double.violationScan4(
      cast(row, Double.self), stride: stride, margins: cast(margins, Double.self),
      positives: cast(positives, Double.self), found: cast(found, Double.self), hinge: cast(hinge, Double.self),
      poison: cast(poison, Double.self), count: count, row: k)
  } else {
    for r in 0..<4 {
      kernelViolationScan(
        row + r * stride, margins: margins.map { $0 + r * stride }, positives: positives, found: found, hinge: hinge,
        poison: poison, count: count, row: k + r)
    }
  }
}
/// One row of the WARP scan.
@inline(__always)
func kernelViolationScan<S: LossScalar>(
  _ row: UnsafePointer<S>, margins: UnsafePointer<S>?, positives: UnsafePointer<S>, found: UnsafeMutablePointer<S>,
  hinge: UnsafeMutablePointer<S>, poison: UnsafeMutablePointer<S>, count: Int, row k: Int
) {
  if S.self == Float.self {
    Float.violationScan(
      cast(row, Float.self), margins: cast(margins, Float.self), positives: cast(positives, Float.self),
      found: cast(found, Float.self), hinge: cast(hinge, Float.self), poison: cast(poison, Float.self), count: count,
      row: k)
  } else if S.self == Double.self {
    Double.violationScan(
      cast(row, Double.self), margins: cast(margins, Double.self), positives: cast(positives, Double.self),
      found: cast(found, Double.self), hinge: cast(hinge, Double.self), poison: cast(poison, Double.self),
      count: count, row: k)
  } else {
    for j in 0..<count {
      let m = margins?[j] ?? 1
      let h = (m - positives[j]) + row[j]
      poison[j] += (row[j] - row[j]) + (m - m)
      if h > 0, found[j] < 0 {
        found[j] = S(k)
        hinge[j] = h
      }
    }
  }
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
  } else if S.self == Float.self {
    Float.pairGradients(
      seedReduction: seed, values: cast(values, Float.self), derivatives: cast(derivatives, Float.self), count: count,
      batch: batch, positive: cast(positive, Float.self), negative: cast(negative, Float.self))
  } else if S.self == Double.self {
    Double.pairGradients(
      seedReduction: seed, values: cast(values, Double.self), derivatives: cast(derivatives, Double.self),
      count: count, batch: batch, positive: cast(positive, Double.self), negative: cast(negative, Double.self))
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
  let (sum, squares): (Double, Double)
  if S.self == Float.self {
    (sum, squares) = Float.sums(cast(values, Float.self), count: count)
  } else if S.self == Double.self {
    (sum, squares) = Double.sums(cast(values, Double.self), count: count)
  } else {
    var s = 0.0
    var q = 0.0
    for j in 0..<count {
      s += Double(values[j])
      q += Double(values[j]) * Double(values[j])
    }
    (sum, squares) = (s, q)
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

/// BPR terms through the concrete loops (`Float`, `Double`) or ``BPRLoss/term(difference:idealDifference:)``.
@inline(__always)
func kernelBPRTerms<S: LossScalar>(
  _ d: UnsafePointer<S>, ideal m: UnsafePointer<S>?, count: Int, values: UnsafeMutablePointer<S>,
  derivatives: UnsafeMutablePointer<S>
) {
  if S.self == Float.self {
    Float.bprTerms(
      cast(d, Float.self), ideal: cast(m, Float.self), count: count, values: cast(values, Float.self),
      derivatives: cast(derivatives, Float.self))
  } else if S.self == Double.self {
    Double.bprTerms(
      cast(d, Double.self), ideal: cast(m, Double.self), count: count, values: cast(values, Double.self),
      derivatives: cast(derivatives, Double.self))
  } else {
    for j in 0..<count {
      let t = BPRLoss().term(difference: d[j], idealDifference: m?[j] ?? 1)
      values[j] = t.value
      derivatives[j] = t.derivative
    }
  }
}

/// `log_sigmoid_bpr` terms: eight `Float` lanes at a time with the vectorized `exp` and `log1p`
/// (``logSigmoidTermsFloat(_:ideal:count:values:derivatives:)``), any other scalar through
/// ``LogSigmoidBPRLoss/term(difference:idealDifference:)``.
@inline(__always)
func kernelLogSigmoidTerms<S: LossScalar>(
  _ d: UnsafePointer<S>, ideal m: UnsafePointer<S>?, count: Int, values: UnsafeMutablePointer<S>,
  derivatives: UnsafeMutablePointer<S>
) {
  if S.self == Float.self {
    logSigmoidTermsFloat(
      cast(d, Float.self), ideal: cast(m, Float.self), count: count, values: cast(values, Float.self),
      derivatives: cast(derivatives, Float.self))
  } else {
    for j in 0..<count {
      let t = LogSigmoidBPRLoss().term(difference: d[j], idealDifference: m?[j] ?? 1)
      values[j] = t.value
      derivatives[j] = t.derivative
    }
  }
}

/// Hinge terms through the concrete loops (`Float`, `Double`) or a plain loop.
@inline(__always)
func kernelHingeTerms<S: LossScalar>(
  _ d: UnsafePointer<S>, ideal m: UnsafePointer<S>?, count: Int, values: UnsafeMutablePointer<S>,
  derivatives: UnsafeMutablePointer<S>
) {
  if S.self == Float.self {
    Float.hingeTerms(
      cast(d, Float.self), ideal: cast(m, Float.self), count: count, values: cast(values, Float.self),
      derivatives: cast(derivatives, Float.self))
  } else if S.self == Double.self {
    Double.hingeTerms(
      cast(d, Double.self), ideal: cast(m, Double.self), count: count, values: cast(values, Double.self),
      derivatives: cast(derivatives, Double.self))
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
  if S.self == Float.self {
    Float.rowIndices(cast(rows, Float.self), into: indices, count: count)
  } else if S.self == Double.self {
    Double.rowIndices(cast(rows, Double.self), into: indices, count: count)
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
  if S.self == Float.self {
    let r = Float.fusedPairwise(
      bpr: bpr, cast(p, Float.self), cast(n, Float.self), ideal: cast(m, Float.self), count: count, batch: batch,
      gp: gp.map { cast($0, Float.self) }, gn: gn.map { cast($0, Float.self) })
    return (r.sum, r.squares, !r.poison.isFinite)
  } else if S.self == Double.self {
    let r = Double.fusedPairwise(
      bpr: bpr, cast(p, Double.self), cast(n, Double.self), ideal: cast(m, Double.self), count: count, batch: batch,
      gp: gp.map { cast($0, Double.self) }, gn: gn.map { cast($0, Double.self) })
    return (r.sum, r.squares, !r.poison.isFinite)
  }
  return nil
}
