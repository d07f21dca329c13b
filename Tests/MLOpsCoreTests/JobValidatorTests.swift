import Testing

@testable import MLOpsCore

/// Test declarations: `run-pipeline` with one defaulted and one list parameter, `list-alerts`
/// with one required parameter; every other kind is its own.
private enum TestRunPipeline: JobKindDeclaration {
    static let kind = JobKind.runPipeline
    static let modelRule = ModelRequirement.registered
    static let summary = "runs the pipeline"
    static let schema = ObjectSchema([
        Field("pipeline", .string(.name), default: "default"),
        Field("stages", .list(.string())),
    ])
    typealias Parameters = JSONValue
    typealias Result = JSONValue
}

private enum TestListAlerts: JobKindDeclaration {
    static let kind = JobKind.listAlerts
    static let modelRule = ModelRequirement.optional
    static let summary = "lists alerts"
    static let schema = ObjectSchema([
        Field("severity", .oneOf(["info", "warning", "critical"]), required: true, doc: "lowest severity listed")
    ])
    typealias Parameters = JSONValue
    typealias Result = JSONValue
}

private func declarations(_ kind: JobKind) -> any JobKindDeclaration.Type {
    switch kind {
    case .runPipeline: return TestRunPipeline.self
    case .listAlerts: return TestListAlerts.self
    default: return kind.declaration
    }
}

private func validate(_ text: String, file: String = "job-1.yaml") -> JobValidation {
    JobValidator.validate(text: text, fileName: file, declaration: declarations)
}

private func rejection(_ v: JobValidation) -> (id: String?, kind: JobKind?, model: String?, errors: [JobError])? {
    if case .rejected(let id, let kind, let model, let failure) = v { return (id, kind, model, failure.errors) }
    return nil
}

@Suite struct JobEnvelopeTests {
    @Test func validJobCarriesEnvelopeAndDefaultedParams() throws {
        let v = validate(
            "kind: run-pipeline\nmodel: chest-xray\nid: retrain-2026-11-29\nreason: scanner replaced\nparams:\n  stages: [train]\n"
        )
        guard case .valid(let job) = v else {
            Issue.record("expected valid, got \(v)")
            return
        }
        #expect(job.id == "retrain-2026-11-29")
        #expect(job.kind == .runPipeline)
        #expect(job.model == "chest-xray")
        #expect(job.reason == "scanner replaced")
        #expect(job.params == ["pipeline": "default", "stages": ["train"]])
        #expect(job.modelMark == SourceMark(line: 2, column: 8))
        #expect(job.idMark == SourceMark(line: 3, column: 5))
    }

    @Test func idComesFromTheFileNameWhenAbsent() throws {
        guard case .valid(let job) = validate("kind: monitor-all\n", file: "nightly.yml") else {
            Issue.record("expected valid")
            return
        }
        #expect(job.id == "nightly")
        #expect(job.idMark == nil)
    }

    @Test func emptyFileIsMissingKindAtOneOne() throws {
        let r = try #require(rejection(validate("# nothing here\n")))
        #expect(r.errors.count == 1)
        #expect(r.errors.first?.code == .missingField)
        #expect(r.errors.first?.message.contains("kind") == true)
        #expect(r.errors.first?.line == 1)
        #expect(r.errors.first?.column == 1)
        #expect(r.id == "job-1")
    }

    @Test func topLevelListIsNotAMapping() throws {
        let r = try #require(rejection(validate("- kind: monitor-all\n")))
        #expect(r.errors.first?.code == .notAMapping)
    }

    @Test func yamlErrorsAreRejectedUnderTheFileNameID() throws {
        let r = try #require(rejection(validate("kind: monitor-all\nx: &a 1\n")))
        #expect(r.errors.first?.code == .aliasRefused)
        #expect(r.id == "job-1")
    }

    @Test func misspeltTopLevelKeysGetSuggestions() throws {
        let r = try #require(rejection(validate("kind: run-pipeline\nmodle: m\nparms:\n  pipeline: x\n")))
        #expect(r.errors.map(\.code) == [.missingField, .unknownKey, .unknownKey])
        let unknown = r.errors.filter { $0.code == .unknownKey }
        #expect(unknown.map(\.fix) == ["did you mean `model`?", "did you mean `params`?"])
        #expect(unknown.map(\.line) == [2, 3])
    }

