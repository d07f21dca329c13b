import Foundation
import Testing

@testable import MLOpsCore

private let utc = TimeZone(identifier: "UTC") ?? TimeZone.current
private let berlin = TimeZone(identifier: "Europe/Berlin") ?? TimeZone.current

/// 2024-03-01 00:00:00 UTC, a Friday.
private let base = Date(timeIntervalSince1970: 1_709_251_200)

private func date(_ text: String) -> Date {
    Timestamp.parse(text) ?? Date(timeIntervalSince1970: 0)
}

/// Expressions with the normalized form systemd 252 prints for them (nil: systemd refuses
/// them). Each is also put to the real `systemd-analyze calendar` when it is installed.
private let table: [(String, String?)] = [
    // The forms the docs show.
    ("Sun *-*-* 02:00", "Sun *-*-* 02:00:00"),
    ("daily", "*-*-* 00:00:00"),
    ("weekly", "Mon *-*-* 00:00:00"),
    ("Mon..Fri 06:00", "Mon..Fri *-*-* 06:00:00"),
    ("*-*-01 00:00:00", "*-*-01 00:00:00"),
    ("Sun 02:00 UTC", "Sun *-*-* 02:00:00 UTC"),
    ("Mon..Fri 06:00 Europe/Berlin", "Mon..Fri *-*-* 06:00:00 Europe/Berlin"),
    // Shorthands.
    ("minutely", "*-*-* *:*:00"),
    ("hourly", "*-*-* *:00:00"),
    ("monthly", "*-*-01 00:00:00"),
    ("yearly", "*-01-01 00:00:00"),
    ("annually", "*-01-01 00:00:00"),
    ("anually", "*-01-01 00:00:00"),
    ("quarterly", "*-01,04,07,10-01 00:00:00"),
    ("semiannually", "*-01,07-01 00:00:00"),
    ("semi-annually", "*-01,07-01 00:00:00"),
    ("bi-annually", "*-01,07-01 00:00:00"),
    ("daily utc", "*-*-* 00:00:00 UTC"),
    ("weekly UTC", "Mon *-*-* 00:00:00 UTC"),
    // Weekdays.
    ("mon,wed,fri 8:0", "Mon,Wed,Fri *-*-* 08:00:00"),
    ("Mon-Wed", "Mon..Wed *-*-* 00:00:00"),
    ("Sat..Sun", "Sat,Sun *-*-* 00:00:00"),
    ("Mon..Sun", "*-*-* 00:00:00"),
    ("Mon..Wed,Fri..Sun", "Mon..Wed,Fri..Sun *-*-* 00:00:00"),
    ("Mon,Tue,Wed,Thu,Fri,Sat,Sun 12:00", "*-*-* 12:00:00"),
    ("Monday..Wednesday 1:2:3", "Mon..Wed *-*-* 01:02:03"),
    ("mOnDaY", "Mon *-*-* 00:00:00"),
    ("SUN 02:00", "Sun *-*-* 02:00:00"),
    ("Mon,Mon", "Mon *-*-* 00:00:00"),
    ("Mon..Mon", "Mon *-*-* 00:00:00"),
    ("Mon, 12:00", "Mon *-*-* 12:00:00"),
    ("Mon,", "Mon *-*-* 00:00:00"),
    ("Sun  02:00", "Sun *-*-* 02:00:00"),
    ("Sat,Sun 10:00", "Sat,Sun *-*-* 10:00:00"),
    ("Fri *-*-13", "Fri *-*-13 00:00:00"),
    // Dates.
    ("2024-3-4", "2024-03-04 00:00:00"),
    ("24-3-4 5:6:7", "2024-03-04 05:06:07"),
    ("69-01-01", "2069-01-01 00:00:00"),
    ("70-01-01", "1970-01-01 00:00:00"),
    ("2199-12-31", "2199-12-31 00:00:00"),
    ("*-*-*", "*-*-* 00:00:00"),
    ("*-*-31", "*-*-31 00:00:00"),
    ("*-02-30", "*-02-30 00:00:00"),
    ("2024-02-29 12:00", "2024-02-29 12:00:00"),
    ("*-02-29 12:00", "*-02-29 12:00:00"),
    ("*-1,2-1", "*-01,02-01 00:00:00"),
    ("*-*-01,01", "*-*-01 00:00:00"),
    ("*-*-1..31", "*-*-01..31 00:00:00"),
    ("*-*-1..31/40", "*-*-01 00:00:00"),
    ("*-*-30/1", "*-*-30/1 00:00:00"),
    ("*-*-1/30", "*-*-01/30 00:00:00"),
    ("*-1..12-*", "*-01..12-* 00:00:00"),
    ("2024..2199-*-*", "2024..2199-*-* 00:00:00"),
    ("1970..2199/100-*-*", "1970..2170/100-*-* 00:00:00"),
    ("2023/2-*-*", "2023/2-*-* 00:00:00"),
    ("1/2-*-*", "2001/2-*-* 00:00:00"),
    ("2024-*-* 1..1:00", "2024-*-* 01:00:00"),
    // Days from the month's end.
    ("*-02~03", "*-02~03 00:00:00"),
    ("*~01", "*-*~01 00:00:00"),
    ("*-*~1..3", "*-*~01..03 00:00:00"),
    ("*-*~1..1", "*-*~01 00:00:00"),
    ("*-02~28", "*-02~28 00:00:00"),
    ("*-*~28/27", "*-*~28/27 00:00:00"),
    ("*-*~7..1 Fri", nil),
    ("Fri *-*~07..01", nil),
    ("Fri *-*~01..07", "Fri *-*~01..07 00:00:00"),
    ("*~*", "*-*-* 00:00:00"),
    ("*-*~*", "*-*-* 00:00:00"),
    // Times.
    ("*:0/15", "*-*-* *:00/15:00"),
    ("*:0/59", "*-*-* *:00/59:00"),
    ("*:1/58", "*-*-* *:01/58:00"),
    ("1..5/2:00", "*-*-* 01..05/2:00:00"),
    ("1..6/2:00", "*-*-* 01..05/2:00:00"),
    ("0..0:00", "*-*-* 00:00:00"),
    ("1..2/5:00", "*-*-* 01:00:00"),
    ("3..3/2:00", "*-*-* 03:00:00"),
    ("1..1:00", "*-*-* 01:00:00"),
    ("0..23:0", "*-*-* 00..23:00:00"),
    ("0/1:00", "*-*-* 00/1:00:00"),
    ("22/1:00", "*-*-* 22/1:00:00"),
    ("1,2,3,1:00", "*-*-* 01,02,03:00:00"),
    ("3..5,1..7/2:00", "*-*-* 01..07/2,03..05:00:00"),
    ("*-*-* 01,03..05,02:00", "*-*-* 01,02,03..05:00:00"),
    ("*-*-* 12:00,30", "*-*-* 12:00,30:00"),
    ("12:*", "*-*-* 12:*:00"),
    ("12:*:*", "*-*-* 12:*:*"),
    ("*:*", "*-*-* *:*:00"),
    ("*-*-* *:*:*", "*-*-* *:*:*"),
    ("*-*-* *:*:0/5", "*-*-* *:*:00/5"),
    ("0:0", "*-*-* 00:00:00"),
    ("12:30:1.5", "*-*-* 12:30:01.500000"),
    ("*:*:59.999999", "*-*-* *:*:59.999999"),
    ("00:00:0..59/60", "*-*-* 00:00:00"),
    ("00:00:1.5/0.25", "*-*-* 00:00:01.500000/0.250000"),
    ("*-*-* 00:00:00.5..1.5", "*-*-* 00:00:00.500000..01.500000"),
    ("00:00:00..59", "*-*-* 00:00:00..59"),
    ("12:00:00.0000001", "*-*-* 12:00:00"),
    ("12:00:00.1234567", "*-*-* 12:00:00.123457"),
    // Zones.
    ("12:30 GMT", "*-*-* 12:30:00 GMT"),
    ("12:30 CET", "*-*-* 12:30:00 CET"),
    ("Sun 02:00 utc", "Sun *-*-* 02:00:00 UTC"),
    ("08:00 America/Argentina/Buenos_Aires", "*-*-* 08:00:00 America/Argentina/Buenos_Aires"),
    // Epoch.
    ("@1700000000", "2023-11-14 22:13:20 UTC"),
    // Refused.
    ("", nil),
    ("*", nil),
    ("utc", nil),
    (" daily", nil),
    ("daily ", nil),
    ("Sun 02:00  UTC", nil),
    ("Sun 25:00", nil),
    ("*-*-* 24:00", nil),
    ("*:*:60", nil),
    ("Fri..Mon", nil),
    ("Wed..Mon", nil),
    ("*:*/15", nil),
    ("*/2:00", nil),
    ("*-*-* *:*:*/5", nil),
    ("*:0/60", nil),
    ("*:1/59", nil),
    ("23/1:00", nil),
    ("*-*-31/1", nil),
    ("*-*-1/31", nil),
    ("00:00:59/1", nil),
    ("00:00:30/30", nil),
    ("5..3:00", nil),
    ("00:00:5..3", nil),
    ("*-*~3..1", nil),
    ("*-02~0", nil),
    ("*-02~29", nil),
    ("*-*~01/27", nil),
    ("*-*~02/2", nil),
    ("*-*~1/1", nil),
    ("*-*-1/0", nil),
    ("2200-01-01", nil),
    ("1969-01-01", nil),
    ("99999999999:00", nil),
    ("2147483647:00", nil),
    ("12:30 Europe/Nowhere", nil),
    ("12:30 UTC+2", nil),
    ("Mo", nil),
    ("Mond", nil),
    ("Monx", nil),
    ("Mon.Tue", nil),
    ("Mon...Tue", nil),
    ("Mon-Tue-Wed", nil),
    ("Mon..Tue..Wed", nil),
    ("Mon,,Tue", nil),
    (",Mon", nil),
    ("Mon ,Tue", nil),
    ("Mon..", nil),
    ("12:00 Mon", nil),
    ("2024-03-04 Mon", nil),
    ("*-*-*-*", nil),
    ("1-2-3-4", nil),
    ("1:2:3:4", nil),
    ("12:", nil),
    (":30", nil),
    ("12:30:", nil),
    ("-1:00", nil),
    ("+1:00", nil),
    ("*-~01", nil),
    ("@1700000000 12:00", nil),
    ("Sun 02:00 every week", nil),
    ("Sonntag 02:00", nil),
]

