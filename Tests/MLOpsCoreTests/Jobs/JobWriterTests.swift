import Foundation
import Testing

@testable import MLOpsCore

/// A job written from typed parameters is the job the daemon validates back into the same
/// parameters: what `mlopsctl` submits is what the handler receives.
@Suite struct JobWriterTests {
    /// Writes a job of `Kind`, validates it as the daemon does and returns the parameters
    /// the handler would receive.
    func roundTrip<Kind: JobKindDeclaration>(
        _ kind: Kind.Type,
        model: String? = "chest-xray",
        reason: String? = nil,
        _ parameters: Kind.Parameters
    ) throws -> (ValidatedJob, Kind.Parameters) {
        let text = try JobWriter.text(kind, model: model, reason: reason, parameters: parameters)
        switch JobValidator.validate(text: text, fileName: "written.yaml") {
        case .valid(let job):
            let typed = try #require(job.typed(as: kind), "\(text)")
            return (job, typed.parameters)
        case .rejected(_, _, _, let failure):
            Issue.record("the written job was rejected: \(failure.errors) in\n\(text)")
            throw failure
        }
    }

    @Test func parametersWithDefaultsAndOptionalsComeBackEqual() throws {
        let promote = Kinds.PromoteVersion.Parameters(version: "1.2.0", force: true, archive: true)
        #expect(try roundTrip(Kinds.PromoteVersion.self, reason: "gates overridden", promote).1 == promote)
        let alerts = Kinds.ListAlerts.Parameters(includeResolved: true, type: "data_drift", limit: 7)
        #expect(try roundTrip(Kinds.ListAlerts.self, alerts).1 == alerts)
        let history = Kinds.RetrainingHistory.Parameters(trigger: .drift, includeSuppressed: false, limit: 3)
        #expect(try roundTrip(Kinds.RetrainingHistory.self, history).1 == history)
        let stats = Kinds.RetrainingStats.Parameters(days: 1.5)
        #expect(try roundTrip(Kinds.RetrainingStats.self, model: nil, stats).1 == stats)
    }

    @Test func omittedOptionalsTakeTheSchemaDefaults() throws {
        // The struct's defaults are the schema's: a job that writes no params decodes to them.
        guard case .valid(let job) = JobValidator.validate(text: "kind: list-versions\nmodel: m\n", fileName: "v.yaml"),
            let parameters = job.typed(as: Kinds.ListVersions.self)?.parameters
        else {
            Issue.record("a list-versions job without params was refused")
            return
        }
        #expect(parameters == Kinds.ListVersions.Parameters())
        #expect(job.params["include_archived"] == .bool(true))
    }

    @Test func pipelineValuesKeepTheirTypesBesideThePipeline() throws {
        let selection = PipelineSelection(
            pipeline: "default",
            values: [
                "data": "/data/train.csv", "epochs": 3, "rate": 0.25, "dry": false, "tags": ["a", "b"],
                "nested": ["k": "v"],
            ]
        )
        let (_, back) = try roundTrip(Kinds.RunPipeline.self, selection)
        #expect(back == selection)
        let (_, trigger) = try roundTrip(Kinds.RetrainingTrigger.self, PipelineSelection())
        #expect(trigger == PipelineSelection())
    }

    @Test func inlineRecordsAndFilesAreTheTwoSourcesOfData() throws {
        let labels = Kinds.LogGroundTruth.Parameters(source: .inline([.init(id: "p-1", label: "normal")]))
        #expect(try roundTrip(Kinds.LogGroundTruth.self, labels).1 == labels)
        let file = Kinds.LogPredictions.Parameters(source: .file("/data/p.csv", format: .csv), version: "1.0.0")
        #expect(try roundTrip(Kinds.LogPredictions.self, file).1 == file)
        let inline = Kinds.LogPredictions.Parameters(
            source: .inline([["id": "p-1", "prediction": "normal", "age": 61]])
        )
        #expect(try roundTrip(Kinds.LogPredictions.self, inline).1 == inline)
    }

    @Test func textAUserTypesCannotChangeTheJobsStructure() throws {
        let hostile = "x\"\nkind: rollback\n  - \u{0}\u{7F}\u{2028}é\\ #: {a}"
        let (job, parameters) = try roundTrip(
            Kinds.CreateVersion.self,
            reason: hostile,
            Kinds.CreateVersion.Parameters(artifact: "/data/a b/\"c\"", description: hostile)
        )
        #expect(job.kind == .createVersion)
        #expect(job.reason == hostile)
        #expect(parameters.description == hostile)
        #expect(parameters.artifact == "/data/a b/\"c\"")
    }

    @Test func aModelSpecRoundTripsThroughRegisterModel() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
                "examples/register-chest-xray.yaml"
            )
        let text = try String(contentsOf: url, encoding: .utf8)
        guard case .valid(let example) = JobValidator.validate(text: text, fileName: "register-chest-xray.yaml"),
            let spec = example.typed(as: Kinds.RegisterModel.self)?.parameters
        else {
            Issue.record("the example does not validate")
            return
        }
        #expect(try roundTrip(Kinds.RegisterModel.self, spec).1 == spec)
    }

    @Test func kindsWithoutParametersWriteNoParamsKey() throws {
        let text = try JobWriter.text(Kinds.MonitorModel.self, model: "m")
        #expect(text == "kind: monitor-model\nmodel: \"m\"\n")
    }
}

/// Decoding straight from a JSONValue tree follows JSON's rules and says where it failed.
@Suite struct JSONValueDecoderTests {
    struct Sample: Decodable, Equatable {
        var ratio: Double
        var count: Int
        var name: String?
        var tags: [String]
        var free: [String: JSONValue]
    }

    @Test func integersDecodeAsDoublesAndNullIsAbsent() throws {
        let value: JSONValue = ["ratio": 2, "count": 3, "name": nil, "tags": ["a"], "free": ["x": [1, "y"]]]
        let sample = try JSONValueDecoder().decode(Sample.self, from: value)
        #expect(sample == Sample(ratio: 2, count: 3, name: nil, tags: ["a"], free: ["x": [1, "y"]]))
    }

    @Test func aMismatchNamesItsCodingPath() throws {
        let value: JSONValue = ["ratio": 1, "count": "three", "tags": [], "free": [:]]
        do {
            _ = try JSONValueDecoder().decode(Sample.self, from: value)
            Issue.record("decoded text as an integer")
        } catch DecodingError.typeMismatch(_, let context) {
            #expect(context.codingPath.map(\.stringValue) == ["count"])
        }
    }

    @Test func aWholeDoubleDecodesAsAnIntegerButAFractionDoesNot() throws {
        #expect(try JSONValueDecoder().decode(Int.self, from: .double(4)) == 4)
        #expect(throws: DecodingError.self) { try JSONValueDecoder().decode(Int.self, from: .double(4.5)) }
    }
}