    @Test func aMisspeltParamsKeyIsReportedOnceNotAsEveryParamMissing() throws {
        let r = rejection(validate("kind: list-alerts\nparms:\n  severity: info\n"))
        #expect(r?.errors.count == 1)
        #expect(r?.errors.first?.code == .unknownKey)
        #expect(r?.errors.first?.line == 2)
        #expect(r?.errors.first?.fix?.contains("`params`") == true)
    }

    @Test func aMisspeltRequiredFieldIsNotAlsoReportedMissing() throws {
        let r = rejection(validate("kind: list-alerts\nparams:\n  severty: info\n"))
        #expect(r?.errors.map(\.code) == [.unknownKey])
        #expect(r?.errors.first?.fix?.contains("`severity`") == true)
    }

    @Test func unknownKindSuggestsTheClosestKind() throws {
        let r = try #require(rejection(validate("kind: run-pipline\nmodel: m\n")))
        #expect(r.errors.first?.code == .unknownKind)
        #expect(r.errors.first?.fix == "did you mean `run-pipeline`?")
        #expect(r.errors.first?.column == 7)
        #expect(r.kind == nil)
        #expect(r.model == "m")
    }

    @Test func invalidIDIsReportedAtItsMark() throws {
        let r = try #require(rejection(validate("kind: monitor-all\nid: ../../etc/passwd\n")))
        #expect(r.errors.first?.code == .invalidID)
        #expect(r.errors.first?.line == 2)
        #expect(r.errors.first?.column == 5)
        #expect(r.errors.first?.fix?.contains("letters, digits") == true)
    }

    @Test func noValidIDFromEitherSourceIsRejectedWithoutID() throws {
        let r = try #require(rejection(validate("kind: monitor-all\n", file: "my job.yaml")))
        #expect(r.id == nil)
        #expect(r.errors.first?.code == .invalidID)
        #expect(r.errors.first?.message.contains("my job.yaml") == true)
        #expect(r.errors.first?.fix?.contains("add `id:`") == true)
    }

    @Test func requiredModelMissingIsReported() throws {
        let r = try #require(rejection(validate("kind: run-pipeline\n")))
        #expect(r.errors.map(\.code) == [.missingField])
        #expect(r.errors.first?.message.contains("model") == true)
        #expect(r.kind == .runPipeline)
    }

    @Test func forbiddenModelIsRefusedAtTheKey() throws {
        let r = try #require(rejection(validate("kind: monitor-all\nmodel: m\n")))
        #expect(r.errors.first?.code == .unknownKey)
        #expect(r.errors.first?.message == "kind monitor-all does not take model:")
        #expect(r.errors.first?.line == 2)
        #expect(r.errors.first?.column == 1)
    }

    @Test func badModelNameIsInvalidValue() throws {
        let r = try #require(rejection(validate("kind: run-pipeline\nmodel: -bad/name\n")))
        #expect(r.errors.first?.code == .invalidValue)
        #expect(r.model == nil)
    }

    @Test func overlongReasonIsRefused() throws {
        let reason = String(repeating: "x", count: 1001)
        let r = try #require(rejection(validate("kind: monitor-all\nreason: \(reason)\n")))
        #expect(r.errors.first?.code == .invalidValue)
        #expect(r.errors.first?.message.contains("reason") == true)
    }

    @Test func absentParamsReportRequiredParamsAtTheTopMapping() throws {
        let r = try #require(rejection(validate("kind: list-alerts\n")))
        #expect(r.errors.count == 1)
        #expect(r.errors.first?.code == .missingField)
        #expect(r.errors.first?.message.hasPrefix("params.severity is missing") == true)
        #expect(r.errors.first?.line == 1)
        #expect(r.errors.first?.column == 1)
    }

    @Test func envelopeAndParamsErrorsAreCollectedAndSorted() throws {
        let text = "params:\n  pipeline: 'a b'\nkind: run-pipeline\nmodel: m\nextra: 1\n"
        let r = try #require(rejection(validate(text)))
        #expect(r.errors.map(\.code) == [.invalidValue, .unknownKey])
        #expect(r.errors.compactMap(\.line) == [2, 5])
        #expect(r.kind == .runPipeline)
        #expect(r.model == "m")
        #expect(r.id == "job-1")
    }

    @Test func emptyParamsValueCountsAsEmptyMapping() throws {
        guard case .valid(let job) = validate("kind: run-pipeline\nmodel: m\nparams:\n") else {
            Issue.record("expected valid")
            return
        }
        #expect(job.params == ["pipeline": "default"])
    }
}
