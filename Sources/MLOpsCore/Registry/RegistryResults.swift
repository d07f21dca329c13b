/// The typed results of the registry kinds: what each handler returns and `mlopsctl`
/// reads back. The JSON is the result documents' (docs/registry.md); explicit `null`s are
/// written where a field is always present, absent keys stay absent.

extension Kinds.CreateVersion {
    /// The version created, with how it came about.
    public struct Result: Codable, Sendable, Equatable {
        /// The version as the store now has it (its fields sit at the top level).
        public var document: VersionDocument
        /// The model.
        public var model: String
        /// Whether the version was derived (no `version:` given).
        public var derived: Bool
        /// Whether the artifact was stored before (same SHA-256) and reused.
        public var artifactReused: Bool
        /// Reference data columns the model does not use.
        public var ignoredColumns: [String]
        /// What the reference's model outputs allow, in a sentence: output drift and the
        /// estimate, output drift only, or neither and why (docs/monitoring.md, "Reference
        /// outputs"). Absent in results written before it existed.
        public var referenceOutputs: String?

        /// A result.
        public init(
            document: VersionDocument,
            model: String,
            derived: Bool,
            artifactReused: Bool,
            ignoredColumns: [String],
            referenceOutputs: String? = nil
        ) {
            self.document = document
            self.model = model
            self.derived = derived
            self.artifactReused = artifactReused
            self.ignoredColumns = ignoredColumns
            self.referenceOutputs = referenceOutputs
        }

        enum CodingKeys: String, CodingKey {
            case model, derived
            case artifactReused = "artifact_reused"
            case ignoredColumns = "ignored_columns"
            case referenceOutputs = "reference_outputs"
        }

        /// Reads the version's fields and the four of the creation from one mapping.
        public init(from decoder: Decoder) throws {
            document = try VersionDocument(from: decoder)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            model = try c.decode(String.self, forKey: .model)
            derived = try c.decode(Bool.self, forKey: .derived)
            artifactReused = try c.decode(Bool.self, forKey: .artifactReused)
            ignoredColumns = try c.decode([String].self, forKey: .ignoredColumns)
            referenceOutputs = try c.decodeIfPresent(String.self, forKey: .referenceOutputs)
        }

        /// Writes the version's fields and the four of the creation into one mapping.
        public func encode(to encoder: Encoder) throws {
            try document.encode(to: encoder)
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(model, forKey: .model)
            try c.encode(derived, forKey: .derived)
            try c.encode(artifactReused, forKey: .artifactReused)
            try c.encode(ignoredColumns, forKey: .ignoredColumns)
            try c.encodeIfPresent(referenceOutputs, forKey: .referenceOutputs)
        }
    }
}

extension Kinds.ListVersions {
    /// A model's versions, newest first, with production and (with `history`) its stints.
    public struct Result: Codable, Sendable, Equatable {
        /// The model.
        public var model: String
        /// How many versions are listed.
        public var count: Int
        /// The versions, newest first; each with `events` when history was asked for.
        public var versions: [VersionDocument]
        /// The production version; nil (`null`): none.
        public var production: String?
        /// The version a plain rollback returns to; nil (`null`): none.
        public var rollbackTarget: String?
        /// The production stints, oldest first; nil (absent) unless history was asked for.
        public var productionHistory: [ProductionStintDocument]?

        /// A result; `count` is the number of `versions`.
        public init(
            model: String,
            versions: [VersionDocument],
            production: String?,
            rollbackTarget: String?,
            productionHistory: [ProductionStintDocument]?
        ) {
            self.model = model
            self.count = versions.count
            self.versions = versions
            self.production = production
            self.rollbackTarget = rollbackTarget
            self.productionHistory = productionHistory
        }

        enum CodingKeys: String, CodingKey {
            case model, count, versions, production
            case rollbackTarget = "rollback_target"
            case productionHistory = "production_history"
        }

