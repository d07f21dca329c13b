import Foundation

/// `systemd-analyze calendar`, the reference ``CalendarSpec`` is compared with: how systemd
/// itself normalizes an expression and when it elapses.
struct SystemdAnalyzeCalendar {
    /// What systemd said about one expression: nil normalized form when it refused it.
    struct Answer: Equatable {
        var normalized: String?
        /// The next elapses, at whole seconds.
        var elapses: [Date]
    }

    static let path = "/usr/bin/systemd-analyze"

    /// Whether the reference is installed.
    static var available: Bool { FileManager.default.isExecutableFile(atPath: path) }

    /// `TZ=zone systemd-analyze calendar --iterations=N --base-time=@BASE EXPR`.
    static func ask(_ expression: String, base: Date, iterations: Int, zone: String) throws -> Answer {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = [
            "calendar", "--iterations=\(iterations)", "--base-time=@\(Int(base.timeIntervalSince1970))", "--",
            expression,
        ]
        process.environment = ["TZ": zone, "LANG": "C", "SYSTEMD_COLORS": "0", "PATH": "/usr/bin:/bin"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return Answer(normalized: nil, elapses: []) }
        var answer = Answer(normalized: nil, elapses: [])
        // "Normalized form: …", then "Next elapse: …" and "Iter. #N: …" in the local zone,
        // each followed by "(in UTC): … UTC" when that zone is not UTC.
        var pendingLocal: Date?
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let text = line.trimmingCharacters(in: .whitespaces)
            guard let colon = text.firstIndex(of: ":") else { continue }
            let label = text[..<colon]
            let value = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch label {
            case "Normalized form":
                answer.normalized = value
            case "Next elapse",
                _ where label.hasPrefix("Iter. #"):
                if let local = pendingLocal { answer.elapses.append(local) }
                pendingLocal = value == "never" ? nil : Self.utc(value)
            case "(in UTC)":
                pendingLocal = Self.utc(value)
            default:
                continue
            }
        }
        if let local = pendingLocal { answer.elapses.append(local) }
        return answer
    }

    /// `Sun 2024-03-03 02:00:00 UTC` → the date (the zone must be UTC: the "(in UTC)" line,
    /// or the main line when the local zone is UTC itself).
    static func utc(_ text: String) -> Date? {
        let parts = text.split(separator: " ")
        guard parts.count == 4, parts[3] == "UTC" else { return nil }
        let date = parts[1].split(separator: "-").compactMap { Int($0) }
        let time = parts[2].split(separator: ":").compactMap { Int($0) }
        guard date.count == 3, time.count == 3 else { return nil }
        var components = DateComponents()
        (components.year, components.month, components.day) = (date[0], date[1], date[2])
        (components.hour, components.minute, components.second) = (time[0], time[1], time[2])
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        return calendar.date(from: components)
    }
}
