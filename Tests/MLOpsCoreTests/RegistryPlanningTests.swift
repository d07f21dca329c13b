import Foundation
import Testing

@testable import MLOpsCore

@Suite struct ArchivePlanTests {
    func candidates(_ states: [VersionState]) -> [ArchivePlan.Candidate] {
        states.enumerated().map {
            ArchivePlan.Candidate(version: "1.\($0.offset).0", sequence: $0.offset + 1, state: $0.element)
        }
    }

    @Test func keepsTheNewestAndArchivesTheRestNewestFirst() {
        let plan = ArchivePlan.decide(
            candidates([.staging, .staging, .registered, .staging, .registered]),
            keep: 2,
            rollbackTarget: nil
        )
        #expect(plan.kept.map(\.version) == ["1.4.0", "1.3.0"])
        #expect(plan.archive == ["1.2.0", "1.1.0", "1.0.0"])
    }

    @Test func neverArchivesProductionNorTheRollbackTargetEvenWhenOld() {
        let plan = ArchivePlan.decide(
            candidates([.production, .staging, .staging, .staging, .registered]),
            keep: 1,
            rollbackTarget: "1.1.0"
        )
        #expect(plan.archive == ["1.3.0", "1.2.0"])
        #expect(plan.kept.map(\.version) == ["1.4.0", "1.1.0", "1.0.0"])
        #expect(
            plan.kept.map(\.why) == [
                "among the newest 1", "rollback target (the previous production version)", "production",
            ]
        )
    }

    @Test func alreadyArchivedVersionsNeitherCountNorMove() {
        let plan = ArchivePlan.decide(
            candidates([.archived, .archived, .staging, .staging]),
            keep: 2,
            rollbackTarget: nil
        )
        #expect(plan.archive.isEmpty)
        #expect(plan.kept.count == 2)
    }
}

@Suite struct FeatureSchemaTests {
    let spec = ModelSpec(
        task: .binaryClassification,
        features: [.init(name: "age", type: .numerical), .init(name: "sex", type: .categorical)],
        target: "label",
        segments: .init(equipment: ["scanner"], population: ["band"])
    )

    @Test func fingerprintChangesWithAFeatureTypeOrOrderAndNotWithMetadata() {
        let base = FeatureSchema(spec).fingerprint
        var other = spec
        other.description = "new words"
        #expect(FeatureSchema(other).fingerprint == base)
        other.features[1].type = .numerical
        #expect(FeatureSchema(other).fingerprint != base)
        other = spec
        other.features.reverse()
        #expect(FeatureSchema(other).fingerprint != base)
    }

    @Test func differencesNameMissingExtraAndRetypedFeatures() {
        let d = FeatureSchema(spec).differences(from: [
            .init(name: "age", type: .categorical), .init(name: "bmi", type: .numerical),
        ])
        #expect(d.contains("the model has feature `sex`, which the artifact's schema.json lacks"))
        #expect(d.contains("the artifact's schema.json has feature `bmi`, which the model does not declare"))
        #expect(d.contains("feature `age` is numerical in the model but categorical in the artifact"))
        #expect(FeatureSchema(spec).differences(from: FeatureSchema(spec).features).isEmpty)
    }
}

@Suite struct ReferenceDataTests {
    let spec = ModelSpec(
        task: .binaryClassification,
        features: [.init(name: "age", type: .numerical), .init(name: "sex", type: .categorical, values: ["f", "m"])],
        target: "label",
        segments: .init(equipment: ["scanner"])
    )

    @Test func aValidFileIsSummarisedWithItsIgnoredColumns() throws {
        let table = try CSVTable.parse("id,age,sex,scanner\n1,40,f,A\n2,51.5,m,B\n")
        let summary = try ReferenceData.check(table, spec: spec, fileName: "reference.csv").get()
        #expect(summary == ReferenceData.Summary(rows: 2, ignoredColumns: ["id"]))
    }

    @Test func missingColumnsAreNamed() throws {
        let table = try CSVTable.parse("age,sex\n1,f\n")
        guard case .failure(let error) = ReferenceData.check(table, spec: spec, fileName: "reference.csv") else {
            Issue.record("accepted")
            return
        }
        #expect(error.description.contains("lacks the column `scanner`"))
    }

    @Test func badCellsAreReportedWithLineAndFieldAndCapped() throws {
        var text = "age,sex,scanner\n"
        text += "abc,f,A\n"  // line 2
        text += "3,x,A\n"  // line 3
        for _ in 0..<10 { text += "nan,f,A\n" }
        let table = try CSVTable.parse(text)
        guard case .failure(let error) = ReferenceData.check(table, spec: spec, fileName: "ref.csv") else {
            Issue.record("accepted")
            return
        }
        #expect(error.problems.first == "ref.csv line 2, field 1: feature `age` is `abc`, not a finite number")
        #expect(
            error.problems.contains("ref.csv line 3, field 2: feature `sex` is `x`, not one of the declared values")
        )
        #expect(error.problems.count == ReferenceData.maxProblems + 1)
        #expect(error.problems.last == "and 7 more problems like these")
    }

    @Test func aHeaderWithoutRowsIsRefused() throws {
        let table = try CSVTable.parse("age,sex,scanner\n")
        guard case .failure(let error) = ReferenceData.check(table, spec: spec, fileName: "r.csv") else {
            Issue.record("accepted")
            return
        }
        #expect(error.description.contains("no rows"))
    }
}

