import Foundation
import FuzzSupport
import Recommender

#if canImport(Glibc)
  import Glibc
#endif

// The loader reads files, so each input is written to one scratch file and loaded as interactions (with
// ratings, timestamps and min_rating) and as item metadata. Every outcome but data or `DataErrors` is a bug.
let folder = FileManager.default.temporaryDirectory.appendingPathComponent("losslab-fuzz-csv-\(getpid())").path
try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
let file = folder + "/input.csv"
let items = folder + "/items.csv"
try? "item,genres\na,x|y\nb,z\n".write(toFile: items, atomically: true, encoding: .utf8)

runFuzzer { data, size in
  _ = FileManager.default.createFile(atPath: file, contents: Data(bytes(data, size)))
  let columns = InteractionColumns(user: "user", item: "item", rating: "rating", timestamp: "time")
  let source = InteractionSource(path: file, columns: columns, minRating: 2)
  if let loaded = try? DataLoader.load(source) {
    precondition(loaded.count > 0, "loaded without interactions")
    let metadata = ItemSource(
      path: items, idColumn: "item", fields: [MetadataFieldSource(name: "genre", column: "genres", separator: "|")])
    _ = try? DataLoader.load(source, items: metadata)
  }
  let asItems = ItemSource(
    path: file, idColumn: "user", fields: [MetadataFieldSource(name: "g", column: "item", separator: "|", mode: .set)])
  _ = try? DataLoader.load(
    InteractionSource(path: items, columns: InteractionColumns(user: "item", item: "genres")), items: asItems)
  return 0
}
