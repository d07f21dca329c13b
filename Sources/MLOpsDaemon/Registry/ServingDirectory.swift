import Foundation
import Glibc
import MLOpsClient
import MLOpsCore
import Synchronization

/// The serving view for model servers (docs/design.md §6): `<root>/<model>/current`, a symbolic
/// link to the served artifact's directory in the store, with `deployment.json` beside it.
///
/// A model server follows `current` and must never find it missing or half-made, so a
/// switch creates the new link under a temporary name in the same directory and renames it
/// over `current` (rename is atomic: a reader sees the old target or the new one), then
/// fsyncs the directory so the switch survives a crash. `deployment.json` is written after
/// the link, atomically too; after a crash between the two it can describe the previous
/// deployment, so it should name its artifact and readers should compare it with the link.
///
/// Switches and removals are serialised by a lock (one process owns the directory).
public final class ServingDirectory: Sendable {
    /// The name of the link model servers follow.
    public static let currentName = "current"
    /// The name of the deployment description beside the link.
    public static let deploymentName = "deployment.json"
    /// The largest `deployment.json` that ``current(model:)`` reads.
    static let maxDeploymentBytes = 1 << 20
    /// Prefix of the temporary link a switch creates before renaming it over `current`.
    static let tempLinkPrefix = ".current."

    /// The serving directory (`<state>/serving`).
    public let root: String
    private let directory: DirectoryHandle
    private let lock = Mutex(())

    /// Opens the serving directory at `root`, creating it (mode 0750) when missing.
    public init(root: String) throws(SystemError) {
        try DirectoryHandle.makeDirectories(root, mode: 0o750)
        self.root = root
        directory = try DirectoryHandle(path: root)
    }

    /// The served artifact of `model` and its deployment description, or nil when the
    /// model has no `current` link (never deployed, removed, or not a valid model name).
    public func current(model: String) -> ServingState? {
        guard ServingDirectory.isValidModelName(model) else { return nil }
        let modelPath = root + "/" + model
        guard let target = ServingDirectory.readLink(modelPath + "/" + ServingDirectory.currentName) else { return nil }
        return ServingState(
            target: target,
            deployment: ServingDirectory.readJSON(modelPath + "/" + ServingDirectory.deploymentName)
        )
    }

    /// Points `model`'s `current` link at `artifactPath` (an absolute path to an existing
    /// directory) and writes
    /// `deployment` (JSON, sorted keys, pretty-printed) to `deployment.json`. When an A/B
    /// test left a `routing.json`, its champion becomes `deployment`'s `version`: the
    /// champion is always the version `current` serves (promotion, rollback, revert,
    /// reconciliation alike).
    ///
    /// Temporary links left by an interrupted switch are removed first. When the link
    /// cannot be switched, the previous one stays in place and nothing is written.
    public func switchTo(model: String, artifactPath: String, deployment: JSONValue) throws(SystemError) {
        guard ServingDirectory.isValidModelName(model) else {
            throw SystemError("serve model '\(model)': not a valid model name", errno: EINVAL)
        }
        guard artifactPath.hasPrefix("/") else {
            throw SystemError(
                "serve model '\(model)' from '\(artifactPath)': the artifact path must be absolute",
                errno: EINVAL
            )
        }
        // A link to nothing would make every model server fail at its next reload.
        var st = stat()
        guard stat(artifactPath, &st) == 0 else { throw SystemError("serve model '\(model)' from \(artifactPath)") }
        guard st.st_mode & S_IFMT == S_IFDIR else {
            throw SystemError("serve model '\(model)' from \(artifactPath)", errno: ENOTDIR)
        }
        // Encode first: a deployment that cannot be written must not leave a switched link.
        let data: Data
        do {
            data = try JSONEncoder.mlopsPretty.encode(deployment) + Data("\n".utf8)
        } catch {
            throw SystemError("encode \(root)/\(model)/\(ServingDirectory.deploymentName): \(error)", errno: EINVAL)
        }
        try lock.withLock { _ throws(SystemError) in
            if mkdirat(directory.fd, model, 0o750) != 0 && errno != EEXIST {
                throw SystemError("create \(root)/\(model)")
            }
            let modelDirectory = try DirectoryHandle(path: root + "/" + model)
            try removeTemporaries(in: modelDirectory)
            let temp =
                ServingDirectory.tempLinkPrefix
                + "\(getpid()).\(String(UInt64.random(in: 0...UInt64.max), radix: 16)).tmp"
            guard symlinkat(artifactPath, modelDirectory.fd, temp) == 0 else {
                throw SystemError("create link \(modelDirectory.path)/\(temp)")
            }
            do throws(SystemError) {
                try modelDirectory.rename(temp, as: ServingDirectory.currentName, replace: true)
            } catch {
                unlinkat(modelDirectory.fd, temp, 0)
                throw error
            }
            try modelDirectory.sync()
            // Before deployment.json: a crash in between leaves deployment.json stale, which
            // reconciliation at start sees and repairs by switching again.
            try routingFollowsCurrent(in: modelDirectory, version: deployment["version"]?.stringValue)
            try modelDirectory.writeAtomically(ServingDirectory.deploymentName, data: data, mode: 0o640)
        }
    }

