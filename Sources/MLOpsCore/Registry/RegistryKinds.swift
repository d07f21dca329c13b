/// The parameter schemas of the registry's job kinds (DESIGN §4, §10).
///
/// They live in the core so `mlopsctl validate` and the docs see the same rules as the
/// daemon; the daemon's handlers execute them against the store.
public enum RegistryKinds {
    /// A semantic version as written in a job (`1.4.0`, `2.0.0-rc.1`); the handler checks semver.
    static let versionText = StringRule("a semantic version such as 1.4.0") { text in
        !text.isEmpty && text.utf8.count <= 128 && SemanticVersion(text) != nil
    }

    /// `create-version`.
    public static let createVersion = KindSpec(
        kind: .createVersion,
        params: ObjectSchema([
            Field("artifact", .string(.path), required: true,
                  doc: "directory under a data root with the model files, metrics.json and the reference data"),
            Field("version", .string(versionText),
                  doc: "the version to create; derived when absent (schema change: major, retrain: minor, metadata: patch)"),
            Field("reference", .string(.path), default: "reference.csv",
                  doc: "the reference data (CSV with a header) inside the artifact directory"),
            Field("parent", .string(versionText), doc: "the version this one was derived from; default: the production version"),
            Field("training_data", .string(.path), doc: "file under a data root the version was trained on; its SHA-256 is recorded"),
            Field("run_id", .string(.name), doc: "the pipeline run that produced the version"),
            Field("parameters", .map(keys: .any, values: .any), doc: "training parameters, kept as lineage"),
            Field("description", .string(.maxLength(2000)), doc: "free text for humans"),
            Field("stage", .bool, default: false, doc: "create the version in `staging` instead of `registered`"),
        ]),
        summary: "adds a version from an artifact directory, its metrics.json and reference data; the version is derived or given")

    /// `list-versions`.
    public static let listVersions = KindSpec(
        kind: .listVersions,
        params: ObjectSchema([
            Field("include_archived", .bool, default: true, doc: "list archived versions too"),
            Field("history", .bool, default: true, doc: "include each version's state changes and the production history"),
        ]),
        summary: "the versions of a model with their states, lineage, metrics and history")

    /// `promote-version`.
    public static let promoteVersion = KindSpec(
        kind: .promoteVersion,
        params: ObjectSchema([
            Field("version", .string(versionText), required: true, doc: "the version to put into production"),
            Field("force", .bool, default: false, doc: "promote even when a gate refuses; needs `reason:` and is recorded as forced"),
            Field("archive", .bool, default: false, doc: "also archive versions beyond keep_versions, in the same step"),
        ]),
        summary: "makes a version the production one after the policy's gates; switches the serving link and runs the deploy hook")

    /// `rollback`.
    public static let rollback = KindSpec(
        kind: .rollback,
        params: ObjectSchema([
            Field("version", .string(versionText), doc: "the version to return to; default: the previous production version"),
        ]),
        summary: "returns production to the previous (or a named) former production version in one step")

    /// `archive-versions`.
    public static let archiveVersions = KindSpec(
        kind: .archiveVersions,
        params: ObjectSchema([
            Field("keep_versions", .int(min: 1, max: 1000), doc: "versions to keep; default: the model policy's keep_versions"),
            Field("dry_run", .bool, default: false, doc: "report what would be archived without changing anything"),
        ]),
        summary: "archives the versions beyond keep_versions, never the production version nor the rollback target")

    /// `get-production-model`.
    public static let getProductionModel = KindSpec(
        kind: .getProductionModel,
        params: ObjectSchema([
            Field("at", .string(StringRule("an RFC 3339 time such as 2026-11-29T13:00:00Z") { Timestamp.parse($0) != nil }),
                  doc: "answer for this moment in the past instead of now"),
        ]),
        summary: "the production version of a model (now or at a past time) and its deployment")
}