@Suite struct CalendarSpecTests {
    @Test(arguments: table) func normalizesAndRefusesAsSystemdDoes(expression: String, expected: String?) {
        let spec = try? CalendarSpec(parsing: expression)
        #expect(spec?.normalized == expected, "`\(expression)`")
        if let spec {
            // The normalized form reads back as itself.
            #expect((try? CalendarSpec(parsing: spec.normalized))?.normalized == spec.normalized)
        }
    }

    /// Every expression of the table, put to the real `systemd-analyze calendar` (systemd
    /// 252 on Debian 12): the same verdict, normalized form and next five elapses, read in
    /// UTC and in Europe/Berlin (clocks change on 2024-03-31 and 2024-10-27).
    @Test func everyExpressionMatchesSystemdAnalyze() throws {
        guard SystemdAnalyzeCalendar.available else {
            print("SKIPPED: \(SystemdAnalyzeCalendar.path) is not installed; compared with the recorded table only")
            return
        }
        let bases = [base, date("2024-03-30T12:00:00Z"), date("2024-10-26T23:10:00Z"), date("2024-10-27T01:10:00Z")]
        var compared = 0
        for (zoneName, zone) in [("UTC", utc), ("Europe/Berlin", berlin)] {
            // systemd reads the local zone's own abbreviation (CET in Berlin) as "local time
            // with daylight saving forced off", and then finds no elapse after the spring
            // change; mlopsd reads CET as the tz database zone of that name.
            for (expression, _) in table where !(zoneName == "Europe/Berlin" && expression.hasSuffix(" CET")) {
                for start in zoneName == "UTC" ? [base] : bases {
                    let reference = try SystemdAnalyzeCalendar.ask(
                        expression,
                        base: start,
                        iterations: 5,
                        zone: zoneName
                    )
                    let spec = try? CalendarSpec(parsing: expression)
                    #expect(spec?.normalized == reference.normalized, "`\(expression)` in \(zoneName)")
                    guard let spec else { continue }
                    let ours = spec.elapses(after: start, count: 5, localTimeZone: zone)
                        .map { Date(timeIntervalSince1970: $0.timeIntervalSince1970.rounded(.down)) }
                    #expect(
                        ours == reference.elapses,
                        "`\(expression)` in \(zoneName) after \(Timestamp.string(start))"
                    )
                    compared += 1
                }
            }
        }
        print("CalendarSpec: \(compared) expression/zone/base combinations agree with systemd-analyze")
    }

    @Test func sundayAtTwoElapsesOnSundaysAtTwo() throws {
        let spec = try CalendarSpec(parsing: "Sun *-*-* 02:00")
        #expect(
            spec.elapses(after: base, count: 3, localTimeZone: utc) == [
                date("2024-03-03T02:00:00Z"), date("2024-03-10T02:00:00Z"), date("2024-03-17T02:00:00Z"),
            ]
        )
        // The same wall time in Berlin is an hour earlier in UTC in winter, two in summer;
        // on 2024-03-31 the clocks jump from 02:00 to 03:00, so that Sunday has no 02:00.
        #expect(
            spec.elapses(after: date("2024-03-17T12:00:00Z"), count: 3, localTimeZone: berlin) == [
                date("2024-03-24T01:00:00Z"), date("2024-04-07T00:00:00Z"), date("2024-04-14T00:00:00Z"),
            ]
        )
    }

    @Test func aTimeSkippedByTheClockChangeIsSkippedThatDay() throws {
        let spec = try CalendarSpec(parsing: "*-*-* 02:30")
        #expect(
            spec.elapses(after: date("2024-03-30T12:00:00Z"), count: 2, localTimeZone: berlin) == [
                date("2024-04-01T00:30:00Z"), date("2024-04-02T00:30:00Z"),
            ]
        )
    }

    @Test func aTimeThatOccursTwiceElapsesOnce() throws {
        let spec = try CalendarSpec(parsing: "*-*-* 02:30")
        #expect(
            spec.elapses(after: date("2024-10-26T12:00:00Z"), count: 2, localTimeZone: berlin) == [
                date("2024-10-27T00:30:00Z"), date("2024-10-28T01:30:00Z"),
            ]
        )
    }

    @Test func anExpressionThatNeverElapsesAgainHasNoNextElapse() throws {
        #expect(try CalendarSpec(parsing: "2023-11-14").nextElapse(after: base, localTimeZone: utc) == nil)
        #expect(try CalendarSpec(parsing: "*-02-30").nextElapse(after: base, localTimeZone: utc) == nil)
        #expect(try CalendarSpec(parsing: "2199-12-31").nextElapse(after: base, localTimeZone: utc) != nil)
    }

    @Test func theLatestElapseIsTheNewestSlotNotLaterThanNow() throws {
        let spec = try CalendarSpec(parsing: "Sun *-*-* 02:00")
        let now = date("2024-03-20T09:00:00Z")
        #expect(spec.latestElapse(atOrBefore: now, after: base, localTimeZone: utc) == date("2024-03-17T02:00:00Z"))
        // An elapse exactly at now counts; one exactly at the lower bound does not.
        #expect(
            spec.latestElapse(atOrBefore: date("2024-03-17T02:00:00Z"), after: base, localTimeZone: utc)
                == date("2024-03-17T02:00:00Z")
        )
        #expect(
            spec.latestElapse(atOrBefore: now, after: date("2024-03-17T02:00:00Z"), localTimeZone: utc) == nil
        )
        // Every second, months apart: still found by bisection.
        let everySecond = try CalendarSpec(parsing: "*:*:*")
        #expect(
            everySecond.latestElapse(atOrBefore: date("2024-09-01T10:11:12.5Z"), after: base, localTimeZone: utc)
                == date("2024-09-01T10:11:12Z")
        )
    }

    @Test func errorsSayWhatIsWrong() {
        func message(_ text: String) -> String {
            do {
                _ = try CalendarSpec(parsing: text)
                return "accepted"
            } catch {
                return error.description
            }
        }
        #expect(message("Sun 25:00") == "hour 25 is out of range 0…23")
        #expect(message("*:*:60") == "second 60 is out of range 0…59.999999")
        #expect(message("Fri..Mon").hasPrefix("the weekday range `Fri..Mon` runs backwards"))
        #expect(message("5..3:00") == "the hour range `05..03` ends before it starts")
        #expect(message("*:0/60").hasPrefix("the repetition in `00/60` is too long"))
        #expect(message("*-*-1/0") == "a repetition of /0 in the day never advances")
        #expect(message("12:30 Europe/Nowhere").hasPrefix("`Europe/Nowhere` is not a time zone"))
        #expect(message("Mond 02:00").hasPrefix("unexpected `Mond 02:00`: expected a weekday name"))
        #expect(message("") == "the calendar expression is empty")
        #expect(message("12:30:") == "the expression ends where a number was expected")
    }

    @Test func equalExpressionsAreEqualHoweverWritten() throws {
        #expect(try CalendarSpec(parsing: "weekly") == CalendarSpec(parsing: "Mon *-*-* 00:00:00"))
        #expect(try CalendarSpec(parsing: "weekly") != CalendarSpec(parsing: "weekly UTC"))
        #expect(try CalendarSpec(parsing: "Sun 02:00").original == "Sun 02:00")
    }
}
