// swift-tools-version: 6.2
// libFuzzer targets for LossLab's input parsers, kept out of the main package so that its build and tests
// stay as they are. Build and run them with `Tests/Fuzz/run.sh` (see Docs/Architecture.md, "Fuzzing"),
// which compiles with coverage instrumentation and AddressSanitizer and links libFuzzer's driver.
import PackageDescription

let lossLab = "LossLab"

let package = Package(
  name: "LossLabFuzz",
  dependencies: [.package(name: lossLab, path: "../..")],
  targets: [
    // The libFuzzer driver entry and the one-input hook every target shares.
    .target(name: "FuzzSupport"),
    // YAML text → libyaml → config decoder → (small loss tables) runner → every report format.
    .executableTarget(
      name: "FuzzConfig",
      dependencies: ["FuzzSupport", .product(name: "LossLabKit", package: lossLab)]),
    // Expression text → parser → evaluation with its derivative at a few points.
    .executableTarget(
      name: "FuzzExpression",
      dependencies: ["FuzzSupport", .product(name: "RankingLosses", package: lossLab)]),
    // CSV bytes → the data loader (interactions and item metadata).
    .executableTarget(
      name: "FuzzCSV",
      dependencies: ["FuzzSupport", .product(name: "Recommender", package: lossLab)]),
    // Bytes describing a plugin table (counts, NULLs, names, kinds, parameters) → the plugin table check.
    .executableTarget(
      name: "FuzzPluginTable",
      dependencies: [
        "FuzzSupport", .product(name: "LossLabKit", package: lossLab),
        .product(name: "LossLabPluginABI", package: lossLab),
      ]),
  ]
)
