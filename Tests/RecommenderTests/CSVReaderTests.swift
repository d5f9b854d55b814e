import Foundation
import LossLabTestSupport
import Testing

@testable import Recommender

#if canImport(Glibc)
  import Glibc
#endif

/// Writes `bytes` to a new file `name` in a fresh temporary folder and returns its path.
private func file(_ bytes: [UInt8], _ name: String = "t.csv") throws -> String {
  let path = try temporaryFolder().appendingPathComponent(name).path
  #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
  return path
}

/// Every record of `bytes` read with blocks of `blockSize` bytes, as `LINE: FIELD|FIELD` lines, and every
/// error as `LINE:COLUMN: error: MESSAGE` (the file's path left out).
private func read(_ bytes: [UInt8], delimiter: String = ",", blockSize: Int = CSVReader.blockSize) throws
  -> [String]
{
  let path = try file(bytes)
  let reader = try CSVReader(path: path, delimiter: delimiter, blockSize: blockSize)
  var lines: [String] = []
  while true {
    do {
      guard let record = try reader.next() else { return lines }
      lines.append("\(record.line): " + record.fields.joined(separator: "|"))
    } catch {
      lines.append(error.description.replacingOccurrences(of: path + ":", with: ""))
    }
  }
}

private func read(_ text: String, delimiter: String = ",", blockSize: Int = CSVReader.blockSize) throws
  -> [String]
{
  try read(Array(text.utf8), delimiter: delimiter, blockSize: blockSize)
}

@Suite("Reading CSV bytes")
struct CSVReaderTests {
  /// Quoted fields (with `""`, delimiters and line breaks), `\n`, `\r\n` and `\r`, blank lines, a byte order
  /// mark, a trailing delimiter, no final line break.
  static let sample =
    "\u{FEFF}a,b,c\r\n1,\"x, \"\"y\"\"\",3\r\n\r\n\"multi\nline\r\nfield\",,\"\"\n\n4,5,6\r7,\"\",\n8,é,\"9\""

  static let sampleRecords = [
    "1: a|b|c", "2: 1|x, \"y\"|3", "4: multi\nline\r\nfield||", "8: 4|5|6", "9: 7||", "10: 8|é|9",
  ]

  @Test("RFC 4180: quotes, doubled quotes, line breaks in quotes, \\n, \\r\\n and \\r; blank lines skipped")
  func records() throws {
    #expect(try read(Self.sample) == Self.sampleRecords)
    #expect(try read("") == [])
    #expect(try read("\n\r\n\r") == [])
    #expect(try read("x") == ["1: x"])
    #expect(try read("\"\"\n,\n") == ["1: ", "2: |"])
    #expect(try read("a\tb\t\"c\td\"\n", delimiter: "\t") == ["1: a|b|c\td"])
    #expect(try read("a§b§\"c§d\"\n1,2§3\n", delimiter: "§") == ["1: a|b|c§d", "2: 1,2|3"])
  }

  @Test("the same records whatever the block size, even when blocks split a line break, a quote or a delimiter")
  func blockBoundaries() throws {
    let errors =
      [UInt8]("1,2\"x,3\n\"abc\"d,4\nok,".utf8) + [0xFF]
      + [UInt8]("é\n\"a\"\"\r\nb\",\"c\"\r\nlast,\"open\nnever closed".utf8)
    let expected = try read(errors)
    #expect(
      expected == [
        "1:4: error: a quote inside an unquoted field (quote the whole field, and write each quote in it as \"\")",
        "2:6: error: text after the closing quote of a quoted field (a quote inside a quoted field is written \"\")",
        "3:4: error: invalid UTF-8 starting at byte 0xFF; the file must be UTF-8 text",
        "4: a\"\r\nb|c",
        "6:6: error: unterminated quoted field: no closing quote before the end of the file",
      ])
    let multiByte = "a§b\r\n\"c§\"\"\"§d\r§\n"
    let multiByteExpected = try read(multiByte, delimiter: "§")
    #expect(multiByteExpected == ["1: a|b", "2: c§\"|d", "3: |"])
    for blockSize in 1...9 {
      #expect(try read(Self.sample, blockSize: blockSize) == Self.sampleRecords, "block size \(blockSize)")
      #expect(try read(errors, blockSize: blockSize) == expected, "block size \(blockSize)")
      #expect(try read(multiByte, delimiter: "§", blockSize: blockSize) == multiByteExpected)
    }
  }

  @Test("misplaced quotes and invalid UTF-8: the line and column, and reading goes on after the record")
  func recordErrors() throws {
    #expect(
      try read("a,b\n1,2\"x,3\n4,5\n") == [
        "1: a|b",
        "2:4: error: a quote inside an unquoted field (quote the whole field, and write each quote in it as \"\")",
        "3: 4|5",
      ])
    #expect(
      try read("a,b\n\"multi\nline\"x,2\n4,5\n") == [
        "1: a|b",
        "3:6: error: text after the closing quote of a quoted field (a quote inside a quoted field is written \"\")",
        "4: 4|5",
      ])
    // Columns count characters: `é` is one.
    #expect(
      try read([UInt8]("a,b\né,x".utf8) + [0xFF] + [UInt8]("y\n1,2\n".utf8)) == [
        "1: a|b",
        "2:4: error: invalid UTF-8 starting at byte 0xFF; the file must be UTF-8 text",
        "3: 1|2",
      ])
    // In a quoted field, the line and column of the byte itself.
    #expect(
      try read([UInt8]("\"a\nbc".utf8) + [0xC3, 0x28] + [UInt8]("\"\n".utf8)) == [
        "2:3: error: invalid UTF-8 starting at byte 0xC3; the file must be UTF-8 text"
      ])
  }

  @Test("an unterminated quoted field is reported where its quote opened, and ends the reading")
  func unterminated() throws {
    #expect(
      try read("a,b\n1,\"open\n2,3\n4,5\n") == [
        "1: a|b", "2:3: error: unterminated quoted field: no closing quote before the end of the file",
      ])
    #expect(
      try read("a,\"x\ny\",\"z\n") == [
        "2:4: error: unterminated quoted field: no closing quote before the end of the file"
      ])
  }

  @Test("the delimiter cannot be a quote or a line break")
  func badDelimiter() throws {
    let path = try file([])
    for delimiter in ["\"", "\n", "\r\n", "a\"b"] {
      #expect(
        thrownMessage { _ = try CSVReader(path: path, delimiter: delimiter) }
          == "\(path): error: the delimiter cannot be a quote or a line break")
    }
  }

  @Test("UTF-8 validation: overlong forms, surrogates, beyond U+10FFFF and cut sequences are invalid")
  func utf8() {
    func check(_ bytes: [UInt8]) -> Int? { bytes.withUnsafeBufferPointer { firstInvalidUTF8($0) } }
    #expect(check(Array("aé€😀z".utf8)) == nil)
    #expect(check([0x61, 0xC0, 0x80]) == 1)  // overlong NUL
    #expect(check([0xE0, 0x80, 0x80]) == 0)  // overlong
    #expect(check([0xED, 0xA0, 0x80]) == 0)  // a surrogate
    #expect(check([0xF4, 0x90, 0x80, 0x80]) == 0)  // above U+10FFFF
    #expect(check([0xF5, 0x80, 0x80, 0x80]) == 0)
    #expect(check([0x61, 0x62, 0xE2, 0x82]) == 2)  // cut short
    #expect(check([0xE2, 0x82, 0x41]) == 0)  // a continuation byte missing
    #expect(check([0x80]) == 0)  // a lone continuation byte
  }
}

