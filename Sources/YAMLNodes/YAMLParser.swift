/// Parses YAML into ``YAMLNode`` trees, with libyaml's event API underneath.
///
/// The parser reads one document, checks what libyaml does not (duplicate keys, alias expansion, nesting
/// depth, a second document) and reports every failure as one ``YAMLError`` with a 1-based mark. It knows no
/// schema: scalars stay text.
///
/// ```swift
/// let root = try YAMLParser.parse("loss: warp\nparameters: {num_items: 1000}\n")
/// print(root?.mapping?.count ?? 0)  // 2
///
/// do {
///   _ = try YAMLParser.parse("a: 1\na: 2\n")
/// } catch {
///   print(error)  // 2:1: duplicate key 'a' (first at line 1, column 1)
/// }
/// ```
public enum YAMLParser {
  /// Parses a stream of at most one YAML document from UTF-8 bytes.
  ///
  /// Anchors and aliases are resolved; an aliased node is shared, not copied. Merge keys (`<<`) get no
  /// special treatment: they are ordinary keys.
  ///
  /// - Parameters:
  ///   - bytes: The source, in UTF-8 (a leading byte-order mark is allowed).
  ///   - limits: The depth and node-count limits; default ``YAMLLimits/init(maxDepth:maxNodes:)``'s
  ///     defaults (200 levels, 2 000 000 nodes).
  /// - Returns: The document's root node, or `nil` when the stream has no document (no bytes, or only
  ///   whitespace and comments). A document holding nothing but a null, such as `~` or a lone `---`, is a
  ///   scalar (`~`, or empty text), not `nil`.
  /// - Throws: ``YAMLError``: `syntax` or `encoding` for libyaml's errors (the message is libyaml's, with its
  ///   context first, for example `while scanning a simple key: could not find expected ':'`); `duplicateKey`
  ///   when a mapping repeats a scalar key; `tooDeep` and `tooLarge` when `limits` are exceeded;
  ///   `multipleDocuments` at the start of a second document.
  public static func parse(_ bytes: [UInt8], limits: YAMLLimits = YAMLLimits()) throws(YAMLError) -> YAMLNode? {
    let result: Result<YAMLNode?, YAMLError> = bytes.withUnsafeBufferPointer { buffer in
      Result { () throws(YAMLError) in try parse(buffer: buffer, limits: limits) }
    }
    return try result.get()
  }

  /// Parses a stream of at most one YAML document from a string.
  ///
  /// The same as parsing the string's UTF-8 bytes.
  ///
  /// - Parameters:
  ///   - text: The source.
  ///   - limits: The depth and node-count limits; default 200 levels and 2 000 000 nodes.
  /// - Returns: The document's root node, or `nil` when the stream has no document.
  /// - Throws: ``YAMLError``, as for the bytes.
  public static func parse(_ text: String, limits: YAMLLimits = YAMLLimits()) throws(YAMLError) -> YAMLNode? {
    var text = text
    let result: Result<YAMLNode?, YAMLError> = text.withUTF8 { buffer in
      Result { () throws(YAMLError) in try parse(buffer: buffer, limits: limits) }
    }
    return try result.get()
  }

  /// Parses the bytes in `buffer`, which stay valid for the whole call.
  private static func parse(buffer: UnsafeBufferPointer<UInt8>, limits: YAMLLimits) throws(YAMLError) -> YAMLNode? {
    // libyaml skips a byte-order mark only when it detects the encoding itself; the encoding is fixed to
    // UTF-8 here, so drop the mark first (it is not a character of the first line). For bytes and strings.
    let buffer = buffer.starts(with: [0xEF, 0xBB, 0xBF]) ? UnsafeBufferPointer(rebasing: buffer.dropFirst(3)) : buffer
    guard !buffer.isEmpty else { return nil }
    let reader = try EventReader(source: SourceText(bytes: buffer))
    var event = try reader.next()
    guard case .streamStart = event.kind else { throw event.unexpected }
    event = try reader.next()
    switch event.kind {
    case .streamEnd:
      return nil
    case .documentStart:
      break
    default:
      throw event.unexpected
    }
    var builder = TreeBuilder(limits: limits)
    let root = try builder.readNode(from: reader)
    event = try reader.next()
    guard case .documentEnd = event.kind else { throw event.unexpected }
    event = try reader.next()
    switch event.kind {
    case .streamEnd:
      return root
    case .documentStart:
      throw YAMLError(
        kind: .multipleDocuments, message: "expected a single YAML document, found another one", mark: event.start)
    default:
      throw event.unexpected
    }
  }
}
