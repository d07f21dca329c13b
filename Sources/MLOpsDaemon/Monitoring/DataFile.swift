import Foundation
import MLOpsCore

/// A data file a job names (predictions, labels): resolved under the data roots, measured
/// against `max_data_file_bytes` before it is read, and parsed as CSV (with a header) or
/// JSONL (one JSON object per line).
enum DataFile {
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
        let kind: String
        if let format {
            kind = format
        } else if resolved.hasSuffix(".csv") {
            kind = "csv"
        } else if resolved.hasSuffix(".jsonl") || resolved.hasSuffix(".ndjson") {
            kind = "jsonl"
        } else {
            throw JobError(
                .invalidValue,
                "cannot tell the format of \(path) from its name",
                at: mark,
                fix: "name it .csv or .jsonl, or add `format: csv` or `format: jsonl`"
            )
        }
        let data: Data
        do {
            guard let read = try RegistryFiles.read(resolved, limit: maxBytes, linkFree: true, dataFile: path) else {
                throw JobError(.badArtifact, "\(path) does not exist", at: mark)
            }
            data = read
        } catch let error as JobError {
            throw JobError(error.code, error.message, at: mark, fix: error.fix)
        } catch {
            throw JobError(.badArtifact, "cannot read \(path): \(error)", at: mark)
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw JobError(.badArtifact, "\(path) is not UTF-8 text", at: mark)
        }
        let name = (path as NSString).lastPathComponent
        let shownName = EchoedValue.escaped(name, limit: 255)
        if kind == "csv" {
            do {
                return .table(try CSVTable.parse(text, maxRows: maxRecords, maxColumns: maxColumns))
            } catch {
                throw JobError(.invalidValue, "\(shownName): \(error)", at: mark)
            }
        }
        var objects: [JSONValue] = []
        var lines: [Int] = []
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            guard objects.count < maxRecords else {
                throw JobError(
                    .tooLarge,
                    "\(shownName) has more than \(maxRecords) records",
                    at: mark,
                    fix: "split it into several jobs"
                )
            }
            let value: JSONValue
            do {
                value = try JSONDecoder().decode(JSONValue.self, from: Data(trimmed.utf8))
            } catch {
                // Foundation says only "not valid JSON": read the line again to say why, and where.
                let why = JSONLineDiagnosis.diagnose(line).map { ", \($0)" } ?? " is not valid JSON"
                throw JobError(
                    .invalidValue,
                    "\(shownName) line \(lineNumber)\(why)",
                    at: mark,
                    fix: "write one JSON object per line (JSON Lines)"
                )
            }
            guard case .object = value else {
                throw JobError(
                    .invalidValue,
                    "\(shownName) line \(lineNumber) is \(describe(value)), not a JSON object",
                    at: mark,
                    fix: "write one JSON object per line (JSON Lines)"
                )
            }
            objects.append(value)
            lines.append(lineNumber)
        }
        return .objects(objects, lines: lines)
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
