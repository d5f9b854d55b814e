/// The rows of a data set grouped by user: a counting sort of the row indices by user, file order kept
/// within each user. Linear in the rows; one `Int32` per row and one `Int` per user.
struct UserGroups {
  /// User `u`'s rows are `order[offsets[u]..<offsets[u + 1]]`.
  var offsets: [Int]
  /// The row indices, grouped by user.
  var order: [Int32]

  /// Groups the rows of `users` (dense indices `0..<userCount`; rows with a negative user are left out).
  init(users: [Int32], userCount: Int) {
    var offsets = [Int](repeating: 0, count: userCount + 1)
    for user in users where user >= 0 { offsets[Int(user) + 1] += 1 }
    for u in 0..<userCount { offsets[u + 1] += offsets[u] }
    var next = offsets
    var order = [Int32](repeating: 0, count: offsets[userCount])
    for (row, user) in users.enumerated() where user >= 0 {
      order[next[Int(user)]] = Int32(row)
      next[Int(user)] += 1
    }
    self.offsets = offsets
    self.order = order
  }
}
