/// The daemon's configuration (`etc/mlopsd.yaml`, docs/design.md §13), validated and typed.
///
/// Parsing is pure (text in, value out) so the same code checks a config at start, at
/// reload and in `mlopsctl`, and tests need no files. Every key can be overridden by an
/// environment variable with the same name upper-cased (for a unit's `Environment=`);
/// the variable wins over the file. Durations are in seconds unless the key says days.
///
/// Each key is declared once, in ``Keys``; a config's fields are those keys, read and set
/// by name through dynamic member lookup (`config.maxAttempts`, typed `Int`), so a name
/// that is not a key does not compile.
@dynamicMemberLookup
public struct DaemonConfig: Sendable, Equatable {
    /// The declaration of every key (``Keys``): the fields of a config are its keys.
    public static let keys = Keys()

    /// Every key's value in its canonical JSON form, by key name; all keys are present.
    private var values: [String: JSONValue]

    /// The value of one key, typed: `config.maxAttempts`, `config.logLevel` (declared in ``Keys``).
    public subscript<Value>(dynamicMember path: KeyPath<Keys, ConfigKey<Value>>) -> Value {
        get { self[Self.keys[keyPath: path]] }
        set { self[Self.keys[keyPath: path]] = newValue }
    }

    /// The value of `key`.
    public subscript<Value>(key: ConfigKey<Value>) -> Value {
        get { key.value(of: values[key.name]) }
        set { values[key.name] = newValue.configValue }
    }

    /// Every key, in declaration order, read once.
    static let allKeys: [any AnyConfigKey] = keys.all

    /// The limits job files are composed with.
    public var yamlLimits: YAMLLimits { YAMLLimits(maxDepth: self.maxYamlDepth) }

    /// The built-in values, paths still relative (`./spool`, `./state`, `./data`).
    public static let defaults = DaemonConfig(values: [:])

    /// Every key: its schema, default and doc line (the docs table follows this).
    public static let schema = ObjectSchema(allKeys.map(\.field))

    /// Parses `text` (the content of `sourceName`), applies environment overrides and
    /// resolves relative paths against `workingDirectory`. Throws every problem found.
    public static func parse(
        text: String,
        sourceName: String,
        environment: [String: String],
        workingDirectory: String
    ) throws(ConfigError) -> DaemonConfig {
        var problems: [ConfigError.Problem] = []
        var values: [String: JSONValue] = [:]
        var marks: [String: SourceMark] = [:]
        var fromEnvironment: Set<String> = []

        // The file.
        do {
            let root =
                try YAMLComposer.compose(text, limits: YAMLLimits(maxDepth: 8, maxNodes: 10_000))
                ?? YAMLNode(.mapping([]), at: SourceMark(line: 1, column: 1))
            if case .mapping(let pairs) = root.content {
                for pair in pairs { if let key = pair.key.scalarText { marks[key] = pair.value.mark } }
            }
            do {
                let value = try SchemaValidator.validate(root, against: .object(schema), path: "")
                if case .object(let dict) = value { values = dict }
                for key in allKeys {
                    if let problem = key.exclusiveProblem(values[key.name], name: key.name) {
                        problems.append(
                            ConfigError.Problem(
                                source: sourceName,
                                line: marks[key.name]?.line,
                                column: marks[key.name]?.column,
                                message: problem
                            )
                        )
                    }
                }
            } catch {
                problems += error.errors.map { ConfigError.Problem(source: sourceName, $0) }
            }
        } catch {
            problems.append(ConfigError.Problem(source: sourceName, error))
        }

        // The environment.
        for key in allKeys {
            let variable = key.environmentName
            guard let raw = environment[variable], !raw.isEmpty else { continue }
            let source = "environment variable \(variable)"
            let node = key.node(forEnvironmentValue: raw)
            do {
                let value = try SchemaValidator.validate(node, against: key.field.schema, path: variable)
                if let problem = key.exclusiveProblem(value, name: variable) {
                    problems.append(ConfigError.Problem(source: source, message: problem, fix: key.form))
                } else {
                    values[key.name] = value
                    fromEnvironment.insert(key.name)
                }
            } catch {
                problems += error.errors.map {
                    ConfigError.Problem(source: source, message: $0.message, fix: $0.fix ?? key.form)
                }
            }
        }

        // Across keys.
        var config = DaemonConfig(values: values)
        if problems.isEmpty, config.minSamples > config.windowSize {
            let (minSamples, windowSize) = (keys.minSamples, keys.windowSize)
            var source = sourceName
            var mark: SourceMark?
            if fromEnvironment.contains(minSamples.name) {
                source = "environment variable \(minSamples.environmentName)"
            } else if let m = marks[minSamples.name] {
                mark = m
            } else if fromEnvironment.contains(windowSize.name) {
                source = "environment variable \(windowSize.environmentName)"
            } else {
                mark = marks[windowSize.name]
            }
            problems.append(
                ConfigError.Problem(
                    source: source,
                    line: mark?.line,
                    column: mark?.column,
                    message: "\(minSamples.name) (\(config.minSamples)) must be at most "
                        + "\(windowSize.name) (\(config.windowSize))",
                    fix: "lower \(minSamples.name) or raise \(windowSize.name)"
                )
            )
        }
        if let program = config.deployHook.first, !program.hasPrefix("/") {
            let hook = keys.deployHook
            let fromEnv = fromEnvironment.contains(hook.name)
            let mark = fromEnv ? nil : marks[hook.name]
            problems.append(
                ConfigError.Problem(
                    source: fromEnv ? "environment variable \(hook.environmentName)" : sourceName,
                    line: mark?.line,
                    column: mark?.column,
                    message: "\(hook.name) must start with an absolute program path (no shell, no PATH search), "
                        + "not `\(program)`",
                    fix: "write the full path, e.g. [/usr/local/bin/reload-model-server, --graceful]"
                )
            )
        }
        guard problems.isEmpty else { throw ConfigError(problems) }

        for key in allKeys {
            if let value = config.values[key.name] {
                config.values[key.name] = key.resolvingPaths(value, against: workingDirectory)
            }
        }
        return config
    }

    /// `path` made absolute against `base` and normalised (`.`, `..`, repeated and trailing
    /// slashes removed). Pure string work: links are not resolved.
    public static func resolve(_ path: String, against base: String) -> String {
        let joined = path.hasPrefix("/") ? path : base + "/" + path
        let absolute = joined.hasPrefix("/")
        var parts: [Substring] = []
        for part in joined.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..":
                if let last = parts.last, last != ".." { parts.removeLast() } else if !absolute { parts.append(part) }
            default: parts.append(part)
            }
        }
        let body = parts.joined(separator: "/")
        if absolute { return "/" + body }
        return body.isEmpty ? "." : body
    }

    /// Builds a config from validated values, taking the default for any key not given.
    init(values: [String: JSONValue]) {
        var canonical: [String: JSONValue] = [:]
        for key in Self.allKeys { canonical[key.name] = key.normalized(values[key.name]) }
        self.values = canonical
    }

    /// Every key with its value as `mlopsd --check-config` prints it (`name: value`, lists
    /// joined by `, `), in declaration order.
    public var listing: [String] {
        Self.allKeys.map { "\($0.name): \($0.text(of: values[$0.name]))" }
    }
}
