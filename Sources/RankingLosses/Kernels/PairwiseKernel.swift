/// The fused pairwise kernel: tile by tile, one pass computes the differences (and a finiteness check), the
/// terms through ``PairwiseLoss/terms(differences:idealDifferences:count:values:derivatives:)``, their sums,
/// and both gradients. Column chunks run on several threads for large batches.
@_specialize(where Loss == BPRLoss, Scalar == Float)
@_specialize(where Loss == BPRLoss, Scalar == Double)
@_specialize(where Loss == HingeLoss, Scalar == Float)
@_specialize(where Loss == HingeLoss, Scalar == Double)
@_specialize(where Loss == LogSigmoidBPRLoss, Scalar == Float)
@_specialize(where Loss == LogSigmoidBPRLoss, Scalar == Double)
func pairwiseKernel<Loss: PairwiseLoss, Scalar: LossScalar>(
  _ loss: Loss, _ scores: ScoreBuffers<Scalar>, gradients: GradientBuffers<Scalar>?, workspace: LossWorkspace<Scalar>
) throws(LossError) -> LossValue<Scalar> {
  try scores.validateShape()
  guard scores.rows == 1 else { throw .pairwiseNeedsOneNegative(loss: loss.name, rows: scores.rows) }
  try gradients?.validate(against: scores)
  let b = scores.columns
  let reduction = loss.reduction
  let shared = UnsafeSendable(
    (
      scores.positiveScores.baseAddress!, scores.negativeScores.baseAddress!, scores.idealDifferences?.baseAddress,
      gradients?.positiveScores.baseAddress, gradients?.negativeScores.baseAddress
    ))
  // The seed's hinge and BPR in one loop per chunk (Float, Double); that loop assumes the seed's reduction.
  let seedLoss =
    (Loss.self == HingeLoss.self || Loss.self == BPRLoss.self) && reduction == .sumPlusSumOfSquares
  let total = forEachChunk(columns: b, threads: workspace.threadCount(pairs: b)) { range in
    let (p, n, m, gp, gn) = shared.value
    var sums = ChunkSums()
    if seedLoss,
      let fused = kernelFusedPairwise(
        bpr: Loss.self == BPRLoss.self, p + range.lowerBound, n + range.lowerBound,
        ideal: m.map { UnsafePointer($0 + range.lowerBound) }, count: range.count, batch: b,
        gp: gp.map { $0 + range.lowerBound }, gn: gn.map { $0 + range.lowerBound })
    {
      sums.sum = fused.sum
      sums.sumOfSquares = fused.squares
      sums.nonFinite = fused.nonFinite
      return sums
    }
    withUnsafeTemporaryAllocation(of: Scalar.self, capacity: 4 * kernelTile) { scratch in
      let differences = scratch.baseAddress!
      let values = differences + kernelTile
      let derivatives = values + kernelTile
      let poison = derivatives + kernelTile
      var start = range.lowerBound
      while start < range.upperBound {
        let width = min(kernelTile, range.upperBound - start)
        kernelDifferences(p + start, n + start, into: differences, poison: poison, count: width)
        if let m { kernelAddPoison(m + start, to: poison, count: width) }
        if kernelPoisoned(poison, count: width) { sums.nonFinite = true }
        loss.terms(
          differences: differences, idealDifferences: m.map { $0 + start }, count: width, values: values,
          derivatives: derivatives)
        kernelAccumulate(values, count: width, into: &sums)
        if let gp, let gn {
          kernelPairGradients(
            reduction: reduction, values: values, derivatives: derivatives, count: width, batch: b,
            positive: gp + start, negative: gn + start)
        }
        start += width
      }
    }
    return sums
  }
  if total.nonFinite, let error = scores.nonFiniteError() { throw error }
  return LossValue(value: Scalar(reduction.reduce(sum: total.sum, sumOfSquares: total.sumOfSquares, count: b)))
}
