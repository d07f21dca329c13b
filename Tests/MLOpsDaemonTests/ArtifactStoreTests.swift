import Foundation
import Glibc
import Testing

@testable import MLOpsDaemon

/// The artifact store on real directories: content addressing, the manifest hash, what is
/// refused inside an artifact, and the data-root check for paths named by jobs.
@Suite struct ArtifactStoreTests {
    /// A scratch directory with a store under `state/artifacts` and sources under `data/`.
    final class Scratch {
        let base: String
        let store: ArtifactStore
        var data: String { base + "/data" }

        init() throws {
            base = "/tmp/mlopsd-tests/artifacts-\(UInt32.random(in: 0...UInt32.max))"
            try FileManager.default.createDirectory(atPath: base + "/data", withIntermediateDirectories: true)
            store = try ArtifactStore(root: base + "/state/artifacts")
        }

        deinit {
            // Stored artifacts are read-only: make them writable on the way down.
            try? ArtifactStore.removeTree(in: AT_FDCWD, name: base, display: base)
        }

        /// Creates the files of `tree` (relative path → content) under `data/name`.
        @discardableResult
        func source(_ name: String, _ tree: [String: String]) throws -> String {
            let dir = data + "/" + name
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            for (path, content) in tree {
                let full = dir + "/" + path
                try FileManager.default.createDirectory(
                    atPath: (full as NSString).deletingLastPathComponent,
                    withIntermediateDirectories: true
                )
                try writeFile(full, Data(content.utf8))
            }
            return dir
        }

