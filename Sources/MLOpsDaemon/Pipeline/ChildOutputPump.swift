import Glibc
import Logging
import Subprocess

/// Copies one output stream of a child (stdout or stderr) from its pipe to its log file and,
/// line by line, to the journal.
///
/// The file keeps at most `cap` bytes of what the child wrote; the rest is counted and
/// replaced by one line `[mlopsd: output truncated after N bytes]` (written when the cap is
/// first exceeded, so the marker is there even if the daemon dies later). The journal gets
/// each line cut at ``ChildSupervisor/journalLineBytes`` bytes, at most
/// ``ChildSupervisor/journalLineLimit`` lines per stream, then one line saying the rest is
/// only in the file: a chatty trainer must not flood the journal.
struct ChildOutputPump: Sendable {
    /// `stdout` or `stderr` (the `MLOPSD_STREAM` field).
    let stream: String
    /// The log file, opened for writing by the supervisor (which closes it).
    let fd: Int32
    /// The log file's path, for messages.
    let path: String
    /// The most bytes written to the file.
    let cap: Int
    /// Where `childOutput` lines go.
    let logger: Logger
    /// `event`, `run`, `stage`, `model`, `stream`.
    let metadata: Logger.Metadata

    /// Reads `sequence` to its end and returns what became of it.
    func run(_ sequence: SubprocessOutputSequence) async -> ChildOutcome.StreamTally {
        var state = State(pump: self)
        do {
            for try await buffer in sequence {
                buffer.withUnsafeBytes { state.consume($0) }
            }
        } catch {
            var failure = metadata
            failure["event"] = LogEvent.internalError.metadataValue
            logger.warning(
                "reading the \(stream) of stage \(metadata["stage"].map { "\($0)" } ?? "?") failed: \(error)",
                metadata: failure
            )
        }
        state.finish()
        return state.tally
    }

    /// The running state of one stream: file position, the line being assembled, counts.
    private struct State {
        let pump: ChildOutputPump
        var tally = ChildOutcome.StreamTally()
        /// The current line's bytes, at most `journalLineBytes`.
        var line: [UInt8] = []
        /// Whether the current line was longer than `journalLineBytes`.
        var lineCut = false
        /// The last byte written to the file (to end a cut line before the marker).
        var lastWritten: UInt8?
        /// The file could not be written (disk full, …): further bytes are only counted.
        var fileFailed = false
        /// Whether the "rest only in the file" line went to the journal.
        var limitNoticeLogged = false

        init(pump: ChildOutputPump) {
            self.pump = pump
            line.reserveCapacity(ChildSupervisor.journalLineBytes)
        }

        mutating func consume(_ bytes: UnsafeRawBufferPointer) {
            let chunk = UnsafeBufferPointer(
                start: bytes.baseAddress?.assumingMemoryBound(to: UInt8.self),
                count: bytes.count
            )
            store(chunk)
            split(chunk)
        }

        /// Writes what fits under the cap; counts the rest; writes the marker once.
        mutating func store(_ chunk: UnsafeBufferPointer<UInt8>) {
            guard !chunk.isEmpty else { return }
            let room = max(0, pump.cap - tally.bytesWritten)
            if fileFailed || (room == 0 && tally.bytesDropped > 0) {
                tally.bytesDropped += chunk.count
                return
            }
            let keep = min(room, chunk.count)
            if keep > 0 {
                let slice = UnsafeBufferPointer(rebasing: chunk[0..<keep])
                if writeAll(slice) {
                    tally.bytesWritten += keep
                    lastWritten = slice.last
                } else {
                    fileFailed = true
                    tally.bytesDropped += chunk.count
                    logFileFailure()
                    return
                }
            }
            if keep < chunk.count {
                tally.bytesDropped += chunk.count - keep
                var marker = lastWritten.map { $0 == UInt8(ascii: "\n") ? "" : "\n" } ?? ""
                marker += "[mlopsd: output truncated after \(pump.cap) bytes]\n"
                let bytes = Array(marker.utf8)
                if !bytes.withUnsafeBufferPointer({ writeAll($0) }) {
                    fileFailed = true
                    logFileFailure()
                }
            }
        }

        /// Cuts the chunk into lines for the journal.
        mutating func split(_ chunk: UnsafeBufferPointer<UInt8>) {
            var start = chunk.startIndex
            while start < chunk.endIndex {
                let rest = chunk[start...]
                let newline = rest.firstIndex(of: UInt8(ascii: "\n"))
                let end = newline ?? chunk.endIndex
                let room = ChildSupervisor.journalLineBytes - line.count
                if end - start > room {
                    line.append(contentsOf: chunk[start..<(start + room)])
                    lineCut = true
                } else {
                    line.append(contentsOf: chunk[start..<end])
                }
                guard let newline else { return }
                emitLine()
                start = newline + 1
            }
        }

        /// Ends the stream: a last line without a newline still counts.
        mutating func finish() {
            if !line.isEmpty || lineCut { emitLine() }
        }

        mutating func emitLine() {
            tally.lines += 1
            defer {
                line.removeAll(keepingCapacity: true)
                lineCut = false
            }
            if tally.linesLogged < ChildSupervisor.journalLineLimit {
                tally.linesLogged += 1
                pump.logger.info("\(Self.text(line, cut: lineCut))", metadata: pump.metadata)
            } else if !limitNoticeLogged {
                limitNoticeLogged = true
                pump.logger.info(
                    "[mlopsd: more than \(ChildSupervisor.journalLineLimit) lines on \(pump.stream); the rest is only in \(pump.path)]",
                    metadata: pump.metadata
                )
            }
        }

        /// The line as text: a trailing CR dropped, a cut line ended on a character
        /// boundary and marked with `…`, invalid UTF-8 repaired.
        static func text(_ bytes: [UInt8], cut: Bool) -> String {
            var end = bytes.endIndex
            if cut {
                // Step back over an incomplete multi-byte sequence at the cut.
                var lead = end
                while lead > bytes.startIndex && bytes[lead - 1] & 0xC0 == 0x80 && end - lead < 3 { lead -= 1 }
                if lead > bytes.startIndex {
                    let first = bytes[lead - 1]
                    let needed = first >= 0xF0 ? 4 : first >= 0xE0 ? 3 : first >= 0xC0 ? 2 : 1
                    if end - (lead - 1) < needed { end = lead - 1 }
                }
            } else if end > bytes.startIndex && bytes[end - 1] == UInt8(ascii: "\r") {
                end -= 1
            }
            let text = String(decoding: bytes[..<end], as: UTF8.self)
            return cut ? text + "…" : text
        }

        func writeAll(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
            guard var pointer = bytes.baseAddress else { return true }
            var remaining = bytes.count
            while remaining > 0 {
                let written = write(pump.fd, pointer, remaining)
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                remaining -= written
                pointer += written
            }
            return true
        }

        func logFileFailure() {
            var failure = pump.metadata
            failure["event"] = LogEvent.internalError.metadataValue
            pump.logger.warning(
                "cannot write \(pump.path): \(String(cString: strerror(errno))); further \(pump.stream) is only counted",
                metadata: failure
            )
        }
    }
}