        /// Writes `production` and `rollback_target` as `null` when there is none.
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(model, forKey: .model)
            try c.encode(count, forKey: .count)
            try c.encode(versions, forKey: .versions)
            try c.encode(production, forKey: .production)
            try c.encode(rollbackTarget, forKey: .rollbackTarget)
            try c.encodeIfPresent(productionHistory, forKey: .productionHistory)
        }
    }
}

extension Kinds.PromoteVersion {
    /// A promotion: the gates' verdicts, and once switched, the deployment.
    ///
    /// A refused promotion has no `hook`, `serving` or `artifact`; a switched one writes
    /// `hook` (`null` without a deploy hook) and `serving`; a failed hook writes `hook` and
    /// the `deploy_failed` alert's id.
    public struct Result: Codable, Sendable, Equatable {
        /// The model.
        public var model: String
        /// The version promoted (or refused).
        public var version: String
        /// Whether refusing gates were overridden.
        public var forced: Bool
        /// Every gate's verdict.
        public var gates: [GateVerdict]
        /// The production version before; nil (`null`): none.
        public var previousVersion: String?
        /// How the deploy hook ran; nil: none ran (`null` once switched).
        public var hook: HookDocument?
        /// The serving link, once switched.
        public var serving: String?
        /// The stored artifact now served, once switched.
        public var artifact: String?
        /// The `deploy_failed` alert's id, when the hook failed.
        public var alert: String?
        /// What `archive: true` archived.
        public var archive: ArchiveReport?

        /// A result; the deployment fields are filled in as the promotion goes on.
        public init(
            model: String,
            version: String,
            forced: Bool,
            gates: [GateVerdict],
            previousVersion: String?,
            hook: HookDocument? = nil,
            serving: String? = nil,
            artifact: String? = nil,
            alert: String? = nil,
            archive: ArchiveReport? = nil
        ) {
            self.model = model
            self.version = version
            self.forced = forced
            self.gates = gates
            self.previousVersion = previousVersion
            self.hook = hook
            self.serving = serving
            self.artifact = artifact
            self.alert = alert
            self.archive = archive
        }

        enum CodingKeys: String, CodingKey {
            case model, version, forced, gates, hook, serving, artifact, alert, archive
            case previousVersion = "previous_version"
        }

        /// Writes `previous_version` always, `hook` as `null` once switched without a hook.
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(model, forKey: .model)
            try c.encode(version, forKey: .version)
            try c.encode(forced, forKey: .forced)
            try c.encode(gates, forKey: .gates)
            try c.encode(previousVersion, forKey: .previousVersion)
            if hook != nil || serving != nil { try c.encode(hook, forKey: .hook) }
            try c.encodeIfPresent(serving, forKey: .serving)
            try c.encodeIfPresent(artifact, forKey: .artifact)
            try c.encodeIfPresent(alert, forKey: .alert)
            try c.encodeIfPresent(archive, forKey: .archive)
        }
    }
}

extension Kinds.Rollback {
    /// A rollback: from which version to which, and the deployment.
    ///
    /// A switched rollback writes `hook` (`null` without a deploy hook), `serving` and the
    /// `rollback` alert's id; a failed hook writes `hook` and the `deploy_failed` alert's id.
    public struct Result: Codable, Sendable, Equatable {
        /// The model.
        public var model: String
        /// The version production returns to.
        public var version: String
        /// The version that was in production.
        public var rolledBackFrom: String
        /// How the deploy hook ran; nil: none ran (`null` once switched).
        public var hook: HookDocument?
        /// The serving link, once switched.
        public var serving: String?
        /// The alert opened: `rollback` when switched, `deploy_failed` when the hook failed.
        public var alert: String?

        /// A result; the deployment fields are filled in as the rollback goes on.
        public init(
            model: String,
            version: String,
            rolledBackFrom: String,
            hook: HookDocument? = nil,
            serving: String? = nil,
            alert: String? = nil
        ) {
            self.model = model
            self.version = version
            self.rolledBackFrom = rolledBackFrom
            self.hook = hook
            self.serving = serving
            self.alert = alert
        }

