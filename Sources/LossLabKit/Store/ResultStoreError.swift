/// Why a results store could not be opened, read or written.
public struct ResultStoreError: CategorizedError, Sendable {
  /// The store file, as the user named it.
  public var path: String
  /// What is wrong, and what to do.
  public var message: String
  /// Unreadable input (a missing store for `report`), bad data (not a store, another config, damaged
  /// cells), or unwritable output (a store that cannot be written).
  public var category: FailureCategory

  /// Creates an error.
  public init(path: String, message: String, category: FailureCategory) {
    self.path = path
    self.message = message
    self.category = category
  }

  /// `PATH: error: MESSAGE`, placed in the store file like a data file's errors.
  public var description: String { "\(path): error: \(message)" }
}
