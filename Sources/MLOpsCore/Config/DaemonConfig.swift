/// The daemon's configuration (`etc/mlopsd.yaml`, docs/design.md §13), validated and typed.
///
/// Parsing is pure (text in, value out) so the same code checks a config at start, at
/// reload and in `mlopsctl`, and tests need no files. Every key can be overridden by an
/// environment variable named `MLOPSD_` and the key upper-cased (`MLOPSD_LOG_LEVEL`, for a
/// unit's `Environment=`); the variable wins over the file. The seed system's four keys
/// also read their old unprefixed names (`MONITORING_CHECK_INTERVAL`, …), the prefixed one
/// winning when both are set; no other unprefixed name is read. Durations are in seconds
/// unless the key says days.
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
            var problem = ConfigError.Problem(source: sourceName, error)
            if let key = unquotedAliasKey(text, line: error.line) {
                problem.fix =
                    "quote the value: YAML reads a leading `*` as an alias (e.g. \(key): \"*-*-01 03:00\")"
            }
            problems.append(problem)
        }

        // The environment: the prefixed name, else the seed system's alias. `variables`: the
        // variable each key's value came from, for messages across keys.
        var variables: [String: String] = [:]
        for key in allKeys {
            let candidates = [key.environmentName] + (key.environmentAlias.map { [$0] } ?? [])
            guard let variable = candidates.first(where: { !(environment[$0] ?? "").isEmpty }),
                let raw = environment[variable]
            else { continue }
            let source = "environment variable \(variable)"
            let node = key.node(forEnvironmentValue: raw)
            do {
                let value = try SchemaValidator.validate(node, against: key.field.schema, path: variable)
                if let problem = key.exclusiveProblem(value, name: variable) {
                    problems.append(ConfigError.Problem(source: source, message: problem, fix: key.form))
                } else {
                    values[key.name] = value
                    variables[key.name] = variable
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
            if let variable = variables[minSamples.name] {
                source = "environment variable \(variable)"
            } else if let m = marks[minSamples.name] {
                mark = m
            } else if let variable = variables[windowSize.name] {
                source = "environment variable \(variable)"
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
            let mark = variables[hook.name] == nil ? marks[hook.name] : nil
            problems.append(
                ConfigError.Problem(
                    source: variables[hook.name].map { "environment variable \($0)" } ?? sourceName,
                    line: mark?.line,
                    column: mark?.column,
                    message: "\(hook.name) must start with an absolute program path (no shell, no PATH search), "
                        + "not `\(program)`",
                    fix: "write the full path, e.g. [/usr/local/bin/reload-model-server, --graceful]"
                )
            )
        }
        let schedule = keys.retrainSchedule
        if !config.retrainSchedule.isEmpty {
            do {
                config.retrainSchedule = try CalendarSpec(parsing: config.retrainSchedule).normalized
            } catch {
                let mark = variables[schedule.name] == nil ? marks[schedule.name] : nil
                problems.append(
                    ConfigError.Problem(
                        source: variables[schedule.name].map { "environment variable \($0)" } ?? sourceName,
                        line: mark?.line,
                        column: mark?.column,
                        message: "\(schedule.name) `\(config.retrainSchedule)` is not a calendar expression: \(error)",
                        fix: "write it as for a systemd timer's OnCalendar= (systemd.time(7)), e.g. "
                            + "\"Sun *-*-* 02:00\", daily or \"Mon..Fri 06:00\"; "
                            + "systemd-analyze calendar 'EXPR' shows how systemd reads it"
                    )
                )
            }
        }
        guard problems.isEmpty else { throw ConfigError(problems) }

        for key in allKeys {
            if let value = config.values[key.name] {
                config.values[key.name] = key.resolvingPaths(value, against: workingDirectory)
            }
        }
        return config
    }

    /// The key on `line` of `text` when its value starts with an unquoted `*` (a calendar
    /// expression such as `*-*-01 03:00`, which YAML reads as an alias), for a fix that says
    /// to quote it.
    static func unquotedAliasKey(_ text: String, line: Int?) -> String? {
        guard let line, line >= 1 else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard line <= lines.count else { return nil }
        let parts = lines[line - 1].split(separator: ":", maxSplits: 1)
        guard parts.count == 2, parts[1].drop(while: { $0 == " " }).hasPrefix("*") else { return nil }
        let key = String(parts[0].filter { !$0.isWhitespace })
        return key.isEmpty ? nil : key
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

    /// Every environment variable that overrides a key: the `MLOPSD_` names and the seed
    /// system's four aliases. For tools and tests that start a daemon or a client and must
    /// keep the caller's overrides away from it.
    public static var environmentNames: [String] {
        allKeys.flatMap { [$0.environmentName] + ($0.environmentAlias.map { [$0] } ?? []) }
    }

    /// `retrain_schedule` as a calendar expression; nil when it is empty (models are then
    /// retrained every `retrain_schedule_days`).
    public var retrainCalendar: CalendarSpec? {
        self.retrainSchedule.isEmpty ? nil : try? CalendarSpec(parsing: self.retrainSchedule)
    }

    /// Every key with its value as `mlopsd --check-config` prints it (`name: value`, lists
    /// joined by `, `), in declaration order.
    public var listing: [String] {
        Self.allKeys.map { "\($0.name): \($0.text(of: values[$0.name]))" }
    }
}
