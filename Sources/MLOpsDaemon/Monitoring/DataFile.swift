import Foundation
import Glibc
import MLOpsClient
import MLOpsCore

/// A data file a job names (predictions, labels): resolved under the data roots, measured
/// against `max_data_file_bytes` before it is read, and parsed as CSV (with a header) or
/// JSONL (one JSON object per line).
enum DataFile {
    /// Bytes read at a time when a file is read in blocks: memory stays at a block and
    /// what the reader keeps of it.
    static let blockSize = 4 << 20

    /// Whether the data file at `path` is larger than `inline_data_file_bytes`, so its job is
    /// staged (read beside the engine). Only the size decides; the staging opens the file
    /// with every check, and a file that cannot be measured is left to the job in its batch.
    static func isAboveInlineSize(_ path: String, config: DaemonConfig) -> Bool {
        var st = stat()
        guard stat(path, &st) == 0 else { return false }
        return Int(st.st_size) > config.inlineDataFileBytes
    }

    /// The parsed content.
    enum Content {
        case table(CSVTable)
        case objects([JSONValue], lines: [Int])
    }

    /// Loads the file a monitoring job names in its `file` parameter (with its `format`; `mark`: where),
    /// under the config's data roots and readable by the job's submitter: the one rule
    /// log-predictions and log-ground-truth share. A refusal is a ``JobError`` the handler
    /// returns as `rejected` (nothing ran).
    static func load(
        _ path: String,
        format: DataFormat?,
        named mark: SourceMark?,
        context: JobContext
    ) throws(JobError) -> Content {
        try load(
            path,
            format: format?.rawValue,
            roots: context.config.dataRoots,
            maxRecords: MonitoringKinds.maxFileRecords,
            maxColumns: context.config.maxColumns,
            maxBytes: context.config.maxDataFileBytes,
            mark: mark,
            submitterUID: context.submitterUID
        )
    }

