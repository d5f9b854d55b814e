import LossLabTestSupport
import Foundation
import RankingLosses
import Testing

@testable import Recommender

@Suite("Loading interaction data")
struct DataLoadingTests {
  let columns = InteractionColumns(user: "userId", item: "movieId", rating: "rating", timestamp: "timestamp")

  @Test("ids map to dense indices in order of first appearance; min_rating filters; repeats are kept once")
  func loading() throws {
    let folder = try temporaryFolder()
    let ratings = try write(
      """
      userId,movieId,rating,timestamp
      7,100,4.0,10
      7,200,2.5,11
      9,100,5.0,12
      9,300,4.5,13
      7,100,3.0,14

      """, "ratings.csv", in: folder)
    let movies = try write(
      """
      movieId,title,genres
      100,"Toy Story, The (1995)",Animation|Comedy
      200,Heat (1995),Action|Crime
      300,Comedy Two,Comedy|Animation

      """, "movies.csv", in: folder)
    let items = ItemSource(
      path: movies, idColumn: "movieId",
      fields: [
        MetadataFieldSource(name: "genre", column: "genres", separator: "|", mode: .first),
        MetadataFieldSource(name: "genres", column: "genres", separator: "|", mode: .set),
      ])
    let all = try DataLoader.load(InteractionSource(path: ratings, columns: columns), items: items)
    #expect(all.userIDs == ["7", "9"])
    #expect(all.itemIDs == ["100", "200", "300"])
    #expect(all.interactions.map { [$0.user, $0.item] } == [[0, 0], [0, 1], [1, 0], [1, 2]])
    #expect(all.interactions.map(\.line) == [2, 3, 4, 5])
    #expect(all.notes == ["1 repeated (user, item) pair kept once"])
    // "first": Animation, Action, Comedy; "set": {Animation, Comedy} twice, {Action, Crime}.
    #expect(all.metadata?.field(named: "genre")?.codes == [0, 1, 2])
    #expect(all.metadata?.field(named: "genres")?.codes == [0, 1, 0])

    let positives = try DataLoader.load(InteractionSource(path: ratings, columns: columns, minRating: 4.0))
    #expect(positives.interactions.count == 3)
    #expect(positives.itemIDs == ["100", "300"])
    #expect(positives.notes == ["2 rows below min_rating 4.0 dropped"])
  }

  func errors(_ csv: String, minRating: Double? = nil, columns: InteractionColumns? = nil) throws -> String {
    let folder = try temporaryFolder()
    let path = try write(csv, "r.csv", in: folder)
    return thrownMessage {
      _ = try DataLoader.load(InteractionSource(path: path, columns: columns ?? self.columns, minRating: minRating))
    }.replacingOccurrences(of: path, with: "r.csv")
  }

