import Foundation
import Testing

/// A path in a text file that exists only on the machine where the file was written.
struct MachinePath: Equatable, CustomStringConvertible {
  /// The file, relative to the repository root.
  var file: String
  /// The 1-based line.
  var line: Int
  /// What kind of folder the path is in ("home folder", "temporary folder", ...).
  var kind: String
  /// The path as written.
  var path: String

  var description: String { "\(file):\(line): \(kind) path '\(path)'" }
}

/// Finds absolute paths of one machine in text: home folders, temporary folders, this workplace's
/// folder and build folders. Relative paths, URLs, `/dev/…`, `/usr/…` and `/nonexistent/…` pass.
///
/// The patterns are put together from parts (`absolute(_:)` adds the leading slash), so that this
/// file, which the test scans too, does not contain the paths it looks for.
enum MachinePathScanner {
  /// The rest of a path after its start: up to a space, a quote, a bracket or a colon (`FILE:LINE:`),
  /// not ending in a full stop.
  private static let rest = #"(?:[^\s"'`<>()\[\]{},;:]*[^\s"'`<>()\[\]{},;:.])?"#

  /// A pattern for an absolute path starting with `/` + `start`. The slash must not follow a
  /// character of a path or an expression: `a/tmp`, `../work`, `~/x`, `\(root)/tmp`, `${dir}/tmp`
  /// and the path of a URL (`https://host/tmp`) are not absolute paths of this machine.
  private static func absolute(_ start: String) -> String {
    #"(?<![\w.~)}\]$-])/"# + start + rest
  }

