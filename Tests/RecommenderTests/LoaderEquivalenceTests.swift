import Foundation
import LossLabTestSupport
import RankingLosses
import Testing

@testable import Recommender

/// Loads `source` (and `items`) with the streaming loader and with ``ReferenceLoader``, and records an issue
/// for every difference: ids, each row's user, item, rating (the reference's `Double` rounded to `Float`)
/// and timestamp, the notes, the metadata codes; or, when loading fails, the errors' texts and lines.
/// Returns whether both loaded.
@discardableResult
func expectSameAsReference(
  _ source: InteractionSource, items: ItemSource? = nil, sourceLocation: SourceLocation = #_sourceLocation
) -> Bool {
  let reference: Result<ReferenceData, DataErrors>
  do {
    reference = .success(try ReferenceLoader.load(source, items: items))
  } catch {
    reference = .failure(error)
  }
  let loaded: Result<InteractionData, DataErrors>
  do {
    loaded = .success(try DataLoader.load(source, items: items))
  } catch {
    loaded = .failure(error)
  }
  switch (reference, loaded) {
  case (.success(let expected), .success(let data)):
    #expect(data.userIDs == expected.userIDs, sourceLocation: sourceLocation)
    #expect(data.itemIDs == expected.itemIDs, sourceLocation: sourceLocation)
    #expect(data.users == expected.interactions.map(\.user), sourceLocation: sourceLocation)
    #expect(data.items == expected.interactions.map(\.item), sourceLocation: sourceLocation)
    let ratings = source.columns.rating == nil ? nil : expected.interactions.map { Float($0.rating!) }
    #expect(data.ratings == ratings, sourceLocation: sourceLocation)
    let timestamps = source.columns.timestamp == nil ? nil : expected.interactions.map { $0.timestamp! }
    #expect(data.timestamps == timestamps, sourceLocation: sourceLocation)
    #expect(data.notes == expected.notes, sourceLocation: sourceLocation)
    #expect(data.metadata?.fields.map(\.name) == expected.metadata?.fields.map(\.name), sourceLocation: sourceLocation)
    #expect(
      data.metadata?.fields.map(\.codes) == expected.metadata?.fields.map(\.codes), sourceLocation: sourceLocation)
    return true
  case (.failure(let expected), .failure(let error)):
    #expect(error.errors == expected.errors, sourceLocation: sourceLocation)
    #expect(error.omitted == expected.omitted, sourceLocation: sourceLocation)
  case (.success, .failure(let error)):
    Issue.record("the reference loads, the streaming loader fails: \(error)", sourceLocation: sourceLocation)
  case (.failure(let error), .success):
    Issue.record("the reference fails, the streaming loader loads: \(error)", sourceLocation: sourceLocation)
  }
  return false
}

@Suite("The streaming loader agrees with the reference loader")
struct LoaderEquivalenceTests {
  static let columns = InteractionColumns(user: "userId", item: "movieId", rating: "rating", timestamp: "timestamp")
  static let header = "userId,movieId,rating,timestamp\n"

  /// Every CSV the data tests load, and more malformed ones: quotes, line breaks, blank lines, a byte order
  /// mark, invalid UTF-8, widths, empty ids, numbers of every shape, repeats.
  static let inputs: [String] = [
    header + "7,100,4.0,10\n7,200,2.5,11\n9,100,5.0,12\n9,300,4.5,13\n7,100,3.0,14\n",
    header + "1,2,4.0,5\n1,3,four,6\n2,3,4.0\n,4,3.0,7\n1,5,4.0,x\n",
    "user,movieId,rating,timestamp\n1,2,4.0,5\n",
    "u,movieId,rating,timestamp\n1,2,4.0,5\n",
    header + "1,2,2.0,5\n",
    "",
    "\n\n",
    "\n  \n1,2\n",
    "user\"Id,movieId\n1,2\n",
    "\n\r\nuser,movieId\n",
    "userId,movieId,rating,timestamp,rating\n1,2,3,4,5\n",
    "\nuserId,userId,movieId,rating,timestamp, userId\n",
    "userId,movieId,rating,timestamp,x,x\n1,2,3,4,5,6\n",
    header
      + ["+4", ".5", "5.", "1e0", "-2E-1", "03.50", "0x10", "nan", "inf", "-Infinity", "0x1p3", "1e400", "1_0"]
      .enumerated().map { "1,\($0),\($1),5\n" }.joined(),
    header + ["+4", ".5", "5.", "1e0", "-2E-1", "03.50"].enumerated().map { "1,\($0),\($1),+\($0)\n" }.joined(),
    header + "1,2,3,0x10\n1,3,3,99999999999999999999\n1,4,3,-1.0\n1,5,3,-9223372036854775808\n",
    header + "1,6,3,9223372036854775807\n1,7,3,9223372036854775808\n1,8,3,+0\n1,9,3,-\n1,10,3,\n",
    header + "\"a\nb\",1,4,1\r\n\r\n2,\"x\r\ny\nz\",3,2\n3,1,4\n4,\"q\"x,3,1\n5,1,3,1",
    header + "\"a\nb\",1,4,1\r\n\r\n2,\"x\r\ny\nz\",3,2\n5,1,3,1",
    "\u{FEFF}" + header + "1,2,3,4\r1,\"2\",3,4\r\n\"\"\n\"1\",\"\"\"2\"\"\",\"3.5\",\"4\"\n",
    header + "1,2,3,4\n" + String(decoding: [0xFF, 0x2C], as: UTF8.self) + "2,3,4\n",
    header + "1,2,3,4\n1,2,3,4\n2,2,3,4\n1,3,3,4\n1,2,1,4\n3,3,3,3\n2,2,5,5\n",
    header + (0..<30).map { "\($0),x,y\n" }.joined(),
    header + "0.1,0.2,0.30000000000000004,1\n1,2,123456789012345678,2\n1,3,1e22,3\n1,4,1e23,4\n1,5,4.9e-324,5\n",
    header + "1,2,9007199254740993,1\n1,3,0.000001,1\n1,4,-0,1\n1,5,1E+2,1\n1,6,2.5e-22,1\n1,7,12345.678901234567,1\n",
    header + "1,2,3.4e38,1\n1,3,3.5e38,1\n",
  ]

