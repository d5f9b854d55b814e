import Foundation
import LossLabKit
import LossLabTestSupport
import RankingLosses
import Testing

// Every command the docs show runs as written, and its shown output is what it prints.
//
// The docs mark their command blocks with an HTML comment on the line right before the opening fence
// (invisible when rendered):
//
//   <!-- doc-test -->                  before a ```sh block: each command runs and must exit 0; before a
//                                      transcript block (lines "$ command" followed by what it printed):
//                                      the commands run and the block must equal the transcript they make.
//   <!-- doc-test: output -->          before a plain block right after a doc-test sh block: what that
//                                      block's commands print (stdout and stderr as one stream), exactly.
//   <!-- doc-test: file PATH -->       before a block (yaml, csv, …): its text is written to PATH before the
//                                      document's commands run (one block per PATH).
//   <!-- doc-test: run-only (why) -->  the commands run and must exit 0 (a transcript's commands may exit
//                                      otherwise, as it shows), the output is not compared: timings.
//   <!-- doc-test: slow (why) -->      too slow for `swift test` (training the bundled config): run only by
//                                      LOSSLAB_DOCS_SLOW=1 (below), then as run-only.
//   <!-- doc-test: not run (why) -->   not run, for the reason given (needs a cluster or Python packages,
//                                      runs the test suite itself).
//   <!-- doc-test: setup COMMAND -->   on a line of its own (not before a fence): COMMAND runs there and must
//                                      exit 0; it makes a file the text describes but does not show.
//
// Every ```sh block and every block with a "$ " line carries one of these (the first test checks it).
// The commands of one document run in order, with bash, in one fresh copy of the repository's layout
// (configs/, data/, Docs/, Sources/ and Tests/Baselines copied into a temporary folder) whose
// .build/release/losslab is this test build's `losslab` and is first on the PATH, so `losslab …`,
// `.build/release/losslab …` and `swift run -c release losslab …` all run it. A line
// `swift build -c release` (with or without `--product losslab`) is skipped: the test build stands in
// for it. A transcript's lines that are exactly "…" stand for lines left out (any number, also none);
// nothing else is normalized.
//
// LOSSLAB_DOCS_SLOW=1 swift test --filter DocCommandTests also runs the slow blocks, with the release build
// (`swift build -c release` first: the sandbox's .build/release/losslab is then the repository's): every
// documented training command runs as written and exits as it should; their outputs (two-thread training,
// not bit-for-bit repeatable) are not compared. About ten minutes on two cores.
//
// LOSSLAB_DOCS_UPDATE=1 swift test --filter DocCommandTests writes what the commands printed into the
// compared blocks that leave nothing out (no "…" line), for regenerating the docs after a change of output;
// the test still fails on the run that rewrote them.

/// A fenced block of a document with its doc-test marker.
struct DocBlock {
  /// What the marker says to do with the block.
  enum Role: Equatable {
    case commands
    case output
    case file(String)
    case runOnly(String)
    case slow(String)
    case notRun(String)
    case setup(String)
    case unmarked
  }

  /// The document's path, relative to the repository root.
  var document: String
  /// The 1-based line of the opening fence.
  var line: Int
  /// The fence's info string (`sh`, `yaml`, or empty).
  var language: String
  /// The block's lines, without the fences.
  var lines: [String]
  /// What the marker says.
  var role: Role

  /// Whether the block shows commands: a `sh` block, or a transcript with `$ ` lines.
  var showsCommands: Bool { ["sh", "bash", "shell", "console"].contains(language) || isTranscript }
  /// Whether the block is a transcript: lines "$ command" followed by their output.
  var isTranscript: Bool { lines.contains { $0.hasPrefix("$ ") } }
  /// Where the block is, for messages.
  var place: String { "\(document):\(line)" }
}

/// The documents whose commands are tested.
let documentsWithCommands = [
  "README.md", "Docs/Configs.md", "Docs/Training.md", "Docs/CustomLosses.md", "Docs/Cluster.md", "Docs/Scaling.md",
  "Docs/Performance.md", "Docs/Architecture.md", "Docs/Losses.md",
]

