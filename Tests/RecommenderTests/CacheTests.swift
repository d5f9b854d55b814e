import Foundation
import LossLabTestSupport
import RankingLosses
import Testing

@testable import Recommender

#if canImport(Glibc)
  import Glibc
#endif

@Suite("The binary data cache")
struct CacheTests {
  static let columns = InteractionColumns(user: "userId", item: "movieId", rating: "rating", timestamp: "timestamp")
  static let ratings =
    "userId,movieId,rating,timestamp\n7,100,4.0,10\n7,200,2.5,11\n9,100,5.0,12\n9,300,4.5,13\n7,100,3,14\n"
  static let movies = "movieId,genres\n100,Animation|Comedy\n200,Action\n300,Comedy\n"

  /// A folder with the ratings and movies files, a cache folder in it, and the sources.
  func setUp() throws -> (folder: URL, cache: String, source: InteractionSource, items: ItemSource) {
    let folder = try temporaryFolder()
    let source = InteractionSource(path: try write(Self.ratings, "ratings.csv", in: folder), columns: Self.columns)
    let items = ItemSource(
      path: try write(Self.movies, "movies.csv", in: folder), idColumn: "movieId",
      fields: [MetadataFieldSource(name: "genre", column: "genres", separator: "|")])
    return (folder, folder.appendingPathComponent("cache").path, source, items)
  }

  /// The one cache file in `cache`.
  func cacheFile(_ cache: String) throws -> String {
    let names = try FileManager.default.contentsOfDirectory(atPath: cache)
    #expect(names.count == 1 && names[0].hasPrefix("losslab-") && names[0].hasSuffix(".cache"), "\(names)")
    return cache + "/" + names[0]
  }

  /// Checks that `data` has the same columns, ids, metadata and (but for the cache's note) notes as `fresh`.
  func expectSame(_ data: InteractionData, _ fresh: InteractionData, sourceLocation: SourceLocation = #_sourceLocation)
  {
    #expect(data.userIDs == fresh.userIDs && data.itemIDs == fresh.itemIDs, sourceLocation: sourceLocation)
    #expect(data.users == fresh.users && data.items == fresh.items, sourceLocation: sourceLocation)
    #expect(data.ratings == fresh.ratings && data.timestamps == fresh.timestamps, sourceLocation: sourceLocation)
    #expect(data.metadata == fresh.metadata && data.columns == fresh.columns, sourceLocation: sourceLocation)
    #expect(Array(data.notes.dropLast()) == fresh.notes, sourceLocation: sourceLocation)
  }

  @Test("a hit gives the fresh load's data without reading the files (garbage of the same size and time loads)")
  func hit() throws {
    let (_, cache, source, items) = try setUp()
    let fresh = try DataLoader.load(source, items: items)
    #expect(fresh.notes == ["1 repeated (user, item) pair kept once"])
    let first = try DataLoader.load(source, items: items, cache: cache)
    let file = try cacheFile(cache)
    expectSame(first, fresh)
    #expect(first.notes.last == "cache \(file) written")
    let second = try DataLoader.load(source, items: items, cache: cache)
    expectSame(second, fresh)
    #expect(second.notes.last == "loaded from the cache \(file); the data files were not read")

    // The same bytes count, the same modification time, the same inode: garbage that cannot be parsed.
    var info = stat()
    #expect(stat(source.path, &info) == 0)
    let handle = try #require(FileHandle(forWritingAtPath: source.path))
    try handle.write(contentsOf: Data(repeating: UInt8(ascii: "\""), count: Self.ratings.utf8.count))
    try handle.close()
    var times = [info.st_atim, info.st_mtim]
    #expect(utimensat(AT_FDCWD, source.path, &times, 0) == 0)
    #expect(throws: DataErrors.self) { try DataLoader.load(source, items: items) }
    let third = try DataLoader.load(source, items: items, cache: cache)
    expectSame(third, fresh)
  }

  @Test("a changed source makes the cache stale: rebuilt, with a note; other settings get another file")
  func stale() throws {
    let (_, cache, source, items) = try setUp()
    _ = try DataLoader.load(source, items: items, cache: cache)
    let file = try cacheFile(cache)
    try (Self.ratings + "11,300,1,15\n").write(toFile: source.path, atomically: false, encoding: .utf8)
    let fresh = try DataLoader.load(source, items: items)
    #expect(fresh.userIDs == ["7", "9", "11"])
    let rebuilt = try DataLoader.load(source, items: items, cache: cache)
    expectSame(rebuilt, fresh)
    #expect(
      rebuilt.notes.last == "cache \(file) was stale (the source files changed (size, time or inode)); rebuilt")
    let again = try DataLoader.load(source, items: items, cache: cache)
    expectSame(again, fresh)
    #expect(again.notes.last == "loaded from the cache \(file); the data files were not read")

    var positives = source
    positives.minRating = 4
    let filtered = try DataLoader.load(positives, items: items, cache: cache)
    #expect(filtered.count == 3)
    #expect(try FileManager.default.contentsOfDirectory(atPath: cache).count == 2)
  }

