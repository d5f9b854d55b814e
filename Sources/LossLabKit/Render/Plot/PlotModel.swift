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
  /// The legend label, for example `"warp+genre"`. Series with the same name get the same style in every panel.
  public var name: String
  /// The points, in x order (they are sorted by x before drawing); may be empty.
  public var points: [PlotPoint]
  /// The group that decides the colour, for example the base loss `"warp"` of `"warp+genre"`: every series of a
  /// family has the family's hue, and they differ by dash pattern and marker shape. `nil` makes the series its
  /// own family (keyed by ``name``).
  public var family: String?
  /// Whether the series is a variant of its family's base (partial credit or other parameters): within a
  /// family, plain series take the first styles (solid line, round markers) and variants the next ones.
  public var isVariant: Bool

  /// Creates a series.
  ///
  /// - Parameters:
  ///   - name: The legend label; series with the same name share a colour in every panel.
  ///   - points: The points, in x order; may be empty.
  ///   - family: The group that decides the colour (the base loss); default `nil`, the series' own name.
  ///   - isVariant: Whether the series is a variant of its family's base; default `false`.
  public init(name: String, points: [PlotPoint], family: String? = nil, isVariant: Bool = false) {
    self.name = name
    self.points = points
    self.family = family
    self.isVariant = isVariant
  }

  /// The key of the series' colour: ``family``, or the name when it has none.
  var familyKey: String { family ?? name }
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
