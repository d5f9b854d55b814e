/// Where a path written in a config points: the one rule for data files and plugins alike.
///
/// A relative path is relative to the folder of the config file that names it (so a config can be run from
/// anywhere), and the result is normalised lexically — `.` segments and `folder/..` pairs removed, repeated
/// `/` collapsed — without making it absolute, so that messages show the path the way the user would type
/// it from the current folder:
///
/// ```swift
/// resolvePath("../data/ratings.csv", relativeTo: "configs/movielens.yaml")   // "data/ratings.csv"
/// resolvePath("/srv/ratings.csv", relativeTo: "configs/movielens.yaml")      // "/srv/ratings.csv"
/// resolvePath("plugin.so", relativeTo: "my.yaml")                            // "plugin.so"
/// ```
///
/// The normalisation is lexical: like `URL.standardized`, `a/..` is removed even when `a` is a symbolic
/// link to another folder.
///
/// - Parameters:
///   - given: The path as written in the config; not empty.
///   - file: The config file's path as the user named it.
public func resolvePath(_ given: String, relativeTo file: String) -> String {
  if given.hasPrefix("/") { return lexicallyNormalized(given) }
  let folder = file.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
  if folder.isEmpty { return lexicallyNormalized(file.hasPrefix("/") ? "/" + given : given) }
  return lexicallyNormalized(folder + "/" + given)
}

/// `path` with `.` segments, empty segments and `name/..` pairs removed; a relative path stays relative (a
/// leading `..` that cannot be removed stays), and the empty result is `.`.
func lexicallyNormalized(_ path: String) -> String {
  let absolute = path.hasPrefix("/")
  var parts: [Substring] = []
  for part in path.split(separator: "/", omittingEmptySubsequences: true) {
    switch part {
    case ".": continue
    case "..":
      if let last = parts.last, last != ".." {
        parts.removeLast()
      } else if !absolute {
        parts.append(part)
      }
    default: parts.append(part)
    }
  }
  let joined = parts.joined(separator: "/")
  if absolute { return "/" + joined }
  return joined.isEmpty ? "." : joined
}
