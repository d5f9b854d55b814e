import YAMLNodes

/// The error that parsing `text` throws, or `nil` when it parses.
func parseError(_ text: String, limits: YAMLLimits = YAMLLimits()) -> YAMLError? {
  do {
    _ = try YAMLParser.parse(text, limits: limits)
    return nil
  } catch {
    return error
  }
}

/// The error that parsing `bytes` throws, or `nil` when it parses.
func parseError(_ bytes: [UInt8], limits: YAMLLimits = YAMLLimits()) -> YAMLError? {
  do {
    _ = try YAMLParser.parse(bytes, limits: limits)
    return nil
  } catch {
    return error
  }
}

/// `text` nested in `depth` flow sequences: `[[[text]]]` for depth 3.
func nested(_ text: String, depth: Int) -> String {
  String(repeating: "[", count: depth) + text + String(repeating: "]", count: depth)
}

extension YAMLNode {
  /// The value of the first pair whose key is the scalar `key`.
  subscript(key: String) -> YAMLNode? {
    mapping?.first { $0.key.scalar?.text == key }?.value
  }

  /// `"START-END"`, for asserting both marks at once.
  var span: String { "\(mark)-\(endMark)" }
}
