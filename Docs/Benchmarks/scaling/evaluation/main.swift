// Times LossLab's evaluation (Evaluator.evaluateTable(columns:users:model:): AUC and six @10 metrics) at a
// chosen size, on a random model and random users (20 or more interactions each, a fifth held out), and
// with --scoring the public FactorModel.scoreBlock(users:into:) alone on one thread; prints a digest of
// the metric table so that two builds can be compared bit for bit. Built against a release build by
// build.sh beside this file (see Docs/Scaling.md, "Evaluation").
import Dispatch
import Foundation
import Recommender

func argument(_ name: String, _ fallback: Int) -> Int {
  let arguments = CommandLine.arguments
  guard let index = arguments.firstIndex(of: "--" + name), index + 1 < arguments.count,
    let value = Int(arguments[index + 1])
  else { return fallback }
  return value
}

let users = argument("users", 100_000)
let items = argument("items", 40_000)
let factors = argument("factors", 32)
let threads = argument("threads", 2)
let repeats = argument("repeats", 1)
let scoringOnly = CommandLine.arguments.contains("--scoring")

// Users like the generated files': 20 + a heavy tail of interactions (mean about 50), a fifth held out.
var state: UInt64 = 12345
func next() -> UInt64 {
  state &+= 0x9E37_79B9_7F4A_7C15
  var z = state
  z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
  z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
  return z ^ (z >> 31)
}
func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
var evaluationUsers: [EvaluationUser] = []
evaluationUsers.reserveCapacity(users)
for user in 0..<users {
  let n = min(
    items / 3, 20 + Int(30 * exp(1.3 * sqrt(-2 * log(max(uniform(), 1e-300))) * cos(2 * .pi * uniform()) - 0.85)))
  var chosen = Set<Int32>()
  while chosen.count < n { chosen.insert(Int32(next() % UInt64(items))) }
  var all = chosen.sorted()  // a Set's order changes from run to run
  for i in stride(from: all.count - 1, to: 0, by: -1) { all.swapAt(i, Int(next() % UInt64(i + 1))) }
  let testCount = min(n - 1, Int((0.2 * Double(n)).rounded()))
  evaluationUsers.append(
    EvaluationUser(user: user, trainItems: all[testCount...].sorted(), testItems: Array(all[..<testCount])))
}
let model = FactorModel(userCount: users, itemCount: items, factors: factors, initScale: 0.1, seed: 1)
let columns =
  [MetricColumn.auc]
  + [RankingMetric.map, .mrr, .ndcg, .precision, .recall, .hitRate].map {
    $0 == .mrr ? MetricColumn.mrr : MetricColumn($0, k: 10)
  }
let tests = evaluationUsers.map(\.testItems.count).reduce(0, +)
print("\(users) users × \(items) items, \(factors) factors, \(tests) test items, \(threads) threads")

func seconds(_ body: () -> Void) -> Double {
  let start = DispatchTime.now().uptimeNanoseconds
  body()
  return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

for _ in 0..<repeats {
  if scoringOnly {
    // Scoring alone, one thread: every user's scores, FactorModel.scoreBlockSize users at a time.
    var buffer = [Float](repeating: 0, count: FactorModel.scoreBlockSize * items)
    var sink: Float = 0
    let time = seconds {
      var block: [Int] = []
      for first in stride(from: 0, to: users, by: FactorModel.scoreBlockSize) {
        block = Array(first..<min(first + FactorModel.scoreBlockSize, users))
        block.withUnsafeBufferPointer { b in
          buffer.withUnsafeMutableBufferPointer { model.scoreBlock(users: b, into: $0) }
        }
        sink += buffer[0]
      }
    }
    print(
      String(
        format: "scoreBlock(users:into:) alone (1 thread): %.2f s  (%.2f ns per user-item)  [%g]", time,
        time / Double(users * items) * 1e9, sink))
  }
  var table: MetricTable? = nil
  let time = seconds {
    table = Evaluator(threads: threads).evaluateTable(columns: columns, users: evaluationUsers, model: model)
  }
  var digest: UInt64 = 0xcbf2_9ce4_8422_2325
  for value in table!.values {
    digest = (digest ^ value.bitPattern) &* 0x100_0000_01b3
  }
  let means = table!.means.values.map { String(format: "%.6f", $0) }.joined(separator: " ")
  print(
    String(
      format: "evaluation: %.2f s (%.2f ns per user-item); digest %016llx; means %@", time,
      time / Double(users * items) * 1e9, digest, means))
}
