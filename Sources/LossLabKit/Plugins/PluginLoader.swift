internal import CLossLabPlugin
import Foundation
import RankingLosses

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
    guard info.st_mode & S_IFMT == S_IFREG else {
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
  ///   no `losslab_plugin_entry`, speaks another ABI version, or names a loss that is registered already
  ///   (then nothing of the plugin is registered).
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
    guard let table = unsafeBitCast(symbol, to: Entry.self)()?.assumingMemoryBound(to: losslab_plugin.self) else {
      throw failure("losslab_plugin_entry returned no table")
    }
    let version = Int(table.pointee.abi_version)
    guard version == abiVersion else {
      throw failure("it was built for plugin ABI version \(version); this LossLab speaks version \(abiVersion)")
    }
    var extended = registry
    for index in 0..<Int(table.pointee.loss_count) {
      let entry = table.pointee.losses[index]
      guard let cName = entry.name, let evaluate = entry.evaluate else {
        throw failure("loss \(index) has no name or no evaluate function")
      }
      let name = String(cString: cName)
      let summary = entry.summary.map { String(cString: $0) } ?? "a plugin loss"
      let kind: LossKind = entry.kind == Int32(LOSSLAB_ADAPTIVE) ? .adaptive : .pairwise
      let specs = (0..<Int(entry.parameter_count)).map { p in
        let parameter = entry.parameters[p]
        return LossParameterSpec(
          name: parameter.name.map { String(cString: $0) } ?? "p\(p)", type: .real,
          defaultValue: .real(parameter.default_value), minimum: parameter.minimum, maximum: parameter.maximum,
          doc: parameter.doc.map { String(cString: $0) } ?? "")
      }
      let function = PluginFunction(evaluate: evaluate)
      var descriptor = LossDescriptor(name: name, kind: kind, summary: summary, parameters: specs) { parameters in
        PluginLoss(
          name: name, kind: kind, path: path, function: function,
          parameters: specs.map { parameters.real($0.name) })
      }
      descriptor.origin = path
      do {
        try extended.register(descriptor)
      } catch {
        throw failure(error.description)
      }
    }
    registry = extended
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
