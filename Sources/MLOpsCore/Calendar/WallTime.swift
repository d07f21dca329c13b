/// A wall-clock time split into fields, for walking a calendar expression forward field by
/// field (``CalendarSpec/nextWall(atOrAfter:)``). Seconds are microseconds of the minute.
struct WallTime: Sendable, Equatable {
    var year: Int
    var month = 1
    var day = 1
    var hour = 0
    var minute = 0
    /// 0…59,999,999.
    var microsecond = 0

    /// The start of a year, month or day.
    init(year: Int, month: Int = 1, day: Int = 1) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// The fields of `wall` microseconds since the epoch, read as UTC.
    init(_ wall: Int64) {
        let perDay: Int64 = 86_400_000_000
        var days = wall / perDay
        var rest = wall % perDay
        if rest < 0 {
            rest += perDay
            days -= 1
        }
        let date = CivilDate(days: Int(days))
        self.init(year: date.year, month: date.month, day: date.day)
        hour = Int(rest / 3_600_000_000)
        minute = Int(rest / 60_000_000 % 60)
        microsecond = Int(rest % 60_000_000)
    }

    /// Microseconds since the epoch, read as UTC.
    var microsecondsSinceEpoch: Int64 {
        let days = Int64(CivilDate(year: year, month: month, day: day).days)
        return ((days * 24 + Int64(hour)) * 60 + Int64(minute)) * 60_000_000 + Int64(microsecond)
    }

    /// The first day of the next month.
    mutating func nextMonth() {
        self = month == 12 ? WallTime(year: year + 1) : WallTime(year: year, month: month + 1)
    }

    /// Midnight of the next day.
    mutating func nextDay() {
        if day >= CivilDate.daysInMonth(year: year, month: month) {
            nextMonth()
        } else {
            self = WallTime(year: year, month: month, day: day + 1)
        }
    }

    /// The start of the next hour.
    mutating func nextHour() {
        if hour == 23 {
            nextDay()
        } else {
            (hour, minute, microsecond) = (hour + 1, 0, 0)
        }
    }

    /// The start of the next minute.
    mutating func nextMinute() {
        if minute == 59 {
            nextHour()
        } else {
            (minute, microsecond) = (minute + 1, 0)
        }
    }
}
