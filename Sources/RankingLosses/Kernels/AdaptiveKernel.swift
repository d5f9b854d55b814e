/// The fused adaptive kernel: for each tile of columns, one pass down the rows keeps each column's first
/// maximal negative (a strictly greater score takes over, so the first row wins ties); then the base's terms of
/// the picked pairs give the value and the two gradient entries of each column, and the tile's gradient rows
/// are written whole with streaming stores during the next tile's scan (no separate zeroing pass, no
/// scattered store, reads and writes in flight together).
@_specialize(where Base == BPRLoss, Scalar == Float)
@_specialize(where Base == BPRLoss, Scalar == Double)
@_specialize(where Base == HingeLoss, Scalar == Float)
@_specialize(where Base == HingeLoss, Scalar == Double)
@_specialize(where Base == LogSigmoidBPRLoss, Scalar == Float)
@_specialize(where Base == LogSigmoidBPRLoss, Scalar == Double)
func adaptiveKernel<Base: PairwiseLoss, Scalar: LossScalar>(
  _ base: Base, _ scores: ScoreBuffers<Scalar>, gradients: GradientBuffers<Scalar>?, workspace: LossWorkspace<Scalar>
) throws(LossError) -> LossValue<Scalar> {
  try scores.validateShape()
  try gradients?.validate(against: scores)
  let (rows, b) = (scores.rows, scores.columns)
  let reduction = base.reduction
  let shared = UnsafeSendable(
    (
      scores.positiveScores.baseAddress!, scores.negativeScores.baseAddress!, scores.idealDifferences?.baseAddress,
      gradients?.positiveScores.baseAddress, gradients?.negativeScores.baseAddress, scores.marginLookup
    ))
  let threads = workspace.threadCount(pairs: rows * b)
  let total = forEachChunk(columns: b, threads: threads) { range in
    let (p, n, m, gp, gn, lookup) = shared.value
    var sums = ChunkSums()
    withUnsafeTemporaryAllocation(of: Int32.self, capacity: kernelTile) { rowIndex in
      withUnsafeTemporaryAllocation(of: Scalar.self, capacity: 9 * kernelTile) { scratch in
        let rowIndex = rowIndex.baseAddress!
        let best = scratch.baseAddress!
        let poison = best + kernelTile
        let differences = poison + kernelTile
        let values = differences + kernelTile
        let derivatives = values + kernelTile
        // Two tiles' picked rows and margins-then-gradients: the previous tile's gradient rows are written
        // while this tile is scanned (reads and streaming writes in flight together), the last after the loop.
        let pickedRows = (derivatives + kernelTile, derivatives + 2 * kernelTile)
        let ideals = (derivatives + 3 * kernelTile, derivatives + 4 * kernelTile)
        var previous: (start: Int, width: Int, bestRow: UnsafeMutablePointer<Scalar>, g: UnsafeMutablePointer<Scalar>)?
        var tile = 0
        var start = range.lowerBound
        while start < range.upperBound {
          let width = min(kernelTile, range.upperBound - start)
          let (bestRow, ideal) = tile % 2 == 0 ? (pickedRows.0, ideals.0) : (pickedRows.1, ideals.1)
          let check = kernelMaxScanTile(
            n + start, stride: b, rows: rows, best: best, bestRow: bestRow, count: width,
            previous: previous.map { (gn! + $0.start, UnsafePointer($0.bestRow), UnsafePointer($0.g), $0.width) })
          previous = nil
          if !check.isFinite { sums.nonFinite = true }
          poison.update(repeating: 0, count: width)
          // The picked pairs: differences, margins, terms, sums, gradients.
          kernelRowIndices(bestRow, into: rowIndex, count: width)
          kernelDifferences(p + start, best, into: differences, poison: values, count: width)
          kernelAddPoison(values, to: poison, count: width)
          if let m {
            for j in 0..<width {
              let margin = m[Int(rowIndex[j]) * b + start + j]
              ideal[j] = margin
              poison[j] += margin - margin
            }
          } else if let lookup {
            // Partial credit's margins, only for the picked pairs (finite: credits come from weights).
            for j in 0..<width { ideal[j] = lookup.margin(column: start + j, pair: Int(rowIndex[j]) * b + start + j) }
          }
          if kernelPoisoned(poison, count: width) { sums.nonFinite = true }
          base.terms(
            differences: differences, idealDifferences: m == nil && lookup == nil ? nil : UnsafePointer(ideal),
            count: width,
            values: values, derivatives: derivatives)
          kernelAccumulate(values, count: width, into: &sums)
          if let gp, gn != nil {
            // The positives' gradients in place; the negatives' into `ideal` (no longer needed), for the tile's
            // gradient rows, written whole (each picked entry in its row, zeros around it) during the next scan.
            kernelPairGradients(
              reduction: reduction, values: values, derivatives: derivatives, count: width, batch: b,
              positive: gp + start, negative: ideal)
            previous = (start, width, bestRow, ideal)
          }
          tile += 1
          start += width
        }
        if let previous, let gn {
          kernelPickedRows(
            gn + previous.start, stride: b, rows: rows, bestRow: previous.bestRow, g: previous.g, count: previous.width)
        }
      }
    }
    return sums
  }
  if total.nonFinite, let error = scores.nonFiniteError() { throw error }
  return LossValue(value: Scalar(reduction.reduce(sum: total.sum, sumOfSquares: total.sumOfSquares, count: b)))
}
