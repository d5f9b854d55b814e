import LossLabTestSupport
import Foundation
import RankingLosses
@testable import Recommender

/// Writes `text` to `name` in `folder` and returns its path.
func write(_ text: String, _ name: String, in folder: URL) throws -> String {
  let url = folder.appendingPathComponent(name)
  try text.write(to: url, atomically: true, encoding: .utf8)
  return url.path
}

/// A synthetic data set with planted structure: `clusters` groups of users and items; each user interacts
/// with `perUser` random items of their own group. A model that learns the groups ranks held-out items of the
/// user's group above the other groups' items.
func plantedData(users: Int = 120, items: Int = 60, clusters: Int = 4, perUser: Int = 9, seed: UInt64 = 3)
  -> InteractionData
{
  var random = SplitMix64(seed: seed)
  var interactions: [Interaction] = []
  var timestamps: [Int64] = []
  let itemsPerCluster = items / clusters
  for user in 0..<users {
    let cluster = user % clusters
    var chosen = Set<Int>()
    while chosen.count < perUser {
      chosen.insert(cluster * itemsPerCluster + Int.random(in: 0..<itemsPerCluster, using: &random))
    }
    for item in chosen.sorted() {
      interactions.append(Interaction(user: Int32(user), item: Int32(item)))
      timestamps.append(Int64(item))
    }
  }
  let metadata = try! ItemMetadata(["cluster": (0..<items).map { $0 / itemsPerCluster }])
  return InteractionData(
    userIDs: (0..<users).map { "u\($0)" }, itemIDs: (0..<items).map { "i\($0)" }, interactions: interactions,
    ratings: interactions.map { _ in 5 }, timestamps: timestamps, metadata: metadata,
    columns: InteractionColumns(user: "user", item: "item", rating: "rating", timestamp: "time"))
}

/// One to two random byte mutations of `bytes` (a byte replaced, inserted or removed; the new byte from
/// `alphabet` half the time, any byte otherwise), drawn from `random`: the fuzzing step of the data tests.
func mutate(_ bytes: inout [UInt8], alphabet: [UInt8], using random: inout SplitMix64) {
  for _ in 0..<Int.random(in: 1...2, using: &random) {
    let at = Int.random(in: 0..<bytes.count, using: &random)
    let byte =
      Bool.random(using: &random)
      ? alphabet.randomElement(using: &random)! : UInt8.random(in: 0...255, using: &random)
    switch Int.random(in: 0..<3, using: &random) {
    case 0: bytes[at] = byte
    case 1: bytes.insert(byte, at: at)
    default: if bytes.count > 1 { bytes.remove(at: at) }
    }
  }
}
