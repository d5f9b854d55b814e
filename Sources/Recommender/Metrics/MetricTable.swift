/// Metric values by column: one user's, or the mean over users.
///
/// ```swift
/// let means = table.means
/// means[MetricColumn(.ndcg, k: 10)]      // the mean NDCG@10, or nil when the column was not computed
/// ```
public struct MetricValues: Sendable, Equatable {
  /// The columns, in order.
  public let columns: [MetricColumn]
  /// One value per column, in the order of ``columns``.
  public let values: [Double]

  /// Creates a set of values.
  ///
  /// - Parameters:
  ///   - columns: The columns.
  ///   - values: One value per column.
  /// - Precondition: `values.count == columns.count`.
  public init(columns: [MetricColumn], values: [Double]) {
    precondition(values.count == columns.count, "\(values.count) values for \(columns.count) columns")
    self.columns = columns
    self.values = values
  }

  /// The value of `column`, or `nil` when it is not one of ``columns`` (the first match if repeated).
  public subscript(column: MetricColumn) -> Double? {
    columns.firstIndex(of: column).map { values[$0] }
  }
}

/// Every evaluated user's metric values, one row per user and one column per ``MetricColumn``, and their
/// means.
///
/// ``Evaluator/evaluateTable(columns:itemCount:users:score:)`` fills one; the users are those with at least
/// one test item, in the order given to the evaluator. The mean of column `c` is
///
/// ```
/// mean_c = (1 / |U|) Σ_{row = 0}^{|U|−1} values[row][c]      summed in row order, 0 when U is empty
/// ```
///
/// so it is bit-for-bit the same whatever the number of threads the rows were computed on, and anyone who
/// sums the rows of an export in order gets exactly ``means``.
public struct MetricTable: Sendable, Equatable {
  /// The columns, in order.
  public let columns: [MetricColumn]
  /// The evaluated users' dense ids (``EvaluationUser/user``), one per row, in order.
  public let users: [Int]
  /// The values, row by row: the value of row `r` and column `c` is at `r * columns.count + c`.
  public let values: [Double]
  /// The mean of each column over the rows, summed in row order (see ``MetricTable``).
  public let means: MetricValues

  /// Creates a table and computes its means.
  ///
  /// - Parameters:
  ///   - columns: The columns.
  ///   - users: The users' dense ids, one per row.
  ///   - values: `users.count × columns.count` values, row by row.
  /// - Precondition: `values.count == users.count * columns.count`.
  public init(columns: [MetricColumn], users: [Int], values: [Double]) {
    let width = columns.count
    precondition(
      values.count == users.count * width, "\(values.count) values for \(users.count) users × \(width) columns")
    self.columns = columns
    self.users = users
    self.values = values
    var sums = [Double](repeating: 0, count: width)
    for row in users.indices {
      for c in 0..<width { sums[c] += values[row * width + c] }
    }
    let n = Double(users.count)
    means = MetricValues(columns: columns, values: users.isEmpty ? sums : sums.map { $0 / n })
  }

  /// The value of row `row` (the user `users[row]`) in column `column`.
  ///
  /// - Precondition: `row` and `column` are in range.
  public subscript(row: Int, column: Int) -> Double {
    precondition(column >= 0 && column < columns.count, "column \(column) is outside 0..<\(columns.count)")
    return values[row * columns.count + column]
  }

  /// The values of row `row` (the user `users[row]`), one per column.
  public func row(_ row: Int) -> MetricValues {
    let width = columns.count
    return MetricValues(columns: columns, values: Array(values[(row * width)..<((row + 1) * width)]))
  }
}
