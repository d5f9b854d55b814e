import Foundation
import LossLabKit
import Recommender

/// Training progress on standard error: a bar redrawn in place when stderr is a terminal, one line per
/// finished epoch otherwise (so that logs stay readable).
final class ProgressReporter: @unchecked Sendable {
  private let lock = NSLock()
  private let isTerminal = isatty(FileHandle.standardError.fileDescriptor) != 0
  private var lastEpochLine: String? = nil
  private var drawn = false

  func update(label: String, seed: Int, seeds: Int, progress: TrainingProgress) {
    lock.lock()
    defer { lock.unlock() }
    let head = "\(label) seed \(seed)/\(seeds) epoch \(progress.epoch)/\(progress.epochs)"
    if isTerminal {
      let width = 30
      let filled = Int((progress.fraction * Double(width)).rounded(.down))
      let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
      write("\r\u{1B}[2K\(head) \(bar) \(Int(progress.fraction * 100))%")
      drawn = true
    } else if progress.fraction >= 1, lastEpochLine != head {
      lastEpochLine = head
      write("trained \(head)\n")
    }
  }

  func finish() {
    lock.lock()
    defer { lock.unlock() }
    if drawn { write("\r\u{1B}[2K") }
    drawn = false
  }

  private func write(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
  }
}
