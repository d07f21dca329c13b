// TEMPORARY: replaced by the core branch at merge.
public struct DaemonConfig: Sendable, Equatable {
    public var spoolDir = "./spool"
    public var stateDir = "./state"
    public var dataRoots = ["./data"]
    public var maxJobBytes = 1 << 20
    public var maxAttempts = 3
    public var maxYamlDepth = 32
    public var rescanInterval: Double = 60
    public var batchSize = 64
    public var statusInterval: Double = 10
    public var logLevel = "info"
    public static func parse(text: String, sourceName: String, environment: [String: String], workingDirectory: String) throws(ConfigError) -> DaemonConfig { DaemonConfig() }
}
public struct ConfigError: Error {}
public struct ModelSpec: Codable, Sendable {
    public enum Task: String, Codable, Sendable { case regression }
    public enum Metric: String, Codable, Sendable { case rmse }
    public var task: Task; public var target: String; public var metric: Metric; public var pipeline: String
    public static func decode(from: JSONValue) throws -> ModelSpec { ModelSpec(task: .regression, target: "", metric: .rmse, pipeline: "") }
}
public enum RegisterModel { public static let spec = KindSpec(kind: .registerModel, params: ObjectSchema([]), summary: "") }
public enum Suggestion { public static func closest(to: String, among: [String]) -> String? { nil } }