  /// The kinds of machine paths and their patterns.
  static func rules() -> [(kind: String, regex: NSRegularExpression)] {
    let patterns = [
      ("home folder", absolute(#"(?:home|Users)/[\w.-]+"#)),
      ("home folder", absolute(#"root(?![\w.-])"#)),
      ("temporary folder", absolute(#"(?:tmp|var/tmp|private/var|var/folders)(?![\w.-])"#)),
      ("workplace", absolute(#"work/"#)),
      ("build folder", absolute(#"(?:[\w.@+-]+/)+\.build[\w.-]*/"#)),
    ]
    return patterns.map { kind, pattern in
      // The patterns are constants: a failure here is a mistake in this file.
      (kind, try! NSRegularExpression(pattern: pattern))
    }
  }

  /// The machine paths in `text`, with 1-based lines, in the order of the text; a path is reported
  /// once, with the first rule that matches it.
  static func scan(_ text: String, file: String) -> [MachinePath] {
    let string = text as NSString
    // UTF-16 offsets of line starts, for the line of a match.
    var lineStarts = [0]
    for (offset, unit) in text.utf16.enumerated() where unit == 10 { lineStarts.append(offset + 1) }
    var found: [Int: MachinePath] = [:]
    var taken: [NSRange] = []
    for rule in rules() {
      for match in rule.regex.matches(in: text, range: NSRange(location: 0, length: string.length)) {
        let location = match.range.location
        guard !taken.contains(where: { NSIntersectionRange($0, match.range).length > 0 }) else { continue }
        taken.append(match.range)
        var low = 0
        var high = lineStarts.count - 1
        while low < high {  // the last line start <= location
          let middle = (low + high + 1) / 2
          if lineStarts[middle] <= location { low = middle } else { high = middle - 1 }
        }
        found[location] = MachinePath(
          file: file, line: low + 1, kind: rule.kind, path: string.substring(with: match.range))
      }
    }
    return found.sorted { $0.key < $1.key }.map(\.value)
  }
}

/// The repository's files to check, relative to `root`: `git ls-files` where `root` is a checkout
/// and git runs, else every file under `root` except build, VCS, editor and cache folders.
enum RepositoryFiles {
  /// The folders the walk skips (besides every `.build*`): not the repository's own files. `ml-split`
  /// and `ml-validation` are the output folders of the commands in `Docs/Training.md`.
  static let skippedFolders: Set<String> = [".git", ".swiftpm", "__pycache__", ".vscode", "ml-split", "ml-validation"]

  /// The files to check and where the list comes from (for messages).
  static func list(root: URL) -> (files: [String], source: String) {
    if let tracked = tracked(root: root) { return (tracked, "git ls-files") }
    return (walked(root: root), "a walk of \(root.lastPathComponent)/")
  }

  /// `git ls-files` in `root`, or nil when git is missing, fails or lists nothing.
  static func tracked(root: URL) -> [String]? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["git", "ls-files", "-z"]
    process.currentDirectoryURL = root
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch { return nil }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { return nil }
    let files = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    return files.isEmpty ? nil : files
  }

  /// Every regular file under `root` outside the skipped folders, sorted.
  static func walked(root: URL) -> [String] {
    let root = root.standardizedFileURL
    guard
      let walk = FileManager.default.enumerator(
        at: root, includingPropertiesForKeys: [.isDirectoryKey, .isRegularFileKey])
    else { return [] }
    var files: [String] = []
    let prefix = root.path.hasSuffix("/") ? root.path : root.path + "/"
    for case let url as URL in walk {
      let values = try? url.resourceValues(forKeys: [.isDirectoryKey, .isRegularFileKey])
      let name = url.lastPathComponent
      if name.hasPrefix(".build") || skippedFolders.contains(name) {
        // A folder, or `.git` as the file of a worktree.
        if values?.isDirectory == true { walk.skipDescendants() }
      } else if values?.isRegularFile == true {
        let path = url.standardizedFileURL.path
        files.append(path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path)
      }
    }
    return files.sorted()
  }

  /// The text of `file` to scan, or nil for a data file (`*.csv`, over 2 MB), a binary file (a NUL
  /// byte in its first 8 KB) or a file that cannot be read (listed by git but deleted).
  static func text(of file: String, root: URL) -> String? {
    guard !file.hasSuffix(".csv"), let data = try? Data(contentsOf: root.appendingPathComponent(file)),
      data.count <= 2_000_000, !data.prefix(8192).contains(0)
    else { return nil }
    return String(decoding: data, as: UTF8.self)
  }
}

@Suite("No path of one machine in the repository's files")
struct MachinePathTests {
  @Test("the repository's text files name no home, temporary, workplace or build-folder path")
  func repositoryFiles() {
    let (files, source) = RepositoryFiles.list(root: repositoryRoot)
    var scanned = 0
    var found: [MachinePath] = []
    for file in files {
      guard let text = RepositoryFiles.text(of: file, root: repositoryRoot) else { continue }
      scanned += 1
      found += MachinePathScanner.scan(text, file: file)
    }
    // The scan saw the repository (not an empty or wrong folder).
    #expect(scanned >= 50, "only \(scanned) text files scanned (from \(source) in \(repositoryRoot.path))")
    let shown = found.prefix(40).map { "  \($0)" }.joined(separator: "\n")
    let more = found.count > 40 ? "\n  … and \(found.count - 40) more" : ""
    #expect(
      found.count == 0,
      """
      \(found.count) path(s) that exist only on one machine, in the files of \(source) (\(scanned) text files); \
      write them relative to the repository root or the current folder (`.build/release/losslab`, \
      `ml-split/train.csv`), or describe them without a path:
      \(shown)\(more)
      """
    )
  }

  @Test("both ways of listing the files find the package's files and skip build folders")
  func listing() {
    let tracked = RepositoryFiles.tracked(root: repositoryRoot)
    let walked = RepositoryFiles.walked(root: repositoryRoot)
    for (name, files) in [("git ls-files", tracked), ("the walk", walked)] {
      guard let files else { continue }  // not a git checkout: the walk is checked alone
      #expect(files.contains("Package.swift"), "\(name) lists no Package.swift")
      #expect(files.contains("Tests/LossLabKitTests/Support.swift"), "\(name) lists no Support.swift")
      #expect(
        !files.contains { $0.hasPrefix(".build") || $0 == ".git" || $0.hasPrefix(".git/") || $0.contains("/.build") },
        "\(name) lists build or git files")
    }
    #expect(walked.count >= 50)
  }

  /// A line with one machine path, and the path's kind.
  struct Sample: Sendable, CustomTestStringConvertible {
    var line: String
    var kind: String
    var path: String
    var testDescription: String { line }
  }

  /// Lines with one machine path each. The leading slash is a separate literal, so that this file does
  /// not contain the paths.
  static let machinePaths: [Sample] = [
    Sample(
      line: "$ losslab split c.yaml --output " + "/" + "tmp/ml-split", kind: "temporary folder",
      path: "/" + "tmp/ml-split"),
    Sample(line: "cd " + "/" + "tmp && ls", kind: "temporary folder", path: "/" + "tmp"),
    Sample(line: "see `" + "/" + "var/tmp/x.txt`.", kind: "temporary folder", path: "/" + "var/tmp/x.txt"),
    Sample(
      line: "(" + "/" + "var/folders/7x/T/a.swift)", kind: "temporary folder", path: "/" + "var/folders/7x/T/a.swift"),
    Sample(line: "\"" + "/" + "private/var/mobile\"", kind: "temporary folder", path: "/" + "private/var/mobile"),
    Sample(line: "file://" + "/" + "tmp/report.html", kind: "temporary folder", path: "/" + "tmp/report.html"),
    Sample(line: "open " + "/" + "home/alice/src/LossLab", kind: "home folder", path: "/" + "home/alice/src/LossLab"),
    Sample(
      line: "/" + "tmp/LossLab/data/r.csv:3: error: rating 'five' is not a number", kind: "temporary folder",
      path: "/" + "tmp/LossLab/data/r.csv"),
    Sample(line: "It was built in " + "/" + "home/carol/x.", kind: "home folder", path: "/" + "home/carol/x"),
    Sample(line: "'" + "/" + "Users/bob/Library/x'", kind: "home folder", path: "/" + "Users/bob/Library/x"),
    Sample(line: "PATH=" + "/" + "root/.cargo/bin", kind: "home folder", path: "/" + "root/.cargo/bin"),
    Sample(
      line: "LossLab:  " + "/" + "work/main/.build/release/losslab;", kind: "workplace",
      path: "/" + "work/main/.build/release/losslab"),
    Sample(
      line: "at " + "/" + "opt/ci/LossLab/.build/debug/losslab", kind: "build folder",
      path: "/" + "opt/ci/LossLab/.build/debug/losslab"),
    Sample(
      line: "[" + "/" + "srv/x/.build-docs/release/y]", kind: "build folder", path: "/" + "srv/x/.build-docs/release/y"),
  ]

  @Test("a machine path is found, with its file, line, kind and whole path", arguments: machinePaths)
  func finds(sample: Sample) {
    let found = MachinePathScanner.scan("first line\n\n" + sample.line + "\nlast line", file: "Docs/X.md")
    #expect(found == [MachinePath(file: "Docs/X.md", line: 3, kind: sample.kind, path: sample.path)])
  }

  @Test(
    "relative paths, URLs and paths on every machine are not machine paths",
    arguments: [
      ".build/release/losslab split configs/movielens-losses.yaml --output ml-split",
      "path: ../data/movielens-small/ratings.csv", "Docs/tmp/x and Sources/" + "work/y and a/home/b/c",
      "ls ../.build/debug ./x/.build/debug", "`rustc` in `~/.cargo/bin`, ~/tmp/x",
      "https://example.org/tmp/x and https://host/home/user/",
      "/dev/null /dev/stdin /usr/bin/env /proc/self/status /nonexistent/r.csv /no/such/folder/x.csv",
      "\"\\(root)/" + "tmp/x\" and ${dir}/" + "work/x and $HOME/" + "tmp",
      "/.build/ in a .gitignore, /workspace/x, /tmpfs, /rooted",
    ])
  func passes(line: String) {
    #expect(MachinePathScanner.scan(line, file: "x").isEmpty)
  }
}
