import Foundation
import MLOpsCore
import Synchronization

/// Reference profiles (sorted numerical columns, category counts) kept between checks, by
/// artifact and model schema: reading and sorting a reference once per version instead of
/// once per check is most of what keeps a check fast.
public final class ReferenceCache: Sendable {
    private struct State {
        var profiles: [String: ReferenceProfile] = [:]
        var order: [String] = []
    }

    private let state = Mutex(State())
    /// Profiles kept; the least recently added goes first.
    public let capacity: Int

    /// A cache of at most `capacity` profiles.
    public init(capacity: Int = 32) {
        self.capacity = capacity
    }

    /// The profile for `key`, built by `build` when missing.
    public func profile(for key: String, build: () throws -> ReferenceProfile) rethrows -> ReferenceProfile {
        if let hit = state.withLock({ $0.profiles[key] }) { return hit }
        let built = try build()
        let capacity = self.capacity
        state.withLock { state in
            if state.profiles[key] == nil {
                state.profiles[key] = built
                state.order.append(key)
                if state.order.count > capacity { state.profiles[state.order.removeFirst()] = nil }
            }
        }
        return built
    }
}
