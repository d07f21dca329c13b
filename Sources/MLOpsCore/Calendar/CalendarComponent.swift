/// One value of a calendar expression's field: a single value (`5`), a range (`1..5`),
/// a repetition (`0/15`: 0, 15, 30, …) or a range with a repetition (`1..23/2`).
/// Seconds are in microseconds.
struct CalendarComponent: Sendable, Equatable, Comparable {
    /// The first value.
    var start: Int
    /// The last value of a range; nil: no end (a single value, or a repetition to the
    /// field's end).
    var stop: Int?
    /// The step; 0 for a single value. A range without `/N` steps by one unit.
    var step: Int

    /// Ordered as systemd orders them (start, then stop with "no stop" first, then step), so
    /// that the normalized form lists them the same way.
    static func < (a: CalendarComponent, b: CalendarComponent) -> Bool {
        if a.start != b.start { return a.start < b.start }
        if (a.stop ?? -1) != (b.stop ?? -1) { return (a.stop ?? -1) < (b.stop ?? -1) }
        return a.step < b.step
    }

    /// The smallest value `>= value` this component allows, if any (unbounded above but
    /// for `stop`; the caller checks the field's own end).
    func first(atLeast value: Int) -> Int? {
        if start >= value { return start }
        guard step > 0 else { return nil }
        let steps = (value - start + step - 1) / step
        let candidate = start + steps * step
        if let stop, candidate > stop { return nil }
        return candidate
    }

    /// The component with a range's end pulled back onto its last step (`1..6/2` →
    /// `1..5/2`), and a range of one value made a single value (`1..1` → `1`).
    var normalized: CalendarComponent {
        var c = self
        if let stop = c.stop, stop > c.start, c.step > 0 { c.stop = stop - (stop - c.start) % c.step }
        if c.stop == c.start {
            c.stop = nil
            c.step = 0
        }
        return c
    }

    /// The problem with this component in `field`, if any (counted from the month's end
    /// when `fromEnd`), after normalization. Mirrors the limits systemd applies.
    func problem(in field: CalendarField, fromEnd: Bool) -> CalendarSpecError? {
        let from = field.bounds.lowerBound
        let to = fromEnd ? field.bounds.upperBound - 3 : field.bounds.upperBound
        guard (from...to).contains(start) else {
            return .outOfRange(field: field, value: Self.text(start, field: field, width: 0))
        }
        if step > to - from { return .repetitionTooLong(field: field, component: text(field)) }
        if let stop {
            guard (from...to).contains(stop) else {
                return .outOfRange(field: field, value: Self.text(stop, field: field, width: 0))
            }
            if start + step > stop { return .backwardsRange(field: field, component: text(field)) }
        } else if fromEnd ? start - step < from : start + step > to {
            return .repetitionTooLong(field: field, component: text(field))
        }
        return nil
    }

    /// As systemd writes it: zero-padded to `width` digits (4 for years, else 2), seconds
    /// with six decimals when they have a fraction, the step without padding.
    func text(_ field: CalendarField, width: Int = 2) -> String {
        var out = Self.text(start, field: field, width: width)
        if let stop { out += ".." + Self.text(stop, field: field, width: width) }
        if step > 0, !(stop != nil && step == field.scale) { out += "/" + Self.text(step, field: field, width: 0) }
        return out
    }

    /// `value` zero-padded to `width` digits, with `.ffffff` when a seconds value has a fraction.
    static func text(_ value: Int, field: CalendarField, width: Int) -> String {
        let whole = String(value / field.scale)
        var out = String(repeating: "0", count: max(0, width - whole.count)) + whole
        let fraction = value % field.scale
        if fraction > 0 {
            let digits = String(fraction)
            out += "." + String(repeating: "0", count: 6 - digits.count) + digits
        }
        return out
    }
}

extension Array where Element == CalendarComponent {
    /// The smallest value `>= value` and `<= limit` that any component allows.
    func first(atLeast value: Int, limit: Int) -> Int? {
        var best: Int?
        for component in self {
            if let v = component.first(atLeast: value), v <= limit, best.map({ v < $0 }) ?? true { best = v }
        }
        return best
    }

    /// Each component normalized, sorted and without repeats.
    var normalizedChain: [CalendarComponent] {
        var out: [CalendarComponent] = []
        for c in map(\.normalized).sorted() where out.last != c { out.append(c) }
        return out
    }
}