  @Test("malformed rows are reported with file and line")
  func malformedRows() throws {
    #expect(
      try errors("userId,movieId,rating,timestamp\n1,2,4.0,5\n1,3,four,6\n2,3,4.0\n,4,3.0,7\n1,5,4.0,x\n") == """
        r.csv:3: error: rating 'four' is not a number
        r.csv:4: error: the row has 3 fields but the header has 4
        r.csv:5: error: empty userId
        r.csv:6: error: timestamp 'x' is not a whole number
        """)
  }

  @Test("missing files and columns, empty data after filtering")
  func fileProblems() throws {
    do {
      _ = try DataLoader.load(InteractionSource(path: "/nonexistent/r.csv", columns: columns))
      Issue.record("a missing file must fail")
    } catch {
      #expect(error.description == "/nonexistent/r.csv: error: no such file")
    }
    #expect(
      try errors("user,movieId,rating,timestamp\n1,2,4.0,5\n")
        == "r.csv:1: error: no column 'userId' for the user ids (did you mean 'user'?); the columns are: user, movieId, "
        + "rating, timestamp")
    #expect(
      try errors("u,movieId,rating,timestamp\n1,2,4.0,5\n")
        == "r.csv:1: error: no column 'userId' for the user ids; the columns are: u, movieId, rating, timestamp")
    #expect(
      try errors("userid,movieId,rating,timestamp\n1,2,4.0,5\n")
        == "r.csv:1: error: no column 'userId' for the user ids (did you mean 'userid'?); the columns are: userid, "
        + "movieId, rating, timestamp")
    #expect(
      try errors("userId,movieId,rating,timestamp\n1,2,2.0,5\n", minRating: 4)
        == "r.csv: error: no interactions left after filtering: every row has a rating below min_rating 4.0")
    #expect(try errors("") == "r.csv:1: error: the file is empty; expected a header line")
    #expect(
      try errors("userId,movieId\n1,2\n", minRating: 4, columns: InteractionColumns(user: "userId", item: "movieId"))
        == "r.csv: error: min_rating needs a rating column")
  }

  @Test("malformed metadata rows: the first 20 with their lines, the rest counted")
  func malformedMetadata() throws {
    let folder = try temporaryFolder()
    let ratings = try write("userId,movieId,rating,timestamp\n1,100,4.0,1\n", "ratings.csv", in: folder)
    let movies = try write(
      "movieId,genres\n" + (0..<25).map { "\($0),a,b\n" }.joined() + "100,Comedy\n", "movies.csv", in: folder)
    let message = thrownMessage {
      _ = try DataLoader.load(
        InteractionSource(path: ratings, columns: columns),
        items: ItemSource(path: movies, idColumn: "movieId", fields: [MetadataFieldSource(name: "g", column: "genres")])
      )
    }.replacingOccurrences(of: movies, with: "m.csv")
    let lines = message.split(separator: "\n")
    #expect(lines.count == 21)
    #expect(lines.first == "m.csv:2: error: the row has 3 fields but the header has 2")
    #expect(lines.last == "… and 5 more problems")
  }

  @Test("the bundled MovieLens data loads")
  func movieLens() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("data/movielens-small")
    let data = try DataLoader.load(
      InteractionSource(path: root.appendingPathComponent("ratings.csv").path, columns: columns),
      items: ItemSource(
        path: root.appendingPathComponent("movies.csv").path, idColumn: "movieId",
        fields: [MetadataFieldSource(name: "genre", column: "genres", separator: "|")]))
    #expect(data.userCount == 610)
    #expect(data.itemCount == 9724)
    #expect(data.interactions.count == 100_836)
    #expect(data.metadata?.itemCount == 9724)
    #expect(data.notes.isEmpty)
  }
}

@Suite("Splitting per user")
struct SplitTests {
  @Test("random: reproducible, the fraction per user, at least one training interaction each")
  func random() throws {
    let data = plantedData()
    let a = try DataSplit(data, method: .random, testFraction: 0.3, seed: 5)
    let b = try DataSplit(data, method: .random, testFraction: 0.3, seed: 5)
    let c = try DataSplit(data, method: .random, testFraction: 0.3, seed: 6)
    #expect(a.test == b.test)
    #expect(a.test != c.test)
    // 9 interactions per user: round(2.7) = 3 held out.
    #expect(a.testItemsByUser.allSatisfy { $0.count == 3 })
    #expect(a.trainItemsByUser.allSatisfy { $0.count == 6 })
    #expect(a.train.count + a.test.count == data.interactions.count)
    #expect(a.evaluatedUserCount == data.userCount)
  }

  @Test("last: each user's latest interactions by timestamp")
  func last() throws {
    let data = plantedData()
    let split = try DataSplit(data, method: .last, testFraction: 0.3, seed: 0)
    for user in 0..<data.userCount {
      // Timestamps equal item ids here: the test items are the user's three largest.
      let all = (split.trainItemsByUser[user] + split.testItemsByUser[user]).sorted()
      #expect(split.testItemsByUser[user] == Array(all.suffix(3)))
    }
  }

  @Test("no test interactions, or no timestamps for 'last', is an error")
  func errors() {
    let single = InteractionData(
      userIDs: ["a"], itemIDs: ["x"], interactions: [Interaction(user: 0, item: 0)],
      columns: InteractionColumns(user: "u", item: "i"))
    #expect(throws: DataError.self) { try DataSplit(single, method: .random, testFraction: 0.2, seed: 1) }
    #expect(throws: DataError.self) { try DataSplit(single, method: .last, testFraction: 0.2, seed: 1) }
  }
}
