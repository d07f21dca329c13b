import Foundation
import Glibc
import MLOpsCore

/// The pipeline definitions in force: every `<name>.yaml` of `pipelines_dir`, parsed,
/// checked and with each command's program resolved to an absolute path.
///
/// Loaded at start (a broken definition refuses the start, like a broken config) and on
/// reload (a broken one refuses the reload; the definitions in force stay).
public struct PipelineCatalog: Sendable, Equatable {
    /// Definitions by name.
    public var definitions: [String: PipelineDefinition]
    /// The directory they came from.
    public var directory: String

    /// An empty catalog (tests, or a daemon whose pipelines directory does not exist yet).
    public init(directory: String = "", definitions: [String: PipelineDefinition] = [:]) {
        self.directory = directory
        self.definitions = definitions
    }

    /// The definition `name`, if there is one.
    public func definition(_ name: String) -> PipelineDefinition? { definitions[name] }

    /// The names in force, sorted.
    public var names: [String] { definitions.keys.sorted() }

    /// Why the definitions could not be loaded: every problem, one line each
    /// (`file:line:column: message; fix`).
    public struct LoadError: Error, Sendable, CustomStringConvertible {
        public var problems: [String]
        public var description: String { problems.joined(separator: "\n") }
    }

    /// Loads every `*.yaml` in `directory`. A missing directory is an empty catalog (the
    /// daemon then answers run-pipeline with `unknown_pipeline`), so a fresh install
    /// without pipelines still starts. `searchPath` is where bare program names are
    /// looked for, in order.
    public static func load(directory: String, searchPath: [String]) throws(LoadError) -> PipelineCatalog {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            return PipelineCatalog(directory: directory)
        }
        guard isDirectory.boolValue else {
            throw LoadError(problems: ["\(directory): pipelines_dir is not a directory"])
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
                .filter { $0.hasSuffix(".yaml") && !$0.hasPrefix(".") }.sorted()
        } catch {
            throw LoadError(problems: [
                "\(directory): cannot list the pipelines directory: \(error.localizedDescription)"
            ])
        }
        var problems: [String] = []
        var definitions: [String: PipelineDefinition] = [:]
        for file in names {
            let path = directory + "/" + file
            let name = String(file.dropLast(5))
            guard StringRule.name.isValid(name) else {
                problems.append("\(path): the file name must be <name>.yaml with \(StringRule.name.description)")
                continue
            }
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                problems.append("\(path): cannot read: \(error.localizedDescription)")
                continue
            }
            do {
                var definition = try PipelineDefinitionParser.parse(text: text, name: name)
                problems += resolvePrograms(&definition, path: path, text: text, searchPath: searchPath)
                definitions[name] = definition
            } catch {
                problems += error.errors.map { ConfigError.Problem(source: path, $0).description }
            }
        }
        if !problems.isEmpty { throw LoadError(problems: problems) }
        return PipelineCatalog(directory: directory, definitions: definitions)
    }

    /// Where bare program names are looked for: the directory of the running `mlopsd`
    /// (so `mlops-train` installed beside it is found), then `PATH`.
    public static func defaultSearchPath(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> [String] {
        var dirs: [String] = []
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            dirs.append((exe as NSString).deletingLastPathComponent)
        }
        dirs += (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map(String.init)
        return dirs.filter { $0.hasPrefix("/") }
    }

    /// Replaces each command's `argv[0]` by its absolute path; problems name the file, and
    /// the line and column of the program in `text`.
    static func resolvePrograms(
        _ definition: inout PipelineDefinition,
        path: String,
        text: String,
        searchPath: [String]
    ) -> [String] {
        var problems: [String] = []
        let root = try? YAMLComposer.compose(text)
        func resolve(_ command: inout PipelineDefinition.Command, stage: PipelineStage) {
            guard let program = command.argv.first else { return }
            // A Slurm stage's program runs on a compute node: its absolute path (checked by
            // the parser) is the node's business, not this host's.
            if command.executor != .local { return }
            if let found = locate(program, searchPath: searchPath) {
                command.argv[0] = found
            } else {
                let argv = root?["stages"]?[stage.rawValue]?["argv"]
                let mark = argv?[0]?.mark ?? argv?.mark
                let place = mark.map { "\(path):\($0.line):\($0.column)" } ?? path
                problems.append(
                    "\(place): stages.\(stage.rawValue).argv: the program `\(program)` "
                        + (program.hasPrefix("/")
                            ? "does not exist or is not executable"
                            : "is not on the search path (\(searchPath.joined(separator: ":")))")
                        + "; install it, or write its absolute path"
                )
            }
        }
        if case .command(var c) = definition.collect {
            resolve(&c, stage: .collectData)
            definition.collect = .command(c)
        }
        resolve(&definition.train, stage: .train)
        if case .command(var c) = definition.test {
            resolve(&c, stage: .testModel)
            definition.test = .command(c)
        }
        return problems
    }

    /// The absolute path of an executable `program`: itself when absolute, else the first
    /// match on `searchPath`. A name with a slash that is not absolute is refused.
    static func locate(_ program: String, searchPath: [String]) -> String? {
        if program.hasPrefix("/") { return access(program, X_OK) == 0 ? program : nil }
        guard !program.contains("/") else { return nil }
        for dir in searchPath {
            let candidate = dir + "/" + program
            var st = stat()
            if stat(candidate, &st) == 0, st.st_mode & S_IFMT == S_IFREG, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        return nil
    }
}
