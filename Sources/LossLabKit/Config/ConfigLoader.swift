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
  public func check(path: String) -> LoadedConfig {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      return unreadable(path, "cannot open the config: no such file")
    }
    guard !isDirectory.boolValue else { return unreadable(path, "cannot open the config: it is a directory") }
    guard let data = FileManager.default.contents(atPath: path) else {
      return unreadable(path, "cannot read the config (check its permissions)")
    }
    return check(source: [UInt8](data), file: path)
  }

  /// Checks a config given as bytes.
  ///
  /// - Parameters:
  ///   - source: The YAML text's bytes (UTF-8).
  ///   - file: The name to use in messages.
  public func check(source: [UInt8], file: String) -> LoadedConfig {
    let root: YAMLNode?
    do {
      root = try YAMLParser.parse(source, limits: limits)
    } catch {
      let message = error.kind == .encoding ? "\(error.message): a config must be UTF-8 text" : error.message
      let diagnostic = ConfigDiagnostic(file: file, mark: error.mark, keyPath: "", message: message)
      return LoadedConfig(file: file, config: nil, diagnostics: [diagnostic], source: source)
    }
    let (config, diagnostics) = decoder.decode(root, file: file)
    return LoadedConfig(file: file, config: config, diagnostics: diagnostics, source: source)
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

  private func unreadable(_ path: String, _ problem: String) -> LoadedConfig {
    LoadedConfig(
      file: path, config: nil,
      diagnostics: [
        ConfigDiagnostic(file: path, mark: nil, keyPath: "", message: problem, category: .input)
      ],
      source: nil)
  }
}