/// The fenced blocks of a document, each with the marker on the line before its fence.
func docBlocks(_ document: String) throws -> [DocBlock] {
  let text = try String(contentsOf: repositoryRoot.appendingPathComponent(document), encoding: .utf8)
  let lines = text.components(separatedBy: "\n")
  var blocks: [DocBlock] = []
  var index = 0
  while index < lines.count {
    let line = lines[index]
    guard line.hasPrefix("```") else {
      if case .setup = role(line), !(index + 1 < lines.count && lines[index + 1].hasPrefix("```")) {
        blocks.append(DocBlock(document: document, line: index + 1, language: "", lines: [], role: role(line)))
      }
      index += 1
      continue
    }
    let language = String(line.dropFirst(3)).trimmingCharacters(in: .whitespaces)
    var end = index + 1
    while end < lines.count && !lines[end].hasPrefix("```") { end += 1 }
    let marker = index > 0 ? lines[index - 1] : ""
    blocks.append(
      DocBlock(
        document: document, line: index + 1, language: language,
        lines: Array(lines[(index + 1)..<min(end, lines.count)]),
        role: role(marker)))
    index = end + 1
  }
  return blocks
}

/// The role a marker line gives (`.unmarked` if it is not a doc-test marker).
func role(_ marker: String) -> DocBlock.Role {
  let trimmed = marker.trimmingCharacters(in: .whitespaces)
  guard trimmed.hasPrefix("<!-- doc-test"), trimmed.hasSuffix("-->") else { return .unmarked }
  var body = trimmed.dropFirst("<!-- doc-test".count).dropLast("-->".count).trimmingCharacters(in: .whitespaces)
  if body.isEmpty { return .commands }
  guard body.hasPrefix(":") else { return .unmarked }
  body = body.dropFirst().trimmingCharacters(in: .whitespaces)
  func reason(after prefix: String) -> String {
    body.dropFirst(prefix.count).trimmingCharacters(in: CharacterSet(charactersIn: " ()"))
  }
  if body == "output" { return .output }
  if body.hasPrefix("file ") { return .file(reason(after: "file ")) }
  if body.hasPrefix("run-only") { return .runOnly(reason(after: "run-only")) }
  if body.hasPrefix("not run") { return .notRun(reason(after: "not run")) }
  if body.hasPrefix("slow") { return .slow(reason(after: "slow")) }
  if body.hasPrefix("setup ") { return .setup(String(body.dropFirst("setup ".count))) }
  return .unmarked
}

/// The commands of a block: for a transcript its `$ ` lines, otherwise every line that is not blank or a
/// comment; a line ending in a backslash continues on the next.
func commands(of block: DocBlock) -> [String] {
  var result: [String] = []
  var pending: String?
  for line in block.lines {
    if var command = pending {
      command += "\n" + (line.hasPrefix("> ") ? String(line.dropFirst(2)) : line)
      pending = line.hasSuffix("\\") ? command : nil
      if pending == nil { result.append(command) }
      continue
    }
    let command: String
    if block.isTranscript {
      guard line.hasPrefix("$ ") else { continue }
      command = String(line.dropFirst(2))
    } else {
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { continue }
      command = line
    }
    if command.hasSuffix("\\") { pending = command } else { result.append(command) }
  }
  return result
}

/// A command as the sandbox runs it: the build step skipped, `swift run -c release losslab` as `losslab`.
func sandboxed(_ command: String) -> String {
  let trimmed = command.trimmingCharacters(in: .whitespaces)
  if trimmed.hasPrefix("swift build -c release") {
    let rest = trimmed.dropFirst("swift build -c release".count).trimmingCharacters(in: .whitespaces)
    if rest.isEmpty || rest == "--product losslab" || rest.hasPrefix("#") { return ":" }
  }
  return command.replacingOccurrences(of: "swift run -c release losslab ", with: "losslab ")
}

/// Whether the slow blocks run too (`LOSSLAB_DOCS_SLOW=1`), with the repository's release build.
let runsSlowBlocks = ProcessInfo.processInfo.environment["LOSSLAB_DOCS_SLOW"] == "1"

/// The repository's release `losslab`, which the slow blocks run.
let releaseBinary = repositoryRoot.appendingPathComponent(".build/release/losslab")

/// A fresh copy of the repository's layout with this build's `losslab` as `.build/release/losslab` (the
/// repository's release build when the slow blocks run).
func docSandbox() throws -> URL {
  let root = try temporaryFolder()
  let files = FileManager.default
  for folder in ["configs", "data", "Docs", "Sources", "Tests/Baselines"] {
    let target = root.appendingPathComponent(folder)
    try files.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
    try files.copyItem(at: repositoryRoot.appendingPathComponent(folder), to: target)
  }
  let release = root.appendingPathComponent(".build/release")
  try files.createDirectory(at: release, withIntermediateDirectories: true)
  try files.createSymbolicLink(
    at: release.appendingPathComponent("losslab"), withDestinationURL: runsSlowBlocks ? releaseBinary : losslabBinary)
  return root
}

