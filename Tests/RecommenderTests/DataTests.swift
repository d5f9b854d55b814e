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
    #expect(all.ratings == [4, 2.5, 5, 4.5])
    #expect(all.timestamps == [10, 11, 12, 13])
    #expect(all.notes == ["1 repeated (user, item) pair kept once"])
    // "first": Animation, Action, Comedy; "set": {Animation, Comedy} twice, {Action, Crime}.
    #expect(all.metadata?.field(named: "genre")?.codes == [0, 1, 2])
    #expect(all.metadata?.field(named: "genres")?.codes == [0, 1, 0])

    let positives = try DataLoader.load(InteractionSource(path: ratings, columns: columns, minRating: 4.0))
    #expect(positives.count == 3)
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

  @Test("a column that is read must appear once in the header; others may repeat")
  func duplicateColumns() throws {
    #expect(
      try errors("userId,movieId,rating,timestamp,rating\n1,2,3,4,5\n")
        == "r.csv:1: error: column 'rating' appears twice in the header (columns 3 and 5)")
    #expect(
      try errors("\nuserId,userId,movieId,rating,timestamp, userId\n")
        == "r.csv:2: error: column 'userId' appears 3 times in the header (columns 1, 2 and 6)")
    let folder = try temporaryFolder()
    let path = try write("userId,movieId,rating,timestamp,x,x\n1,2,3,4,5,6\n", "r.csv", in: folder)
    #expect(try DataLoader.load(InteractionSource(path: path, columns: columns)).count == 1)
  }

  @Test("ratings are plain decimal numbers; timestamps decimal whole numbers of 64 bits")
  func numbers() throws {
    let rows = ["+4", ".5", "5.", "1e0", "-2E-1", "03.50", "0x10", "nan", "inf", "-Infinity", "0x1p3", "1e400", "1_0"]
    let csv = "userId,movieId,rating,timestamp\n" + rows.enumerated().map { "1,\($0),\($1),5\n" }.joined()
    #expect(
      try errors(csv) == """
        r.csv:8: error: rating '0x10' is not a decimal number (such as 4, 3.5, -1 or 2e-3)
        r.csv:9: error: rating 'nan' is not a decimal number (such as 4, 3.5, -1 or 2e-3)
        r.csv:10: error: rating 'inf' is not a decimal number (such as 4, 3.5, -1 or 2e-3)
        r.csv:11: error: rating '-Infinity' is not a decimal number (such as 4, 3.5, -1 or 2e-3)
        r.csv:12: error: rating '0x1p3' is not a decimal number (such as 4, 3.5, -1 or 2e-3)
        r.csv:13: error: rating '1e400' is out of range (beyond ±1.8e308)
        r.csv:14: error: rating '1_0' is not a number
        """)
    let folder = try temporaryFolder()
    let good = try write(
      "userId,movieId,rating,timestamp\n" + rows.prefix(6).enumerated().map { "1,\($0),\($1),+\($0)\n" }.joined(),
      "r.csv", in: folder)
    let data = try DataLoader.load(InteractionSource(path: good, columns: columns))
    #expect(data.ratings == [4, 0.5, 5, 1, -0.2, 3.5])
    #expect(data.timestamps == [0, 1, 2, 3, 4, 5])
    #expect(
      try errors("userId,movieId,rating,timestamp\n1,2,3,0x10\n1,3,3,99999999999999999999\n1,4,3,-1.0\n") == """
        r.csv:2: error: timestamp '0x10' is not a whole number
        r.csv:3: error: timestamp '99999999999999999999' is out of range (timestamps are 64-bit whole numbers)
        r.csv:4: error: timestamp '-1.0' is not a whole number
        """)
  }

  @Test("lines are where records start, after quoted fields with line breaks too; CSV errors join the others")
  func lines() throws {
    let csv = "userId,movieId,rating,timestamp\n\"a\nb\",1,4,1\r\n\r\n2,\"x\r\ny\nz\",3,2\n3,1,4\n4,\"q\"x,3,1\n5,1,3,1"
    #expect(
      try errors(csv) == """
        r.csv:8: error: the row has 3 fields but the header has 4
        r.csv:9:6: error: text after the closing quote of a quoted field (a quote inside a quoted field is written "")
        """)
    let valid = try write(
      csv.replacingOccurrences(of: "3,1,4\n4,\"q\"x,3,1\n", with: ""), "valid.csv", in: try temporaryFolder())
    let data = try DataLoader.load(InteractionSource(path: valid, columns: columns))
    #expect(data.userIDs == ["a\nb", "2", "5"])
    #expect(data.itemIDs == ["1", "x\r\ny\nz"])
    #expect(data.users == [0, 1, 2] && data.items == [0, 1, 0] && data.timestamps == [1, 2, 1])
  }

  @Test("a header after empty lines, a blank header, a header that is not valid CSV")
  func headers() throws {
    #expect(
      try errors("\n\r\nuser,movieId\n")
        == "r.csv:3: error: no column 'userId' for the user ids (did you mean 'user'?); the columns are: user, movieId")
    #expect(try errors("\n\n") == "r.csv:1: error: the file is empty; expected a header line")
    #expect(try errors("\n  \n1,2\n") == "r.csv:2: error: the header line is blank; expected column names")
    #expect(
      try errors("user\"Id,movieId\n1,2\n")
        == "r.csv:1:5: error: a quote inside an unquoted field (quote the whole field, and write each quote in it as "
        + "\"\")")
  }

  @Test("random byte mutations of a valid file give data or DataErrors, never a crash")
  func mutations() throws {
    let valid = Array(
      "userId,movieId,rating,timestamp\r\n1,\"10\",4.0,5\n1,\"x, \"\"y\"\"\",2.5,6\n2,10,5,7\n\n2,é,1e0,8\n".utf8)
    let alphabet = Array("\",\r\n.e0x-".utf8) + [0xFF, 0xC3, 0x00]
    let path = try temporaryFolder().appendingPathComponent("m.csv").path
    let source = InteractionSource(path: path, columns: columns, minRating: 2)
    var random = SplitMix64(seed: 10)
    var (loaded, failed) = (0, 0)
    for _ in 0..<250 {
      var bytes = valid
      mutate(&bytes, alphabet: alphabet, using: &random)
      #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
      do {
        let data = try DataLoader.load(source)
        #expect(data.count > 0)
        loaded += 1
      } catch {
        #expect(!error.errors.isEmpty && error.errors.allSatisfy { $0.file == path })
        failed += 1
      }
    }
    #expect(loaded > 20 && failed > 20)
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
    #expect(data.count == 100_836)
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
    #expect(a.train.count + a.test.count == data.count)
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
