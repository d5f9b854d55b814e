/// A problem that reading a data file's header shows, and the setting of the source it concerns.
public struct HeaderProblem: Sendable, Hashable {
  /// The setting the problem concerns, as a config spells it: `path` (the file cannot be opened, or its
  /// header is unreadable), a column key (`user`, `item`, `rating`, `timestamp`, `id`), or `fields.NAME`
  /// for a metadata field's column.
  public var setting: String
  /// The problem, with the file and the header's line.
  public var error: DataError
}

extension DataLoader {
  /// Opens the interactions file and reads its header only — not its rows — and names every column the
  /// source asks for that the header lacks.
  ///
  /// Checks what ``load(_:items:)`` would find first, at the cost of one line per file: a missing or
  /// unreadable file, a bad or missing header, a column that is not there (with the closest name). Without a
  /// header, column positions are checked against the rows when loading.
  ///
  /// - Returns: The problems, each with the setting it concerns; empty when the header has every column.
  public static func headerProblems(_ source: InteractionSource) -> [HeaderProblem] {
    let columns = source.columns
    let wanted =
      [("user", columns.user, "user ids"), ("item", columns.item, "item ids")]
      + [("rating", columns.rating, "ratings"), ("timestamp", columns.timestamp, "timestamps")].compactMap {
        key, name, role in name.map { (key, $0, role) }
      }
    return problems(source.path, source.delimiter, source.format, source.header, wanted)
  }

  /// ``headerProblems(_:)-(InteractionSource)`` for an items file: its id column and each field's column.
  public static func headerProblems(_ source: ItemSource) -> [HeaderProblem] {
    let wanted =
      [("id", source.idColumn, "item ids")]
      + source.fields.map { ("fields.\($0.name)", $0.column, "field '\($0.name)'") }
    return problems(source.path, source.delimiter, source.format, source.header, wanted)
  }

  /// Opens the file at `path` and reads its header; the problem that stops that, or the columns of `wanted`
  /// (setting, column name, role) that the header lacks.
  private static func problems(
    _ path: String, _ delimiter: String, _ format: DataFormat, _ header: Bool, _ wanted: [(String, String, String)]
  ) -> [HeaderProblem] {
    var table: CSVTable
    do {
      table = try CSVTable(path: path, delimiter: delimiter, format: format, header: header)
    } catch {
      return [HeaderProblem(setting: "path", error: error)]
    }
    var found: [HeaderProblem] = []
    for (setting, name, role) in wanted {
      do {
        _ = try table.column(name, role: role)
      } catch {
        found.append(HeaderProblem(setting: setting, error: error))
      }
    }
    return found
  }
}
