import CZlib
import Foundation
import LossLabTestSupport
import RankingLosses
import Testing

@testable import Recommender

/// `text` compressed with gzip (through zlib), written to `name` in `folder`; returns the path.
func writeGzip(_ bytes: [UInt8], _ name: String, in folder: URL) throws -> String {
  let path = folder.appendingPathComponent(name).path
  let file = try #require(gzopen(path, "wb"))
  let written = bytes.withUnsafeBytes { gzwrite(file, $0.baseAddress, UInt32($0.count)) }
  #expect(Int(written) == bytes.count)
  #expect(gzclose(file) == Z_OK)
  return path
}

/// The error texts of loading `source` (and `items`), the folder's path left out.
func loadErrors(_ source: InteractionSource, items: ItemSource? = nil, folder: URL) -> String {
  thrownMessage { _ = try DataLoader.load(source, items: items) }.replacingOccurrences(of: folder.path + "/", with: "")
}

@Suite("Data formats: delimiters, no header, RecBole, gzip")
struct FormatTests {
  /// MovieLens 1M's `ratings.dat`: `::` between fields, no header.
  static let movieLens1M =
    "1::1193::5::978300760\n1::661::3::978302109\n2::1193::4::978298413\n2::3408::4.5::978300275\n"
  static let positions = InteractionColumns(user: "0", item: "1", rating: "2", timestamp: "3")

  static let inter = """
    user_id:token\titem_id:token\trating:float\ttimestamp:float
    1\t1193\t5\t978300760
    1\t661\t3\t978302109.0
    2\t"q\t4\t9.78298413e8

    """
  static let item = """
    item_id:token\tmovie_title:token_seq\tgenre:token_seq
    1193\tOne Flew Over the Cuckoo's Nest\tDrama
    661\tJames and the Giant Peach\tAnimation Children's Musical
    "q\t"Quoted" "Title\tMusical Animation

    """

