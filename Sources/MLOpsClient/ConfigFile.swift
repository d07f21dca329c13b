import Foundation
import MLOpsCore

/// Reads the daemon's config file on the client side, for the settings a client needs
/// (where the spool is), with the same parser and environment overrides as the daemon.
public enum ConfigFile {
    /// Why the file could not be used; reads as a sentence.
    public struct Failure: Error, CustomStringConvertible {
        /// What went wrong, naming the file.
        public var description: String
    }

    /// The config at `path`.
    public static func load(path: String) throws(Failure) -> DaemonConfig {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw Failure(description: "cannot read \(path): \(error.localizedDescription)")
        }
        do {
            return try DaemonConfig.parse(
                text: text,
                sourceName: path,
                environment: ProcessInfo.processInfo.environment,
                workingDirectory: FileManager.default.currentDirectoryPath
            )
        } catch {
            throw Failure(description: "\(error)")
        }
    }
}