    /// The name of the A/B challenger's link, beside `current` while a test runs.
    public static let challengerName = "challenger"
    /// The traffic split a model server reads: champion and challenger with their shares.
    public static let routingName = "routing.json"

    /// Starts an A/B test: `challenger` links to `artifactPath` (made under a temporary
    /// name and renamed, like `current`), then `routing.json` says how to split traffic.
    public func startChallenger(model: String, artifactPath: String, routing: JSONValue) throws(SystemError) {
        guard ServingDirectory.isValidModelName(model) else {
            throw SystemError("serve challenger of '\(model)': not a valid model name", errno: EINVAL)
        }
        let data = try ServingDirectory.encode(routing, name: ServingDirectory.routingName)
        try lock.withLock { _ throws(SystemError) in
            if mkdirat(directory.fd, model, 0o750) != 0 && errno != EEXIST {
                throw SystemError("create \(root)/\(model)")
            }
            let modelDirectory = try DirectoryHandle(path: root + "/" + model)
            let temp = ".challenger.\(getpid()).\(String(UInt64.random(in: 0...UInt64.max), radix: 16)).tmp"
            guard symlinkat(artifactPath, modelDirectory.fd, temp) == 0 else {
                throw SystemError("create link \(modelDirectory.path)/\(temp)")
            }
            do throws(SystemError) {
                try modelDirectory.rename(temp, as: ServingDirectory.challengerName, replace: true)
            } catch {
                unlinkat(modelDirectory.fd, temp, 0)
                throw error
            }
            try modelDirectory.writeAtomically(ServingDirectory.routingName, data: data, mode: 0o640)
        }
    }

    /// Ends an A/B test: `routing.json` sends all traffic to `current` again (it says what
    /// was decided), then the `challenger` link goes.
    public func endChallenger(model: String, routing: JSONValue) throws(SystemError) {
        guard ServingDirectory.isValidModelName(model) else { return }
        let data = try ServingDirectory.encode(routing, name: ServingDirectory.routingName)
        try lock.withLock { _ throws(SystemError) in
            let modelDirectory: DirectoryHandle
            do throws(SystemError) {
                modelDirectory = try DirectoryHandle(path: root + "/" + model)
            } catch {
                if error.errno == ENOENT { return }
                throw error
            }
            try modelDirectory.writeAtomically(ServingDirectory.routingName, data: data, mode: 0o640)
            if unlinkat(modelDirectory.fd, ServingDirectory.challengerName, 0) != 0 && errno != ENOENT {
                throw SystemError("remove \(modelDirectory.path)/\(ServingDirectory.challengerName)")
            }
            try modelDirectory.sync()
        }
    }

