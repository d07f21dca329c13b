import CSystemd
import Foundation
import Logging

/// A swift-log handler that writes structured entries to systemd-journald.
///
/// Why our own handler: journald stores every metadata key as a searchable field, but it
/// silently drops field names outside `[A-Z0-9_]` (so swift-log's usual lower-case keys
/// would vanish), and Swift cannot call the variadic `sd_journal_send`. This handler builds
/// an `iovec` array for `sd_journal_sendv` and maps every metadata key to a valid field
/// name (see ``fieldName(forMetadataKey:)``).
///
/// Each entry carries `MESSAGE`, `PRIORITY`, `SYSLOG_IDENTIFIER`, `CODE_FILE`, `CODE_LINE`,
/// `CODE_FUNC`, `MLOPSD_LOGGER` (the logger's label), one `MLOPSD_*` field per metadata
/// key, and — when the metadata key `"event"` holds a ``LogEvent`` raw value — `MESSAGE_ID`
/// and `MLOPSD_EVENT`.
///
/// Without a journal (no `/run/systemd/journal/socket`, or journald not answering) the
/// ``Mode/automatic`` mode writes one line per entry to stderr instead (see
/// ``fallbackLine(level:message:metadata:)``) and tries the journal again for the next
/// entry: a failed send costs one failed `sendmsg`, so there is no need to back off.
///
/// The send path is thread-safe without locks: the handler's state is immutable once the
/// logger is built, `sd_journal_sendv` is thread-safe, and each stderr line is written
/// with a single `write(2)`.
public struct JournalLogHandler: LogHandler {
    /// Where entries go.
    public enum Mode: Sendable, Equatable {
        /// The journal only; an entry that cannot be sent is dropped.
        case journal
        /// Standard error only (one line per entry); the journal is never touched.
        case stderr
        /// The journal, and standard error for each entry the journal does not take.
        case automatic
    }

    /// The handler's own metadata, merged under each call's metadata.
    public var metadata: Logger.Metadata = [:]
    /// Entries below this level are not written.
    public var logLevel: Logger.Level
    /// Supplies contextual metadata (task-local ids and the like) for every entry.
    public var metadataProvider: Logger.MetadataProvider?

    /// The logger's label, stored as `MLOPSD_LOGGER`.
    public let label: String
    /// `SYSLOG_IDENTIFIER` of every entry (`journalctl -t mlopsd`).
    public let identifier: String
    /// Where entries go.
    public let mode: Mode
    /// The descriptor fallback lines are written to: standard error unless a test passes
    /// a pipe.
    public let fallbackDescriptor: Int32
    /// Hands fields to the journal; `sd_journal_sendv` except in tests that need a
    /// journal that refuses (libsystemd always uses /run/systemd/journal/socket, so a
    /// refusing journal cannot be arranged inside a test process that also needs a real one).
    let sender: @Sendable ([(name: String, value: String)]) -> Int32

    /// Creates a handler.
    ///
    /// - Parameters:
    ///   - label: the logger's label, stored as `MLOPSD_LOGGER`.
    ///   - identifier: the `SYSLOG_IDENTIFIER`, `"mlopsd"` by default.
    ///   - mode: journal, stderr, or journal with stderr fallback (the default).
    ///   - level: the lowest level written.
    ///   - metadataProvider: contextual metadata added to every entry.
    ///   - fallbackDescriptor: where stderr lines go (`STDERR_FILENO` by default).
    public init(
        label: String,
        identifier: String = "mlopsd",
        mode: Mode = .automatic,
        level: Logger.Level = .info,
        metadataProvider: Logger.MetadataProvider? = nil,
        fallbackDescriptor: Int32 = STDERR_FILENO
    ) {
        self.init(
            label: label,
            identifier: identifier,
            mode: mode,
            level: level,
            metadataProvider: metadataProvider,
            fallbackDescriptor: fallbackDescriptor,
            sender: { Self.sendv($0) }
        )
    }

    /// The designated initialiser; tests pass a `sender` that refuses like a dead journal.
    init(
        label: String,
        identifier: String = "mlopsd",
        mode: Mode,
        level: Logger.Level = .trace,
        metadataProvider: Logger.MetadataProvider? = nil,
        fallbackDescriptor: Int32,
        sender: @escaping @Sendable ([(name: String, value: String)]) -> Int32
    ) {
        self.label = label
        self.identifier = identifier
        self.mode = mode
        self.logLevel = level
        self.metadataProvider = metadataProvider
        self.fallbackDescriptor = fallbackDescriptor
        self.sender = sender
    }