  @Test("the data tests' inputs and malformed ones: the same arrays, ids, notes and errors")
  func inputs() throws {
    let folder = try temporaryFolder()
    for (k, csv) in Self.inputs.enumerated() {
      let path = try write(csv, "input-\(k).csv", in: folder)
      // Ratings beyond Float's range are an error of the streaming loader only.
      guard !csv.contains("3.5e38") else { continue }
      expectSameAsReference(InteractionSource(path: path, columns: Self.columns))
      expectSameAsReference(InteractionSource(path: path, columns: Self.columns, minRating: 3))
      expectSameAsReference(InteractionSource(path: path, columns: InteractionColumns(user: "userId", item: "movieId")))
    }
  }

  @Test("metadata: the same codes, notes and errors")
  func metadata() throws {
    let folder = try temporaryFolder()
    let ratings = try write(Self.inputs[0], "ratings.csv", in: folder)
    let movies = [
      "movieId,title,genres\n100,\"Toy Story, The (1995)\",Animation|Comedy\n200,Heat (1995),Action|Crime\n"
        + "300,Comedy Two,Comedy|Animation\n",
      "movieId,genres\n" + (0..<25).map { "\($0),a,b\n" }.joined() + "100,Comedy\n",
      "movieId,genres\n100,\n200,||x|\n",
      "id,genres\n100,x\n",
    ]
    for (k, text) in movies.enumerated() {
      let path = try write(text, "movies-\(k).csv", in: folder)
      for mode in MetadataFieldSource.Mode.allCases {
        expectSameAsReference(
          InteractionSource(path: ratings, columns: Self.columns),
          items: ItemSource(
            path: path, idColumn: "movieId",
            fields: [
              MetadataFieldSource(name: "genre", column: "genres", separator: "|", mode: mode),
              MetadataFieldSource(name: "whole", column: "genres"),
            ]))
      }
    }
  }

  @Test("random byte mutations of a valid file: the same outcome, data or errors")
  func mutations() throws {
    let valid = Array(
      "userId,movieId,rating,timestamp\r\n1,\"10\",4.0,5\n1,\"x, \"\"y\"\"\",2.5,6\n2,10,5,7\n\n2,é,1e0,8\n1,10,3,9\n"
        .utf8)
    let alphabet = Array("\",\r\n.e0x-+".utf8) + [0xFF, 0xC3, 0x00, 0xEF, 0xBB, 0xBF]
    let path = try temporaryFolder().appendingPathComponent("m.csv").path
    var random = SplitMix64(seed: 11)
    var (loaded, failed) = (0, 0)
    for _ in 0..<400 {
      var bytes = valid
      mutate(&bytes, alphabet: alphabet, using: &random)
      #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
      let minRating: Double? = Bool.random(using: &random) ? 3 : nil
      if expectSameAsReference(InteractionSource(path: path, columns: Self.columns, minRating: minRating)) {
        loaded += 1
      } else {
        failed += 1
      }
    }
    #expect(loaded > 30 && failed > 30, "\(loaded) loaded, \(failed) failed")
  }

  @Test("the bundled MovieLens data, with its genres")
  func movieLens() {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("data/movielens-small")
    let items = ItemSource(
      path: root.appendingPathComponent("movies.csv").path, idColumn: "movieId",
      fields: [
        MetadataFieldSource(name: "genre", column: "genres", separator: "|"),
        MetadataFieldSource(name: "genres", column: "genres", separator: "|", mode: .set),
      ])
    let source = InteractionSource(path: root.appendingPathComponent("ratings.csv").path, columns: Self.columns)
    #expect(expectSameAsReference(source, items: items))
    var positives = source
    positives.minRating = 4
    #expect(expectSameAsReference(positives, items: items))
  }
}
