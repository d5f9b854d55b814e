#if canImport(Glibc)
  import Glibc
#endif

/// libFuzzer's driver (from `libclang_rt.fuzzer_no_main`, linked by `Tests/Fuzz/run.sh`): parses libFuzzer's
/// flags and calls `callback` with each input.
@_silgen_name("LLVMFuzzerRunDriver")
func llvmFuzzerRunDriver(
  _ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
  _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// Runs libFuzzer with this process's arguments, calling `test` with every input, and exits with its status.
///
/// SwiftPM gives an executable target its own `main`, so the targets call this from `main.swift` rather than
/// exporting `LLVMFuzzerTestOneInput` and linking libFuzzer's `main`.
public func runFuzzer(_ test: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Never {
  var argc = CommandLine.argc
  var argv = CommandLine.unsafeArgv
  exit(llvmFuzzerRunDriver(&argc, &argv, test))
}

/// The input as an array of bytes.
public func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
  guard let data, size > 0 else { return [] }
  return Array(UnsafeBufferPointer(start: data, count: size))
}
