import Foundation
import Recommender

/// The texts `losslab train` shows while it trains: one line per finished cell when standard error is not a
/// terminal, and the one status line redrawn in place when it is. Pure functions of their inputs, so that
/// the formats are tested with exact texts.
public enum TrainingProgressText {
  /// The line of a finished cell, for logs:
  ///
  /// ```
  /// cell 3/9 bpr (point 2 of 3: training.learning_rate=0.2) seed 1: test NDCG@10 0.1234, P@10 0.0567; validation NDCG@10 0.1300 (epoch 7 of 10); 3.2 s
  /// cell 2/4 warp seed 2: test NDCG@5 0.2345, P@5 0.1200 (12 epochs); 0.4 s
  /// ```
  ///
  /// The test metrics are the config's metric columns (the selected model's means over the evaluated
  /// users); the validation score, when there is a validation split, is the selection metric's, with the
  /// selected epoch and the epochs run; the seconds are the cell's wall time (training and evaluation).
  ///
  /// - Parameters:
  ///   - result: The finished cell.
  ///   - config: The config it was planned from.
  ///   - position: The cell's position among the cells this run trains, from 1.
  ///   - total: The cells this run trains.
  ///   - precision: Digits after the point of the metric values.
  public static func finishedLine(
    _ result: CellResult, config: TrainingConfig, position: Int, total: Int, precision: Int = 4
  ) -> String {
    let means = result.table.means
    let metrics = zip(means.columns, means.values).map { "\($0.displayName) \(fixed($1, digits: precision))" }
    var text = "cell \(position)/\(total) \(result.cell.describe(in: config)): test " + metrics.joined(separator: ", ")
    let epochs = result.history.count
    if let validation = result.validation {
      text +=
        "; validation \(config.evaluation.select.displayName) \(fixed(validation, digits: precision)) "
        + "(epoch \(result.selectedEpoch) of \(epochs))"
    } else {
      text += " (\(epochs) epoch\(epochs == 1 ? "" : "s"))"
    }
    let seconds = max(0, result.finished.timeIntervalSince(result.started))
    return text + "; " + fixed(seconds, digits: 1) + " s"
  }

  /// The status line of a terminal:
  ///
  /// ```
  /// [12/81 cells] warp+genre (2/3) seed 2/3 · epoch 7/40 · loss 0.2134 (epoch 6) · 0:12, ETA 0:51
  /// ```
  ///
  /// cells finished of the cells to run, the cell in training (its variant, its grid point when the variant
  /// has several, its seed's position), the epoch in training of at most how many, the mean training loss of
  /// the cell's last finished epoch, the time since training started and the estimated time left (`ETA -:--`
  /// until there is a pace to estimate from).
  ///
  /// - Parameters:
  ///   - done: Cells finished.
  ///   - total: Cells to run.
  ///   - cell: The cell in training.
  ///   - config: The config it was planned from.
  ///   - epoch: The epoch in training, from 1.
  ///   - epochs: The cell's largest number of epochs.
  ///   - lastLoss: The last finished epoch of the cell and its mean loss, when one has finished.
  ///   - elapsed: Seconds since training started.
  ///   - remaining: The estimated seconds left, when known.
  public static func statusLine(
    done: Int, total: Int, cell: TrainingCell, config: TrainingConfig, epoch: Int, epochs: Int,
    lastLoss: (epoch: Int, loss: Double)?, elapsed: Double, remaining: Double?
  ) -> String {
    let variant = config.variants[cell.variant]
    var label = variant.loss.label
    if variant.hasGrid { label += " (\(cell.point + 1)/\(variant.points.count))" }
    var parts = [
      "[\(done)/\(total) cells] \(label) seed \(cell.seedIndex + 1)/\(config.seeds.count)", "epoch \(epoch)/\(epochs)",
    ]
    if let lastLoss { parts.append("loss \(fixed(lastLoss.loss, digits: 4)) (epoch \(lastLoss.epoch))") }
    parts.append("\(clock(elapsed)), ETA " + (remaining.map(clock) ?? "-:--"))
    return parts.joined(separator: " · ")
  }

  /// A file size in bytes as people read it, in powers of 1000: `512 B`, `12 KB`, `1.2 MB`, `104 MB`,
  /// `3.5 GB` (one decimal below 10 of a unit, none from 10).
  public static func size(_ bytes: Int64) -> String {
    let units = ["B", "KB", "MB", "GB", "TB"]
    var value = Double(max(0, bytes))
    var unit = 0
    while value >= 999.5 && unit < units.count - 1 {
      value /= 1000
      unit += 1
    }
    if unit == 0 { return "\(Int(value)) B" }
    return (value < 9.95 ? fixed(value, digits: 1) : fixed(value, digits: 0)) + " " + units[unit]
  }

  /// Seconds as `m:ss`, or `h:mm:ss` from an hour (rounded down to whole seconds; negative as 0).
  public static func clock(_ seconds: Double) -> String {
    let whole = seconds.isFinite ? Int(max(0, min(seconds, 1e9))) : 0
    let (h, m, s) = (whole / 3600, whole / 60 % 60, whole % 60)
    let ss = s < 10 ? "0\(s)" : "\(s)"
    if h > 0 { return "\(h):\(m < 10 ? "0\(m)" : "\(m)"):\(ss)" }
    return "\(m):\(ss)"
  }
}

/// An estimate of the time a training run has left, from the pace of the work done so far.
///
/// The unit of work is an epoch: early stopping ends cells after fewer epochs than they may run, so a cell
/// still to run is expected to take as many epochs as the finished cells took on average (the largest
/// number of epochs before any has finished), and the cell in training at least one more than it has done.
/// The pace is the seconds per epoch so far (evaluation included).
public struct TrainingETA: Sendable, Equatable {
  /// The cells this run trains.
  public var total: Int
  /// Cells finished.
  public private(set) var done = 0
  /// Epochs the finished cells ran.
  public private(set) var finishedEpochs = 0
  /// Epochs finished in the cell in training.
  public var currentEpochs = 0

  /// Creates an estimate for a run of `total` cells.
  public init(total: Int) {
    self.total = total
  }

  /// Records a finished cell that ran `epochs` epochs (and starts the next with none).
  public mutating func finishCell(epochs: Int) {
    done += 1
    finishedEpochs += epochs
    currentEpochs = 0
  }

  /// The estimated seconds left after `elapsed` seconds, or `nil` before any epoch has finished.
  ///
  /// - Parameter maxEpochs: The largest number of epochs of a cell (the config's `epochs`).
  public func remaining(elapsed: Double, maxEpochs: Int) -> Double? {
    let worked = finishedEpochs + currentEpochs
    guard worked > 0, elapsed > 0 else { return nil }
    let perCell = done > 0 ? Double(finishedEpochs) / Double(done) : Double(max(1, maxEpochs))
    let left = max(0, total - done - 1)
    let current = done < total ? max(1, perCell - Double(currentEpochs)) : 0
    return elapsed / Double(worked) * (current + Double(left) * perCell)
  }
}