    /// Installs this handler as the process-wide swift-log backend.
    ///
    /// Call it once, first thing in `main` (swift-log allows one bootstrap per process).
    public static func bootstrap(
        identifier: String = "mlopsd",
        mode: Mode = .automatic,
        level: Logger.Level = .info
    ) {
        LoggingSystem.bootstrap { label in
            JournalLogHandler(label: label, identifier: identifier, mode: mode, level: level)
        }
    }

    /// Reads or writes one key of the handler's own metadata.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes one entry (called by `Logger`).
    ///
    /// (`Logging.LogEvent` is swift-log's event; our own ``LogEvent`` names event kinds.)
    public func log(event: Logging.LogEvent) {
        var merged = mergedMetadata(event.metadata)
        if let error = event.error, merged["error"] == nil {
            merged["error"] = .string(String(describing: error))
        }
        let message = event.message.description
        switch mode {
        case .stderr:
            writeFallback(level: event.level, message: message, metadata: merged)
        case .journal:
            _ = sendToJournal(event: event, message: message, metadata: merged)
        case .automatic:
            if sendToJournal(event: event, message: message, metadata: merged) < 0 {
                writeFallback(level: event.level, message: message, metadata: merged)
            }
        }
    }

    // MARK: - Field mapping

    /// Journal field names for the metadata keys the daemon uses everywhere (docs/design.md §12).
    static let knownFields: [String: String] = [
        "job": "MLOPSD_JOB",
        "model": "MLOPSD_MODEL",
        "version": "MLOPSD_VERSION",
        "run": "MLOPSD_RUN",
        "alert": "MLOPSD_ALERT",
        "severity": "MLOPSD_SEVERITY",
        "health": "MLOPSD_HEALTH",
        "event": "MLOPSD_EVENT",
    ]

    /// The longest field name journald accepts.
    static let maxFieldNameLength = 64

    /// The journald field name for a swift-log metadata key.
    ///
    /// Known keys map to the fields of docs/design.md §12 (`job` → `MLOPSD_JOB`, …); any other key
    /// becomes `MLOPSD_` + the key upper-cased with every character outside `[A-Z0-9_]`
    /// replaced by `_` (a key already starting with `MLOPSD_` is not prefixed twice),
    /// capped at 64 characters. The result always passes journald's field-name check, so
    /// no metadata is dropped silently.
    public static func fieldName(forMetadataKey key: String) -> String {
        if let known = knownFields[key] { return known }
        var sanitized = ""
        sanitized.unicodeScalars.reserveCapacity(key.unicodeScalars.count)
        for scalar in key.uppercased().unicodeScalars {
            switch scalar {
            case "A"..."Z", "0"..."9", "_": sanitized.unicodeScalars.append(scalar)
            default: sanitized.unicodeScalars.append("_")
            }
        }
        let name = sanitized.hasPrefix("MLOPSD_") ? sanitized : "MLOPSD_" + sanitized
        return String(name.prefix(maxFieldNameLength))
    }

