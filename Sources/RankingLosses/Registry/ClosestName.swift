/// The candidate closest to `name` by edit distance (Levenshtein, case-insensitive), if it is close enough
/// to be a likely typo: at most 2 edits, or a third of the name's length for longer names. Ties go to the
/// earlier candidate. A name of 3 or more characters that begins a candidate suggests that candidate.
///
/// Used for "did you mean …?" in error messages: `closestName(to: "warpp", among: ["bpr", "warp"])` is
/// `"warp"`.
public func closestName(to name: String, among candidates: [String]) -> String? {
  // A name that starts another (`popular` → `popularity`) is a likely abbreviation.
  let lowered = name.lowercased()
  if lowered.count >= 3, let prefixed = candidates.first(where: { $0.lowercased().hasPrefix(lowered) }) {
    return prefixed
  }
  let limit = max(2, name.count / 3)
  var best: (name: String, distance: Int)? = nil
  for candidate in candidates {
    let d = editDistance(Array(name.lowercased()), Array(candidate.lowercased()))
    if d <= limit, d < (best?.distance ?? Int.max) { best = (candidate, d) }
  }
  return best?.name
}

/// The Levenshtein distance between two character arrays (insertions, deletions, substitutions).
func editDistance(_ a: [Character], _ b: [Character]) -> Int {
  if a.isEmpty { return b.count }
  if b.isEmpty { return a.count }
  var previous = Array(0...b.count)
  var current = [Int](repeating: 0, count: b.count + 1)
  for i in 1...a.count {
    current[0] = i
    for j in 1...b.count {
      let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
      current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
    }
    swap(&previous, &current)
  }
  return previous[b.count]
}
