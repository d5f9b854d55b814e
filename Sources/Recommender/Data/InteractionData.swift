import RankingLosses

/// One observed interaction: a user and an item, as dense indices, with its rating and time when known.
public struct Interaction: Sendable, Hashable {
  /// The user's dense index, `0..<userCount`.
  public var user: Int32
  /// The item's dense index, `0..<itemCount`.
  public var item: Int32
  /// The rating, when the data has one.
  public var rating: Double?
  /// The timestamp, when the data has one.
  public var timestamp: Int64?
  /// The line of the source file it came from.
  public var line: Int

  /// Creates an interaction.
  public init(user: Int32, item: Int32, rating: Double? = nil, timestamp: Int64? = nil, line: Int = 0) {
    self.user = user
    self.item = item
    self.rating = rating
    self.timestamp = timestamp
    self.line = line
  }
}

/// An implicit-feedback data set: positive interactions between users and items, with the external ids
/// mapped to dense indices and, optionally, categorical item metadata.
public struct InteractionData: Sendable {
  /// External user ids by dense index.
  public var userIDs: [String]
  /// External item ids by dense index.
  public var itemIDs: [String]
  /// The positive interactions, in file order, one per (user, item) pair.
  public var interactions: [Interaction]
  /// Item metadata over the dense item indices (for partial credit), if loaded.
  public var metadata: ItemMetadata?
  /// The column names of the source (user, item, and rating and timestamp when present), for writing
  /// splits back in the same shape.
  public var columns: InteractionColumns
  /// Remarks from loading that did not stop it (duplicates dropped, items without metadata, …).
  public var notes: [String]

  /// Creates a data set.
  public init(
    userIDs: [String], itemIDs: [String], interactions: [Interaction], metadata: ItemMetadata? = nil,
    columns: InteractionColumns, notes: [String] = []
  ) {
    self.userIDs = userIDs
    self.itemIDs = itemIDs
    self.interactions = interactions
    self.metadata = metadata
    self.columns = columns
    self.notes = notes
  }

  /// The number of users.
  public var userCount: Int { userIDs.count }
  /// The number of items.
  public var itemCount: Int { itemIDs.count }
}

/// Which columns of an interactions CSV hold what.
public struct InteractionColumns: Sendable, Hashable {
  /// The user id column.
  public var user: String
  /// The item id column.
  public var item: String
  /// The rating column, if any.
  public var rating: String?
  /// The timestamp column, if any.
  public var timestamp: String?

  /// Creates a column description.
  public init(user: String, item: String, rating: String? = nil, timestamp: String? = nil) {
    self.user = user
    self.item = item
    self.rating = rating
    self.timestamp = timestamp
  }
}
