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
        case plain
        case quoted
        case block
    }

    /// What the node holds.
    public indirect enum Content: Sendable, Equatable {
        case scalar(String, ScalarStyle)
        case sequence([YAMLNode])
        /// Pairs in document order; keys are unique (duplicates are refused while composing).
        case mapping([YAMLPair])
    }

    public var content: Content
    /// Where the node starts (1-based).
    public var mark: SourceMark

    public init(_ content: Content, at mark: SourceMark) {
        self.content = content
        self.mark = mark
    }
}

/// A key and its value in a YAML mapping.
public struct YAMLPair: Sendable, Equatable {
    public var key: YAMLNode
    public var value: YAMLNode
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
    public init(maxDepth: Int = 32, maxNodes: Int = 200_000) {
        self.maxDepth = maxDepth
        self.maxNodes = maxNodes
    }
}
