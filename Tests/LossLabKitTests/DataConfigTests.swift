import Foundation
import LossLabTestSupport
import Testing
import YAMLNodes

@testable import LossLabKit
@testable import Recommender

@Suite("data: formats, delimiters and headers in training configs")
struct DataConfigTests {
  /// The config's interactions source, or the diagnostics.
  func decode(_ data: String) throws -> (InteractionSource?, ItemSource?, [String]) {
    let folder = try temporaryFolder()
    let path = folder.appendingPathComponent("t.yaml").path
    try ("data:\n" + data + "losses: [warp]\n").write(toFile: path, atomically: true, encoding: .utf8)
    let loaded = ConfigLoader().load(path: path, as: .training)
    let diagnostics = loaded.diagnostics.map { $0.description.replacingOccurrences(of: path, with: "t.yaml") }
    return (loaded.training?.interactions, loaded.training?.items, diagnostics)
  }

  @Test("MovieLens 1M: delimiter '::', header false, columns by position")
  func movieLens1M() throws {
    let (source, _, diagnostics) = try decode(
      "  interactions: {path: ratings.dat, delimiter: '::', header: false, user: 0, item: 1, rating: 2, "
        + "timestamp: '3'}\n")
    #expect(diagnostics.isEmpty)
    #expect(source?.delimiter == "::" && source?.header == false && source?.format == .csv)
    #expect(source?.columns == InteractionColumns(user: "0", item: "1", rating: "2", timestamp: "3"))
    #expect(source?.path.hasSuffix("ratings.dat") == true)
  }

  @Test("RecBole: path and format are enough; the items' id defaults to item_id; tabs by default")
  func recBole() throws {
    let (source, items, diagnostics) = try decode(
      "  interactions: {path: ml.inter, format: recbole}\n  items: {path: ml.item, format: recbole, fields: {genre: genre}}\n"
    )
    #expect(diagnostics.isEmpty)
    #expect(source?.format == .recbole && source?.delimiter == "\t" && source?.findsOptionalColumns == true)
    #expect(source?.columns == InteractionColumns(user: "user_id", item: "item_id"))
    #expect(items?.idColumn == "item_id" && items?.format == .recbole && items?.delimiter == "\t")
  }

  @Test("mistakes: an unknown format, a bad header, empty or quoting delimiters, names without a header")
  func mistakes() throws {
    let (_, _, diagnostics) = try decode(
      """
        interactions: {path: r.csv, format: recbol, header: yes, delimiter: '', user: u, item: i}
        items: {path: m.csv, id: movieId, fields: {g: 0}, delimiter: 'a"', header: false}

      """)
    #expect(
      diagnostics == [
        "t.yaml:2:39: error: data.interactions.format: unknown data format 'recbol' (did you mean 'recbole'?); use "
          + "one of: csv, recbole",
        "t.yaml:2:55: error: data.interactions.header: header must be true or false, got the text 'yes'",
        "t.yaml:2:71: error: data.interactions.delimiter: delimiter is empty; give the text between fields, e.g. ',' "
          + "or '::'",
        "t.yaml:3:28: error: data.items.id: id must be a column position (0, 1, …) since header is false, got the "
          + "text 'movieId'",
        "t.yaml:3:64: error: data.items.delimiter: delimiter cannot hold a quote or a line break, got 'a\"'",
      ])
    let (_, _, more) = try decode(
      """
        interactions: {path: r.inter, format: recbole, header: false, user: -1}

      """)
    #expect(
      more == [
        "t.yaml:2:58: error: data.interactions.header: a RecBole file always has a header (name:type fields); remove "
          + "header: false",
        "t.yaml:2:71: error: data.interactions.user: user must be text, got the integer -1 (quote it to make it text)",
      ])
  }

  @Test("data.cache: a folder resolved against the config's folder; empty is an error")
  func cache() throws {
    let folder = try temporaryFolder()
    let path = folder.appendingPathComponent("t.yaml").path
    try "data:\n  interactions: {path: r.csv, user: u, item: i}\n  cache: ../cache\nlosses: [warp]\n".write(
      toFile: path, atomically: true, encoding: .utf8)
    let loaded = ConfigLoader().load(path: path, as: .training)
    #expect(loaded.diagnostics.isEmpty)
    #expect(loaded.training?.dataCache == folder.deletingLastPathComponent().appendingPathComponent("cache").path)
    let (_, _, diagnostics) = try decode("  interactions: {path: r.csv, user: u, item: i}\n  cache: ''\n")
    #expect(
      diagnostics == [
        "t.yaml:3:10: error: data.cache: cache is empty; give the folder of the data cache, relative to the "
          + "config's folder"
      ])
  }

  @Test("split files: ratings written as Float's description, integers in decimal, without allocating")
  func numberText() {
    func rating(_ value: Float) -> String {
      let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 32)
      defer { buffer.deallocate() }
      return String(
        decoding: UnsafeBufferPointer(start: buffer, count: formatRating(value, into: buffer)), as: UTF8.self)
    }
    func integer(_ value: Int64) -> String {
      let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 20)
      defer { buffer.deallocate() }
      return String(
        decoding: UnsafeBufferPointer(start: buffer, count: formatInteger(value, into: buffer)), as: UTF8.self)
    }
    var values: [Float] = [0, -0.0, 0.1, 0.5, 1, 3.5, 4, 4.5, 5, 10, -1, -2.5, 99_999.9, 100_000, 1e-5, 3.14159, 1e30]
    values += (-200...200).map { Float($0) / 10 } + (0..<2_000).map { Float($0) * 0.37 }
    values += [.greatestFiniteMagnitude, .leastNonzeroMagnitude, 16_777_216, 0.3 + 0.6]
    for value in values { #expect(rating(value) == value.description, "\(value)") }
    for value: Int64 in [0, 7, -7, 10, 978_300_760, .max, .min, -1_000_000] {
      #expect(integer(value) == value.description)
    }
  }
}