  @Test("a corrupt cache (a flipped byte, cut short, another magic or version) is rebuilt with a note")
  func corrupt() throws {
    let (_, cache, source, items) = try setUp()
    let fresh = try DataLoader.load(source, items: items)
    _ = try DataLoader.load(source, items: items, cache: cache)
    let file = try cacheFile(cache)
    let good = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
    var flipped = good
    flipped[good.count - 20] ^= 0x01
    var version = good
    version[8] = 99
    var magic = good
    magic[0] = UInt8(ascii: "X")
    let cases: [([UInt8], String)] = [
      (flipped, "checksum mismatch"),
      (
        Array(good.prefix(good.count - 7)),
        "truncated: the payload has \(good.count - 39) bytes, the header says \(good.count - 32)"
      ),
      (Array(good.prefix(10)), "truncated: 10 bytes"),
      (magic, "not a LossLab cache (wrong magic bytes)"),
      (version, "format version 99, expected 1"),
    ]
    for (bytes, why) in cases {
      #expect(FileManager.default.createFile(atPath: file, contents: Data(bytes)))
      let rebuilt = try DataLoader.load(source, items: items, cache: cache)
      expectSame(rebuilt, fresh)
      #expect(rebuilt.notes.last == "cache \(file) was corrupt (\(why)); rebuilt")
      #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: file))) == good)
    }
  }

  @Test("a cache folder that cannot be made is an error before any file is read")
  func unusableFolder() throws {
    let (folder, _, source, _) = try setUp()
    let blocker = try write("x", "blocker", in: folder)
    #expect(
      thrownMessage { _ = try DataLoader.load(source, cache: blocker + "/cache") }
        == "\(blocker + "/cache"): error: cannot use the cache folder: \(blocker) is not a folder")
    do {
      _ = try DataLoader.load(source, cache: blocker)
      Issue.record("a file is not a cache folder")
    } catch {
      #expect(error.errors.map(\.kind) == [.unwritableCache])
    }
  }

  @Test("the checksum: the same for any split of the stream into pieces, different for a changed byte")
  func checksum() {
    var random = SplitMix64(seed: 3)
    let bytes = (0..<1_000).map { _ in UInt8.random(in: 0...255, using: &random) }
    func hash(_ pieces: [Int]) -> UInt64 {
      var hash = StreamingHash()
      var start = 0
      bytes.withUnsafeBytes { raw in
        for end in pieces + [bytes.count] {
          hash.update(UnsafeRawBufferPointer(rebasing: raw[start..<end]))
          start = end
        }
      }
      return hash.finish()
    }
    let whole = hash([])
    #expect(hash([1, 33, 34, 500, 999]) == whole && hash([31, 32, 64, 65]) == whole)
    var other = StreamingHash()
    var changed = bytes
    changed[500] ^= 0x80
    changed.withUnsafeBytes { other.update($0) }
    #expect(other.finish() != whole)
  }
}
