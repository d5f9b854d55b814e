import RankingLosses
import Testing

/// Every kind of bad input gets a typed, readable error — never a trap.
@Suite("Bad input")
struct BadInputTests {
  let metadata = try! ItemMetadata(["genre": [0, 0, 1]])

  /// The message of the `LossError` that `body` throws, "no error", or a note that another error type came.
  func message(_ body: () throws -> Void) -> String {
    do {
      try body()
      return "no error"
    } catch let error as LossError {
      return error.description
    } catch {
      return "not a LossError: \(error)"
    }
  }

  @Test("empty batch, zero negatives and non-finite scores")
  func scores() throws {
    let everyLoss = try everyRegisteredLoss(LossRegistry.standard)
    for loss in everyLoss {
      #expect(
        message { _ = try loss.value(of: LossBatch<Double>(positiveScores: [], negativeScores: [Double]())) }
          == "the batch is empty: positive_scores has no elements (B must be at least 1)", "\(loss.name)")
      #expect(
        message {
          _ = try loss.value(
            of: LossBatch<Double>(
              positiveScores: [1], negativeScores: try ScoreMatrix(rows: 0, columns: 1, storage: [])))
        } == "there are no negative scores: negative_scores needs at least one row", "\(loss.name)")
      #expect(
        message { _ = try loss.value(of: LossBatch<Double>(positiveScores: [1, .nan], negativeScores: [0, 0])) }
          == "positive_scores[1] is NaN; scores must be finite", "\(loss.name)")
      #expect(
        message { _ = try loss.value(of: LossBatch<Float>(positiveScores: [1, 2], negativeScores: [0, -.infinity])) }
          == "negative_scores[1] is -inf; scores must be finite", "\(loss.name)")
    }
    let adaptive = try LossRegistry.standard.makeLoss("adaptive_bpr")
    #expect(
      message {
        _ = try adaptive.value(of: LossBatch<Double>(positiveScores: [1, 2], negativeScores: [[0, 1], [.nan, 0]]))
      }
        == "negative_scores[1][0] is NaN; scores must be finite")
  }

  @Test("shapes that don't fit")
  func shapes() throws {
    #expect(
      message { _ = try LossBatch<Double>(positiveScores: [1, 2], negativeScores: [[0, 1], [1]]) }
        == "negative_scores is ragged: row 0 has 2 columns but row 1 has 1")
    #expect(
      message { _ = try BPRLoss().value(of: LossBatch<Double>(positiveScores: [1, 2], negativeScores: [0])) }
        == "negative_scores has 1 column but there are 2 positive scores; each column holds the negatives of one positive"
    )
    #expect(
      message {
        _ = try HingeLoss().value(of: LossBatch<Double>(positiveScores: [1], negativeScores: [[0], [1]]))
      } == "hinge is a pairwise loss and takes one negative per positive, but negative_scores has 2 rows; "
        + "use adaptive_hinge for many negatives")
    #expect(
      message { _ = try ScoreMatrix(rows: 2, columns: 2, storage: [1.0, 2, 3]) }
        == "a 2 x 2 matrix needs 4 elements, got 3")
    let credited = try BPRLoss().withPartialCredit(metadata: metadata, weights: ["genre": 0.25])
    #expect(
      message {
        _ = try credited.value(
          of: LossBatch<Double>(
            positiveScores: [1, 2], negativeScores: [0, 0], positiveItems: [0], negativeItems: [1, 2]))
      } == "positive_items has 1 id but there are 2 positive scores")
    #expect(
      message {
        _ = try AdaptiveLoss(BPRLoss()).withPartialCredit(metadata: metadata, weights: ["genre": 0.25]).value(
          of: LossBatch<Double>(
            positiveScores: [1], negativeScores: [[0], [1]], positiveItems: [0], negativeItems: [[1]]))
      } == "negative_items is 1 x 1 but negative_scores is 2 x 1")
  }

  @Test("item ids out of range or missing")
  func items() throws {
    let credited = try WARPLoss(numItems: 3).withPartialCredit(metadata: metadata, weights: ["genre": 0.25])
    #expect(
      message {
        _ = try credited.value(
          of: LossBatch<Double>(
            positiveScores: [1], negativeScores: [[0], [2]], positiveItems: [-1], negativeItems: [[1], [2]]))
      } == "positive_items[0] is -1, outside the metadata's item ids 0..<3")
    #expect(
      message {
        _ = try credited.value(
          of: LossBatch<Double>(
            positiveScores: [1], negativeScores: [[0], [2]], positiveItems: [0], negativeItems: [[1], [3]]))
      } == "negative_items[1][0] is 3, outside the metadata's item ids 0..<3")
    #expect(
      message { _ = try credited.value(of: LossBatch<Double>(positiveScores: [1], negativeScores: [[0], [2]])) }
        == "partial credit needs item ids, but positive_items was not given")
    #expect(
      message {
        _ = try credited.value(
          of: LossBatch<Double>(positiveScores: [1], negativeScores: [[0], [2]], positiveItems: [0]))
      } == "partial credit needs item ids, but negative_items was not given")
  }

  @Test("partial credit setups the seed would silently ignore or get wrong")
  func partialCreditSetup() throws {
    #expect(
      message { _ = try BPRLoss().withPartialCredit(metadata: nil, weights: ["genre": 0.25]) }
        == "partial credit needs item metadata (at least one field covering at least one item)")
    #expect(
      message { _ = try BPRLoss().withPartialCredit(metadata: metadata, weights: ["director": 0.25]) }
        == "metadata weight for 'director', but the metadata has no such field (fields: genre)")
    #expect(
      message { _ = try BPRLoss().withPartialCredit(metadata: metadata, weights: ["genre": -0.25]) }
        == "metadata weight for 'genre' is -0.25; weights must be finite and >= 0")
    #expect(
      message { _ = try BPRLoss().withPartialCredit(metadata: metadata, weights: ["genre": .nan]) }
        == "metadata weight for 'genre' is nan; weights must be finite and >= 0")
    #expect(
      message {
        _ = try BPRLoss().withPartialCredit(
          metadata: try ItemMetadata(["genre": [0, 0, 1], "director": [1, 2, 3]]),
          weights: ["genre": 0.6, "director": 0.5])
      } == "sum of metadata weights was 1.1, must be <=1")
    #expect(
      message { _ = try BPRLoss().withPartialCredit(metadata: metadata, weights: [:]) }
        == "partial credit needs at least one metadata weight")
    #expect(
      message { _ = try BPRLoss().withPartialCredit(metadata: metadata, weights: ["genre": 0.25, "genre": 0.5]) }
        == "metadata field 'genre' is weighted twice")
    #expect(
      message { _ = try ItemMetadata(fields: []) }
        == "partial credit needs item metadata (at least one field covering at least one item)")
    #expect(
      message { _ = try ItemMetadata(["genre": [0, 0, 1], "director": [1, 2]]) }
        == "metadata field 'director' has 2 items but 'genre' has 3; every field needs one code per item")
    // The sum is added in the order given, as the seed's sum(dict.values()) does (Python: 0.34 + 0.56 + 0.1
    // == 1.0000000000000002, but 0.1 + 0.34 + 0.56 == 1.0).
    let three = try ItemMetadata(["a": [0], "b": [0], "c": [0]])
    #expect(
      message { _ = try BPRLoss().withPartialCredit(metadata: three, weights: ["b": 0.34, "c": 0.56, "a": 0.1]) }
        == "sum of metadata weights was 1.0000000000000002, must be <=1")
    #expect(
      message { _ = try BPRLoss().withPartialCredit(metadata: three, weights: ["a": 0.1, "b": 0.34, "c": 0.56]) }
        == "no error")
    // Exactly 1 is allowed.
    #expect(
      message { _ = try BPRLoss().withPartialCredit(metadata: three, weights: ["a": 0.5, "b": 0.5]) } == "no error")
  }

  @Test("WARP without a usable num_items")
  func warpNumItems() {
    #expect(message { _ = try WARPLoss(numItems: 0) } == "parameter 'num_items' of warp must be >= 1, got 0")
    #expect(message { _ = try WARPLoss(numItems: -5) } == "parameter 'num_items' of warp must be >= 1, got -5")
  }
}
