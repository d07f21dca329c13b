extension ColumnDistribution {
    /// Every monitored column of a model, in the report's order (features as the spec lists
    /// them, then equipment, then population fields): the reference profile against the
    /// window a check would judge.
    public static func monitored(spec: ModelSpec, reference: ReferenceProfile, window: MonitoringWindow) -> [Self] {
        var distributions: [Self] = []
        var numericIndex = 0
        var categoricalIndex = 0
        for feature in spec.features {
            if feature.type == .numerical {
                let current = numericIndex < window.numeric.count ? window.numeric[numericIndex] : []
                numericIndex += 1
                distributions.append(
                    .numeric(
                        name: feature.name,
                        kind: .numerical,
                        reference: reference.numeric[feature.name] ?? [],
                        current: current
                    )
                )
            } else {
                let current = categoricalIndex < window.categorical.count ? window.categorical[categoricalIndex] : []
                categoricalIndex += 1
                distributions.append(
                    .categorical(
                        name: feature.name,
                        kind: .categorical,
                        reference: reference.categorical[feature.name] ?? [:],
                        current: counts(current)
                    )
                )
            }
        }
        let equipment = Set(spec.segments.equipment)
        for (index, field) in spec.segmentFields.enumerated() {
            let current = index < window.segments.count ? window.segments[index] : []
            distributions.append(
                .categorical(
                    name: field,
                    kind: equipment.contains(field) ? .equipment : .population,
                    reference: reference.segments[field] ?? [:],
                    current: counts(current)
                )
            )
        }
        return distributions
    }

    /// Every column of two CSV files as `mlopsctl drift` read them, in the reference file's
    /// order.
    public static func compared(_ pair: DriftComparison.Pair) -> [Self] {
        pair.reference.header.enumerated().compactMap { index, name -> Self? in
            guard let currentIndex = pair.current.header.firstIndex(of: name) else { return nil }
            switch (pair.reference.columns[index], pair.current.columns[currentIndex]) {
            case (.numerical(let reference), .numerical(let current)):
                return .numeric(name: name, kind: .numerical, reference: reference, current: current)
            case (.categorical(let reference), .categorical(let current)):
                return .categorical(
                    name: name,
                    kind: .categorical,
                    reference: reference.countsByValue,
                    current: current.countsByValue
                )
            default:
                // DriftComparison.read gives a column one type in both files.
                return nil
            }
        }
    }
}
