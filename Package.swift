// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "mlopsd",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "mlopsd", targets: ["mlopsd"]),
        .executable(name: "mlopsctl", targets: ["mlopsctl"]),
        .executable(name: "mlops-train", targets: ["mlops-train"]),
        .library(name: "MLOpsCore", targets: ["MLOpsCore"]),
        .library(name: "MLOpsClient", targets: ["MLOpsClient"]),
        .library(name: "MLOpsDaemon", targets: ["MLOpsDaemon"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        // Pipeline children: posix_spawn with a clean signal mask, own session, async pipes.
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
    ],
    targets: [
        // libsystemd: sd_journal_sendv and sd_watchdog_enabled.
        .systemLibrary(
            name: "CSystemd",
            pkgConfig: "libsystemd",
            providers: [.apt(["libsystemd-dev"])]
        ),
        // Linux calls Swift's Glibc module does not expose (renameat2, F_SETLEASE).
        .systemLibrary(name: "CPosix"),
        // libyaml: the event parser under our own strict composer (no aliases, capped depth).
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        // All logic that needs no I/O: YAML composition, job schema and validation, config.
        .target(
            name: "MLOpsCore",
            dependencies: ["CYAML"]
        ),
        // The client side of the spool: atomic submission, waiting for results, typed result
        // decoding. Needs only the core (and the renameat2 shim): mlopsctl links no store,
        // no libsystemd and no process library.
        .target(
            name: "MLOpsClient",
            dependencies: ["MLOpsCore", "CPosix"]
        ),
        // Spool, store, journald, sd_notify, signals: everything that touches the system.
        .target(
            name: "MLOpsDaemon",
            dependencies: [
                "MLOpsCore",
                "MLOpsClient",
                "CSystemd",
                "CPosix",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ]
        ),
        .executableTarget(
            name: "mlopsd",
            dependencies: [
                "MLOpsDaemon",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "mlopsctl",
            dependencies: [
                "MLOpsCore",
                "MLOpsClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The embedded default trainer (docs/design.md §7): a pipeline child like any user trainer.
        .executableTarget(
            name: "mlops-train",
            dependencies: [
                "MLOpsCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // `make bench`: our throughput and latency beside the raw filesystem's, same run.
        .executableTarget(
            name: "mlopsd-bench",
            dependencies: ["MLOpsDaemon", "MLOpsClient", "MLOpsCore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "MLOpsCoreTests",
            dependencies: ["MLOpsCore"]
        ),
        .testTarget(
            name: "MLOpsDaemonTests",
            dependencies: [
                "MLOpsDaemon",
                "MLOpsClient",
                "MLOpsCore",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
