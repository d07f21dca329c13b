import Glibc
import Logging
import Synchronization

/// Ends a child's process group at most once: SIGTERM to the group, then SIGKILL to the
/// group after the grace unless no live member is left.
///
/// It owns the timeout timer, and is triggered by the timer, by cancellation of the task
/// awaiting the child, or — after the child was reaped — by members of its group that are
/// still running. Signalling the group is what ends grandchildren too; and because the
/// group is checked again after the leader is reaped, a leader that exits at once on SIGTERM
/// while its children ignore it does not leave them behind.
///
/// Sending to `-pgid` after the leader is reaped is safe while a member lives: Linux does not
/// hand out a pid that is still some group's id. The sequence stops as soon as no live
/// member is left, so it never signals a later group that reuses the number.
final class ChildGroupTerminator: Sendable {
    /// Why the group is signalled (the `reason` field of the `childKilled` event).
    enum Reason: String, Sendable {
        /// The child overran its timeout.
        case timeout
        /// The task awaiting the child was cancelled.
        case cancelled
        /// The child exited but members of its group were still running.
        case leftovers
        /// The child could no longer be watched (swift-subprocess reported an error).
        case supervisionFailed = "supervision_failed"
    }

    private struct State {
        var group: pid_t?
        var reason: Reason?
        var sequence: Task<Bool, Never>?
        var timer: Task<Void, Never>?
        var finishing = false
    }

    private let state = Mutex(State())
    private let timeout: Duration
    private let grace: Duration
    private let logger: Logger
    private let metadata: Logger.Metadata
    private let stage: String

    /// How often the group is checked for live members during the grace.
    static let pollInterval = Duration.milliseconds(20)

    init(timeout: Duration, grace: Duration, logger: Logger, metadata: Logger.Metadata, stage: String) {
        self.timeout = timeout
        self.grace = grace
        self.logger = logger
        self.metadata = metadata
        self.stage = stage
    }

    /// The child started as leader of `group`: starts the timeout, and ends the group at
    /// once when a cancellation came before the start.
    func started(group: pid_t) {
        state.withLock { state in
            state.group = group
            let timeout = self.timeout
            state.timer = Task { [weak self] in
                guard (try? await Task.sleep(for: timeout)) != nil else { return }
                self?.trigger(.timeout)
            }
            if let reason = state.reason {
                state.sequence = makeSequence(group: group, reason: reason)
            }
        }
    }

    /// Begins ending the group for `reason`, unless it is already being ended or the child
    /// was reaped (then ``finish()`` decides).
    func trigger(_ reason: Reason) {
        state.withLock { state in
            guard state.reason == nil, !state.finishing else { return }
            state.reason = reason
            if let group = state.group {
                state.sequence = makeSequence(group: group, reason: reason)
            }
        }
    }

    /// Called once the child is reaped: stops the timer, waits for a running sequence, or
    /// starts one when live members of the group remain. Returns why the group was
    /// signalled, or nil when it was not.
    func finish() async -> Reason? {
        let (reason, sequence, group) = state.withLock { state in
            state.finishing = true
            state.timer?.cancel()
            return (state.reason, state.sequence, state.group)
        }
        if let sequence {
            return await sequence.value ? reason : nil
        }
        guard let group, ProcessTable.groupHasLiveMembers(group) else { return nil }
        let leftovers = state.withLock { state in
            state.reason = .leftovers
            let task = makeSequence(group: group, reason: .leftovers)
            state.sequence = task
            return task
        }
        return await leftovers.value ? .leftovers : nil
    }

    /// The TERM → grace → KILL sequence as its own task: it must run to its end even when
    /// the task that triggered it is cancelled. Returns whether it signalled anything.
    private func makeSequence(group: pid_t, reason: Reason) -> Task<Bool, Never> {
        let grace = self.grace
        let logger = self.logger
        var base = self.metadata
        base["event"] = LogEvent.childKilled.metadataValue
        base["reason"] = .string(reason.rawValue)
        base["pgid"] = .stringConvertible(group)
        let stage = self.stage
        return Task { [base] in
            var metadata = base
            guard ProcessTable.groupHasLiveMembers(group), kill(-group, SIGTERM) == 0 else { return false }
            metadata["signal"] = "SIGTERM"
            logger.warning(
                "sent SIGTERM to process group \(group) of stage \(stage) (\(Self.explain(reason))); SIGKILL follows after \(grace)",
                metadata: metadata
            )
            let clock = ContinuousClock()
            let deadline = clock.now + grace
            while clock.now < deadline {
                if !ProcessTable.groupHasLiveMembers(group) { return true }
                try? await Task.sleep(for: min(Self.pollInterval, deadline - clock.now))
            }
            guard ProcessTable.groupHasLiveMembers(group), kill(-group, SIGKILL) == 0 else { return true }
            metadata["signal"] = "SIGKILL"
            logger.warning(
                "sent SIGKILL to process group \(group) of stage \(stage): still running \(grace) after SIGTERM",
                metadata: metadata
            )
            return true
        }
    }

    static func explain(_ reason: Reason) -> String {
        switch reason {
        case .timeout: "it overran its timeout"
        case .cancelled: "the stage was cancelled"
        case .leftovers: "the stage's command exited but processes it started were still running"
        case .supervisionFailed: "the child could no longer be supervised"
        }
    }
}
