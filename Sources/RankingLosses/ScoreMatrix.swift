/// A dense matrix of `rows × columns` elements, stored row by row.
///
/// LossLab lays out many negatives per positive the way the seed notebook does: **N rows × B columns**,
/// where column `j` holds the N sampled negatives of positive `j` and row `k` holds the `k`-th sample of
/// every positive. One negative per positive is the 1 × B case.
///
/// ```swift
/// let negatives = try ScoreMatrix([[1.5, 0.2], [0.5, 0.9], [1.0, 3.0]])  // N = 3, B = 2
/// negatives[1, 0]  // 0.5
/// ```
public struct ScoreMatrix<Element>: Sendable where Element: Sendable {
  /// The number of rows (`N`, the negatives per positive).
  public let rows: Int
  /// The number of columns (`B`, the batch size).
  public let columns: Int
  /// The elements, row by row: element `(k, j)` is at `k * columns + j`.
  public private(set) var storage: [Element]

  /// Creates a matrix from its elements stored row by row.
  ///
  /// - Parameters:
  ///   - rows: The number of rows, `≥ 0`.
  ///   - columns: The number of columns, `≥ 0`.
  ///   - storage: `rows * columns` elements, row by row.
  /// - Throws: ``LossError/shapeMismatch(_:)`` when the element count is not `rows * columns` or a
  ///   dimension is negative.
  public init(rows: Int, columns: Int, storage: [Element]) throws(LossError) {
    guard rows >= 0, columns >= 0, rows.multipliedReportingOverflow(by: columns).overflow == false,
      storage.count == rows * columns
    else {
      throw .shapeMismatch(
        "a \(rows) x \(columns) matrix needs \(max(0, rows) * max(0, columns)) elements, got \(storage.count)")
    }
    self.rows = rows
    self.columns = columns
    self.storage = storage
  }

  /// Creates a 1 × B matrix: one negative per positive.
  ///
  /// - Parameter row: The B elements of the single row.
  public init(row: [Element]) {
    self.rows = 1
    self.columns = row.count
    self.storage = row
  }

  /// Creates an N × B matrix from its rows.
  ///
  /// - Parameters:
  ///   - rows: N rows of B elements each.
  ///   - name: The name used in error messages (for example `negative_scores`).
  /// - Throws: ``LossError/shapeMismatch(_:)`` when the rows have different lengths (a ragged matrix).
  public init(_ rows: [[Element]], name: String = "matrix") throws(LossError) {
    let columns = rows.first?.count ?? 0
    var storage: [Element] = []
    storage.reserveCapacity(rows.count * columns)
    for (index, row) in rows.enumerated() {
      guard row.count == columns else {
        throw .shapeMismatch(
          "\(name) is ragged: row 0 has \(counted(columns, "column")) but row \(index) has \(row.count)")
      }
      storage.append(contentsOf: row)
    }
    self.rows = rows.count
    self.columns = columns
    self.storage = storage
  }

  /// Creates a matrix of the given shape with every element equal to `value`.
  public init(repeating value: Element, rows: Int, columns: Int) {
    precondition(rows >= 0 && columns >= 0, "matrix dimensions must not be negative")
    self.rows = rows
    self.columns = columns
    self.storage = Array(repeating: value, count: rows * columns)
  }

  /// The element at row `row` and column `column`.
  ///
  /// - Precondition: `0 ≤ row < rows` and `0 ≤ column < columns` (indexing out of range is a
  ///   programming error, as with `Array`).
  public subscript(row: Int, column: Int) -> Element {
    get { storage[row * columns + column] }
    set { storage[row * columns + column] = newValue }
  }

  /// The matrix as an array of rows (`N` arrays of `B` elements).
  public var rowArrays: [[Element]] {
    (0..<rows).map { k in Array(storage[(k * columns)..<((k + 1) * columns)]) }
  }

  /// Whether `other` has the same number of rows and columns.
  public func hasSameShape<Other>(as other: ScoreMatrix<Other>) -> Bool {
    rows == other.rows && columns == other.columns
  }

  /// Returns a matrix of the same shape whose elements are `transform` applied to these.
  public func map<T: Sendable>(_ transform: (Element) throws -> T) rethrows -> ScoreMatrix<T> {
    ScoreMatrix<T>(unchecked: rows, columns, try storage.map(transform))
  }

  init(unchecked rows: Int, _ columns: Int, _ storage: [Element]) {
    self.rows = rows
    self.columns = columns
    self.storage = storage
  }
}

extension ScoreMatrix: Equatable where Element: Equatable {}
extension ScoreMatrix: Hashable where Element: Hashable {}
