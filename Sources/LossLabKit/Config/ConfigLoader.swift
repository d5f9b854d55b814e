import Foundation
import RankingLosses
import YAMLNodes

/// What loading one config file gave: the config if it is valid, every diagnostic, and the file's bytes
/// (to quote lines in messages).
public struct LoadedConfig: Sendable {
  /// The file as the user named it.
  public var file: String
  /// The kind the file was decoded as.
  public var kind: ConfigKind
  /// The config, or `nil` when there were errors.
  public var config: AnyConfig?
  /// Every error and warning found, in the order of their place in the file.
  public var diagnostics: [ConfigDiagnostic]
  /// The file's bytes, when it could be read.
  public var source: [UInt8]?

  /// The errors among ``diagnostics``.
  public var errors: [ConfigDiagnostic] { diagnostics.filter { $0.severity == .error } }

  /// The loss-table config, when the file is a valid one.
  public var lossTable: ExperimentConfig? { config?.lossTable }

  /// The training config, when the file is a valid one.
  public var training: TrainingConfig? { config?.training }

  /// The config, or its errors.
  ///
  /// - Throws: ``ConfigErrors`` with every error, and the source to quote them from.
  public func get() throws(ConfigErrors) -> AnyConfig {
    guard let config else { throw ConfigErrors(diagnostics: errors, sources: source.map { [file: $0] } ?? [:]) }
    return config
  }
}

/// Reads config files of both kinds: file → bytes → libyaml → nodes → ``ConfigDecoder`` → ``AnyConfig``.
/// Every command that takes a config reads it here.
///
/// ```swift
/// let loaded = ConfigLoader().load(path: "configs/seed-examples.yaml")
/// if let config = loaded.lossTable { print(config.losses.map(\.label)) }
/// ```
public struct ConfigLoader: Sendable {
  /// The decoder that checks the document.
  public var decoder: ConfigDecoder
  /// Limits on the YAML document (nesting depth, nodes after alias expansion).
  public var limits: YAMLLimits

  /// Creates a loader.
  ///
  /// - Parameters:
  ///   - registry: The losses a config may name; default the standard ones.
  ///   - limits: Limits on the YAML document.
  ///   - plugins: Whether a config's `plugins:` are loaded (default) or only checked to exist.
  public init(registry: LossRegistry = .standard, limits: YAMLLimits = YAMLLimits(), plugins: PluginPolicy = .load) {
    self.decoder = ConfigDecoder(registry: registry, plugins: plugins)
    self.limits = limits
  }

  /// Reads and checks a file, collecting every problem.
  ///
  /// - Parameters:
  ///   - path: The file, as the user named it (messages quote it as given; relative paths inside it are
  ///     resolved against its folder).
  ///   - kind: The kind to decode it as; `nil` (default) for the kind the document calls for.
  public func load(path: String, as kind: ConfigKind? = nil) -> LoadedConfig {
    decoded(Self.parse(path: path, limits: limits), as: kind)
  }

  /// Checks a config given as bytes.
  ///
  /// - Parameters:
  ///   - source: The YAML text's bytes (UTF-8).
  ///   - file: The name to use in messages (and to resolve relative paths against).
  ///   - kind: The kind to decode it as; `nil` (default) for the kind the document calls for.
  public func load(source: [UInt8], file: String, as kind: ConfigKind? = nil) -> LoadedConfig {
    decoded(Self.parse(source: source, file: file, limits: limits), as: kind)
  }

  /// The kind the file at `path` plainly is (``ConfigKind/evident(_:)``), from its parse alone (nothing is
  /// decoded, no plugin loaded); `nil` when it cannot be read or parsed, or has neither `data` nor
  /// `scenarios`.
  public func evidentKind(path: String) -> ConfigKind? {
    let parsed = Self.parse(path: path, limits: limits)
    return parsed.failure == nil ? ConfigKind.evident(parsed.root) : nil
  }

  /// Reads a loss-table config.
  ///
  /// - Throws: ``ConfigErrors`` with every problem found, or saying that the file is a training config.
  public func loadLossTable(path: String) throws(ConfigErrors) -> ExperimentConfig {
    guard let config = try load(path: path, as: .lossTable).get().lossTable else { preconditionFailure() }
    return config
  }

  /// Reads a training config.
  ///
  /// - Throws: ``ConfigErrors`` with every problem found.
  public func loadTraining(path: String) throws(ConfigErrors) -> TrainingConfig {
    guard let config = try load(path: path, as: .training).get().training else { preconditionFailure() }
    return config
  }

  private func decoded(_ parsed: ParsedConfigFile, as asked: ConfigKind?) -> LoadedConfig {
    let kind = asked ?? ConfigKind.detect(parsed.root)
    if let failure = parsed.failure {
      return LoadedConfig(file: parsed.file, kind: kind, config: nil, diagnostics: [failure], source: parsed.source)
    }
    if let asked, let other = ConfigKind.evident(parsed.root), other != asked {
      // The other kind of config, plainly: say so in one line rather than list its keys as unknown.
      let diagnostic = ConfigDiagnostic(
        file: parsed.file, mark: nil, message: other.wrongCommand, category: .usage)
      return LoadedConfig(
        file: parsed.file, kind: asked, config: nil, diagnostics: [diagnostic], source: parsed.source)
    }
    let (config, diagnostics) = decoder.decode(parsed.root, file: parsed.file, as: kind)
    return LoadedConfig(
      file: parsed.file, kind: kind, config: config, diagnostics: diagnostics, source: parsed.source)
  }

  /// Reads a config file and parses it with libyaml. A missing file, a directory or an unreadable file is
  /// an input error; invalid YAML or text that is not UTF-8 is reported with libyaml's mark.
  static func parse(path: String, limits: YAMLLimits) -> ParsedConfigFile {
    func unreadable(_ problem: String) -> ParsedConfigFile {
      ParsedConfigFile(
        file: path, root: nil, source: nil,
        failure: ConfigDiagnostic(file: path, mark: nil, message: problem, category: .unreadableInput))
    }
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      return unreadable("cannot open the config: no such file")
    }
    guard !isDirectory.boolValue else { return unreadable("cannot open the config: it is a directory") }
    // A FileHandle reads pipes too (`losslab validate <(…)`, `/dev/stdin`), which `contents(atPath:)` does not.
    guard let handle = FileHandle(forReadingAtPath: path) else {
      return unreadable("cannot read the config (check its permissions)")
    }
    defer { try? handle.close() }
    let data: Data
    do {
      data = try handle.readToEnd() ?? Data()
    } catch {
      return unreadable("cannot read the config: \(error.localizedDescription)")
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
        failure: ConfigDiagnostic(file: file, mark: error.mark, message: message, relatedLine: error.relatedLine))
    }
  }
}

/// A config file read and parsed: the document and the bytes, or the problem that stopped it.
struct ParsedConfigFile {
  var file: String
  var root: YAMLNode?
  var source: [UInt8]?
  var failure: ConfigDiagnostic? = nil
}
