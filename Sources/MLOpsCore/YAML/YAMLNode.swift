/// One node of a composed YAML document, with the position it was written at.
///
/// We compose YAML ourselves over libyaml's event parser instead of decoding it with a
/// generic decoder so that every node keeps its line and column (for error messages),
/// aliases and anchors are refused before anything expands them, nesting is capped and
/// duplicate keys are caught.
public struct YAMLNode: Sendable, Equatable {
    /// How a scalar was written: plain scalars may be numbers, booleans or null; quoted and
    /// block scalars are always strings.
    public enum ScalarStyle: Sendable, Equatable {
        /// Unquoted: may read as a number, boolean or null.
        case plain
        /// Single- or double-quoted: always text.
        case quoted
        /// Literal (`|`) or folded (`>`): always text.
        case block
    }

    /// What the node holds.
    public indirect enum Content: Sendable, Equatable {
        /// A scalar's text and how it was written.
        case scalar(String, ScalarStyle)
        /// A list of nodes.
        case sequence([YAMLNode])
        /// Pairs in document order; keys are unique (duplicates are refused while composing).
        case mapping([YAMLPair])
    }

    /// What the node holds.
    public var content: Content
    /// Where the node starts (1-based).
    public var mark: SourceMark

    /// Makes a node; the composer uses it, and so can tests and callers that synthesise
    /// nodes (e.g. config values from environment variables).
    public init(_ content: Content, at mark: SourceMark) {
        self.content = content
        self.mark = mark
    }

    /// The value under `key` when this is a mapping; lets cross-field checks find the
    /// node (and so the mark) of the value they complain about.
    public subscript(key: String) -> YAMLNode? {
        pair(key)?.value
    }

    /// The key-value pair named `key` when this is a mapping (its key node has the mark of
    /// the key, for "unknown key"-style messages).
    public func pair(_ key: String) -> YAMLPair? {
        guard case .mapping(let pairs) = content else { return nil }
        return pairs.first { pair in
            if case .scalar(let text, _) = pair.key.content { return text == key }
            return false
        }
    }

    /// The item at `index` when this is a sequence.
    public subscript(index: Int) -> YAMLNode? {
        guard case .sequence(let items) = content, items.indices.contains(index) else { return nil }
        return items[index]
    }

    /// The scalar text, when this is a scalar.
    public var scalarText: String? {
        if case .scalar(let text, _) = content { return text }
        return nil
    }

    /// Whether this is a plain scalar YAML reads as null (empty, `~` or `null`): an absent value.
    public var isNull: Bool {
        guard case .scalar(let text, .plain) = content else { return false }
        return text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL"
    }
}

/// A key and its value in a YAML mapping.
public struct YAMLPair: Sendable, Equatable {
    /// The key (always a scalar).
    public var key: YAMLNode
    /// The value under the key.
    public var value: YAMLNode
    /// A pair.
    public init(key: YAMLNode, value: YAMLNode) {
        self.key = key
        self.value = value
    }
}

/// Bounds that keep a hostile document from costing more than a small one.
public struct YAMLLimits: Sendable, Equatable {
    /// Deepest nesting of sequences and mappings accepted.
    public var maxDepth: Int
    /// Most nodes accepted in one document.
    public var maxNodes: Int
    /// Limits; the defaults suit job files (config sets `max_yaml_depth`).
    public init(maxDepth: Int = 32, maxNodes: Int = 200_000) {
        self.maxDepth = maxDepth
        self.maxNodes = maxNodes
    }
}