        enum CodingKeys: String, CodingKey {
            case model, version, hook, serving, alert
            case rolledBackFrom = "rolled_back_from"
        }

        /// Writes `hook` as `null` once switched without a hook.
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(model, forKey: .model)
            try c.encode(version, forKey: .version)
            try c.encode(rolledBackFrom, forKey: .rolledBackFrom)
            if hook != nil || serving != nil { try c.encode(hook, forKey: .hook) }
            try c.encodeIfPresent(serving, forKey: .serving)
            try c.encodeIfPresent(alert, forKey: .alert)
        }
    }
}

extension Kinds.ArchiveVersions {
    /// What archiving did, for one model.
    public struct Result: Codable, Sendable, Equatable {
        /// The model.
        public var model: String
        /// The archiving report (its fields sit at the top level).
        public var report: ArchiveReport

        /// A result.
        public init(model: String, report: ArchiveReport) {
            self.model = model
            self.report = report
        }

        enum CodingKeys: String, CodingKey { case model }

        /// Reads the model and the report's fields from one mapping.
        public init(from decoder: Decoder) throws {
            report = try ArchiveReport(from: decoder)
            model = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .model)
        }

        /// Writes the model and the report's fields into one mapping.
        public func encode(to encoder: Encoder) throws {
            try report.encode(to: encoder)
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(model, forKey: .model)
        }
    }
}

extension Kinds.GetProductionModel {
    /// The production version at a moment, with its stint and, when it is the current one, its deployment.
    public struct Result: Codable, Sendable, Equatable {
        /// The model.
        public var model: String
        /// The moment answered for (RFC 3339).
        public var at: String
        /// The production version then; nil (`null`): none.
        public var version: String?
        /// Why there is no version.
        public var note: String?
        /// The production stint that covered the moment.
        public var stint: ProductionStintDocument?
        /// The version.
        public var details: VersionDocument?
        /// The serving link, for a stint that goes on.
        public var serving: Serving?

        /// A result.
        public init(
            model: String,
            at: String,
            version: String? = nil,
            note: String? = nil,
            stint: ProductionStintDocument? = nil,
            details: VersionDocument? = nil,
            serving: Serving? = nil
        ) {
            self.model = model
            self.at = at
            self.version = version
            self.note = note
            self.stint = stint
            self.details = details
            self.serving = serving
        }

        /// What the serving directory says about the production version.
        public struct Serving: Codable, Sendable, Equatable {
            /// The `current` link.
            public var link: String
            /// Where it points; nil (`null`): there is no link.
            public var target: String?
            /// deployment.json beside it, as written (`null` when missing).
            public var deployment: JSONValue
            /// Whether the link points at the store's production version.
            public var agreesWithStore: Bool

            /// A serving entry.
            public init(link: String, target: String?, deployment: JSONValue, agreesWithStore: Bool) {
                self.link = link
                self.target = target
                self.deployment = deployment
                self.agreesWithStore = agreesWithStore
            }

            enum CodingKeys: String, CodingKey {
                case link, target, deployment
                case agreesWithStore = "agrees_with_store"
            }

            /// Writes `target` as `null` when there is no link.
            public func encode(to encoder: Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(link, forKey: .link)
                try c.encode(target, forKey: .target)
                try c.encode(deployment, forKey: .deployment)
                try c.encode(agreesWithStore, forKey: .agreesWithStore)
            }
        }

        enum CodingKeys: String, CodingKey { case model, at, version, note, stint, details, serving }

        /// Writes `version` always (`null`: none), the rest when present.
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(model, forKey: .model)
            try c.encode(at, forKey: .at)
            try c.encode(version, forKey: .version)
            try c.encodeIfPresent(note, forKey: .note)
            try c.encodeIfPresent(stint, forKey: .stint)
            try c.encodeIfPresent(details, forKey: .details)
            try c.encodeIfPresent(serving, forKey: .serving)
        }
    }
}
