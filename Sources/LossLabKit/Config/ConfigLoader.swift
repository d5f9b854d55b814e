import Foundation
import RankingLosses
import YAMLNodes

/// What loading one config file gave: the config if it is valid, every diagnostic, and the file's bytes
/// (to quote lines in messages).
public struct LoadedConfig: Sendable {
  /// The file as the user named it.
  public var file: String
  /// The config, or `nil` when there were errors.
  public var config: ExperimentConfig?
  /// Every error and warning found.
  public var diagnostics: [ConfigDiagnostic]
  /// The file's bytes, when it could be read.
  public var source: [UInt8]?

  /// The errors among ``diagnostics``.
  public var errors: [ConfigDiagnostic] { diagnostics.filter { $0.severity == .error } }
}

/// Reads config files: file → bytes → libyaml → nodes → ``ExperimentConfig``.
public struct ConfigLoader: Sendable {
  /// The decoder that checks the document.
  public var decoder: ConfigDecoder
  /// Limits on the YAML document (nesting depth, nodes after alias expansion).
  public var limits: YAMLLimits

  /// Creates a loader.
  public init(registry: LossRegistry = .standard, limits: YAMLLimits = YAMLLimits()) {
    self.decoder = ConfigDecoder(registry: registry)
    self.limits = limits
  }

  /// Reads and checks a file, collecting every problem.
  ///
  /// - Parameter path: The file, as the user named it (messages quote it as given).
  public func check(path: String) -> LoadedConfig { checked(ConfigLoader.parse(path: path, limits: limits)) }

  /// Checks a config given as bytes.
  ///
  /// - Parameters:
  ///   - source: The YAML text's bytes (UTF-8).
  ///   - file: The name to use in messages.
  public func check(source: [UInt8], file: String) -> LoadedConfig {
    checked(ConfigLoader.parse(source: source, file: file, limits: limits))
  }

  fileprivate func checked(_ parsed: ParsedConfigFile) -> LoadedConfig {
    if let failure = parsed.failure {
      return LoadedConfig(file: parsed.file, config: nil, diagnostics: [failure], source: parsed.source)
    }
    let (config, diagnostics) = decoder.decode(parsed.root, file: parsed.file)
    return LoadedConfig(file: parsed.file, config: config, diagnostics: diagnostics, source: parsed.source)
  }

  /// Reads a config file and parses it with libyaml: the first step of every config command (run,
  /// validate, train, split). A missing file, a directory or an unreadable file is an input error;
  /// invalid YAML or text that is not UTF-8 is reported with libyaml's mark.
  static func parse(path: String, limits: YAMLLimits) -> ParsedConfigFile {
    func unreadable(_ problem: String) -> ParsedConfigFile {
      ParsedConfigFile(
        file: path, root: nil, source: nil,
        failure: ConfigDiagnostic(file: path, mark: nil, keyPath: "", message: problem, category: .input))
    }
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      return unreadable("cannot open the config: no such file")
    }
    guard !isDirectory.boolValue else { return unreadable("cannot open the config: it is a directory") }
    guard let data = FileManager.default.contents(atPath: path) else {
      return unreadable("cannot read the config (check its permissions)")
    }
    return parse(source: [UInt8](data), file: path, limits: limits)
  }

  /// Parses a config's bytes (see ``parse(path:limits:)``).
  static func parse(source: [UInt8], file: String, limits: YAMLLimits) -> ParsedConfigFile {
    do {
      return ParsedConfigFile(file: file, root: try YAMLParser.parse(source, limits: limits), source: source)
    } catch {
      let message = error.kind == .encoding ? "\(error.message): a config must be UTF-8 text" : error.message
      return ParsedConfigFile(
        file: file, root: nil, source: source,
        failure: ConfigDiagnostic(file: file, mark: error.mark, keyPath: "", message: message))
    }
  }

  /// Reads and checks a file.
  ///
  /// - Returns: The config.
  /// - Throws: ``ConfigErrors`` with every problem found.
  public func load(path: String) throws(ConfigErrors) -> ExperimentConfig {
    let loaded = check(path: path)
    guard let config = loaded.config else {
      throw ConfigErrors(diagnostics: loaded.errors, sources: loaded.source.map { [path: $0] } ?? [:])
    }
    return config
  }
}

/// A config file read and parsed: the document and the bytes, or the problem that stopped it.
struct ParsedConfigFile {
  var file: String
  var root: YAMLNode?
  var source: [UInt8]?
  var failure: ConfigDiagnostic? = nil
}

/// A config file of either kind, checked.
public enum CheckedConfigFile: Sendable {
  /// A loss-table config (`losses:` and `scenarios:`), for `losslab run`.
  case lossTable(LoadedConfig)
  /// A training config (`data:` and `losses:`), for `losslab train` and `split`: the config when it is
  /// valid, every diagnostic, and the file's bytes.
  case training(file: String, config: TrainingConfig?, diagnostics: [ConfigDiagnostic], source: [UInt8]?)

  /// Every error and warning found.
  public var diagnostics: [ConfigDiagnostic] {
    switch self {
    case .lossTable(let loaded): return loaded.diagnostics
    case .training(_, _, let diagnostics, _): return diagnostics
    }
  }

  /// The file's bytes, when it could be read.
  public var source: [UInt8]? {
    switch self {
    case .lossTable(let loaded): return loaded.source
    case .training(_, _, _, let source): return source
    }
  }
}

extension ConfigLoader {
  /// Reads a config once and checks it with the decoder its top-level keys call for: a training config
  /// when it has `data:`, a loss-table config otherwise (what `losslab validate` does).
  ///
  /// - Parameter path: The file, as the user named it.
  public func checkAnyKind(path: String) -> CheckedConfigFile {
    let parsed = ConfigLoader.parse(path: path, limits: limits)
    let isTraining = parsed.root?.mapping?.contains { $0.key.scalar?.text == "data" } ?? false
    guard isTraining, parsed.failure == nil else { return .lossTable(checked(parsed)) }
    let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
    let (config, diagnostics) = TrainingConfigDecoder(registry: decoder.registry).decode(
      parsed.root, file: path, folder: folder)
    return .training(file: path, config: config, diagnostics: diagnostics, source: parsed.source)
  }
}
