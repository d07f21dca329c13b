import Foundation
import MLOpsCore
import Testing

/// The typed results of the pipeline and retraining kinds read what the daemon wrote: every
/// golden result of those kinds (Golden/*.json, pinned by ``GoldenResultTests``) decodes
/// with the kind's `decodeResult` and encodes back to the same JSON, so `mlopsctl` and the
/// daemon agree on every key, every explicit `null` and every key left out.
@Suite struct PipelineRetrainingResultTypeTests {
    /// The kinds covered, by name.
    static let kinds: [String: any JobKindDeclaration.Type] = [
        "run-pipeline": Kinds.RunPipeline.self, "cancel-pipeline": Kinds.CancelPipeline.self,
        "pipeline-history": Kinds.PipelineHistory.self, "check-retrain": Kinds.CheckRetrain.self,
        "retraining-start": Kinds.RetrainingStart.self, "retraining-stop": Kinds.RetrainingStop.self,
        "retraining-trigger": Kinds.RetrainingTrigger.self, "retraining-history": Kinds.RetrainingHistory.self,
        "retraining-stats": Kinds.RetrainingStats.self,
    ]

    /// Placeholders the golden files put where a number was (``GoldenNormaliser``): a number
    /// again here, so that typed number fields decode.
    static let numericPlaceholders: Set<String> = [
        "<seconds>", "<measured>", "<bytes>", "<pid>", "<age-days>", "<uid>",
        "<inode>",
    ]

    static func numbersForPlaceholders(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let text) where numericPlaceholders.contains(text): return .double(1.25)
        case .array(let items): return .array(items.map(numbersForPlaceholders))
        case .object(let fields): return .object(fields.mapValues(numbersForPlaceholders))
        default: return value
        }
    }

    static func roundTrip<Kind: JobKindDeclaration>(_: Kind.Type, _ result: JSONValue) throws -> JSONValue {
        try JSONValue(encoding: Kind.decodeResult(result))
    }

    static func text(_ value: JSONValue) throws -> String {
        String(decoding: try JSONEncoder.sortedKeys.encode(value), as: UTF8.self)
    }

    @Test func everyGoldenResultOfThePipelineAndRetrainingKindsDecodesAndEncodesBackUnchanged() throws {
        let directory = GoldenResultTests.goldenDirectory
        var covered: Set<String> = []
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        for name in names where name.hasSuffix(".json") {
            let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name))
            let document = try JSONDecoder().decode(JSONValue.self, from: data)
            guard let kind = document["kind"]?.stringValue, let declaration = Self.kinds[kind],
                let raw = document["result"], raw != .null
            else { continue }
            let result = Self.numbersForPlaceholders(raw)
            let again = try Self.roundTrip(declaration, result)
            #expect(try Self.text(again) == Self.text(result), "\(name): the typed \(kind) result changed the JSON")
            covered.insert(kind)
        }
        let missing = Set(Self.kinds.keys).subtracting(covered).sorted()
        #expect(missing.isEmpty, "golden results missing for \(missing)")
    }
}

extension JSONEncoder {
    /// Sorted keys, so that two encodings of equal values compare equal as text.
    fileprivate static var sortedKeys: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}
