internal import CLossLabPlugin
import Foundation
import RankingLosses
import Recommender

#if canImport(Glibc)
  import Glibc
#endif

/// Why a plugin could not be loaded.
public struct PluginError: CategorizedError, Sendable, Hashable {
  /// The plugin file, as given.
  public var path: String
  /// What went wrong.
  public var message: String
  /// ``FailureCategory/unreadableInput`` when the file is missing or not a regular file,
  /// ``FailureCategory/badData`` when it is not a valid plugin.
  public var category: FailureCategory

  /// Creates an error.
  public init(path: String, message: String, category: FailureCategory = .badData) {
    self.path = path
    self.message = message
    self.category = category
  }

  /// `"plugin PATH: MESSAGE"`.
  public var description: String { "plugin \(path): \(message)" }
}

/// Loads loss plugins: shared libraries with the C ABI of `Sources/CLossLabPlugin/include/losslab_plugin.h`.
///
/// ```swift
/// var registry = LossRegistry.standard
/// try PluginLoader.load("libmylosses.so", into: &registry)
/// ```
public enum PluginLoader {
  /// The ABI version this host understands.
  public static let abiVersion = Int(LOSSLAB_PLUGIN_ABI_VERSION)

  /// Checks that `path` names an existing regular file, without loading it.
  ///
  /// - Throws: ``PluginError`` (``FailureCategory/unreadableInput``) when it does not.
  public static func checkFile(_ path: String) throws(PluginError) {
    _ = try regularFile(path)
  }

  /// The identity of the regular file at `path`.
  private static func regularFile(_ path: String) throws(PluginError) -> FileIdentity {
    var info = stat()
    guard stat(path, &info) == 0 else {
      throw PluginError(path: path, message: "no such file", category: .unreadableInput)
    }
    guard FileKind(mode: info.st_mode) == .regular else {
      throw PluginError(path: path, message: "not a regular file", category: .unreadableInput)
    }
    return FileIdentity(info)
  }

  /// Loads the plugin at `path` and registers its losses in `registry` (origin: the path).
  ///
  /// `path` is a file path, relative to the current folder or absolute — never looked up on the dynamic
  /// loader's search path. A plugin file whose losses `registry` already holds (the same file, by device and
  /// inode, named twice, say on the command line and in a config) is not loaded again.
  ///
  /// - Throws: ``PluginError`` when the file is missing or not a regular file, is not a shared library, has
  ///   no `losslab_plugin_entry`, returns a table that ``descriptors(fromTable:path:)`` rejects, or names a
  ///   loss that is registered already (then nothing of the plugin is registered).
  public static func load(_ path: String, into registry: inout LossRegistry) throws(PluginError) {
    func failure(_ message: String) -> PluginError { PluginError(path: path, message: message) }
    let identity = try regularFile(path)
    if registry.descriptors.contains(where: { $0.origin != "built-in" && fileIdentity($0.origin) == identity }) {
      return
    }
    // A name without a slash would send dlopen to the loader's search path: make it a path.
    let file = path.contains("/") ? path : "./" + path
    guard let handle = dlopen(file, RTLD_NOW | RTLD_LOCAL) else {
      let reason = dlerror().map { String(cString: $0) } ?? "unknown reason"
      throw failure("not a loadable shared library (\(reason))")
    }
    guard let symbol = dlsym(handle, "losslab_plugin_entry") else {
      throw failure("no entry point 'losslab_plugin_entry': is it a LossLab plugin?")
    }
    typealias Entry = @convention(c) () -> UnsafeRawPointer?
    let descriptors = try descriptors(fromTable: unsafeBitCast(symbol, to: Entry.self)(), path: path)
    var extended = registry
    for descriptor in descriptors {
      do {
        try extended.register(descriptor)
      } catch {
        throw failure(error.description)
      }
    }
    registry = extended
  }

