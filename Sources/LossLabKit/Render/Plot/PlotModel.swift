/// One point of a ``PlotSeries``: a metric's mean at one epoch, with an optional spread.
public struct PlotPoint: Sendable, Equatable {
  /// The position on the x axis, usually the epoch.
  public var x: Double
  /// The value, usually the mean over seeds. A NaN or infinite value is not drawn: the line has a gap there.
  public var y: Double
  /// The standard deviation over seeds, drawn as a translucent band `y ± spread`; `nil` (or NaN) draws no band.
  /// The sign is ignored.
  public var spread: Double?

  /// Creates a point.
  ///
  /// - Parameters:
  ///   - x: The position on the x axis, usually the epoch.
  ///   - y: The value, usually the mean over seeds.
  ///   - spread: The standard deviation over seeds, drawn as a band `y ± spread`; default `nil`, no band.
  public init(x: Double, y: Double, spread: Double? = nil) {
    self.x = x
    self.y = y
    self.spread = spread
  }
}

/// One line of a chart.
public struct PlotSeries: Sendable, Equatable {
  /// The legend label, for example `"warp+genre"`. Series with the same name get the same colour in every panel.
  public var name: String
  /// The points, in x order (they are sorted by x before drawing); may be empty.
  public var points: [PlotPoint]

  /// Creates a series.
  ///
  /// - Parameters:
  ///   - name: The legend label; series with the same name share a colour in every panel.
  ///   - points: The points, in x order; may be empty.
  public init(name: String, points: [PlotPoint]) {
    self.name = name
    self.points = points
  }
}

/// One panel of a chart: a metric, with one line per series.
public struct PlotPanel: Sendable, Equatable {
  /// The panel's title, for example `"NDCG@10"`.
  public var title: String
  /// The lines drawn in the panel.
  public var series: [PlotSeries]

  /// Creates a panel.
  ///
  /// - Parameters:
  ///   - title: The panel's title, for example `"NDCG@10"`.
  ///   - series: The lines drawn in the panel.
  public init(title: String, series: [PlotSeries]) {
    self.title = title
    self.series = series
  }
}