        /// The names in the store's directory.
        func storeEntries() throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: store.root).sorted()
        }
    }

    static let model: [String: String] = [
        "model.bin": "weights v1",
        "config/params.json": "{\"depth\": 3}",
        "metrics.json": "{\"auc\": 0.91}",
    ]

    @Test func sameContentTwiceIsStoredOnceAndTheSecondIngestReusesIt() throws {
        let scratch = try Scratch()
        let first = try scratch.store.ingest(directory: try scratch.source("a", Self.model))
        let second = try scratch.store.ingest(directory: try scratch.source("b", Self.model))
        #expect(!first.reused)
        #expect(second.reused)
        #expect(first.sha256 == second.sha256)
        #expect(first.path == scratch.store.root + "/" + first.sha256)
        #expect(second.path == first.path)
        #expect(first.files == 3)
        #expect(first.bytes == Int64(Self.model.values.reduce(0) { $0 + $1.utf8.count }))
        #expect(try scratch.storeEntries() == [first.sha256], "one directory, no temp copy left")
        #expect(scratch.store.exists(first.sha256))
        #expect(try String(contentsOfFile: first.path + "/config/params.json", encoding: .utf8) == "{\"depth\": 3}")
    }

    @Test func differentContentIsStoredSeparately() throws {
        let scratch = try Scratch()
        var other = Self.model
        other["model.bin"] = "weights v2"
        let a = try scratch.store.ingest(directory: try scratch.source("a", Self.model))
        let b = try scratch.store.ingest(directory: try scratch.source("b", other))
        #expect(a.sha256 != b.sha256)
        #expect(a.modelSHA256 != b.modelSHA256)
        #expect(try scratch.storeEntries() == [a.sha256, b.sha256].sorted())
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")))
    func digestsEqualPythonHashlibOverTheSameManifest() throws {
        let scratch = try Scratch()
        // Names whose byte order differs from a tree walk's order ("a.txt" < "a/b"), an
        // empty file, a file larger than the 1 MiB copy buffer, an empty directory (not part
        // of the identity), non-ASCII and non-UTF-8 names.
        let big = String(repeating: "0123456789abcdef", count: 70_000)
        let dir = try scratch.source(
            "tricky",
            [
                "a.txt": "dot", "a/b": "slash", "a/c/d.bin": "deep", "empty": "", "big.bin": big,
                "metrics.json": "{\"f1\": 0.5}", "sub/metrics.json": "{}", "Zürich.txt": "ü", "名前": "東京",
            ]
        )
        try FileManager.default.createDirectory(atPath: dir + "/nothing/here", withIntermediateDirectories: true)
        let latin1: [CChar] = Array((dir + "/caf").utf8CString.dropLast()) + [CChar(bitPattern: 0xE9), 0]
        let fd = open(latin1, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        #expect(fd >= 0)
        #expect(write(fd, "latin-1 name", 12) == 12)
        close(fd)

        let stored = try scratch.store.ingest(directory: dir)
        #expect(stored.files == 10)
        #expect(!FileManager.default.fileExists(atPath: stored.path + "/nothing"), "empty directories are not stored")

        let script = #"""
            import hashlib, os, sys
            root = os.fsencode(sys.argv[1])
            entries = []
            for d, dirs, files in os.walk(root):
                for f in files:
                    full = os.path.join(d, f)
                    with open(full, 'rb') as fh:
                        data = fh.read()
                    entries.append((os.path.relpath(full, root), len(data), hashlib.sha256(data).hexdigest()))
            entries.sort()
            def digest(skip_metrics):
                h = hashlib.sha256()
                for rel, size, hexdigest in entries:
                    if skip_metrics and rel == b'metrics.json':
                        continue
                    h.update(rel + b'\0' + str(size).encode() + b'\0' + hexdigest.encode() + b'\n')
                return h.hexdigest()
            print(digest(False))
            print(digest(True))
            """#
        let lines = try runPython(script, [dir], logPrefix: scratch.base + "/python")
        #expect(lines == [stored.sha256, stored.modelSHA256])
    }

    @Test func modelDigestIgnoresTheTopLevelMetricsFileOnly() throws {
        let scratch = try Scratch()
        var newMetrics = Self.model
        newMetrics["metrics.json"] = "{\"auc\": 0.93}"
        var noMetrics = Self.model
        noMetrics["metrics.json"] = nil
        var nestedMetrics = Self.model
        nestedMetrics["config/metrics.json"] = "{}"

        let base = try scratch.store.ingest(directory: try scratch.source("base", Self.model))
        let metricsChanged = try scratch.store.ingest(directory: try scratch.source("m", newMetrics))
        let metricsGone = try scratch.store.ingest(directory: try scratch.source("g", noMetrics))
        let nested = try scratch.store.ingest(directory: try scratch.source("n", nestedMetrics))

        #expect(metricsChanged.sha256 != base.sha256)
        #expect(metricsChanged.modelSHA256 == base.modelSHA256)
        #expect(metricsGone.modelSHA256 == base.modelSHA256)
        #expect(metricsGone.sha256 == metricsGone.modelSHA256, "without metrics.json both hashes cover the same files")
        #expect(nested.modelSHA256 != base.modelSHA256, "only the top-level metrics.json is left out")
    }

    @Test func symbolicLinkInsideRefusesTheArtifactAndLeavesNothingInTheStore() throws {
        let scratch = try Scratch()
        let dir = try scratch.source("linked", Self.model)
        #expect(symlink("/etc/passwd", dir + "/config/passwd") == 0)
        #expect(throws: ArtifactError.unsupportedEntry(path: dir + "/config/passwd", kind: "symbolic link")) {
            try scratch.store.ingest(directory: dir)
        }
        #expect(try scratch.storeEntries().isEmpty)
    }

    @Test func fifoOrSocketInsideIsRefusedByKind() throws {
        let scratch = try Scratch()
        let dir = try scratch.source("fifo", Self.model)
        #expect(mkfifo(dir + "/pipe", 0o600) == 0)
        #expect(throws: ArtifactError.unsupportedEntry(path: dir + "/pipe", kind: "FIFO (named pipe)")) {
            try scratch.store.ingest(directory: dir)
        }
        #expect(try scratch.storeEntries().isEmpty)
    }

    @Test func aSymbolicLinkOrAFileAsTheArtifactItselfIsRefused() throws {
        let scratch = try Scratch()
        let dir = try scratch.source("real", Self.model)
        #expect(symlink(dir, scratch.data + "/alias") == 0)
        #expect(throws: ArtifactError.unsupportedEntry(path: scratch.data + "/alias", kind: "symbolic link")) {
            try scratch.store.ingest(directory: scratch.data + "/alias")
        }
        #expect(throws: ArtifactError.notADirectory(dir + "/model.bin")) {
            try scratch.store.ingest(directory: dir + "/model.bin")
        }
        #expect(throws: ArtifactError.notFound(dir + "/absent")) {
            try scratch.store.ingest(directory: dir + "/absent")
        }
    }

    @Test func storedFilesAndDirectoriesAreReadOnly() throws {
        let scratch = try Scratch()
        let stored = try scratch.store.ingest(directory: try scratch.source("ro", Self.model))
        func mode(_ path: String) -> mode_t {
            var st = stat()
            #expect(lstat(path, &st) == 0, "\(path)")
            return st.st_mode & 0o7777
        }
        #expect(mode(stored.path) == 0o555)
        #expect(mode(stored.path + "/config") == 0o555)
        #expect(mode(stored.path + "/config/params.json") == 0o444)
        #expect(mode(stored.path + "/model.bin") == 0o444)
        if geteuid() != 0 {
            // root ignores permissions; anyone else must be refused.
            #expect(open(stored.path + "/model.bin", O_WRONLY) == -1 && errno == EACCES)
        }
    }

    @Test func removeDeletesAReadOnlyArtifactAndAMissingOneIsFine() throws {
        let scratch = try Scratch()
        let stored = try scratch.store.ingest(directory: try scratch.source("gone", Self.model))
        try scratch.store.remove(stored.sha256)
        #expect(!scratch.store.exists(stored.sha256))
        #expect(try scratch.storeEntries().isEmpty)
        try scratch.store.remove(stored.sha256)
        #expect(throws: ArtifactError.invalidDigest("../data")) { try scratch.store.remove("../data") }
        #expect(!scratch.store.exists("../data"))
    }

    @Test func leftoversOfAnInterruptedIngestAreRemovedAndArtifactsKept() throws {
        let scratch = try Scratch()
        let stored = try scratch.store.ingest(directory: try scratch.source("keep", Self.model))
        // What a crash mid-copy leaves: a read-only partial copy under a temp name.
        let leftover = scratch.store.root + "/.tmp-deadbeef"
        try FileManager.default.createDirectory(atPath: leftover + "/sub", withIntermediateDirectories: true)
        try writeFile(leftover + "/sub/half.bin", Data("half".utf8))
        #expect(chmod(leftover + "/sub/half.bin", 0o444) == 0)
        #expect(chmod(leftover + "/sub", 0o555) == 0)
        #expect(chmod(leftover, 0o555) == 0)

        #expect(scratch.store.removeLeftovers() == 1)
        #expect(try scratch.storeEntries() == [stored.sha256])
        #expect(scratch.store.exists(stored.sha256))
        #expect(scratch.store.removeLeftovers() == 0)
    }

    // MARK: - resolveInside

    @Test func pathsEscapingTheDataRootThroughALinkOrDotDotAreRefused() throws {
        let scratch = try Scratch()
        let roots = [scratch.data]
        try scratch.source("models", ["m/model.bin": "x"])
        try FileManager.default.createDirectory(atPath: scratch.base + "/secret", withIntermediateDirectories: true)
        #expect(symlink(scratch.base + "/secret", scratch.data + "/escape") == 0)
        #expect(symlink(scratch.data + "/models/m", scratch.data + "/inside-link") == 0)

        #expect(try ArtifactStore.resolveInside(scratch.data + "/models/m", roots: roots) == scratch.data + "/models/m")
        #expect(
            try ArtifactStore.resolveInside(scratch.data + "/inside-link", roots: roots) == scratch.data + "/models/m",
            "a link that stays inside resolves to its target"
        )
        #expect(
            try ArtifactStore.resolveInside(scratch.data + "/models/../models/m", roots: roots) == scratch.data
                + "/models/m"
        )
        #expect(throws: ArtifactError.outsideDataRoots(path: scratch.data + "/escape", roots: roots)) {
            try ArtifactStore.resolveInside(scratch.data + "/escape", roots: roots)
        }
        #expect(throws: ArtifactError.outsideDataRoots(path: scratch.data + "/../secret", roots: roots)) {
            try ArtifactStore.resolveInside(scratch.data + "/../secret", roots: roots)
        }
        #expect(throws: ArtifactError.notFound(scratch.data + "/absent")) {
            try ArtifactStore.resolveInside(scratch.data + "/absent", roots: roots)
        }
    }

    @Test func aSiblingSharingTheRootsPrefixIsNotUnderIt() throws {
        let scratch = try Scratch()
        try FileManager.default.createDirectory(atPath: scratch.base + "/data2/m", withIntermediateDirectories: true)
        #expect(throws: ArtifactError.outsideDataRoots(path: scratch.base + "/data2/m", roots: [scratch.data])) {
            try ArtifactStore.resolveInside(scratch.base + "/data2/m", roots: [scratch.data])
        }
        // The root itself is inside; a trailing slash or a root given through a link does not matter.
        #expect(try ArtifactStore.resolveInside(scratch.data, roots: [scratch.data + "/"]) == scratch.data)
        #expect(symlink(scratch.base + "/data2", scratch.base + "/data2-link") == 0)
        #expect(
            try ArtifactStore.resolveInside(
                scratch.base + "/data2/m",
                roots: [scratch.data, scratch.base + "/data2-link"]
            )
                == scratch.base + "/data2/m"
        )
        #expect(throws: ArtifactError.outsideDataRoots(path: scratch.data, roots: [])) {
            try ArtifactStore.resolveInside(scratch.data, roots: [])
        }
    }

    @Test func errorDescriptionsSayWhatToFix() {
        let outside = ArtifactError.outsideDataRoots(path: "/tmp/x", roots: ["/srv/data"]).description
        #expect(outside.contains("/tmp/x") && outside.contains("/srv/data") && outside.contains("data_roots"))
        let link = ArtifactError.unsupportedEntry(path: "/srv/data/m/l", kind: "symbolic link").description
        #expect(link.contains("/srv/data/m/l is a symbolic link") && link.contains("regular files and directories"))
        #expect(ArtifactError.tooManyFiles(100_000).description.contains("more than 100000 files"))
    }

    /// Runs `python3 -c script args…` as a real child and returns its output lines.
    private func runPython(_ script: String, _ args: [String], logPrefix: String) throws -> [String] {
        let child = try ChildProcess(
            "/usr/bin/python3",
            ["-c", script] + args,
            environment: ["LANG": "C.UTF-8"],
            logPrefix: logPrefix
        )
        defer { child.terminate() }
        let status = try child.waitForExit(timeout: 60)
        #expect(status == 0, "python: \(child.stderrText)")
        let output = try String(contentsOfFile: child.stdoutPath, encoding: .utf8)
        return output.split(separator: "\n").map(String.init)
    }
}
