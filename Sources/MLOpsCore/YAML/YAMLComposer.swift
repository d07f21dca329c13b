import CYAML

#if canImport(Glibc)
import Glibc
#endif

/// Composes one YAML document into ``YAMLNode``s over libyaml's event parser.
///
/// Why not a generic decoder: we need a mark on every node, we must refuse anchors and
/// aliases before anything could expand them (alias bombs), and we must cap nesting
/// without recursing on the C stack. Composing from events with an explicit stack gives
/// all three, and duplicate keys are caught on the way.
public enum YAMLComposer {
    /// Parses `text` (one document). Returns nil for an empty document.
    /// Throws a ``JobError`` with code `yaml_syntax`, `alias_refused`, `too_deep` or
    /// `duplicate_key`, always with a line and column.
    public static func compose(_ text: String, limits: YAMLLimits = YAMLLimits()) throws(JobError) -> YAMLNode? {
        let bytes = Array(text.utf8)
        if bytes.isEmpty { return nil }
        let result: Result<YAMLNode?, JobError> = bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return .success(nil) }
            var composer = EventComposer(input: base, count: buffer.count, bytes: buffer, limits: limits)
            return composer.run()
        }
        return try result.get()
    }
}

/// One open sequence or mapping while composing.
private struct Frame {
    var isMapping: Bool
    var mark: SourceMark
    var items: [YAMLNode] = []
    var pairs: [YAMLPair] = []
    var pendingKey: YAMLNode?
    /// Key text → where it was first written, for duplicate detection.
    var seenKeys: [String: SourceMark] = [:]
}

/// Drives libyaml's parser and builds the tree with an explicit stack.
private struct EventComposer {
    let input: UnsafePointer<UInt8>
    let count: Int
    let bytes: UnsafeBufferPointer<UInt8>
    let limits: YAMLLimits

    var stack: [Frame] = []
    var root: YAMLNode?
    var nodeCount = 0
    var documents = 0

    init(input: UnsafePointer<UInt8>, count: Int, bytes: UnsafeBufferPointer<UInt8>, limits: YAMLLimits) {
        self.input = input
        self.count = count
        self.bytes = bytes
        self.limits = limits
    }

    mutating func run() -> Result<YAMLNode?, JobError> {
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        parser.initialize(to: yaml_parser_t())
        defer {
            parser.deinitialize(count: 1)
            parser.deallocate()
        }
        guard yaml_parser_initialize(parser) != 0 else {
            return .failure(JobError(.internalError, "could not initialise the YAML parser (out of memory)"))
        }
        defer { yaml_parser_delete(parser) }
        yaml_parser_set_input_string(parser, input, count)

        let event = UnsafeMutablePointer<yaml_event_t>.allocate(capacity: 1)
        event.initialize(to: yaml_event_t())
        defer {
            event.deinitialize(count: 1)
            event.deallocate()
        }

        while true {
            guard yaml_parser_parse(parser, event) != 0 else {
                return .failure(syntaxError(parser))
            }
            let outcome: Step
            do {
                outcome = try handle(event.pointee)
            } catch {
                yaml_event_delete(event)
                return .failure(error)
            }
            yaml_event_delete(event)
            if case .finished = outcome { break }
        }
        if let root, case .scalar("", .plain) = root.content { return .success(nil) }
        return .success(root)
    }

    enum Step { case more, finished }

    static func mark(_ m: yaml_mark_t) -> SourceMark {
        SourceMark(line: Int(m.line) + 1, column: Int(m.column) + 1)
    }