    /// Loads `path` (absolute, under one of `roots` after resolving links) in `format`
    /// (`csv`, `jsonl`, or nil to go by the extension). `mark` is where the job names it.
    /// A CSV header of more than `maxColumns` columns is refused before any row is read; a
    /// file of more than `maxBytes` bytes (its `fstat` size) before any byte is read.
    /// `submitterUID`: the job's submitter, who must be able to read the file themselves
    /// (``SubmitterAccess``); nil skips that check (the daemon's own reads).
    static func load(
        _ path: String,
        format: String?,
        roots: [String],
        maxRecords: Int,
        maxColumns: Int? = nil,
        maxBytes: Int,
        mark: SourceMark?,
        submitterUID: UInt32? = nil
    ) throws(JobError) -> Content {
        let file = try open(
            path,
            format: format,
            roots: roots,
            maxBytes: maxBytes,
            mark: mark,
            submitterUID: submitterUID
        )
        defer { file.close() }
        let data: Data
        do {
            data = try FileReader.readAll(fd: file.fd, limit: maxBytes, what: path)
        } catch {
            throw JobError(.badArtifact, "cannot read \(path): \(error)", at: mark)
        }
        guard data.count <= maxBytes else {
            throw JobError(.badArtifact, "\(path) is larger than \(maxBytes) bytes", at: mark)
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw JobError(.badArtifact, "\(path) is not UTF-8 text", at: mark)
        }
        if file.format == .csv {
            do {
                return .table(try CSVTable.parse(text, maxRows: maxRecords, maxColumns: maxColumns))
            } catch {
                throw JobError(.invalidValue, "\(file.shownName): \(error)", at: mark)
            }
        }
        var reader = JSONLines(file: file, maxRecords: maxRecords, mark: mark)
        var objects: [JSONValue] = []
        var lines: [Int] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if let object = try reader.object(Substring(line)) {
                objects.append(object)
                lines.append(reader.line)
            }
        }
        return .objects(objects, lines: lines)
    }

    /// A data file opened for reading: checked as ``load(_:format:roots:maxRecords:maxColumns:maxBytes:mark:submitterUID:)``
    /// checks it, not read yet. Close it with ``close()``.
    struct Opened {
        /// The descriptor, read-only.
        let fd: Int32
        /// The path as the job wrote it.
        let path: String
        /// How it is parsed.
        let format: DataFormat
        /// Its name, escaped for messages.
        let shownName: String

        /// Reads the file to its end in blocks of `blockSize` bytes, handing each to `body`.
        func readBlocks(
            blockSize: Int,
            mark: SourceMark?,
            _ body: (UnsafeRawBufferPointer) throws -> Void
        ) throws {
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: blockSize, alignment: 16)
            defer { buffer.deallocate() }
            while true {
                let n = Glibc.read(fd, buffer.baseAddress, blockSize)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw JobError(.badArtifact, "cannot read \(path): \(String(cString: strerror(errno)))", at: mark)
                }
                if n == 0 { return }
                try body(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            }
        }

        /// Reads the file's records block by block: for CSV, `header` gets the column
        /// names and `row` each data row with the line it starts on; for JSON Lines,
        /// `object` each object with its line. `afterBlock` runs after each block (store
        /// what was read, stop when cancelled: what it throws ends the reading). At most
        /// `maxRecords` records; a CSV header of at most `maxColumns` columns. A malformed
        /// file is a ``JobError`` naming the line and column, as the whole-file reading
        /// (``DataFile/load(_:format:roots:maxRecords:maxColumns:maxBytes:mark:submitterUID:)``) says it.
        func forEachRecord(
            maxRecords: Int,
            maxColumns: Int,
            mark: SourceMark?,
            header: ([String]) -> Void,
            row: ([String], Int) -> Void,
            object: (JSONValue, Int) throws -> Void,
            afterBlock: () throws -> Void
        ) throws {
            do {
                switch format {
                case .csv:
                    var stream = CSVRecordStream(maxRows: maxRecords, maxColumns: maxColumns)
                    try readBlocks(blockSize: DataFile.blockSize, mark: mark) { block in
                        try stream.feed(block, header: header, row: row)
                        try afterBlock()
                    }
                    try stream.finish(header: header, row: row)
                case .jsonl:
                    var lines = JSONLines(file: self, maxRecords: maxRecords, mark: mark)
                    var carry: [UInt8] = []
                    func take(_ bytes: ArraySlice<UInt8>) throws {
                        guard let text = String(validating: bytes, as: UTF8.self) else {
                            throw JobError(.badArtifact, "\(path) is not UTF-8 text", at: mark)
                        }
                        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                            if let value = try lines.object(line) { try object(value, lines.line) }
                        }
                    }
                    try readBlocks(blockSize: DataFile.blockSize, mark: mark) { block in
                        carry.append(contentsOf: block)
                        // Whole lines only: a block may end inside one (or inside a character).
                        guard let last = carry.lastIndex(of: UInt8(ascii: "\n")) else { return }
                        try take(carry[..<last])
                        carry.removeFirst(last + 1)
                        try afterBlock()
                    }
                    if !carry.isEmpty { try take(carry[...]) }
                }
                try afterBlock()
            } catch let error as CSVError {
                if case .invalidUTF8(let line, let column) = error {
                    throw JobError(.badArtifact, "\(path) is not UTF-8 text (line \(line), column \(column))", at: mark)
                }
                throw JobError(.invalidValue, "\(shownName): \(error)", at: mark)
            }
        }

        /// Closes the descriptor.
        func close() { _ = Glibc.close(fd) }
    }

    /// Opens `path` as ``load(_:format:roots:maxRecords:maxColumns:maxBytes:mark:submitterUID:)``
    /// would read it (absolute, under the data roots, readable by the submitter, a regular
    /// file of at most `maxBytes` bytes, a known format), without reading it.
    static func open(
        _ path: String,
        format: String?,
        roots: [String],
        maxBytes: Int,
        mark: SourceMark?,
        submitterUID: UInt32?
    ) throws(JobError) -> Opened {
        guard path.hasPrefix("/") else {
            throw JobError(
                .badArtifact,
                "file must be an absolute path, not `\(path)`",
                at: mark,
                fix: "write the full path under one of: " + roots.joined(separator: ", ")
            )
        }
        let resolved: String
        do {
            resolved = try ArtifactStore.resolveInside(path, roots: roots)
        } catch {
            throw JobError(
                .badArtifact,
                "\(error)",
                at: mark,
                fix: "put the file under one of: " + roots.joined(separator: ", ")
            )
        }
        try SubmitterAccess.check(resolved, uid: submitterUID, what: "file", mark: mark)
        let kind: DataFormat
        if let format {
            guard let known = DataFormat(rawValue: format) else {
                throw JobError(.invalidValue, "`\(format)` is not a data format", at: mark, fix: "write csv or jsonl")
            }
            kind = known
        } else if resolved.hasSuffix(".csv") {
            kind = .csv
        } else if resolved.hasSuffix(".jsonl") || resolved.hasSuffix(".ndjson") {
            kind = .jsonl
        } else {
            throw JobError(
                .invalidValue,
                "cannot tell the format of \(path) from its name",
                at: mark,
                fix: "name it .csv or .jsonl, or add `format: csv` or `format: jsonl`"
            )
        }
        let fd: Int32
        do throws(JobError) {
            guard let opened = try RegistryFiles.openMeasured(resolved, limit: maxBytes, linkFree: true, dataFile: path)
            else {
                throw JobError(.badArtifact, "\(path) does not exist", at: mark)
            }
            fd = opened
        } catch {
            throw JobError(error.code, error.message, at: mark, fix: error.fix)
        }
        let name = (path as NSString).lastPathComponent
        return Opened(fd: fd, path: path, format: kind, shownName: EchoedValue.escaped(name, limit: 255))
    }

    /// JSON Lines read one line at a time: blank lines skipped, each other line one JSON
    /// object, at most `maxRecords` of them; errors name the line and what is wrong.
    struct JSONLines {
        let file: Opened
        let maxRecords: Int
        let mark: SourceMark?
        /// The 1-based number of the last line read.
        private(set) var line = 0
        /// Objects read so far.
        private(set) var records = 0

        init(file: Opened, maxRecords: Int, mark: SourceMark?) {
            self.file = file
            self.maxRecords = maxRecords
            self.mark = mark
        }

        /// The object on the next line (without its line feed), or nil for a blank line.
        mutating func object(_ text: Substring) throws(JobError) -> JSONValue? {
            line += 1
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { return nil }
            guard records < maxRecords else {
                throw JobError(
                    .tooLarge,
                    "\(file.shownName) has more than \(maxRecords) records",
                    at: mark,
                    fix: "split it into several jobs"
                )
            }
            let value: JSONValue
            do {
                value = try JSONDecoder().decode(JSONValue.self, from: Data(trimmed.utf8))
            } catch {
                // Foundation says only "not valid JSON": read the line again to say why, and where.
                let why = JSONLineDiagnosis.diagnose(text).map { ", \($0)" } ?? " is not valid JSON"
                throw JobError(
                    .invalidValue,
                    "\(file.shownName) line \(line)\(why)",
                    at: mark,
                    fix: "write one JSON object per line (JSON Lines)"
                )
            }
            guard case .object = value else {
                throw JobError(
                    .invalidValue,
                    "\(file.shownName) line \(line) is \(DataFile.describe(value)), not a JSON object",
                    at: mark,
                    fix: "write one JSON object per line (JSON Lines)"
                )
            }
            records += 1
            return value
        }
    }

    /// What a JSON value is, for "line 3 is a list, not a JSON object".
    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: return "`null`"
        case .bool(let b): return b ? "`true`" : "`false`"
        case .int(let i): return "the number \(i)"
        case .double(let d): return "the number \(d)"
        case .string(let text): return "the string \(EchoedValue.quoted(text))"
        case .array: return "a list"
        case .object: return "a mapping"
        }
    }
}
