import Foundation
import Testing

@testable import MLOpsCore

/// ``JSONValueEncoder`` gives the tree that `JSONEncoder` followed by decoding its text as a
/// `JSONValue` gives (what results carried before), for real result types and the corner
/// cases of numbers, nils and nested containers.
@Suite struct JSONValueEncoderTests {
    /// The round trip the tree encoder replaces.
    static func roundTrip(_ value: some Encodable) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
    }

    @Test func realResultsGiveTheTreeOfTheTextRoundTrip() throws {
        let report = ReportFixture.report(columns: 6, checks: 12)
        let history = Kinds.MonitoringHistory.Result(model: report.model, checks: report.checks)
        #expect(try JSONValueEncoder().encode(history) == Self.roundTrip(history))
        let latest = try #require(report.latest)
        #expect(try JSONValueEncoder().encode(latest) == Self.roundTrip(latest))
        for alert in report.alerts {
            #expect(try JSONValueEncoder().encode(alert) == Self.roundTrip(alert))
        }
        for run in report.runs {
            #expect(try JSONValueEncoder().encode(run) == Self.roundTrip(run))
        }
        for event in report.events {
            #expect(try JSONValueEncoder().encode(event.event) == Self.roundTrip(event.event))
        }
    }

    struct Corners: Encodable {
        var whole = 3.0
        var fraction = 0.1
        var negativeZero = -0.0
        var big = 1e300
        var tiny = 5e-324
        var float: Float = 0.1
        var unsigned = UInt64.max
        var small: Int8 = -7
        var absent: String? = nil
        var explicitNull: String? = nil
        var date = Date(timeIntervalSinceReferenceDate: 12.5)
        var data = Data([0, 1, 2, 250])
        var map = ["b": [1, 2], "a": []]
        var nested: [[String?]] = [["x", nil], []]

        enum CodingKeys: String, CodingKey {
            case whole, fraction, negativeZero, big, tiny, float, unsigned, small, absent, explicitNull, date, data, map
            case nested, inner, list
        }

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(whole, forKey: .whole)
            try c.encode(fraction, forKey: .fraction)
            try c.encode(negativeZero, forKey: .negativeZero)
            try c.encode(big, forKey: .big)
            try c.encode(tiny, forKey: .tiny)
            try c.encode(float, forKey: .float)
            try c.encode(unsigned, forKey: .unsigned)
            try c.encode(small, forKey: .small)
            try c.encodeIfPresent(absent, forKey: .absent)
            try c.encode(explicitNull, forKey: .explicitNull)
            try c.encode(date, forKey: .date)
            try c.encode(data, forKey: .data)
            try c.encode(map, forKey: .map)
            try c.encode(nested, forKey: .nested)
            var inner = c.nestedContainer(keyedBy: CodingKeys.self, forKey: .inner)
            try inner.encode(2.5, forKey: .whole)
            var list = c.nestedUnkeyedContainer(forKey: .list)
            try list.encode(true)
            try list.encodeNil()
            var deeper = list.nestedUnkeyedContainer()
            try deeper.encode("z")
        }
    }

    @Test func numbersNilsAndNestedContainersMatchTheRoundTrip() throws {
        let tree = try JSONValueEncoder().encode(Corners())
        #expect(tree == (try Self.roundTrip(Corners())))
        #expect(tree["whole"] == .int(3), "a whole double reads back as an int")
        #expect(tree["absent"] == nil && tree["explicitNull"] == .null)
        #expect(tree["list"] == .array([.bool(true), .null, .array([.string("z")])]))
    }

    @Test func aNonFiniteNumberIsAnErrorAsInJSONEncoder() {
        #expect(throws: EncodingError.self) { try JSONValueEncoder().encode([Double.nan]) }
        #expect(throws: EncodingError.self) { try JSONValueEncoder().encode(["x": Double.infinity]) }
        #expect(throws: (any Error).self) { try JSONEncoder().encode([Double.nan]) }
    }

    @Test func aValueThatWritesNothingIsAnEmptyObjectWhereJSONEncoderRefusesIt() throws {
        struct Nothing: Encodable { func encode(to encoder: Encoder) throws {} }
        #expect(try JSONValueEncoder().encode(Nothing()) == .object([:]))
        #expect(throws: EncodingError.self) { try Self.roundTrip(Nothing()) }
        #expect(try JSONValueEncoder().encode([Nothing()]) == .array([.object([:])]))
    }
}
