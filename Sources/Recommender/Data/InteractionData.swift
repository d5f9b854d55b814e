import RankingLosses

/// One observed interaction: a user and an item, as dense indices (8 bytes).
public struct Interaction: Sendable, Hashable {
  /// The user's dense index, `0..<userCount`.
  public var user: Int32
  /// The item's dense index, `0..<itemCount`.
  public var item: Int32

  /// Creates an interaction.
  public init(user: Int32, item: Int32) {
    self.user = user
    self.item = item
  }
}

/// An implicit-feedback data set: positive interactions between users and items, with the external ids
/// mapped to dense indices and, optionally, categorical item metadata.
///
/// The interactions are stored by column, one entry per row, in file order (one row per (user, item)
/// pair): ``users`` and ``items`` always, ``ratings`` and ``timestamps`` when the source has those
/// columns. A row's index is its place in these arrays.
public struct InteractionData: Sendable {
  /// External user ids by dense index.
  public var userIDs: [String]
  /// External item ids by dense index.
  public var itemIDs: [String]
  /// Each row's user, a dense index into ``userIDs``.
  public var users: [Int32]
  /// Each row's item, a dense index into ``itemIDs``.
  public var items: [Int32]
  /// Each row's rating (the parsed decimal rounded to the nearest `Float`), when the source has a rating
  /// column.
  public var ratings: [Float]?
  /// Each row's timestamp, when the source has a timestamp column.
  public var timestamps: [Int64]?
  /// Item metadata over the dense item indices (for partial credit), if loaded.
  public var metadata: ItemMetadata?
  /// The column names of the source (user, item, and rating and timestamp when present), for writing
  /// splits back in the same shape; for a file without a header, `user`, `item`, `rating` and `timestamp`.
  public var columns: InteractionColumns
  /// Remarks from loading that did not stop it (duplicates dropped, items without metadata, the cache, …).
  public var notes: [String]

  /// Creates a data set from its columns.
  ///
  /// - Precondition: `items`, and `ratings` and `timestamps` when given, have as many entries as `users`;
  ///   every user is in `0..<userIDs.count` and every item in `0..<itemIDs.count`.
  public init(
    userIDs: [String], itemIDs: [String], users: [Int32], items: [Int32], ratings: [Float]? = nil,
    timestamps: [Int64]? = nil, metadata: ItemMetadata? = nil, columns: InteractionColumns, notes: [String] = []
  ) {
    precondition(items.count == users.count, "users and items must have one entry per row")
    precondition(ratings.map { $0.count == users.count } ?? true, "ratings must have one entry per row")
    precondition(timestamps.map { $0.count == users.count } ?? true, "timestamps must have one entry per row")
    precondition(users.allSatisfy { $0 >= 0 && Int($0) < userIDs.count }, "a user index is out of range")
    precondition(items.allSatisfy { $0 >= 0 && Int($0) < itemIDs.count }, "an item index is out of range")
    self.userIDs = userIDs
    self.itemIDs = itemIDs
    self.users = users
    self.items = items
    self.ratings = ratings
    self.timestamps = timestamps
    self.metadata = metadata
    self.columns = columns
    self.notes = notes
  }

  /// Creates a data set from interactions (rows in order), with optional ratings and timestamps per row.
  ///
  /// - Precondition: as for ``init(userIDs:itemIDs:users:items:ratings:timestamps:metadata:columns:notes:)``.
  public init(
    userIDs: [String], itemIDs: [String], interactions: [Interaction], ratings: [Float]? = nil,
    timestamps: [Int64]? = nil, metadata: ItemMetadata? = nil, columns: InteractionColumns, notes: [String] = []
  ) {
    self.init(
      userIDs: userIDs, itemIDs: itemIDs, users: interactions.map(\.user), items: interactions.map(\.item),
      ratings: ratings, timestamps: timestamps, metadata: metadata, columns: columns, notes: notes)
  }

  /// The number of users.
  public var userCount: Int { userIDs.count }
  /// The number of items.
  public var itemCount: Int { itemIDs.count }
  /// The number of rows (interactions).
  public var count: Int { users.count }

  /// The interaction of row `row`.
  public func interaction(at row: Int) -> Interaction { Interaction(user: users[row], item: items[row]) }

  /// Every row's interaction, in order (a new array of ``count`` entries).
  public var interactions: [Interaction] { zip(users, items).map { Interaction(user: $0, item: $1) } }
}

/// Which columns of an interactions file hold what.
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

extension InteractionData {
  /// A 64-bit hash of the data's content, as 16 lower-case hexadecimal digits: the interactions' columns
  /// (users, items, and ratings and timestamps when present), the external ids in dense order and the item
  /// metadata's fields and codes. The same content gives the same fingerprint wherever and however it was
  /// read (another path, a copy with another mtime, gzip or not, a cache); any change of a row, an id or a
  /// metadata code changes it (up to the chance of a 64-bit collision). It reads every array once, at memory
  /// speed (about 0.1 s for 25M rows).
  public var fingerprint: String {
    var hash = StreamingHash()
    func add(_ value: Int) { withUnsafeBytes(of: UInt64(value).littleEndian) { hash.update($0) } }
    func add<T>(_ values: [T]) {
      add(values.count)
      values.withUnsafeBytes { hash.update($0) }
    }
    add(users)
    add(items)
    add(ratings == nil ? 0 : 1)
    if let ratings { add(ratings) }
    add(timestamps == nil ? 0 : 1)
    if let timestamps { add(timestamps) }
    for ids in [userIDs, itemIDs] {
      add(ids.count)
      for id in ids { add(Array(id.utf8)) }
    }
    let fields = metadata?.fields ?? []
    add(fields.count)
    for field in fields {
      add(Array(field.name.utf8))
      add(field.codes.map { Int64($0) })
    }
    let value = hash.finish()
    let hex = String(value, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
  }
}
