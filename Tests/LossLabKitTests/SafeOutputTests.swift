import Foundation
import LossLabKit
import LossLabTestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The message `AtomicFile.write` throws for `path`, or `"no error"`.
private func writeMessage(_ path: String, inputs: InputFiles = InputFiles()) -> String {
  thrownMessage { try AtomicFile.write("report\n", to: path, inputs: inputs) }
}

@Suite("Safe writing: outputs never replace inputs, special files or folders", .serialized)
struct SafeOutputTests {
  @Test("a path that is not a regular file is refused with the reason, and left as it was")
  func refusals() throws {
    let folder = try temporaryFolder().path
    #expect(writeMessage("") == "cannot write : the path is empty")
    #expect(
      writeMessage(folder + "/newdir/")
        == "cannot write \(folder)/newdir/: the path ends in '/', so it names a folder; give a file name")
    #expect(!FileManager.default.fileExists(atPath: folder + "/newdir"))
    #expect(writeMessage(folder) == "cannot write \(folder): it is a folder; give a file name")
    #expect(
      writeMessage("/dev/zero")
        == "cannot write /dev/zero: it is a device; write to a regular file, a FIFO or a terminal")
    #expect(
      writeMessage(folder + "/missing/report.txt")
        == "cannot write \(folder)/missing/report.txt: the folder \(folder)/missing does not exist")
    try "x".write(toFile: folder + "/file", atomically: true, encoding: .utf8)
    #expect(
      writeMessage(folder + "/file/report.txt")
        == "cannot write \(folder)/file/report.txt: \(folder)/file is not a folder")
    #expect(symlink(folder + "/nowhere", folder + "/dangling") == 0)
    #expect(
      writeMessage(folder + "/dangling")
        == "cannot write \(folder)/dangling: it is a symbolic link to a file that does not exist")
    #expect(!FileManager.default.fileExists(atPath: folder + "/nowhere"))
    #expect(writeMessage("/dev/null") == "no error")
  }

  @Test("an input is never replaced, whatever name reaches it")
  func inputsAreProtected() throws {
    let folder = try temporaryFolder().path
    let config = folder + "/config.yaml"
    try "experiment: x\n".write(toFile: config, atomically: true, encoding: .utf8)
    var inputs = InputFiles()
    inputs.add(config, as: "the config config.yaml")
    #expect(link(config, folder + "/hard-link.yaml") == 0)
    #expect(symlink(config, folder + "/soft-link.yaml") == 0)
    for name in ["config.yaml", "hard-link.yaml", "soft-link.yaml", "./config.yaml"] {
      #expect(
        writeMessage(folder + "/" + name, inputs: inputs)
          == "cannot write \(folder)/\(name): it is the config config.yaml, an input of this run; choose another file")
    }
    #expect(try String(contentsOfFile: config, encoding: .utf8) == "experiment: x\n")
    #expect(writeMessage(folder + "/other.yaml", inputs: inputs) == "no error")
  }

  @Test("a symbolic link is followed: the file it points to is replaced and the link stays")
  func symlinkFollowed() throws {
    let folder = try temporaryFolder().path
    try "old\n".write(toFile: folder + "/target.txt", atomically: true, encoding: .utf8)
    #expect(symlink("target.txt", folder + "/link.txt") == 0)
    #expect(writeMessage(folder + "/link.txt") == "no error")
    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: folder + "/link.txt") == "target.txt")
    #expect(try String(contentsOfFile: folder + "/target.txt", encoding: .utf8) == "report\n")
  }

  @Test("a FIFO is written into, not replaced")
  func fifoWrittenInto() throws {
    let folder = try temporaryFolder().path
    let fifo = folder + "/pipe"
    #expect(mkfifo(fifo, 0o600) == 0)
    let reader = Thread {
      let data = FileHandle(forReadingAtPath: fifo)?.readDataToEndOfFile()
      let text = data.map { String(decoding: $0, as: UTF8.self) } ?? "unreadable"
      try? text.write(toFile: folder + "/received.txt", atomically: true, encoding: .utf8)
    }
    reader.start()
    #expect(writeMessage(fifo) == "no error")
    for _ in 0..<200 where !FileManager.default.fileExists(atPath: folder + "/received.txt") { usleep(10_000) }
    #expect(try String(contentsOfFile: folder + "/received.txt", encoding: .utf8) == "report\n")
    var info = stat()
    #expect(stat(fifo, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)
  }

  @Test("model folders: sanitized, never '.', '..' or hidden, unique ignoring case, clear of the index")
  func modelFolderNames() {
    let long = String(repeating: "é", count: 80)
    #expect(
      ModelWriter.folderNames(["..", ".", "", ".hidden", "BPR", "bpr", "index.csv", "a/b", "bpr (x=1)", long])
        == [
          "_.", "_", "_-2", "_hidden", "BPR", "bpr-2", "index.csv-2", "a_b", "bpr__x=1_",
          String(repeating: "é", count: 50),
        ])
  }

  @Test("train: --save-model and --save-split are checked before training; inputs stay untouched")
  func trainingOutputs() throws {
    let config = try plantedTrainingConfig(
      losses: """
          - loss: bpr
            label: ".."
          - loss: hinge
            label: "."
        """)
    let folder = URL(fileURLWithPath: config).deletingLastPathComponent()
    let ratings = try String(contentsOf: folder.appendingPathComponent("ratings.csv"), encoding: .utf8)
    try "not a folder\n".write(to: folder.appendingPathComponent("afile"), atomically: true, encoding: .utf8)

    let ontoFile = try losslab(["train", "planted.yaml", "--save-model", "afile"], in: folder)
    #expect(ontoFile.status == 73)
    #expect(ontoFile.stderr == "losslab: error: cannot write afile: it is a file, not a folder\n")

    let split = try losslab(["split", "planted.yaml", "--output", "."], in: folder)
    #expect(split.status == 0, "\(split.stderr)")
    try FileManager.default.moveItem(
      at: folder.appendingPathComponent("train.csv"), to: folder.appendingPathComponent("held.csv"))
    // The data file itself, reached as the split's train.csv through a link.
    #expect(symlink("ratings.csv", folder.appendingPathComponent("train.csv").path) == 0)
    let overInput = try losslab(["split", "planted.yaml", "--output", "."], in: folder)
    #expect(overInput.status == 73)
    #expect(
      overInput.stderr
        == "losslab: error: cannot write ./train.csv: it is the data file ratings.csv, an input of this run; "
        + "choose another file\n")
    #expect(try String(contentsOf: folder.appendingPathComponent("ratings.csv"), encoding: .utf8) == ratings)

    let models = try losslab(["train", "planted.yaml", "--save-model", "models"], in: folder)
    #expect(models.status == 0, "\(models.stderr)")
    #expect(
      models.stderr.range(
        of:
          #"\nwrote 4 models to models \(the folder of each label: models/index\.csv; 9 files, [0-9.]+ (B|KB|MB)\)\n$"#,
        options: .regularExpression) != nil, "\(models.stderr)")
    let index = try String(contentsOf: folder.appendingPathComponent("models/index.csv"), encoding: .utf8)
    #expect(
      index == """
        label,folder,seed,user_factors,item_factors
        ..,_.,1,_./seed-1/user_factors.csv,_./seed-1/item_factors.csv
        ..,_.,2,_./seed-2/user_factors.csv,_./seed-2/item_factors.csv
        .,_,1,_/seed-1/user_factors.csv,_/seed-1/item_factors.csv
        .,_,2,_/seed-2/user_factors.csv,_/seed-2/item_factors.csv

        """)
    let written = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("models").path)
    #expect(written.sorted() == ["_", "_.", "index.csv"])
    #expect(try String(contentsOf: folder.appendingPathComponent("ratings.csv"), encoding: .utf8) == ratings)
  }

  @Test("run: --output onto a config is refused before anything is written")
  func runOutputOntoConfig() throws {
    let folder = try temporaryFolder()
    let text = config()
    try text.write(to: folder.appendingPathComponent("c.yaml"), atomically: true, encoding: .utf8)
    let result = try losslab(["run", "c.yaml", "--output", "c.yaml"], in: folder)
    #expect(result.status == 73)
    #expect(
      result.stderr
        == "losslab: error: cannot write c.yaml: it is the config c.yaml, an input of this run; choose another file\n")
    #expect(try String(contentsOf: folder.appendingPathComponent("c.yaml"), encoding: .utf8) == text)
  }
}
