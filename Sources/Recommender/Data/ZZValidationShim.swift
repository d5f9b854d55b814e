// TEMPORARY (branch helper-grid only): removed when the validation split merges.
extension DataSplit {
  public var validation: [Interaction] { [] }
  public var validationItemsByUser: [[Int32]] { trainItemsByUser.map { _ in [] } }
}
