import Foundation
import LossLabKit
import Recommender

/// Training progress on standard error.
///
/// - On a terminal: one status line redrawn in place (``TrainingProgressText/statusLine(done:total:cell:config:epoch:epochs:lastLoss:elapsed:remaining:)``),
///   at most ten times a second, cut to the terminal's width so that it never wraps.
/// - Otherwise (a pipe, a file): one line per finished cell with its metrics and seconds
///   (``TrainingProgressText/finishedLine(_:config:position:total:precision:)``), so that logs stay short.
/// - Quiet: nothing.
///
/// Training threads call ``update(cell:progress:)``; the runner's thread calls ``finished(_:)``; a lock
/// keeps the state and the output in order.
final class ProgressReporter: @unchecked Sendable {
  /// Where the progress goes.
  enum Mode: Equatable {
    /// Redrawn in place on a terminal.
    case terminal
    /// One line per finished cell.
    case lines
    /// None.
    case quiet
  }

  let mode: Mode
  private let config: TrainingConfig
  private let precision: Int
  private let lock = NSLock()
  private var eta: TrainingETA
  private var start = DispatchTime.now().uptimeNanoseconds
  private var lastDraw: UInt64 = 0
  private var lastLoss: (epoch: Int, loss: Double)? = nil
  private var currentCell: Int? = nil
  private var drawn = false
  private var stopped = false

  /// A reporter for a run of `total` cells of `config`; quiet with `quiet`, else a status line when
  /// standard error is a terminal and one line per finished cell when it is not.
  init(config: TrainingConfig, total: Int, quiet: Bool, precision: Int = 4) {
    self.config = config
    self.precision = precision
    eta = TrainingETA(total: total)
    mode = quiet ? .quiet : isatty(STDERR_FILENO) != 0 ? .terminal : .lines
  }

  /// Starts the clock for a run of `total` cells (call it when training starts, after the data is loaded).
  func begin(total: Int) {
    lock.lock()
    defer { lock.unlock() }
    eta = TrainingETA(total: total)
    start = DispatchTime.now().uptimeNanoseconds
  }

  /// Training progress of `cell` (from a training thread).
  func update(cell: TrainingCell, progress: TrainingProgress) {
    guard mode == .terminal else { return }
    lock.lock()
    defer { lock.unlock() }
    guard !stopped else { return }
    if currentCell != cell.index {
      currentCell = cell.index
      lastLoss = nil
      eta.currentEpochs = 0
    }
    if let loss = progress.loss {
      lastLoss = (progress.epoch, loss)
      eta.currentEpochs = progress.epoch
    }
    let now = DispatchTime.now().uptimeNanoseconds
    guard now &- lastDraw >= 100_000_000 || !drawn else { return }
    lastDraw = now
    let elapsed = Double(now - start) / 1e9
    // The epoch in training: after an epoch's last report, the next one.
    let epoch = progress.loss == nil ? progress.epoch : min(progress.epoch + 1, progress.epochs)
    let line = TrainingProgressText.statusLine(
      done: eta.done, total: eta.total, cell: cell, config: config, epoch: epoch, epochs: progress.epochs,
      lastLoss: lastLoss, elapsed: elapsed,
      remaining: eta.remaining(elapsed: elapsed, maxEpochs: progress.epochs))
    write("\r\u{1B}[2K" + Self.fitted(line, columns: terminalColumns()))
    drawn = true
  }

  /// A cell finished (from the runner's thread): counted, and on a pipe its line printed.
  func finished(_ result: CellResult) {
    lock.lock()
    defer { lock.unlock() }
    eta.finishCell(epochs: result.history.count)
    currentCell = nil
    lastLoss = nil
    if mode == .lines {
      write(
        TrainingProgressText.finishedLine(
          result, config: config, position: eta.done, total: eta.total, precision: precision) + "\n")
    }
  }

  /// Cells finished so far.
  var done: Int {
    lock.lock()
    defer { lock.unlock() }
    return eta.done
  }

  /// Clears the status line and draws no more.
  func finish() {
    lock.lock()
    defer { lock.unlock() }
    stopped = true
    if drawn { write("\r\u{1B}[2K") }
    drawn = false
  }

  /// `line` cut to one column less than the terminal's width (a line that fills the last column wraps on
  /// some terminals, and a wrapped line cannot be redrawn in place).
  static func fitted(_ line: String, columns: Int?) -> String {
    guard let columns, columns > 1, line.unicodeScalars.count >= columns else { return line }
    return String(String.UnicodeScalarView(line.unicodeScalars.prefix(columns - 2))) + "…"
  }

  /// The terminal's width, when standard error is one that says.
  private func terminalColumns() -> Int? {
    var size = winsize()
    guard ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
    return Int(size.ws_col)
  }

  private func write(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
  }
}

/// Ctrl-C while training: the first SIGINT asks the training to stop (``requested``, checked between
/// mini-batches and cells), so that `losslab train` can print what finished; a second one exits at once
/// with status 130, after removing the temporary files of outputs being written
/// (``AtomicFile/removeTemporaries()``).
final class Interruption: @unchecked Sendable {
  private let lock = NSLock()
  private var flag = false
  private var source: (any DispatchSourceSignal)? = nil
  /// Called (once, from a dispatch queue) on the first SIGINT, e.g. to clear the status line.
  private let onFirst: @Sendable () -> Void

  /// Catches SIGINT from now on (until ``restore()``).
  init(onFirst: @escaping @Sendable () -> Void = {}) {
    self.onFirst = onFirst
    signal(SIGINT, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
    source.setEventHandler { [weak self] in self?.signalled() }
    source.resume()
    self.source = source
  }

  /// Whether SIGINT has arrived.
  var requested: Bool {
    lock.lock()
    defer { lock.unlock() }
    return flag
  }

  private func signalled() {
    lock.lock()
    let again = flag
    flag = true
    lock.unlock()
    if again {
      // Outputs being written are left as they were: their temporary files go, no target is replaced.
      AtomicFile.removeTemporaries()
      FileHandle.standardError.write(Data("\r\u{1B}[2Klosslab: interrupted again: stopped at once\n".utf8))
      exit(130)
    }
    onFirst()
  }

  /// Stops catching SIGINT: the default action (end the process) again.
  func restore() {
    source?.cancel()
    source = nil
    signal(SIGINT, SIG_DFL)
  }
}
