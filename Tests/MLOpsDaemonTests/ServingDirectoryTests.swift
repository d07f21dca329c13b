import Foundation
import Glibc
import MLOpsClient
import MLOpsCore
import Synchronization
import Testing

@testable import MLOpsDaemon

/// The serving view on a real directory: atomic switches of `current` as a reader sees
/// them, `deployment.json`, and cleanup after an interrupted switch.
@Suite struct ServingDirectoryTests {
    final class Scratch {
        let base: String
        let serving: ServingDirectory
        /// Two artifact directories to switch between.
        let artifactA: String
        let artifactB: String

        init() throws {
            base = "/tmp/mlopsd-tests/serving-\(UInt32.random(in: 0...UInt32.max))"
            artifactA = base + "/artifacts/aaaa"
            artifactB = base + "/artifacts/bbbb"
            for dir in [artifactA, artifactB] {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            }
            try writeFile(artifactA + "/model.bin", Data("A".utf8))
            try writeFile(artifactB + "/model.bin", Data("B".utf8))
            serving = try ServingDirectory(root: base + "/serving")
        }

        deinit { try? FileManager.default.removeItem(atPath: base) }

        func entries(_ model: String) throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: serving.root + "/" + model).sorted()
        }
    }

    @Test func afterASwitchTheLinkResolvesToTheNewArtifactAndDeploymentJSONSaysSo() throws {
        let scratch = try Scratch()
        #expect(scratch.serving.current(model: "churn") == nil)

        try scratch.serving.switchTo(
            model: "churn",
            artifactPath: scratch.artifactA,
            deployment: ["version": "1.0.0", "artifact": .string(scratch.artifactA)]
        )
        try scratch.serving.switchTo(
            model: "churn",
            artifactPath: scratch.artifactB,
            deployment: ["version": "1.1.0", "artifact": .string(scratch.artifactB), "by": "job-7"]
        )

        let state = try #require(scratch.serving.current(model: "churn"))
        #expect(state.target == scratch.artifactB)
        #expect(state.deployment == ["version": "1.1.0", "artifact": .string(scratch.artifactB), "by": "job-7"])
        let linkPath = scratch.serving.root + "/churn/current"
        #expect(try String(contentsOfFile: linkPath + "/model.bin", encoding: .utf8) == "B")
        // Sorted keys, pretty-printed, slashes unescaped.
        let text = try String(contentsOfFile: scratch.serving.root + "/churn/deployment.json", encoding: .utf8)
        #expect(
            text
                == "{\n  \"artifact\" : \"\(scratch.artifactB)\",\n  \"by\" : \"job-7\",\n  \"version\" : \"1.1.0\"\n}\n"
        )
        #expect(try scratch.entries("churn") == ["current", "deployment.json"])
    }

    @Test func aReaderNeverSeesTheLinkMissingOrPointingElsewhereDuring200Switches() throws {
        let scratch = try Scratch()
        try scratch.serving.switchTo(model: "m", artifactPath: scratch.artifactA, deployment: ["n": 0])
        final class Observations: Sendable {
            let stop = Atomic<Bool>(false)
            let finished = Atomic<Bool>(false)
            let reads = Atomic<Int>(0)
            let missing = Atomic<Int>(0)
            let strange = Mutex<[String]>([])
        }
        let seen = Observations()
        let link = scratch.serving.root + "/m/current"
        let targets: Set<String> = [scratch.artifactA, scratch.artifactB]
        Thread.detachNewThread {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            while !seen.stop.load(ordering: .acquiring) {
                let n = readlink(link, &buffer, buffer.count - 1)
                seen.reads.add(1, ordering: .relaxed)
                if n < 0 {
                    seen.missing.add(1, ordering: .relaxed)
                } else {
                    let target = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                    if !targets.contains(target) { seen.strange.withLock { $0.append(target) } }
                }
            }
            seen.finished.store(true, ordering: .releasing)
        }
        try waitUntil(timeout: 10, "the reader thread to start reading") { seen.reads.load(ordering: .relaxed) > 0 }
        for i in 1...200 {
            let target = i % 2 == 0 ? scratch.artifactA : scratch.artifactB
            try scratch.serving.switchTo(model: "m", artifactPath: target, deployment: ["n": .int(i)])
        }
        seen.stop.store(true, ordering: .releasing)
        try waitUntil(timeout: 10, "the reader thread to finish") { seen.finished.load(ordering: .acquiring) }

        #expect(seen.reads.load(ordering: .relaxed) > 200)
        #expect(seen.missing.load(ordering: .relaxed) == 0)
        #expect(seen.strange.withLock { $0 }.isEmpty)
        #expect(scratch.serving.current(model: "m") == ServingState(target: scratch.artifactA, deployment: ["n": 200]))
        #expect(try scratch.entries("m") == ["current", "deployment.json"])
    }

    @Test func temporaryLinksAndFilesLeftByACrashAreCleanedByTheNextSwitch() throws {
        let scratch = try Scratch()
        try scratch.serving.switchTo(model: "m", artifactPath: scratch.artifactA, deployment: ["v": 1])
        // What a daemon killed mid-switch leaves: its temp link and its temp deployment file.
        let dir = scratch.serving.root + "/m"
        #expect(symlink(scratch.artifactB, dir + "/.current.4242.9f3a.tmp") == 0)
        try writeFile(dir + "/.deployment.json.4242.tmp", Data("{\"v\":".utf8))
        #expect(try scratch.entries("m").count == 4)

        try scratch.serving.switchTo(model: "m", artifactPath: scratch.artifactB, deployment: ["v": 2])
        #expect(try scratch.entries("m") == ["current", "deployment.json"])
        #expect(scratch.serving.current(model: "m")?.target == scratch.artifactB)
    }

    @Test func missingOrCorruptDeploymentJSONGivesTheTargetWithoutDeployment() throws {
        let scratch = try Scratch()
        try scratch.serving.switchTo(model: "m", artifactPath: scratch.artifactA, deployment: ["v": 1])
        try writeFile(scratch.serving.root + "/m/deployment.json", Data("{not json".utf8))
        #expect(scratch.serving.current(model: "m") == ServingState(target: scratch.artifactA, deployment: nil))
        #expect(unlink(scratch.serving.root + "/m/deployment.json") == 0)
        #expect(scratch.serving.current(model: "m") == ServingState(target: scratch.artifactA, deployment: nil))
    }

    @Test func modelsListsServedModelsAndRemoveDeletesOne() throws {
        let scratch = try Scratch()
        #expect(try scratch.serving.models() == [])
        try scratch.serving.switchTo(model: "fraud", artifactPath: scratch.artifactA, deployment: [:])
        try scratch.serving.switchTo(model: "churn", artifactPath: scratch.artifactB, deployment: [:])
        #expect(try scratch.serving.models() == ["churn", "fraud"])

        try scratch.serving.remove(model: "fraud")
        #expect(try scratch.serving.models() == ["churn"])
        #expect(scratch.serving.current(model: "fraud") == nil)
        #expect(!FileManager.default.fileExists(atPath: scratch.serving.root + "/fraud"))
        try scratch.serving.remove(model: "fraud")
        #expect(FileManager.default.fileExists(atPath: scratch.artifactA + "/model.bin"), "the artifact is not touched")
    }

    @Test func namesThatAreNotOnePlainPathComponentAreRefused() throws {
        let scratch = try Scratch()
        for name in ["", ".", "..", "../escape", "a/b", ".hidden"] {
            let error = #expect(throws: SystemError.self, "\(name.debugDescription)") {
                try scratch.serving.switchTo(model: name, artifactPath: scratch.artifactA, deployment: [:])
            }
            #expect(error?.errno == EINVAL)
            #expect(scratch.serving.current(model: name) == nil)
        }
        let relative = #expect(throws: SystemError.self) {
            try scratch.serving.switchTo(model: "m", artifactPath: "artifacts/aaaa", deployment: [:])
        }
        #expect(relative?.description.contains("must be absolute") == true)
        #expect(try scratch.serving.models() == [])
        #expect(!FileManager.default.fileExists(atPath: scratch.base + "/escape"))
    }

    @Test func aMissingArtifactIsRefusedAndTheLinkStays() throws {
        let scratch = try Scratch()
        try scratch.serving.switchTo(model: "m", artifactPath: scratch.artifactA, deployment: ["v": 1])
        let error = #expect(throws: SystemError.self) {
            try scratch.serving.switchTo(
                model: "m",
                artifactPath: scratch.base + "/artifacts/cccc",
                deployment: ["v": 2]
            )
        }
        #expect(error?.errno == ENOENT)
        #expect(scratch.serving.current(model: "m") == ServingState(target: scratch.artifactA, deployment: ["v": 1]))
    }

    @Test func aDeploymentThatCannotBeEncodedLeavesTheLinkAlone() throws {
        let scratch = try Scratch()
        try scratch.serving.switchTo(model: "m", artifactPath: scratch.artifactA, deployment: ["v": 1])
        #expect(throws: SystemError.self) {
            try scratch.serving.switchTo(
                model: "m",
                artifactPath: scratch.artifactB,
                deployment: ["score": .double(.nan)]
            )
        }
        #expect(scratch.serving.current(model: "m") == ServingState(target: scratch.artifactA, deployment: ["v": 1]))
    }
}