  /// The most losses one plugin table may hold.
  public static let maxLosses = 1024
  /// The most parameters one plugin loss may declare.
  public static let maxParameters = 64
  /// The longest loss or parameter name, in bytes.
  public static let maxNameLength = 64
  /// The longest summary or parameter doc, in bytes.
  public static let maxTextLength = 256

  /// Reads and checks a plugin's table — what `losslab_plugin_entry` returned — and makes a descriptor of
  /// each loss (origin: `path`), without registering them.
  ///
  /// Every pointer and count is checked before it is followed, and strings are read only up to their bound
  /// (`strnlen`), so a malformed table gets an error, not a crash:
  ///
  /// * the table is not NULL and speaks ``abiVersion``;
  /// * `loss_count` ≤ ``maxLosses``, and `losses` is not NULL when it is positive;
  /// * each loss: `name` not NULL, at most ``maxNameLength`` bytes, a valid loss name (`[a-z][a-z0-9_]*`)
  ///   used once in the table; `summary` NULL (then "a plugin loss") or valid UTF-8 of at most
  ///   ``maxTextLength`` bytes without control characters; `kind` `LOSSLAB_PAIRWISE` or
  ///   `LOSSLAB_ADAPTIVE`; `parameter_count` in `0 ... maxParameters`, and `parameters` not NULL when it is
  ///   positive; `evaluate` not NULL;
  /// * each parameter: `name` not NULL, at most ``maxNameLength`` bytes, an identifier
  ///   (`[A-Za-z_][A-Za-z0-9_]*`) used once in its loss; no NaN among `default_value`, `minimum` and
  ///   `maximum`, a finite default, and `minimum ≤ default_value ≤ maximum` (an infinite bound is no
  ///   bound); `doc` like a summary.
  ///
  /// - Parameters:
  ///   - table: A `const losslab_plugin *`, or `nil`.
  ///   - path: The plugin's path, for messages and as the descriptors' origin.
  /// - Returns: The descriptors, in the table's order.
  /// - Throws: ``PluginError`` naming `path` and the offending field, e.g.
  ///   `plugin ./bad.so: losses[1].parameter_count is -1; it must be between 0 and 64`.
  public static func descriptors(fromTable table: UnsafeRawPointer?, path: String) throws(PluginError)
    -> [LossDescriptor]
  {
    func failure(_ message: String) -> PluginError { PluginError(path: path, message: message) }
    guard let table = table?.assumingMemoryBound(to: losslab_plugin.self).pointee else {
      throw failure("losslab_plugin_entry returned no table")
    }
    let version = Int(table.abi_version)
    guard version == abiVersion else {
      throw failure("it was built for plugin ABI version \(version); this LossLab speaks version \(abiVersion)")
    }
    let count = Int(table.loss_count)
    guard count <= maxLosses else { throw failure("loss_count is \(count); it must be at most \(maxLosses)") }
    guard count == 0 || table.losses != nil else { throw failure("losses is NULL but loss_count is \(count)") }
    var descriptors: [LossDescriptor] = []
    var names: [String: Int] = [:]
    for index in 0..<count {
      let field = "losses[\(index)]"
      let entry = table.losses[index]
      let name = try loadName(entry.name, "\(field).name", failure)
      guard isValidLossName(name) else {
        throw failure(
          "\(field).name '\(escapingControlCharacters(name))' is not a valid loss name: use lower-case letters, "
            + "digits and '_', starting with a letter")
      }
      if let first = names[name] { throw failure("\(field).name '\(name)' is used by losses[\(first)] already") }
      names[name] = index
      let summary = try loadText(entry.summary, "\(field).summary", failure) ?? "a plugin loss"
      let kind: LossKind
      switch entry.kind {
      case Int32(LOSSLAB_PAIRWISE): kind = .pairwise
      case Int32(LOSSLAB_ADAPTIVE): kind = .adaptive
      default:
        throw failure("\(field).kind is \(entry.kind); it must be LOSSLAB_PAIRWISE (0) or LOSSLAB_ADAPTIVE (1)")
      }
      let parameterCount = Int(entry.parameter_count)
      guard (0...maxParameters).contains(parameterCount) else {
        throw failure("\(field).parameter_count is \(parameterCount); it must be between 0 and \(maxParameters)")
      }
      guard parameterCount == 0 || entry.parameters != nil else {
        throw failure("\(field).parameters is NULL but parameter_count is \(parameterCount)")
      }
      var specs: [LossParameterSpec] = []
      var parameterNames: [String: Int] = [:]
      for p in 0..<parameterCount {
        let parameterField = "\(field).parameters[\(p)]"
        let parameter = entry.parameters[p]
        let parameterName = try loadName(parameter.name, "\(parameterField).name", failure)
        guard isIdentifier(parameterName) else {
          throw failure(
            "\(parameterField).name '\(escapingControlCharacters(parameterName))' is not a valid parameter name: "
              + "use letters, digits and '_', starting with a letter or '_'")
        }
        if let first = parameterNames[parameterName] {
          throw failure("\(parameterField).name '\(parameterName)' is used by \(field).parameters[\(first)] already")
        }
        parameterNames[parameterName] = p
        let (value, minimum, maximum) = (parameter.default_value, parameter.minimum, parameter.maximum)
        for (key, x) in [("default_value", value), ("minimum", minimum), ("maximum", maximum)] where x.isNaN {
          throw failure("\(parameterField).\(key) is NaN")
        }
        guard value.isFinite else { throw failure("\(parameterField).default_value is \(value); it must be finite") }
        guard minimum <= value, value <= maximum else {
          throw failure(
            "\(parameterField) has minimum \(minimum), default_value \(value) and maximum \(maximum); "
              + "it needs minimum <= default_value <= maximum")
        }
        let doc = try loadText(parameter.doc, "\(parameterField).doc", failure) ?? ""
        specs.append(
          LossParameterSpec(
            name: parameterName, type: .real, defaultValue: .real(value),
            minimum: minimum.isFinite ? minimum : nil, maximum: maximum.isFinite ? maximum : nil, doc: doc))
      }
      guard let evaluate = entry.evaluate else { throw failure("\(field).evaluate is NULL") }
      let function = PluginFunction(evaluate: evaluate)
      let captured = specs
      var descriptor = LossDescriptor(name: name, kind: kind, summary: summary, parameters: specs) { parameters in
        PluginLoss(
          name: name, kind: kind, path: path, function: function,
          parameters: captured.map { parameters.real($0.name) })
      }
      descriptor.origin = path
      descriptors.append(descriptor)
    }
    return descriptors
  }

