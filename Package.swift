// swift-tools-version: 6.0
import PackageDescription

let package = Package(
  name: "LossLab",
  products: [
    .library(name: "RankingLosses", targets: ["RankingLosses"]),
    .library(name: "LossConformance", targets: ["LossConformance"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1")
  ],
  targets: [
    // The math: losses, gradients, partial credit and the registry. No YAML, no C, no I/O.
    .target(
      name: "RankingLosses",
      dependencies: [.product(name: "RealModule", package: "swift-numerics")]
    ),
    // Property checks that any loss (built-in or custom) must pass; used by the tests and by users.
    .target(
      name: "LossConformance",
      dependencies: ["RankingLosses", .product(name: "RealModule", package: "swift-numerics")]
    ),
    .testTarget(
      name: "RankingLossesTests",
      dependencies: ["RankingLosses", "LossConformance"],
      exclude: ["Fixtures"]
    ),
  ]
)

for target in package.targets {
  var settings = target.swiftSettings ?? []
  settings.append(.enableUpcomingFeature("ExistentialAny"))
  settings.append(.enableUpcomingFeature("MemberImportVisibility"))
  target.swiftSettings = settings
}
