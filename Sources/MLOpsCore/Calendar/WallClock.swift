import Foundation

/// Conversions between instants and the wall-clock times of a time zone, in microseconds
/// since the epoch (a wall time is "what the clock shows", read as if it were UTC). A nil
/// zone is UTC, where the two are the same.
enum WallClock {
    /// Zone names that are UTC without any offset change, computed without Foundation.
    private static let utcNames: Set<String> = [
        "UTC", "GMT", "Etc/UTC", "Etc/GMT", "Etc/Universal", "Universal", "Zulu",
    ]

    /// Whether `zone` is plain UTC.
    static func isUTC(_ zone: TimeZone) -> Bool { utcNames.contains(zone.identifier) }

    /// The zone's offset from UTC at the instant `t`, in microseconds.
    static func offset(at t: Int64, in zone: TimeZone) -> Int64 {
        Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(t) / 1e6))) * 1_000_000
    }

    /// What the clock shows at the instant `t`.
    static func wall(of t: Int64, in zone: TimeZone?) -> Int64 {
        guard let zone else { return t }
        return t + offset(at: t, in: zone)
    }

    /// The instants at which the clock shows `wall`, earliest first: one, two when clocks
    /// go back over it, none when they jump over it.
    static func instants(of wall: Int64, in zone: TimeZone?) -> [Int64] {
        guard let zone else { return [wall] }
        let day: Int64 = 86_400_000_000
        let offsets = Set([wall - day, wall, wall + day].map { offset(at: $0, in: zone) })
        return offsets.map { wall - $0 }.filter { offset(at: $0, in: zone) == wall - $0 }.sorted()
    }

    /// How far the clocks jump forward around `wall` (0 when they do not).
    static func gap(at wall: Int64, in zone: TimeZone?) -> Int64 {
        guard let zone else { return 0 }
        let day: Int64 = 86_400_000_000
        return max(1, offset(at: wall + day, in: zone) - offset(at: wall - day, in: zone))
    }
}