/// The result of a bash script run in the sandbox: its exit status and stdout and stderr as one stream.
func bash(_ script: String, in root: URL, timeout: TimeInterval = 120) throws -> (status: Int32, output: String) {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/bin/bash")
  process.arguments = ["-c", script]
  process.currentDirectoryURL = root
  var environment = ProcessInfo.processInfo.environment
  environment["COLUMNS"] = nil  // help text wraps at 80 columns, as on a pipe
  environment["PATH"] =
    root.appendingPathComponent(".build/release").path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
  process.environment = environment
  let pipe = Pipe()
  process.standardOutput = pipe
  process.standardError = pipe
  try process.run()
  let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
  DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
  let data = pipe.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  watchdog.cancel()
  return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// Whether `actual` equals `expected`, where a line of `expected` that is exactly "…" matches any number of
/// lines of `actual`.
func matches(_ expected: ArraySlice<String>, _ actual: ArraySlice<String>) -> Bool {
  guard let first = expected.first else { return actual.isEmpty }
  if first == "…" {
    return (actual.startIndex...actual.endIndex).contains { matches(expected.dropFirst(), actual[$0...]) }
  }
  guard let line = actual.first, line == first else { return false }
  return matches(expected.dropFirst(), actual.dropFirst())
}

/// A message showing where `actual` first departs from `expected`, and all of `actual`.
func difference(_ expected: [String], _ actual: [String]) -> String {
  let index =
    (0..<min(expected.count, actual.count)).first { expected[$0] != actual[$0] } ?? min(expected.count, actual.count)
  let shown = index < expected.count ? expected[index] : "(end)"
  let got = index < actual.count ? actual[index] : "(end)"
  return "line \(index + 1) differs:\n  docs: \(shown)\n  ran:  \(got)\nthe whole output:\n"
    + actual.joined(separator: "\n")
}

/// The lines of a command output, without the final newline.
func outputLines(_ output: String) -> [String] {
  var lines = output.components(separatedBy: "\n")
  if lines.last == "" { lines.removeLast() }
  return lines
}

/// Runs a document's marked blocks in order in a fresh sandbox, recording an issue for each difference.
func runDocument(_ document: String) throws {
  if runsSlowBlocks {
    try #require(
      FileManager.default.isExecutableFile(atPath: releaseBinary.path),
      "LOSSLAB_DOCS_SLOW=1 runs the release build: run `swift build -c release` first")
  }
  let blocks = try docBlocks(document)
  let root = try docSandbox()
  defer { try? FileManager.default.removeItem(at: root) }
  var previous: (block: DocBlock, output: String)?
  var updates: [(block: DocBlock, lines: [String])] = []
  defer { if !updates.isEmpty { try? update(document, with: updates) } }
  var written: Set<String> = []
  for block in blocks {
    guard case .file(let path) = block.role else { continue }
    #expect(written.insert(path).inserted, "\(block.place): a second file block for \(path)")
    let url = root.appendingPathComponent(path)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try (block.lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
  }
  for block in blocks {
    switch block.role {
    case .file:
      break
    case .commands, .runOnly, .slow:
      if case .slow = block.role, !runsSlowBlocks { break }
      let compared = block.role == .commands
      // A slow block trains the bundled config (about a minute in release, more for a grid).
      let timeout: TimeInterval = compared ? 120 : 1800
      if block.isTranscript {
        // Each command echoed as "$ command", then run: the transcript the block shows.
        let script = commands(of: block).map { command in
          let echoed = "$ " + command
          return "printf '%s\\n' '\(echoed.replacingOccurrences(of: "'", with: "'\\''"))'\n\(sandboxed(command))"
        }.joined(separator: "\n")
        let (_, output) = try bash(script, in: root, timeout: timeout)
        let actual = outputLines(output)
        if compared {
          let same = matches(block.lines[...], actual[...])
          #expect(same, "\(block.place): \(difference(block.lines, actual))")
          if !same { updates.append((block, actual)) }
        } else {
          #expect(!actual.isEmpty, "\(block.place): no output")
        }
      } else {
        let script = "set -e\n" + commands(of: block).map(sandboxed).joined(separator: "\n")
        let (status, output) = try bash(script, in: root, timeout: timeout)
        #expect(status == 0, "\(block.place): exit \(status):\n\(output)")
        previous = compared ? (block, output) : nil
        continue
      }
    case .output:
      guard let (source, output) = previous else {
        Issue.record("\(block.place): an output block without a doc-test sh block right before it")
        continue
      }
      let actual = outputLines(output)
      let same = matches(block.lines[...], actual[...])
      #expect(same, "\(block.place) (the output of \(source.place)): \(difference(block.lines, actual))")
      if !same { updates.append((block, actual)) }
    case .setup(let command):
      let (status, output) = try bash(command, in: root)
      #expect(status == 0, "\(block.place): the setup failed, exit \(status):\n\(output)")
    case .notRun, .unmarked:
      break
    }
    previous = nil
  }
}

/// With LOSSLAB_DOCS_UPDATE=1, replaces the given blocks' text (those with no "…" line) with what ran.
func update(_ document: String, with updates: [(block: DocBlock, lines: [String])]) throws {
  guard ProcessInfo.processInfo.environment["LOSSLAB_DOCS_UPDATE"] == "1" else { return }
  let url = repositoryRoot.appendingPathComponent(document)
  var lines = try String(contentsOf: url, encoding: .utf8).components(separatedBy: "\n")
  for (block, new) in updates.sorted(by: { $0.block.line > $1.block.line }) where !block.lines.contains("…") {
    lines.replaceSubrange(block.line..<(block.line + block.lines.count), with: new)
  }
  try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
}

@Suite("The docs' commands run as written", .serialized)
struct DocCommandTests {
  @Test("every command block of the docs is marked; a block not run says why; an output block follows commands")
  func everyBlockMarked() throws {
    var unmarked: [String] = []
    var run = 0
    for document in documentsWithCommands {
      let blocks = try docBlocks(document)
      for (index, block) in blocks.enumerated() {
        switch block.role {
        case .unmarked where block.showsCommands: unmarked.append(block.place)
        case .notRun(let why), .runOnly(let why), .slow(let why):
          #expect(!why.isEmpty, "\(block.place): give the reason")
        case .output:
          let before = index > 0 ? blocks[index - 1] : nil
          #expect(
            before?.role == .commands && before?.isTranscript == false,
            "\(block.place): an output block must follow a doc-test sh block")
        case .commands: run += 1
        default: break
        }
      }
    }
    #expect(unmarked.isEmpty, "command blocks without a doc-test marker: \(unmarked)")
    #expect(run >= 30, "only \(run) command blocks are run")
  }

  @Test(
    "the marked commands of each document run in a fresh copy of the repository and print what it shows",
    arguments: documentsWithCommands)
  func commandsRun(document: String) throws {
    try runDocument(document)
  }

  @Test("the README's 'Writing a config' example runs without a warning and no positive is its own negative")
  func readmeExample() throws {
    let blocks = try docBlocks("README.md")
    let yaml = try #require(blocks.first { $0.role == .file("my.yaml") }, "the README's example marked as my.yaml")
    let root = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: root) }
    try (yaml.lines.joined(separator: "\n") + "\n").write(
      to: root.appendingPathComponent("my.yaml"), atomically: true, encoding: .utf8)
    // No hand-written scenario pairs a positive with itself as a negative (column j of negative_items holds
    // positive j's negatives); a generated scenario draws its items at random.
    let loaded = check(yaml.lines.joined(separator: "\n") + "\n", file: "my.yaml")
    let config = try #require(loaded.lossTable, "\(loaded.diagnostics)")
    var itemScenarios = 0
    for scenario in config.scenarios where scenario.generator == nil {
      guard let positives = scenario.batch.positiveItems, let negatives = scenario.batch.negativeItems else { continue }
      itemScenarios += 1
      for row in negatives.rowArrays {
        for (column, item) in row.enumerated() {
          #expect(item != positives[column], "\(scenario.name): item \(item) is its own negative")
        }
      }
    }
    #expect(itemScenarios > 0, "the example has no scenario with items")
    let result = try losslab(["run", "my.yaml"], in: root)
    #expect(result.status == 0, "\(result.stderr)")
    // A loss's warning (WARP's num_items below the tries) is a note under the table; problems go to stderr.
    #expect(result.stderr == "", "\(result.stderr)")
    #expect(!result.stdout.contains("warning"), "the example warns:\n\(result.stdout)")
    #expect(result.stdout.hasPrefix("my-comparison\n"), "\(result.stdout)")
  }
}
