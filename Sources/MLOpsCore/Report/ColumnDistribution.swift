/// One column's values in the reference data against the current ones, reduced to what a
/// chart draws: shared histogram bins for numbers, counts per value for categories. Built
/// without I/O from the reference profile and the window (model report) or from two CSV
/// files (`mlopsctl drift --html`).
public struct ColumnDistribution: Sendable, Equatable {
    /// The counts.
    public enum Shape: Sendable, Equatable {
        /// Numbers: `edges` has one more element than each count list; bin `i` holds values
        /// in `[edges[i], edges[i+1])`, the last bin also its upper edge.
        case numeric(edges: [Double], reference: [Int], current: [Int])
        /// Categories: every value seen on either side, most frequent in the reference first
        /// then values the reference never had (at most ``maxCategories`` in all, new values up to a
        /// third of them; the rest are summed into `other`).
        case categorical(values: [Category], other: Category?)
    }

    /// One category's counts.
    public struct Category: Sendable, Equatable {
        /// The value.
        public var value: String
        /// Rows with it in the reference.
        public var reference: Int
        /// Rows with it in the current data.
        public var current: Int

        /// A category.
        public init(value: String, reference: Int, current: Int) {
            self.value = value
            self.reference = reference
            self.current = current
        }

        /// Whether the reference never had it (a new scanner, a new site).
        public var isNew: Bool { reference == 0 && current > 0 }
    }

    /// Histogram bins of a numerical column.
    public static let bins = 20
    /// Categories drawn one by one; the rest are summed.
    public static let maxCategories = 30

    /// The column.
    public var name: String
    /// Feature, equipment or population column.
    public var kind: ColumnKind
    /// The counts.
    public var shape: Shape
    /// Values counted in the reference (missing ones left out).
    public var referenceCount: Int
    /// Values counted in the current data (missing ones left out).
    public var currentCount: Int

    /// A distribution from its counts.
    public init(name: String, kind: ColumnKind, shape: Shape) {
        self.name = name
        self.kind = kind
        self.shape = shape
        switch shape {
        case .numeric(_, let reference, let current):
            referenceCount = reference.reduce(0, +)
            currentCount = current.reduce(0, +)
        case .categorical(let values, let other):
            referenceCount = values.reduce(0) { $0 + $1.reference } + (other?.reference ?? 0)
            currentCount = values.reduce(0) { $0 + $1.current } + (other?.current ?? 0)
        }
    }

    /// Numbers: ``bins`` equal-width bins over the finite values of both sides together
    /// (non-finite values are missing). With no finite value the histogram has no bins; with
    /// one distinct value, one bin.
    public static func numeric(name: String, kind: ColumnKind, reference: [Double], current: [Double]) -> Self {
        var low = Double.infinity
        var high = -Double.infinity
        for value in reference where value.isFinite {
            low = min(low, value)
            high = max(high, value)
        }
        for value in current where value.isFinite {
            low = min(low, value)
            high = max(high, value)
        }
        guard low <= high else {
            return Self(name: name, kind: kind, shape: .numeric(edges: [], reference: [], current: []))
        }
        let count = high > low ? bins : 1
        // Halves, so values near ±Double.greatestFiniteMagnitude cannot overflow the span.
        let halfWidth = (high / 2 - low / 2) / Double(count)
        let edges = (0...count).map { $0 == count ? high : low + Double($0) * halfWidth + Double($0) * halfWidth }
        func histogram(_ values: [Double]) -> [Int] {
            var counts = [Int](repeating: 0, count: count)
            for value in values where value.isFinite {
                let position = halfWidth > 0 ? (value / 2 - low / 2) / halfWidth : 0
                counts[Int(min(max(position, 0), Double(count - 1)))] += 1
            }
            return counts
        }
        return Self(
            name: name,
            kind: kind,
            shape: .numeric(edges: edges, reference: histogram(reference), current: histogram(current))
        )
    }

    /// Categories from counts per value on each side (empty values are missing and not
    /// given). Order: reference count descending, then current count descending, then value.
    public static func categorical(
        name: String,
        kind: ColumnKind,
        reference: [String: Int],
        current: [String: Int]
    ) -> Self {
        var all = reference.map { Category(value: $0.key, reference: $0.value, current: current[$0.key] ?? 0) }
        for (value, count) in current where reference[value] == nil {
            all.append(Category(value: value, reference: 0, current: count))
        }
        all.sort {
            ($0.reference, $0.current, $1.value) > ($1.reference, $1.current, $0.value)
        }
        guard all.count > maxCategories else {
            return Self(name: name, kind: kind, shape: .categorical(values: all, other: nil))
        }
        // New values stay visible (up to a third of the bars): they are what the report is read for.
        let newValues = all.filter(\.isNew).prefix(maxCategories / 3)
        let known = all.filter { !$0.isNew }.prefix(maxCategories - newValues.count)
        let kept = Array(known) + Array(newValues)
        let keptValues = Set(kept.map(\.value))
        let rest = all.filter { !keptValues.contains($0.value) }
        let other = Category(
            value: "\(rest.count) other values",
            reference: rest.reduce(0) { $0 + $1.reference },
            current: rest.reduce(0) { $0 + $1.current }
        )
        return Self(name: name, kind: kind, shape: .categorical(values: kept, other: other))
    }

    /// Counts of the non-nil, non-empty values.
    public static func counts(_ values: [String?]) -> [String: Int] {
        var counts: [String: Int] = [:]
        for case let value? in values where !value.isEmpty { counts[value, default: 0] += 1 }
        return counts
    }
}
