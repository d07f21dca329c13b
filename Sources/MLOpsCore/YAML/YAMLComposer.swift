import CYAML

/// Composes one YAML document into ``YAMLNode``s over libyaml's event parser.
public enum YAMLComposer {
    /// Parses `text` (one document). Returns nil for an empty document.
    /// Throws a ``JobError`` with code `yaml_syntax`, `alias_refused`, `too_deep` or
    /// `duplicate_key`, always with a line and column.
    public static func compose(_ text: String, limits: YAMLLimits = YAMLLimits()) throws(JobError) -> YAMLNode? {
        throw JobError(.internalError, "YAML composer not built yet")
    }
}
