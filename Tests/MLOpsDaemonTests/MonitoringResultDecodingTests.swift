import Foundation
import MLOpsCore
import Testing

/// The typed results of the monitoring kinds read what the daemon wrote: every golden
/// result document of `log-predictions`, `log-ground-truth`, `monitor-model`,
/// `monitor-all`, `list-alerts`, `acknowledge-alert`, `get-alert` and `monitoring-history`
/// decodes into its kind's `Result`,
/// and encoding that gives back the same JSON, byte for byte.
struct MonitoringResultDecodingTests {
    static let goldenDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Golden").path

    /// The monitoring kinds and a round trip through each one's typed result.
    static let roundTrips: [JobKind: @Sendable (JSONValue) throws -> Data] = [
        .logPredictions: { try roundTrip(Kinds.LogPredictions.self, $0) },
        .logGroundTruth: { try roundTrip(Kinds.LogGroundTruth.self, $0) },
        .monitorModel: { try roundTrip(Kinds.MonitorModel.self, $0) },
        .monitorAll: { try roundTrip(Kinds.MonitorAll.self, $0) },
        .listAlerts: { try roundTrip(Kinds.ListAlerts.self, $0) },
        .acknowledgeAlert: { try roundTrip(Kinds.AcknowledgeAlert.self, $0) },
        .getAlert: { try roundTrip(Kinds.GetAlert.self, $0) },
        .monitoringHistory: { try roundTrip(Kinds.MonitoringHistory.self, $0) },
    ]

    static func roundTrip<Kind: JobKindDeclaration>(_ kind: Kind.Type, _ result: JSONValue) throws -> Data {
        try JSONEncoder.mlopsPretty.encode(try Kind.decodeResult(result))
    }

    @Test func everyGoldenMonitoringResultDecodesIntoItsTypedResultAndEncodesBackUnchanged() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.goldenDirectory).filter {
            $0.hasSuffix(".json")
        }.sorted()
        var checked: Set<JobKind> = []
        for file in files {
            let data = try Data(contentsOf: URL(fileURLWithPath: Self.goldenDirectory + "/" + file))
            let document = try JSONDecoder().decode(JSONValue.self, from: data)
            guard let kind = document["kind"]?.stringValue.flatMap(JobKind.init(rawValue:)),
                let roundTrip = Self.roundTrips[kind], let result = document["result"]
            else { continue }
            let expected = String(decoding: try JSONEncoder.mlopsPretty.encode(result), as: UTF8.self)
            let typed = String(decoding: try roundTrip(result), as: UTF8.self)
            #expect(typed == expected, "\(file): the typed result does not encode back to the daemon's JSON")
            checked.insert(kind)
        }
        #expect(checked == Set(Self.roundTrips.keys), "golden files cover every monitoring kind with a result")
    }

    @Test func predictionsWithoutAVersionWriteVersionNullAndLeaveNoCheckOut() throws {
        let result = Kinds.LogPredictions.Result(
            model: "xray",
            version: nil,
            received: 1,
            ingested: 1,
            labelled: 0,
            duplicates: 0,
            duplicateIds: [],
            ignoredColumns: [],
            note: "no production version"
        )
        let json = try JSONValue(encoding: result)
        #expect(json["version"] == .null)
        #expect(json["note"] == "no production version")
        #expect(json["check"] == nil)
        #expect(try Kinds.LogPredictions.decodeResult(json) == result)
    }

    @Test func aModelCheckThatCouldNotRunCarriesOnlyItsStatusAndModel() throws {
        let result = Kinds.MonitorModel.Result(model: "xray", skipped: .referenceUnavailable)
        let json = try JSONValue(encoding: result)
        #expect(json == ["model": "xray", "status": "reference_unavailable"])
        #expect(try Kinds.MonitorModel.decodeResult(json) == result)
        let summary = try JSONValue(encoding: CheckSummary(skipped: .noProductionVersion))
        #expect(summary == ["status": "no_production_version"])
    }
}
