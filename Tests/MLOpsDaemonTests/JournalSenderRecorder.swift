import Foundation

/// Stands in for `sd_journal_sendv` in tests: counts the sends and keeps the last fields.
final class JournalSenderRecorder: Sendable {
    private let lock = NSLock()
    // nonisolated(unsafe) is safe: every access below holds `lock`.
    nonisolated(unsafe) private var count = 0
    // nonisolated(unsafe) is safe: every access below holds `lock`.
    nonisolated(unsafe) private var fields: [(name: String, value: String)] = []

    /// Records one send and returns its 1-based number.
    @discardableResult
    func record(_ sent: [(name: String, value: String)]) -> Int {
        lock.lock()
        defer { lock.unlock() }
        count += 1
        fields = sent
        return count
    }

    /// How many sends were recorded.
    var attempts: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }

    /// The fields of the last send.
    var lastFields: [(name: String, value: String)] {
        lock.lock()
        defer { lock.unlock() }
        return fields
    }
}