@Suite struct VersionMetricsTests {
    @Test func theModelMetricIsRead() throws {
        let parsed = try VersionMetrics.parse(
            Data(#"{"accuracy": 0.91, "per_class": {"a": 0.9}}"#.utf8),
            metric: "accuracy"
        ).get()
        #expect(parsed.value == 0.91)
        #expect(parsed.all["per_class"]?["a"]?.doubleValue == 0.9)
    }

    func problem(_ text: String, _ metric: String) -> VersionMetrics.Problem? {
        if case .failure(let problem) = VersionMetrics.parse(Data(text.utf8), metric: metric) { return problem }
        return nil
    }

    @Test func problemsSayWhatIsWrong() {
        #expect(problem("[1]", "accuracy") == .notAnObject("it is not an object"))
        #expect(problem("{", "accuracy") == .notAnObject("it is not valid JSON"))
        #expect(problem(#"{"f1": 0.5}"#, "accuracy") == .missingMetric(metric: "accuracy", present: ["f1"]))
        #expect(problem(#"{"accuracy": 1.5}"#, "accuracy") == .outOfRange(metric: "accuracy", value: 1.5))
        #expect(problem(#"{"rmse": -1}"#, "rmse") == .outOfRange(metric: "rmse", value: -1))
        #expect(
            VersionMetrics.Problem.missingMetric(metric: "accuracy", present: ["f1"]).description
                == "metrics.json has no number for `accuracy`, the model's metric (it has f1)"
        )
    }
}

@Suite struct TimestampParseTests {
    @Test func acceptsRFC3339FormsAndRoundTripsOurOwn() throws {
        let now = Date(timeIntervalSince1970: 1_795_000_000.123)
        #expect(
            Timestamp.parse(Timestamp.string(now)).map { abs($0.timeIntervalSince1970 - 1_795_000_000.123) < 0.001 }
                == true
        )
        #expect(Timestamp.parse("2026-11-29T13:00:00Z")?.timeIntervalSince1970 == 1_795_957_200)
        #expect(Timestamp.parse("2026-11-29T14:00:00+01:00")?.timeIntervalSince1970 == 1_795_957_200)
        #expect(Timestamp.parse("2026-11-29")?.timeIntervalSince1970 == 1_795_910_400)
    }

    @Test func everyMillisecondRoundTripsThroughParseAndString() {
        for ms in 0..<1000 {
            let text = "2026-11-29T16:48:01.\(String(repeating: "0", count: 3 - String(ms).count))\(ms)Z"
            #expect(Timestamp.parse(text).map(Timestamp.string) == text)
        }
    }

    @Test func refusesWhatIsNotATime() {
        for text in [
            "", "yesterday", "2026-13-01", "2026-02-30", "2026-11-29T25:00:00Z", "2026-11-29T13:00:00",
            "2026-11-29T13:00Z",
            "2026-11-29T13:00:00.Z", "2026-11-29T13:00:00Zjunk",
        ] {
            #expect(Timestamp.parse(text) == nil, "\(text)")
        }
    }
}

@Suite struct RegistryKindValidationTests {
    func validate(_ text: String) -> JobValidation {
        JobValidator.validate(text: text, fileName: "j.yaml")
    }

    @Test func promoteNeedsAVersionAndPointsAtParams() {
        guard case .rejected(_, _, _, let failure) = validate("kind: promote-version\nmodel: m\nparams: {}\n")
        else {
            Issue.record("accepted")
            return
        }
        #expect(failure.errors.first?.code == .missingField)
        #expect(failure.errors.first?.message.contains("version") == true)
    }

    @Test func aVersionThatIsNotSemverIsRejectedAtItsLine() {
        guard
            case .rejected(_, _, _, let failure) = validate(
                "kind: promote-version\nmodel: m\nparams:\n  version: v1.2\n"
            )
        else {
            Issue.record("accepted")
            return
        }
        #expect(failure.errors.first?.line == 4)
        #expect(failure.errors.first?.message.contains("semantic version") == true)
    }

    @Test func aBadAtTimeIsRejected() {
        guard
            case .rejected(_, _, _, let failure) = validate(
                "kind: get-production-model\nmodel: m\nparams: {at: noon}\n"
            )
        else {
            Issue.record("accepted")
            return
        }
        #expect(failure.errors.first?.message.contains("RFC 3339") == true)
    }

    @Test func paramMarksPointAtEachValue() {
        guard
            case .valid(let job) = validate(
                "kind: create-version\nmodel: m\nparams:\n  artifact: /data/a\n  version: 1.0.0\n"
            )
        else {
            Issue.record("rejected")
            return
        }
        let typed = job.typed(as: Kinds.CreateVersion.self)
        #expect(typed?.mark(ofParam: "artifact") == SourceMark(line: 4, column: 13))
        #expect(typed?.mark(ofParam: "version") == SourceMark(line: 5, column: 12))
        #expect(job.params["reference"]?.stringValue == "reference.csv")
        #expect(job.params["stage"]?.boolValue == false)
    }
}