    /// Renders a metadata value as one string: strings as they are, arrays as `[a,b]`,
    /// dictionaries as `{k:v,…}` with sorted keys (so equal metadata renders equally).
    public static func flatten(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let string): return string
        case .stringConvertible(let convertible): return convertible.description
        case .array(let array): return "[" + array.map(flatten).joined(separator: ",") + "]"
        case .dictionary(let dictionary):
            let parts = dictionary.keys.sorted().map { key in
                "\(key):\(dictionary[key].map(flatten) ?? "")"
            }
            return "{" + parts.joined(separator: ",") + "}"
        }
    }

    /// The syslog priority journald stores for a swift-log level.
    public static func priority(for level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// The journal fields of one entry, in the order they are sent, as `(name, value)`.
    ///
    /// Exposed so that tests can check the mapping without a journal.
    public func fields(
        level: Logger.Level,
        message: String,
        metadata: Logger.Metadata,
        file: String,
        function: String,
        line: UInt
    ) -> [(name: String, value: String)] {
        var fields: [(name: String, value: String)] = [
            ("MESSAGE", message),
            ("PRIORITY", String(Self.priority(for: level))),
            ("SYSLOG_IDENTIFIER", identifier),
            ("CODE_FILE", file),
            ("CODE_LINE", String(line)),
            ("CODE_FUNC", function),
            ("MLOPSD_LOGGER", label),
        ]
        if let raw = metadata["event"], let event = LogEvent(rawValue: Self.flatten(raw)) {
            fields.append(("MESSAGE_ID", event.messageID))
        }
        // Several keys can map to one name ("a.b" and "a-b"); journald keeps both values,
        // which is what we want: nothing is lost. Sorted for a stable order.
        for key in metadata.keys.sorted() {
            guard let value = metadata[key] else { continue }
            fields.append((Self.fieldName(forMetadataKey: key), Self.flatten(value)))
        }
        return fields
    }

    // MARK: - Stderr fallback

    /// The one line written to stderr for an entry: `<level> [event] message key=value …`.
    ///
    /// The `[event]` part appears only when metadata has an `"event"`; other keys follow in
    /// sorted order. Newlines, quotes and backslashes are escaped and values with spaces
    /// are quoted, so that every entry stays on one line and stays parseable.
    public static func fallbackLine(
        level: Logger.Level,
        message: String,
        metadata: Logger.Metadata
    ) -> String {
        var line = level.rawValue
        if let event = metadata["event"] {
            line += " [" + escape(flatten(event), quoteIfNeeded: false) + "]"
        }
        line += " " + escape(message, quoteIfNeeded: false)
        for key in metadata.keys.sorted() where key != "event" {
            guard let value = metadata[key] else { continue }
            line +=
                " " + escape(key, quoteIfNeeded: true) + "="
                + escape(flatten(value), quoteIfNeeded: true)
        }
        return line
    }

    /// Escapes control characters; with `quoteIfNeeded`, wraps values that are empty or
    /// contain spaces, quotes or `=` in double quotes.
    static func escape(_ text: String, quoteIfNeeded: Bool) -> String {
        var out = ""
        var needsQuotes = quoteIfNeeded && text.isEmpty
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n":
                out += "\\n"
                needsQuotes = needsQuotes || quoteIfNeeded
            case "\r":
                out += "\\r"
                needsQuotes = needsQuotes || quoteIfNeeded
            case "\t":
                out += "\\t"
                needsQuotes = needsQuotes || quoteIfNeeded
            case "\\": out += "\\\\"
            case "\"":
                if quoteIfNeeded {
                    out += "\\\""
                    needsQuotes = true
                } else {
                    out += "\""
                }
            case " ", "=":
                out.unicodeScalars.append(scalar)
                needsQuotes = needsQuotes || quoteIfNeeded
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += String(format: "\\x%02x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return needsQuotes ? "\"" + out + "\"" : out
    }

    // MARK: - Sending

    private func mergedMetadata(_ explicit: Logger.Metadata?) -> Logger.Metadata {
        var merged = metadata
        if let provided = metadataProvider?.get() {
            merged.merge(provided) { _, new in new }
        }
        if let explicit {
            merged.merge(explicit) { _, new in new }
        }
        return merged
    }

    /// Sends one entry with `sd_journal_sendv`; returns its result (negative errno on
    /// failure, e.g. -111 when journald does not answer, -2 when there is no socket).
    private func sendToJournal(event: Logging.LogEvent, message: String, metadata: Logger.Metadata) -> Int32 {
        let fields = fields(
            level: event.level,
            message: message,
            metadata: metadata,
            file: event.file,
            function: event.function,
            line: event.line
        )
        return sender(fields)
    }

    /// Packs `NAME=value` fields into one buffer and hands `sd_journal_sendv` an `iovec`
    /// per field pointing into it. Values may hold newlines: `sd_journal_sendv` switches
    /// such fields to journald's binary-safe encoding itself.
    static func sendv(_ fields: [(name: String, value: String)]) -> Int32 {
        var buffer: [UInt8] = []
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(fields.count)
        for field in fields {
            let start = buffer.count
            buffer.append(contentsOf: field.name.utf8)
            buffer.append(UInt8(ascii: "="))
            buffer.append(contentsOf: field.value.utf8)
            ranges.append(start..<buffer.count)
        }
        return buffer.withUnsafeMutableBytes { bytes -> Int32 in
            guard let base = bytes.baseAddress else { return -Int32(EINVAL) }
            var vectors = ranges.map { range in
                iovec(iov_base: base + range.lowerBound, iov_len: range.count)
            }
            return vectors.withUnsafeMutableBufferPointer { iov in
                sd_journal_sendv(iov.baseAddress, Int32(iov.count))
            }
        }
    }

    private func writeFallback(level: Logger.Level, message: String, metadata: Logger.Metadata) {
        var bytes = Array(Self.fallbackLine(level: level, message: message, metadata: metadata).utf8)
        bytes.append(UInt8(ascii: "\n"))
        bytes.withUnsafeBytes { raw in
            guard var pointer = raw.baseAddress else { return }
            var remaining = raw.count
            // One write(2) in the normal case; loop only on short writes and EINTR.
            while remaining > 0 {
                let written = write(fallbackDescriptor, pointer, remaining)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                remaining -= written
                pointer += written
            }
        }
    }
}
