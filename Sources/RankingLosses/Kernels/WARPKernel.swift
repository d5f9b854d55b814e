import RealModule

/// The fused WARP kernel: for each tile of columns, one pass down the rows records each column's first
/// strict violation `h = (m − p) + n > 0` and writes each gradient row as it passes (the scan goes on through
/// every row, so that every score is checked and every gradient entry written in the same pass); then each violated column adds
/// `L = log(num_items / tries) · h` and its two gradient entries. The weights `log(num_items / t)` are
/// computed once per call, for t = 1 … N.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
func warpKernel<Scalar: LossScalar>(
  numItems: Int, _ scores: ScoreBuffers<Scalar>, gradients: GradientBuffers<Scalar>?, workspace: LossWorkspace<Scalar>
) throws(LossError) -> LossValue<Scalar> {
  try scores.validateShape()
  try gradients?.validate(against: scores)
  let (rows, b) = (scores.rows, scores.columns)
  let catalog = Scalar(numItems)
  let total = withUnsafeTemporaryAllocation(of: Scalar.self, capacity: rows + 1) { weights in
    for t in 1...rows { weights[t] = Scalar.log(catalog / Scalar(t)) }
    let shared = UnsafeSendable(
      (
        scores.positiveScores.baseAddress!, scores.negativeScores.baseAddress!, scores.idealDifferences?.baseAddress,
        gradients?.positiveScores.baseAddress, gradients?.negativeScores.baseAddress, weights.baseAddress!
      ))
    let threads = workspace.threadCount(pairs: rows * b)
    return forEachChunk(columns: b, threads: threads) { range in
      let (p, n, m, gp, gn, weights) = shared.value
      var sums = ChunkSums()
      withUnsafeTemporaryAllocation(of: Int32.self, capacity: kernelTile) { rowIndex in
        withUnsafeTemporaryAllocation(of: Scalar.self, capacity: 3 * kernelTile) { scratch in
          let rowIndex = rowIndex.baseAddress!
          let found = scratch.baseAddress!  // the first violating row, or −1
          let hinge = found + kernelTile
          let values = hinge + kernelTile
          var start = range.lowerBound
          while start < range.upperBound {
            let width = min(kernelTile, range.upperBound - start)
            // One pass: the first violations, every score checked, and the tile's gradient rows written.
            let check = kernelWARPTile(
              n + start, margins: m.map { UnsafePointer($0 + start) }, stride: b, rows: rows, positives: p + start,
              found: found, hinge: hinge, count: width, weights: weights, batch: b,
              gn: gp == nil ? nil : gn.map { $0 + start })
            if !check.isFinite { sums.nonFinite = true }
            kernelRowIndices(found, into: rowIndex, count: width)
            for j in 0..<width {
              let k = Int(rowIndex[j])
              guard k >= 0 else {
                values[j] = 0
                gp?[start + j] = 0
                continue
              }
              let tries = k + 1
              if tries > numItems {
                sums.negativeWeightColumns += 1
                sums.largestTries = max(sums.largestTries, tries)
              }
              let w = weights[tries]
              let l = w * hinge[j]
              values[j] = l
              // The same value as the scan wrote to row k of the negatives' gradients.
              gp?[start + j] = -((w * (1 + 2 * l)) / Scalar(b))
            }
            kernelAccumulate(values, count: width, into: &sums)
            start += width
          }
        }
      }
      return sums
    }
  }
  if total.nonFinite, let error = scores.nonFiniteError() { throw error }
  var warnings: [LossWarning] = []
  if total.negativeWeightColumns > 0 {
    warnings.append(
      WARPLoss.negativeWeightWarning(
        numItems: numItems, largestTries: total.largestTries, columns: total.negativeWeightColumns, of: b))
  }
  let value = LossReduction.sumPlusSumOfSquares.reduce(sum: total.sum, sumOfSquares: total.sumOfSquares, count: b)
  return LossValue(value: Scalar(value), warnings: warnings)
}