    /// Keeps `routing.json`, when an A/B test left one, naming what `current` serves: its
    /// champion becomes `version`, so a model server that labels predictions from it labels
    /// them with the version it actually sent them to. Without a routing file (no test ever
    /// ran) or without a version there is nothing to do.
    private func routingFollowsCurrent(in modelDirectory: DirectoryHandle, version: String?) throws(SystemError) {
        guard let version,
            case .object(var routing)? = ServingDirectory.readJSON(
                modelDirectory.path + "/" + ServingDirectory.routingName
            ),
            case .object(var champion)? = routing["champion"], champion["version"] != .string(version)
        else { return }
        champion["version"] = .string(version)
        routing["champion"] = .object(champion)
        let data = try ServingDirectory.encode(.object(routing), name: ServingDirectory.routingName)
        try modelDirectory.writeAtomically(ServingDirectory.routingName, data: data, mode: 0o640)
    }

    static func encode(_ value: JSONValue, name: String) throws(SystemError) -> Data {
        do {
            return try JSONTextWriter.data(value, layout: .pretty) + Data("\n".utf8)
        } catch {
            throw SystemError("encode \(name): \(error)", errno: EINVAL)
        }
    }

    /// Removes `model`'s serving directory (the link first, so servers stop finding it,
    /// then the files beside it). A model without one is not an error.
    public func remove(model: String) throws(SystemError) {
        guard ServingDirectory.isValidModelName(model) else {
            throw SystemError("remove serving directory of '\(model)': not a valid model name", errno: EINVAL)
        }
        try lock.withLock { _ throws(SystemError) in
            let modelDirectory: DirectoryHandle
            do throws(SystemError) {
                modelDirectory = try DirectoryHandle(path: root + "/" + model)
            } catch {
                if error.errno == ENOENT { return }
                throw error
            }
            try modelDirectory.remove(ServingDirectory.currentName)
            try modelDirectory.sync()
            for name in try modelDirectory.names() {
                try modelDirectory.remove(name)
            }
            guard unlinkat(directory.fd, model, AT_REMOVEDIR) == 0 || errno == ENOENT else {
                throw SystemError("remove \(root)/\(model)")
            }
            try directory.sync()
        }
    }

    /// The models that have a serving directory, sorted.
    public func models() throws(SystemError) -> [String] {
        var models: [String] = []
        for name in try directory.names() where ServingDirectory.isValidModelName(name) {
            if let st = try directory.status(of: name), st.st_mode & S_IFMT == S_IFDIR { models.append(name) }
        }
        return models.sorted()
    }

    // MARK: - Helpers

    /// Whether `name` can be a directory under the serving root: one path component, not
    /// hidden (temporary names start with a dot), at most 255 bytes.
    static func isValidModelName(_ name: String) -> Bool {
        !name.isEmpty && !name.hasPrefix(".") && !name.contains("/") && !name.utf8.contains(0) && name.utf8.count <= 255
    }

    /// Deletes the temporary links and files an interrupted switch left in a model's directory.
    private func removeTemporaries(in modelDirectory: DirectoryHandle) throws(SystemError) {
        for name in try modelDirectory.names() {
            let isTempLink = name.hasPrefix(ServingDirectory.tempLinkPrefix)
            let isTempFile = name.hasPrefix(".") && name.hasSuffix(".tmp")
            if isTempLink || isTempFile { try modelDirectory.remove(name) }
        }
    }

    /// The target of the symbolic link at `path`, or nil when there is none.
    private static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink(path, &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A JSON file beside the link (`deployment.json`, `routing.json`) decoded, or nil when
    /// missing, too large or not JSON.
    private static func readJSON(_ path: String) -> JSONValue? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard let data = try? FileReader.readAll(fd: fd, limit: maxDeploymentBytes, what: path),
            data.count <= maxDeploymentBytes
        else { return nil }
        return try? JSONDecoder().decode(JSONValue.self, from: data)
    }
}
