// swift-tools-version: 6.2
import PackageDescription

let package = Package(
  name: "LossLab",
  products: [
    .library(name: "RankingLosses", targets: ["RankingLosses"]),
    .library(name: "LossConformance", targets: ["LossConformance"]),
    .library(name: "YAMLNodes", targets: ["YAMLNodes"]),
    .library(name: "Recommender", targets: ["Recommender"]),
    .library(name: "LossLabKit", targets: ["LossLabKit"]),
    .executable(name: "losslab", targets: ["losslab"]),
    // Example loss plugins (shared libraries with the C ABI of CLossLabPlugin), loaded by the tests.
    .library(name: "LossLabPluginABI", targets: ["CLossLabPlugin"]),
    .library(name: "ExampleCPlugin", type: .dynamic, targets: ["ExampleCPlugin"]),
    .library(name: "ExampleSwiftPlugin", type: .dynamic, targets: ["ExampleSwiftPlugin"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
  ],
  targets: [
    // The math: losses, gradients, partial credit and the registry. No YAML, no I/O.
    .target(
      name: "RankingLosses",
      dependencies: ["CLossKernels", .product(name: "RealModule", package: "swift-numerics")]
    ),
    // The kernels' hot loops in C, compiled for several instruction sets by per-function `target`
    // attributes (no compiler flags) and chosen at run time: see KernelISA.swift.
    .target(name: "CLossKernels"),
    // Property checks that any loss (built-in or custom) must pass; used by the tests and by users.
    .target(
      name: "LossConformance",
      dependencies: ["RankingLosses", .product(name: "RealModule", package: "swift-numerics")]
    ),
    // The system's libyaml (Debian: libyaml-dev), not a vendored copy.
    .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
    // libyaml's events as Swift nodes with 1-based marks; one Swift error type. No C type in its API.
    .target(name: "YAMLNodes", dependencies: ["CYAML"]),
    // The system's SQLite (Debian: libsqlite3-dev), for the results store of `losslab train --store`.
    .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
    // The system's zlib (Debian: zlib1g-dev), for reading gzip-compressed data files.
    .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
    // Recommenders trained with the losses: interaction data, splits, matrix factorization, metrics.
    .target(name: "Recommender", dependencies: ["RankingLosses", "CLossKernels", "CZlib"]),
    // Configs, the evaluation runner and the report formats: everything `losslab` does, as a library.
    .target(
      name: "LossLabKit", dependencies: ["RankingLosses", "YAMLNodes", "Recommender", "CLossLabPlugin", "CSQLite"]),
    // The C ABI of loss plugins (a header: include/losslab_plugin.h).
    .target(name: "CLossLabPlugin"),
    .target(name: "ExampleCPlugin", dependencies: ["CLossLabPlugin"]),
    .target(name: "ExampleSwiftPlugin", dependencies: ["CLossLabPlugin"]),
    // The command-line tool: parses arguments, calls LossLabKit, prints.
    .executableTarget(
      name: "losslab",
      dependencies: [
        "LossLabKit", "RankingLosses", "Recommender",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    // The golden reference cases (computed from the seed's PyTorch functions) and their loader.
    .target(
      name: "LossLabTestSupport",
      dependencies: ["RankingLosses"],
      path: "Tests/LossLabTestSupport",
      exclude: ["Fixtures"]
    ),
    .testTarget(
      name: "RankingLossesTests",
      dependencies: [
        "RankingLosses", "LossConformance", "LossLabTestSupport",
        .product(name: "RealModule", package: "swift-numerics"),
      ]
    ),
    .testTarget(name: "YAMLNodesTests", dependencies: ["YAMLNodes"]),
    .testTarget(
      name: "LossLabKitTests",
      dependencies: [
        "LossLabKit", "RankingLosses", "Recommender", "LossConformance", "YAMLNodes", "LossLabTestSupport",
        "CLossLabPlugin", "CZlib",
      ]
    ),
    .testTarget(
      name: "RecommenderTests", dependencies: ["Recommender", "RankingLosses", "LossLabTestSupport", "CZlib"]),
  ]
)

for target in package.targets
where target.type != .system && !["CLossLabPlugin", "ExampleCPlugin", "CLossKernels"].contains(target.name) {
  var settings = target.swiftSettings ?? []
  settings.append(.enableUpcomingFeature("ExistentialAny"))
  settings.append(.enableUpcomingFeature("MemberImportVisibility"))
  target.swiftSettings = settings
}
