import Foundation
import GRDB
import Logging
import MLOpsClient
import MLOpsCore
import Testing

@testable import MLOpsDaemon

/// A real spool, store and registry under /tmp, and the job processor with the standard
/// handlers: registry jobs run exactly as in the daemon, synchronously.
final class RegistryFixture {
    let root: String
    let spool: Spool
    let store: Store
    let registry: ModelRegistry
    let processor: JobProcessor
    var config: DaemonConfig
    private var counter = 0

    init(config extra: String = "", name: String = #function) throws {
        let clean = String(name.filter { $0.isLetter || $0.isNumber }.prefix(24))
        root = "/tmp/mlopsd-tests/registry-\(clean)-\(UInt32.random(in: 0...UInt32.max))"
        spool = try Spool(root: root + "/spool")
        try DirectoryHandle.makeDirectories(root + "/state")
        try DirectoryHandle.makeDirectories(root + "/data")
        store = try Store(path: root + "/state/mlopsd.sqlite")
        config = try DaemonConfig.parse(
            text: "state_dir: \(root)/state\ndata_roots: [\(root)/data]\n" + extra,
            sourceName: "test",
            environment: [:],
            workingDirectory: root
        )
        let logger = Logger(label: "test")
        registry = try ModelRegistry(stateDir: root + "/state", alertsDirectory: spool.alerts, logger: logger)
        processor = JobProcessor(spool: spool, store: store, handlers: .standard, logger: logger, registry: registry)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// Runs one job (as if claimed from incoming/) and returns its result document.
    @discardableResult
    func run(_ text: String, id: String? = nil) throws -> ResultDocument {
        counter += 1
        let name = (id ?? "job-\(counter)") + ".yaml"
        try writeClaimedJob(root + "/spool/active/" + name, Data(text.utf8))
        _ = try processor.process([name], config: config)
        let data = try #require(
            FileManager.default.contents(atPath: "\(root)/spool/results/\(id ?? "job-\(counter)").json")
        )
        return try ResultDocument.decode(data)
    }

    /// Registers `model` (the feature set of ``Jobs/registerModel(_:id:)``), with `policy` YAML lines under params.
    func register(_ model: String = "xray", policy: String = "", extraFeature: Bool = false) throws {
        var text = Jobs.registerModel(model)
        if extraFeature {
            text = text.replacingOccurrences(
                of: "  target: label",
                with: "    - name: bmi\n      type: numerical\n  target: label"
            )
        }
        if !policy.isEmpty {
            text += "  policy:\n" + policy.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n") + "\n"
        }
        let result = try run(text)
        #expect(result.status == .succeeded, "\(result.error?.message ?? "")")
    }

    /// Writes an artifact directory under data/: model weights, metrics.json, reference.csv.
    @discardableResult
    func artifact(
        _ name: String,
        weights: String = "w1",
        accuracy: Double? = 0.9,
        metrics: String? = nil,
        reference: String? = nil,
        bmi: Bool = false
    ) throws -> String {
        let dir = root + "/data/" + name
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try writeFile(dir + "/model.bin", Data(weights.utf8))
        if let metrics {
            try writeFile(dir + "/metrics.json", Data(metrics.utf8))
        } else if let accuracy {
            try writeFile(dir + "/metrics.json", Data(#"{"accuracy": \#(accuracy)}"#.utf8))
        }
        var csv = reference ?? ""
        if reference == nil {
            csv = "age,scanner_kv,scanner_model,age_band,label" + (bmi ? ",bmi" : "") + "\n"
            for i in 0..<20 {
                csv += "\(30 + i),\(100 + i),S\(i % 3),b\(i % 4),\(i % 2)" + (bmi ? ",\(20 + i)" : "") + "\n"
            }
        }
        try writeFile(dir + "/reference.csv", Data(csv.utf8))
        return dir
    }

    func createVersion(
        _ model: String = "xray",
        artifact: String,
        version: String? = nil,
        extra: String = ""
    ) throws -> ResultDocument {
        var text = "kind: create-version\nmodel: \(model)\nparams:\n  artifact: \(artifact)\n"
        if let version { text += "  version: \(version)\n" }
        return try run(text + extra)
    }

    func promote(
        _ version: String,
        model: String = "xray",
        force: Bool = false,
        reason: String? = nil,
        extra: String = ""
    ) throws -> ResultDocument {
        var text = "kind: promote-version\nmodel: \(model)\n"
        if let reason { text += "reason: \(reason)\n" }
        text += "params:\n  version: \(version)\n"
        if force { text += "  force: true\n" }
        return try run(text + extra)
    }

    func production(_ model: String = "xray") throws -> String? {
        try store.read { db in try VersionStore.production(db, model: model)?.version }
    }

    func productionCount(_ model: String = "xray") throws -> Int {
        try store.read { db in
            try Int.fetchOne(
                db,
                sql: "SELECT COUNT(*) FROM versions WHERE model = ? AND state = 'production'",
                arguments: [model]
            ) ?? 0
        }
    }

    func versionCount(_ model: String = "xray") throws -> Int {
        try store.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM versions WHERE model = ?", arguments: [model]) ?? 0
        }
    }

    /// Where `state/serving/<model>/current` points, or nil.
    func servingTarget(_ model: String = "xray") -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: "\(root)/state/serving/\(model)/current")
    }

    /// The version `deployment.json` names.
    func deployedVersion(_ model: String = "xray") -> String? {
        guard let data = FileManager.default.contents(atPath: "\(root)/state/serving/\(model)/deployment.json"),
            let value = try? JSONDecoder().decode(JSONValue.self, from: data)
        else { return nil }
        return value["version"]?.stringValue
    }

    func artifactPath(_ model: String = "xray", _ version: String) throws -> String? {
        try store.read { db in try VersionStore.version(db, model: model, version: version) }.map {
            registry.artifacts.path(of: $0.artifactSHA256)
        }
    }

    /// Stored artifact directories (not temp ones).
    func storedArtifacts() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root + "/state/artifacts")) ?? []).filter {
            !$0.hasPrefix(".")
        }.sorted()
    }

    /// Writes an executable shell script under root and returns its path.
    func script(_ name: String, _ body: String) throws -> String {
        let path = root + "/" + name
        try writeFile(path, Data("#!/bin/sh\n\(body)\n".utf8))
        chmod(path, 0o755)
        return path
    }
}