  /// Checks the data of ``movieLens1M``.
  func checkMovieLens1M(_ data: InteractionData, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(data.userIDs == ["1", "2"], sourceLocation: sourceLocation)
    #expect(data.itemIDs == ["1193", "661", "3408"], sourceLocation: sourceLocation)
    #expect(data.users == [0, 0, 1, 1] && data.items == [0, 1, 0, 2], sourceLocation: sourceLocation)
    #expect(data.ratings == [5, 3, 4, 4.5], sourceLocation: sourceLocation)
    #expect(data.timestamps == [978_300_760, 978_302_109, 978_298_413, 978_300_275], sourceLocation: sourceLocation)
    #expect(
      data.columns == InteractionColumns(user: "user", item: "item", rating: "rating", timestamp: "timestamp"),
      sourceLocation: sourceLocation)
  }

  @Test("MovieLens 1M: '::' between fields, no header, columns by position")
  func doubleColon() throws {
    let folder = try temporaryFolder()
    let path = try write(Self.movieLens1M, "ratings.dat", in: folder)
    checkMovieLens1M(
      try DataLoader.load(InteractionSource(path: path, columns: Self.positions, delimiter: "::", header: false)))
    // A multi-character delimiter with a header and quoted fields: a delimiter inside quotes is text.
    let quoted = try write("u::i::r\n\"a::b\"::x:y::2\n", "q.dat", in: folder)
    let data = try DataLoader.load(
      InteractionSource(path: quoted, columns: InteractionColumns(user: "u", item: "i", rating: "r"), delimiter: "::"))
    #expect(data.userIDs == ["a::b"] && data.itemIDs == ["x:y"] && data.ratings == [2])
  }

  @Test("no header: a comma file by position; a position beyond a row, or a name, is an error")
  func noHeader() throws {
    let folder = try temporaryFolder()
    let path = try write(Self.movieLens1M.replacingOccurrences(of: "::", with: ","), "r.csv", in: folder)
    checkMovieLens1M(try DataLoader.load(InteractionSource(path: path, columns: Self.positions, header: false)))
    // Rows may be wider than the columns used.
    let wide = try write("a,b,c,d,e\nf,g\n", "wide.csv", in: folder)
    let data = try DataLoader.load(
      InteractionSource(path: wide, columns: InteractionColumns(user: "1", item: "0"), header: false))
    #expect(
      data.userIDs == ["b", "g"] && data.itemIDs == ["a", "f"] && data.users == [0, 1] && data.items == [0, 1])

    let short = try write("1,2,3,4\n1,2,3\n5\n", "short.csv", in: folder)
    #expect(
      loadErrors(InteractionSource(path: short, columns: Self.positions, header: false), folder: folder) == """
        short.csv:2: error: column 3 (the timestamps) is beyond the row's 3 fields (without a header, columns are numbered from 0)
        short.csv:3: error: column 1 (the item ids) is beyond the row's 1 field (without a header, columns are numbered from 0)
        """)
    #expect(
      loadErrors(
        InteractionSource(path: short, columns: InteractionColumns(user: "userId", item: "1"), header: false),
        folder: folder)
        == "short.csv: error: column 'userId' for the user ids is not a position: without a header, columns are "
        + "named by their 0-based position (0, 1, 2, …)")
  }

  @Test("RecBole .inter and .item: typed header, tabs, literal quotes, whole float timestamps, token_seq fields")
  func recBole() throws {
    let folder = try temporaryFolder()
    let inter = try write(Self.inter, "ml.inter", in: folder)
    let item = try write(Self.item, "ml.item", in: folder)
    let source = InteractionSource(
      path: inter, columns: InteractionColumns(user: "user_id", item: "item_id"), format: .recbole)
    let items = ItemSource(
      path: item, idColumn: "item_id",
      fields: [
        MetadataFieldSource(name: "genre", column: "genre"),
        MetadataFieldSource(name: "genres", column: "genre", mode: .set),
        MetadataFieldSource(name: "title", column: "movie_title", separator: "|"),
      ], format: .recbole)
    let data = try DataLoader.load(source, items: items)
    #expect(data.userIDs == ["1", "2"])
    #expect(data.itemIDs == ["1193", "661", "\"q"])
    #expect(data.users == [0, 0, 1] && data.items == [0, 1, 2])
    #expect(data.ratings == [5, 3, 4])
    #expect(data.timestamps == [978_300_760, 978_302_109, 978_298_413])
    #expect(
      data.columns == InteractionColumns(user: "user_id", item: "item_id", rating: "rating", timestamp: "timestamp"))
    // token_seq split on spaces: first values Drama, Animation, Musical; sets {Drama}, {Animation Children's
    // Musical}, {Animation Musical}; a separator given is used instead.
    #expect(data.metadata?.field(named: "genre")?.codes == [0, 1, 2])
    #expect(data.metadata?.field(named: "genres")?.codes == [0, 1, 2])
    #expect(data.metadata?.field(named: "title")?.codes == [0, 1, 2])
    #expect(data.notes.isEmpty)

    // Without the optional columns found in the header.
    var plain = source
    plain.findsOptionalColumns = false
    let bare = try DataLoader.load(plain)
    #expect(bare.ratings == nil && bare.timestamps == nil && bare.columns.rating == nil)
  }

  @Test("RecBole mistakes: a fractional float timestamp, an unknown type, a field without a type")
  func recBoleErrors() throws {
    let folder = try temporaryFolder()
    let columns = InteractionColumns(user: "user_id", item: "item_id")
    func errors(_ text: String) throws -> String {
      let path = try write(text, "x.inter", in: folder)
      return loadErrors(InteractionSource(path: path, columns: columns, format: .recbole), folder: folder)
    }
    #expect(
      try errors("user_id:token\titem_id:token\ttimestamp:float\n1\t2\t978300760.5\n1\t3\t1e300\n1\t4\tx\n") == """
        x.inter:2: error: timestamp '978300760.5' is not a whole number
        x.inter:3: error: timestamp '1e300' is out of range (timestamps are 64-bit whole numbers)
        x.inter:4: error: timestamp 'x' is not a whole number
        """)
    #expect(
      try errors("user_id:token\titem_id:tokn\n1\t2\n")
        == "x.inter:1:23: error: unknown RecBole type 'tokn' for column 'item_id' (did you mean 'token'?); the types "
        + "are token, token_seq, float, float_seq")
    #expect(
      try errors("user_id:token\titem_id\n1\t2\n")
        == "x.inter:1:15: error: the RecBole header field 'item_id' has no type; write name:type, e.g. user_id:token")
    // A token timestamp is read as in CSV: whole numbers only.
    #expect(
      try errors("user_id:token\titem_id:token\ttimestamp:token\n1\t2\t5.0\n")
        == "x.inter:2: error: timestamp '5.0' is not a whole number")
  }

  @Test("gzip: every format, recognised by its magic bytes, not its name")
  func gzip() throws {
    let folder = try temporaryFolder()
    let dat = try writeGzip(Array(Self.movieLens1M.utf8), "ratings.dat.gz", in: folder)
    checkMovieLens1M(
      try DataLoader.load(InteractionSource(path: dat, columns: Self.positions, delimiter: "::", header: false)))
    let unnamed = try writeGzip(
      Array(Self.movieLens1M.replacingOccurrences(of: "::", with: ",").utf8), "ratings.csv", in: folder)
    checkMovieLens1M(try DataLoader.load(InteractionSource(path: unnamed, columns: Self.positions, header: false)))
    let inter = try writeGzip(Array(Self.inter.utf8), "ml.inter.gz", in: folder)
    let item = try writeGzip(Array(Self.item.utf8), "ml.item.gz", in: folder)
    let data = try DataLoader.load(
      InteractionSource(path: inter, columns: InteractionColumns(user: "user_id", item: "item_id"), format: .recbole),
      items: ItemSource(
        path: item, idColumn: "item_id", fields: [MetadataFieldSource(name: "genre", column: "genre")],
        format: .recbole))
    #expect(data.itemIDs == ["1193", "661", "\"q"] && data.timestamps == [978_300_760, 978_302_109, 978_298_413])
    #expect(data.metadata?.field(named: "genre")?.codes == [0, 1, 2])
    // A large file, read in several blocks: the same as the plain file.
    let rows = (0..<60_000).map { "\($0 % 977),\($0 % 313),\($0 % 5 + 1),\($0)\n" }.joined()
    let plain = try write("u,i,r,t\n" + rows, "big.csv", in: folder)
    let packed = try writeGzip(Array(("u,i,r,t\n" + rows).utf8), "big.csv.gz", in: folder)
    let columns = InteractionColumns(user: "u", item: "i", rating: "r", timestamp: "t")
    let (a, b) = (
      try DataLoader.load(InteractionSource(path: plain, columns: columns)),
      try DataLoader.load(InteractionSource(path: packed, columns: columns))
    )
    #expect(a.users == b.users && a.items == b.items && a.ratings == b.ratings && a.timestamps == b.timestamps)
    #expect(a.userIDs == b.userIDs && a.itemIDs == b.itemIDs && a.notes == b.notes && a.count == 60_000)
  }

  @Test("a corrupt or truncated gzip file is an error naming the file and the line reached")
  func corruptGzip() throws {
    let folder = try temporaryFolder()
    let rows = "u,i\n" + (0..<200_000).map { "\($0 % 977),\($0 % 313)\n" }.joined()
    let path = try writeGzip(Array(rows.utf8), "r.csv.gz", in: folder)
    let compressed = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    let columns = InteractionColumns(user: "u", item: "i")

    var flipped = compressed
    flipped[compressed.count / 2] ^= 0xFF
    let corrupt = folder.appendingPathComponent("corrupt.csv.gz").path
    #expect(FileManager.default.createFile(atPath: corrupt, contents: Data(flipped)))
    let corruptError = loadErrors(InteractionSource(path: corrupt, columns: columns), folder: folder)
    #expect(corruptError.hasPrefix("corrupt.csv.gz:"))
    #expect(corruptError.contains(": error: the gzip data is corrupt (zlib: "))
    let line = Int(corruptError.split(separator: ":")[1]) ?? 0
    #expect(line > 1000 && line < 200_001, "\(corruptError)")

    let truncated = folder.appendingPathComponent("truncated.csv.gz").path
    #expect(
      FileManager.default.createFile(atPath: truncated, contents: Data(compressed.prefix(compressed.count - 100))))
    let truncatedError = loadErrors(InteractionSource(path: truncated, columns: columns), folder: folder)
    #expect(truncatedError.hasPrefix("truncated.csv.gz:"))
    #expect(
      truncatedError.hasSuffix(
        ": error: the gzip data ends too soon: the file is truncated (zlib: unexpected end of file)"))
  }
}