  /// The bytes of a NUL-terminated string of at most `limit` bytes, reading no more than `limit + 1`; `nil`
  /// when it is longer.
  private static func boundedBytes(_ pointer: UnsafePointer<CChar>, limit: Int) -> [UInt8]? {
    let length = strnlen(pointer, limit + 1)
    guard length <= limit else { return nil }
    return Array(UnsafeRawBufferPointer(start: pointer, count: length))
  }

  /// A required name field: not NULL, at most ``maxNameLength`` bytes.
  private static func loadName(
    _ pointer: UnsafePointer<CChar>?, _ field: String, _ failure: (String) -> PluginError
  ) throws(PluginError) -> String {
    guard let pointer else { throw failure("\(field) is NULL") }
    guard let bytes = boundedBytes(pointer, limit: maxNameLength) else {
      throw failure("\(field) is longer than \(maxNameLength) bytes")
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// An optional text field (a summary, a doc): `nil` for NULL, else valid UTF-8 of at most
  /// ``maxTextLength`` bytes without control characters.
  private static func loadText(
    _ pointer: UnsafePointer<CChar>?, _ field: String, _ failure: (String) -> PluginError
  ) throws(PluginError) -> String? {
    guard let pointer else { return nil }
    guard let bytes = boundedBytes(pointer, limit: maxTextLength) else {
      throw failure("\(field) is longer than \(maxTextLength) bytes")
    }
    guard let text = String(validating: bytes, as: UTF8.self) else { throw failure("\(field) is not valid UTF-8") }
    if let problem = forbiddenCharacterProblem(in: text) { throw failure("\(field) \(problem)") }
    return text
  }

  /// Whether `name` is a loss name the registry accepts: `[a-z][a-z0-9_]*`.
  private static func isValidLossName(_ name: String) -> Bool {
    guard let first = name.unicodeScalars.first, ("a"..."z").contains(first) else { return false }
    return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
  }

  /// Whether `name` is an identifier: `[A-Za-z_][A-Za-z0-9_]*`.
  private static func isIdentifier(_ name: String) -> Bool {
    func letter(_ c: Unicode.Scalar) -> Bool { ("a"..."z").contains(c) || ("A"..."Z").contains(c) || c == "_" }
    guard let first = name.unicodeScalars.first, letter(first) else { return false }
    return name.unicodeScalars.allSatisfy { letter($0) || ("0"..."9").contains($0) }
  }
}

/// The device and inode of a file, or `nil` when it cannot be examined: the identity of a file however it is
/// named.
func fileIdentity(_ path: String) -> FileIdentity? {
  var info = stat()
  guard stat(path, &info) == 0 else { return nil }
  return FileIdentity(info)
}

/// A file's device and inode numbers.
struct FileIdentity: Hashable {
  var device: UInt64
  var inode: UInt64

  /// The identity `stat` reported.
  init(_ info: stat) {
    device = UInt64(info.st_dev)
    inode = UInt64(info.st_ino)
  }
}

/// A plugin's C function, shared by the losses built from it.
struct PluginFunction: @unchecked Sendable {
  let evaluate: losslab_evaluate_fn
}

/// A loss computed by a plugin: the batch goes to the plugin in `Double`, and the value and gradients come
/// back checked.
struct PluginLoss: LossProtocol {
  let name: String
  let kind: LossKind
  let path: String
  let function: PluginFunction
  let parameters: [Double]

  func evaluate<Scalar: LossScalar>(
    _ batch: LossBatch<Scalar>, computeGradients: Bool
  ) throws(LossError) -> LossOutput<Scalar> {
    try batch.validate()
    if kind == .pairwise, batch.negativeScores.rows > 1 {
      throw .pairwiseNeedsOneNegative(loss: name, rows: batch.negativeScores.rows)
    }
    let (rows, b) = (batch.negativeScores.rows, batch.batchSize)
    let positives = batch.positiveScores.map { Double($0) }
    let negatives = batch.negativeScores.storage.map { Double($0) }
    let margins = batch.idealDifferences?.storage.map { Double($0) } ?? [Double](repeating: 1, count: rows * b)
    var value = Double.nan
    var positiveGradients = [Double](repeating: .nan, count: computeGradients ? b : 0)
    var negativeGradients = [Double](repeating: .nan, count: computeGradients ? rows * b : 0)
    var message = [CChar](repeating: 0, count: 512)
    let status = positiveGradients.withUnsafeMutableBufferPointer { gp in
      negativeGradients.withUnsafeMutableBufferPointer { gn in
        function.evaluate(
          positives, negatives, margins, Int64(rows), Int64(b), parameters, &value,
          computeGradients ? gp.baseAddress : nil, computeGradients ? gn.baseAddress : nil, &message,
          Int64(message.count))
      }
    }
    guard status == 0 else {
      let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
      throw .custom("plugin loss '\(name)' (\(path)) failed: \(text.isEmpty ? "error \(status)" : text)")
    }
    guard value.isFinite, positiveGradients.allSatisfy(\.isFinite), negativeGradients.allSatisfy(\.isFinite) else {
      throw .custom("plugin loss '\(name)' (\(path)) returned a non-finite value or gradient")
    }
    let gradients =
      computeGradients
      ? LossGradients(
        positiveScores: positiveGradients.map { Scalar($0) },
        negativeScores: try ScoreMatrix(rows: rows, columns: b, storage: negativeGradients.map { Scalar($0) })) : nil
    return LossOutput(value: Scalar(value), gradients: gradients)
  }
}