    mutating func handle(_ event: yaml_event_t) throws(JobError) -> Step {
        let mark = Self.mark(event.start_mark)
        switch event.type {
        case YAML_STREAM_END_EVENT:
            return .finished
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > 1 {
                throw JobError(
                    .yamlSyntax,
                    "a job file holds one YAML document; a second one starts here",
                    at: mark,
                    fix: "split the documents into separate files, or remove the `---` line"
                )
            }
        case YAML_ALIAS_EVENT:
            let name = Self.text(event.data.alias.anchor, length: nil)
            throw JobError(
                .aliasRefused,
                "YAML aliases (`*\(name)`) are not accepted",
                at: mark,
                fix: "write the value out in full instead of referring to an anchor"
            )
        case YAML_SCALAR_EVENT:
            let s = event.data.scalar
            try refuseDecorations(anchor: s.anchor, tag: s.tag, at: mark)
            let value = Self.text(s.value, length: s.length)
            let style: YAMLNode.ScalarStyle
            switch s.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE, YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .quoted
            case YAML_LITERAL_SCALAR_STYLE, YAML_FOLDED_SCALAR_STYLE: style = .block
            default: style = .plain
            }
            try countNode(at: mark)
            try attach(YAMLNode(.scalar(value, style), at: mark))
        case YAML_SEQUENCE_START_EVENT:
            let s = event.data.sequence_start
            try refuseDecorations(anchor: s.anchor, tag: s.tag, at: mark)
            try open(isMapping: false, at: mark)
        case YAML_MAPPING_START_EVENT:
            let s = event.data.mapping_start
            try refuseDecorations(anchor: s.anchor, tag: s.tag, at: mark)
            try open(isMapping: true, at: mark)
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard let frame = stack.popLast() else {
                throw JobError(.internalError, "unbalanced YAML events", at: mark)
            }
            let node =
                frame.isMapping
                ? YAMLNode(.mapping(frame.pairs), at: frame.mark)
                : YAMLNode(.sequence(frame.items), at: frame.mark)
            try attach(node)
        default:
            break  // STREAM_START, DOCUMENT_END, NO_EVENT
        }
        return .more
    }

    mutating func countNode(at mark: SourceMark) throws(JobError) {
        nodeCount += 1
        if nodeCount > limits.maxNodes {
            throw JobError(
                .tooDeep,
                "the document has more than \(limits.maxNodes) nodes",
                at: mark,
                fix: "split the work into several smaller jobs"
            )
        }
    }

    mutating func open(isMapping: Bool, at mark: SourceMark) throws(JobError) {
        if let top = stack.last, top.isMapping, top.pendingKey == nil {
            throw JobError(
                .yamlSyntax,
                "mapping keys must be plain text, not a \(isMapping ? "mapping" : "list")",
                at: mark,
                fix: "use a plain word as the key"
            )
        }
        if stack.count + 1 > limits.maxDepth {
            throw JobError(
                .tooDeep,
                "nesting is deeper than \(limits.maxDepth) levels",
                at: mark,
                fix: "flatten the structure"
            )
        }
        try countNode(at: mark)
        stack.append(Frame(isMapping: isMapping, mark: mark))
    }

    mutating func attach(_ node: YAMLNode) throws(JobError) {
        guard !stack.isEmpty else {
            root = node
            return
        }
        let top = stack.count - 1
        if !stack[top].isMapping {
            stack[top].items.append(node)
            return
        }
        guard let key = stack[top].pendingKey else {
            guard case .scalar(let text, _) = node.content else {
                throw JobError(.yamlSyntax, "mapping keys must be plain text", at: node.mark)
            }
            if let first = stack[top].seenKeys[text] {
                throw JobError(
                    .duplicateKey,
                    "key `\(text)` appears twice in this mapping (first on line \(first.line))",
                    at: node.mark,
                    fix: "keep one `\(text):` and remove the other"
                )
            }
            stack[top].seenKeys[text] = node.mark
            stack[top].pendingKey = node
            return
        }
        stack[top].pairs.append(YAMLPair(key: key, value: node))
        stack[top].pendingKey = nil
    }

    func refuseDecorations(
        anchor: UnsafeMutablePointer<yaml_char_t>?,
        tag: UnsafeMutablePointer<yaml_char_t>?,
        at mark: SourceMark
    ) throws(JobError) {
        if let anchor {
            throw JobError(
                .aliasRefused,
                "YAML anchors (`&\(Self.text(anchor, length: nil))`) are not accepted",
                at: mark,
                fix: "remove the anchor and write every value out in full"
            )
        }
        if let tag {
            throw JobError(
                .yamlSyntax,
                "YAML tags (`\(Self.text(tag, length: nil))`) are not accepted; tags like !!python are not accepted",
                at: mark,
                fix: "remove the tag; quote the value if it must be text"
            )
        }
    }

    static func text(_ p: UnsafeMutablePointer<yaml_char_t>?, length: Int?) -> String {
        guard let p else { return "" }
        let n = length ?? strlenBytes(p)
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }

    static func strlenBytes(_ p: UnsafeMutablePointer<yaml_char_t>) -> Int {
        var n = 0
        while p[n] != 0 { n += 1 }
        return n
    }

    /// Turns libyaml's error state into a `yaml_syntax` error with a 1-based mark and a hint.
    func syntaxError(_ parser: UnsafeMutablePointer<yaml_parser_t>) -> JobError {
        let p = parser.pointee
        if p.error == YAML_MEMORY_ERROR {
            return JobError(.internalError, "the YAML parser ran out of memory")
        }
        let problem = p.problem.map { String(cString: $0) } ?? "invalid YAML"
        var message = problem
        if let context = p.context {
            let cmark = Self.mark(p.context_mark)
            message += " (\(String(cString: context)) started at line \(cmark.line), column \(cmark.column))"
        }
        let mark: SourceMark
        if p.error == YAML_READER_ERROR {
            mark = position(ofByte: Int(p.problem_offset))
        } else {
            mark = clamped(Self.mark(p.problem_mark))
        }
        return JobError(.yamlSyntax, message, at: mark, fix: hint(problem: problem, at: mark))
    }

    /// `mark`, or the end of the input's last line when `mark` lies past it: at the end of a
    /// stream that does not end with a line break libyaml adds the missing break and reports
    /// errors on a line the file does not have. Lines break as in YAML: LF, CR, CRLF, NEL, LS, PS.
    func clamped(_ mark: SourceMark) -> SourceMark {
        // LF alone gives at least this many lines (fast, and the common case).
        if mark.line <= lineStarts(upTo: mark.line).count { return mark }
        var breaks = 0
        var lastLineCharacters = 0
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            let next = i + 1 < bytes.count ? bytes[i + 1] : 0
            if b == 0x0A || b == 0x0D {
                breaks += 1
                lastLineCharacters = 0
                if b == 0x0D, next == 0x0A { i += 1 }
            } else if b == 0xC2, next == 0x85 {
                breaks += 1
                lastLineCharacters = 0
                i += 1
            } else if b == 0xE2, next == 0x80, i + 2 < bytes.count, bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9 {
                breaks += 1
                lastLineCharacters = 0
                i += 2
            } else if b & 0xC0 != 0x80 {
                lastLineCharacters += 1
            }
            i += 1
        }
        let lines = breaks + 1
        guard mark.line > lines else { return mark }
        return SourceMark(line: lines, column: lastLineCharacters + 1)
    }

    /// The 1-based line and column (in characters) of a byte offset.
    func position(ofByte offset: Int) -> SourceMark {
        var line = 1
        var column = 1
        for b in bytes.prefix(min(offset, bytes.count)) {
            if b == 0x0A {
                line += 1
                column = 1
            } else if b & 0xC0 != 0x80 {
                column += 1
            }
        }
        return SourceMark(line: line, column: column)
    }

    /// The byte ranges of the input's lines (split at LF), found with memchr: the error
    /// paths run on files of any size and must not cost a loop in Swift per byte.
    func lineStarts(upTo maxLine: Int) -> [Int] {
        var starts = [0]
        guard let base = bytes.baseAddress else { return starts }
        var offset = 0
        while starts.count < maxLine, offset < bytes.count,
            let hit = memchr(base + offset, 0x0A, bytes.count - offset)
        {
            offset = UnsafeRawPointer(hit) - UnsafeRawPointer(base) + 1
            starts.append(offset)
        }
        return starts
    }

    /// The text of a 1-based line, as bytes.
    func lineBytes(_ line: Int) -> ArraySlice<UInt8> {
        let starts = lineStarts(upTo: line + 1)
        guard line >= 1, line <= starts.count else { return [] }
        let start = starts[line - 1]
        let end = line < starts.count ? starts[line] - 1 : bytes.count
        return start <= end ? ArraySlice(bytes[start..<end]) : []
    }

    func hint(problem: String, at mark: SourceMark) -> String? {
        let around = [mark.line - 1, mark.line].filter { $0 >= 1 }.map(lineBytes)
        let tabIndented = around.contains { $0.prefix { $0 == 0x20 || $0 == 0x09 }.contains(0x09) }
        if problem.contains("tab") || tabIndented {
            return "indent with spaces, not tabs"
        }
        if problem.contains("mapping values are not allowed") {
            return "quote values that contain `: `, and check that keys of one mapping start in the same column"
        }
        if problem.contains("did not find expected key") || problem.contains("did not find expected '-'") {
            return "check the indentation: keys of one mapping (and items of one list) must start in the same column"
        }
        if problem.contains("cannot start any token") {
            return "quote the value (characters like @ and ` cannot start plain text)"
        }
        if problem.contains("found unexpected end of stream") || problem.contains("did not find expected") {
            return "check for an unclosed quote, bracket or brace"
        }
        return nil
    }
}