@Suite("Checking a data file before reading it")
struct DataFileTests {
  func message(_ path: String) -> String {
    thrownMessage { _ = try CSVReader(path: path) }
  }

  func kind(_ path: String) -> DataError.Kind? {
    do {
      _ = try CSVReader(path: path)
      return nil
    } catch {
      return error.kind
    }
  }

  @Test("an empty path, a missing file, a folder")
  func missing() throws {
    let folder = try temporaryFolder()
    let missing = folder.appendingPathComponent("missing.csv").path
    #expect(message("") == "error: the data path is empty")
    #expect(message(missing) == "\(missing): error: no such file")
    let notFolder = try write("a\n", "file.csv", in: folder) + "/x.csv"
    #expect(message(notFolder) == "\(notFolder): error: no such file")
    #expect(message(folder.path) == "\(folder.path): error: is a directory, not a CSV file")
    #expect([kind(""), kind(missing), kind(folder.path)] == [.unreadableInput, .unreadableInput, .unreadableInput])
  }

  @Test("a FIFO (refused without opening it, which would block), a device, /dev/stdin")
  func notRegular() throws {
    let fifo = try temporaryFolder().appendingPathComponent("fifo.csv").path
    #expect(mkfifo(fifo, 0o600) == 0)
    #expect(message(fifo) == "\(fifo): error: is not a regular file (a FIFO)")
    #expect(kind(fifo) == .unreadableInput)
    #expect(message("/dev/null") == "/dev/null: error: is not a regular file (a character device)")
    // Standard input is a terminal, a pipe or /dev/null under a test runner: never read as data.
    var info = stat()
    if stat("/dev/stdin", &info) == 0, let problem = DataFile.problem(info.st_mode) {
      #expect(message("/dev/stdin") == "/dev/stdin: error: \(problem)")
    }
    #expect(DataFile.problem(S_IFSOCK) == "is not a regular file (a socket)")
    #expect(DataFile.problem(S_IFBLK) == "is not a regular file (a block device)")
    #expect(DataFile.problem(S_IFREG) == nil)
  }

  @Test("no permission, and other reasons from the system")
  func permissions() throws {
    #expect(DataFile.reason(EACCES) == "cannot be read (check its permissions)")
    #expect(DataFile.reason(EPERM) == "cannot be read (check its permissions)")
    let folder = try temporaryFolder()
    let loop = folder.appendingPathComponent("loop.csv").path
    #expect(symlink(loop, loop) == 0)
    #expect(message(loop) == "\(loop): error: cannot be read: Too many levels of symbolic links")
    #expect(kind(loop) == .unreadableInput)
  }

  @Test("an unreadable file (not as root, who may read it)", .enabled(if: getuid() != 0, "root reads every file"))
  func unreadable() throws {
    let path = try file(Array("a,b\n".utf8))
    #expect(chmod(path, 0) == 0)
    #expect(message(path) == "\(path): error: cannot be read (check its permissions)")
  }
}
