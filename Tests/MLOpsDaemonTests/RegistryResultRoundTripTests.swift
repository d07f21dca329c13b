import Foundation
import MLOpsCore
import Testing

/// The registry kinds' typed results read what their handlers write: every golden result
/// of a registry kind decodes into the kind's `Result` (``JobKindDeclaration/decodeResult(_:)``,
/// as `mlopsctl` reads it) and encodes back to the same JSON, explicit `null`s included.
struct RegistryResultRoundTripTests {
    static let goldenDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Golden"
    ).path

    /// `result` decoded as `Kind.Result` and encoded again.
    static func roundTrip<Kind: JobKindDeclaration>(_: Kind.Type, _ result: JSONValue) throws -> JSONValue {
        try JSONValue(encoding: Kind.decodeResult(result))
    }

    /// The round trip for a result of `kind`; nil for kinds outside the registry.
    static func roundTrip(kind: String, _ result: JSONValue) throws -> JSONValue? {
        switch kind {
        case JobKind.registerModel.rawValue: return try roundTrip(Kinds.RegisterModel.self, result)
        case JobKind.createVersion.rawValue: return try roundTrip(Kinds.CreateVersion.self, result)
        case JobKind.listVersions.rawValue: return try roundTrip(Kinds.ListVersions.self, result)
        case JobKind.promoteVersion.rawValue: return try roundTrip(Kinds.PromoteVersion.self, result)
        case JobKind.rollback.rawValue: return try roundTrip(Kinds.Rollback.self, result)
        case JobKind.archiveVersions.rawValue: return try roundTrip(Kinds.ArchiveVersions.self, result)
        case JobKind.getProductionModel.rawValue: return try roundTrip(Kinds.GetProductionModel.self, result)
        default: return nil
        }
    }

    @Test func everyGoldenRegistryResultDecodesIntoItsTypedResultAndEncodesBackUnchanged() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.goldenDirectory).filter {
            $0.hasSuffix(".json")
        }.sorted()
        var checked: Set<String> = []
        for name in names {
            let data = try Data(contentsOf: URL(fileURLWithPath: Self.goldenDirectory + "/" + name))
            let document = try JSONDecoder().decode(JSONValue.self, from: data)
            guard let kind = document["kind"]?.stringValue, let result = document["result"], result != .null else {
                continue
            }
            guard let again = try Self.roundTrip(kind: kind, result) else { continue }
            #expect(again == result, "\(name): the typed \(kind) result does not give back the golden JSON")
            checked.insert(kind)
        }
        #expect(
            checked == [
                "register-model", "create-version", "list-versions", "promote-version", "rollback", "archive-versions",
                "get-production-model",
            ]
        )
    }

    @Test func aFailedDeployHookIsWrittenWithItsDurationAndReadBack() throws {
        let hook = HookDocument(
            summary: "exited 3 after 0.5 s",
            succeeded: false,
            durationSeconds: 0.5,
            output: "boom\n"
        )
        let failed = Kinds.Rollback.Result(
            model: "m",
            version: "1.0.0",
            rolledBackFrom: "1.1.0",
            hook: hook,
            alert: "m.deploy_failed.1"
        )
        let json = try JSONValue(encoding: failed)
        #expect(json["hook"]?["duration_seconds"] == .double(0.5))
        #expect(json["serving"] == nil)
        #expect(try Kinds.Rollback.decodeResult(json) == failed)
    }

    @Test func aPromotionRefusedByTheGatesHasNoHookWhileASwitchedOneWritesANullHook() throws {
        var result = Kinds.PromoteVersion.Result(
            model: "m",
            version: "1.1.0",
            forced: false,
            gates: [GateVerdict(gate: "min_metric", passed: false, explanation: "low")],
            previousVersion: nil
        )
        var json = try JSONValue(encoding: result)
        #expect(json["hook"] == nil)
        #expect(json["previous_version"] == .null)
        result.serving = "/srv/m/current"
        json = try JSONValue(encoding: result)
        #expect(json["hook"] == .null)
        #expect(try Kinds.PromoteVersion.decodeResult(json) == result)
    }
}
