import RankingLosses
import Recommender

/// One setting of a training config's `model:` or `training:` section with its value, e.g.
/// `training.learning_rate = 0.05`.
public enum TrainingSetting: Sendable, Hashable, CustomStringConvertible {
  /// `model.factors`: latent factors per user and item.
  case factors(Int)
  /// `model.init_scale`: the standard deviation of the initial factors.
  case initScale(Double)
  /// `training.epochs`: passes over the training interactions (the most, under early stopping).
  case epochs(Int)
  /// `training.batch_size`: positives per mini-batch.
  case batchSize(Int)
  /// `training.negatives`: sampled negatives per positive for adaptive losses.
  case negatives(Int)
  /// `training.threads`: training threads.
  case threads(Int)
  /// `training.sampler`: how negatives are drawn.
  case sampler(SamplerKind)
  /// `training.optimizer`: the update rule.
  case optimizer(OptimizerKind)
  /// `training.learning_rate`: the learning rate `η`.
  case learningRate(Double)
  /// `training.l2`: the L2 penalty `λ`.
  case l2(Double)
  /// `training.patience`: early stopping after this many epochs without a better validation score.
  case patience(Int)

  /// The setting's section and key, as written in a config: `"model.factors"`, `"training.learning_rate"`.
  public var key: String { "\(section).\(name)" }

  /// `"model"` or `"training"`.
  public var section: String {
    switch self {
    case .factors, .initScale: "model"
    default: "training"
    }
  }

  /// The key within its section: `"factors"`, `"learning_rate"`, ….
  public var name: String {
    switch self {
    case .factors: "factors"
    case .initScale: "init_scale"
    case .epochs: "epochs"
    case .batchSize: "batch_size"
    case .negatives: "negatives"
    case .threads: "threads"
    case .sampler: "sampler"
    case .optimizer: "optimizer"
    case .learningRate: "learning_rate"
    case .l2: "l2"
    case .patience: "patience"
    }
  }

  /// The value as a config would write it: `"32"`, `"0.05"`, `"adagrad"`.
  public var valueText: String {
    switch self {
    case .factors(let n), .epochs(let n), .batchSize(let n), .negatives(let n), .threads(let n), .patience(let n):
      "\(n)"
    case .initScale(let x), .learningRate(let x), .l2(let x): "\(x)"
    case .sampler(let kind): kind.rawValue
    case .optimizer(let kind): kind.rawValue
    }
  }

  /// `key=value`, e.g. `training.learning_rate=0.05`.
  public var description: String { "\(key)=\(valueText)" }

  /// Sets this setting in `options`.
  ///
  /// - Parameter options: The options to change.
  public func apply(to options: inout TrainingOptions) {
    switch self {
    case .factors(let n): options.factors = n
    case .initScale(let x): options.initScale = x
    case .epochs(let n): options.epochs = n
    case .batchSize(let n): options.batchSize = n
    case .negatives(let n): options.negatives = n
    case .threads(let n): options.threads = n
    case .sampler(let kind): options.sampler = kind
    case .optimizer(let kind): options.optimizer = kind
    case .learningRate(let x): options.learningRate = x
    case .l2(let x): options.l2 = x
    case .patience(let n): options.patience = n
    }
  }
}

/// One point of a variant's grid of training settings: the options to train with, and the values of the
/// settings that vary across the grid.
public struct TrainingPoint: Sendable, Hashable {
  /// The complete options of this point.
  public var options: TrainingOptions
  /// The value of each setting that has more than one value in the grid, in config order (empty when
  /// nothing varies).
  public var varied: [TrainingSetting]

  /// Creates a grid point.
  ///
  /// - Parameters:
  ///   - options: The options to train with.
  ///   - varied: The values of the settings that vary across the grid, in config order.
  public init(options: TrainingOptions, varied: [TrainingSetting] = []) {
    self.options = options
    self.varied = varied
  }

  /// The varied settings as `key=value` joined by `, ` (empty when nothing varies).
  public var variedDescription: String { varied.map(\.description).joined(separator: ", ") }
}

/// How the points of a grid of training settings are chosen (`search:` in a training config).
public enum SearchMethod: String, Sendable, Hashable, CaseIterable {
  /// Every point of the grid.
  case grid
  /// `trials` points drawn from the grid without replacement with a seed.
  case random
}

/// The `search:` settings of a training config.
public struct SearchOptions: Sendable, Hashable {
  /// Every point, or a random sample.
  public var method: SearchMethod
  /// The number of points a random search trains (every point when the grid has fewer).
  public var trials: Int?
  /// The seed of the random sample: variants with the same grid get the same points.
  public var seed: UInt64

  /// Creates search settings.
  ///
  /// - Parameters:
  ///   - method: Grid or random.
  ///   - trials: The points a random search draws.
  ///   - seed: The seed of the random draw.
  public init(method: SearchMethod = .grid, trials: Int? = nil, seed: UInt64 = 0) {
    self.method = method
    self.trials = trials
    self.seed = seed
  }
}

/// A grid of training settings: the values of each setting, in config order.
///
/// The points are the Cartesian product of the settings' values, the first setting varying slowest: for
/// settings `A = [a₁, a₂]` and `B = [b₁, b₂, b₃]` the point with index `i` takes `A[i / 3]` and `B[i mod 3]`.
struct SettingsGrid {
  /// Each setting's values (one value for a setting that does not vary).
  var axes: [(key: String, values: [TrainingSetting])] = []

  /// Sets `key`'s values, replacing them in place when the key is there already (an entry's override)
  /// and appending them otherwise.
  mutating func set(_ key: String, _ values: [TrainingSetting]) {
    if let index = axes.firstIndex(where: { $0.key == key }) {
      axes[index].values = values
    } else {
      axes.append((key, values))
    }
  }

  /// The number of points, or `nil` when it does not fit in an `Int`.
  var pointCount: Int? {
    var count = 1
    for axis in axes {
      let (product, overflow) = count.multipliedReportingOverflow(by: axis.values.count)
      if overflow { return nil }
      count = product
    }
    return count
  }

  /// The settings with more than one value, as `key N` joined by ` × `, e.g. `training.learning_rate 3 ×
  /// training.l2 2`.
  var shape: String {
    axes.filter { $0.values.count > 1 }.map { "\($0.key) \($0.values.count)" }.joined(separator: " × ")
  }

  /// The point with index `index` (`0 ≤ index < pointCount`), starting from `base`.
  func point(_ index: Int, base: TrainingOptions) -> TrainingPoint {
    var options = base
    var varied: [TrainingSetting] = []
    var rest = index
    var stride = pointCount ?? 1
    for axis in axes {
      stride /= axis.values.count
      let value = axis.values[rest / stride]
      rest %= stride
      value.apply(to: &options)
      if axis.values.count > 1 { varied.append(value) }
    }
    return TrainingPoint(options: options, varied: varied)
  }

  /// The points to train: every point, or `trials` distinct indices drawn with `seed` (Floyd's sampling
  /// without replacement), in grid order.
  func points(search: SearchOptions?, base: TrainingOptions) -> [TrainingPoint] {
    let count = pointCount ?? 1
    guard let search, search.method == .random, let trials = search.trials, trials < count else {
      return (0..<count).map { point($0, base: base) }
    }
    var random = SplitMix64(seed: search.seed)
    var chosen = Set<Int>()
    for upper in (count - trials)..<count {
      let pick = Int.random(in: 0...upper, using: &random)
      chosen.insert(chosen.contains(pick) ? upper : pick)
    }
    return chosen.sorted().map { point($0, base: base) }
  }
}
