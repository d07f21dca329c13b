import Testing

@testable import MLOpsCore

@Suite struct VersionStateTests {
    @Test func allowedMovesAreExactlyTheLifecycle() {
        let allowed: Set<String> = [
            "registered>staging", "registered>production", "registered>archived",
            "staging>production", "staging>archived", "production>staging",
        ]
        for from in VersionState.allCases {
            for to in VersionState.allCases {
                #expect(from.canMove(to: to) == allowed.contains("\(from.rawValue)>\(to.rawValue)"), "\(from) → \(to)")
                #expect((from.refusal(to: to) == nil) == from.canMove(to: to))
            }
        }
    }

    @Test func refusalsSayWhatToDoInstead() {
        #expect(VersionState.production.refusal(to: .archived)?.contains("promote or roll back") == true)
        #expect(VersionState.archived.refusal(to: .production)?.contains("create a new version") == true)
        #expect(VersionState.staging.refusal(to: .staging) == "the version is already staging")
    }
}

@Suite struct PromotionGateTests {
    let policy = ModelSpec.Promotion(minMetric: 0.85, maxMetricDrop: 0.02, requireABTest: false)

    @Test func aBetterCandidatePassesEveryGateWithItsNumbers() {
        let v = PromotionGates.evaluate(
            metric: "accuracy",
            candidate: 0.91,
            production: 0.90,
            policy: policy,
            abTestWon: nil
        )
        #expect(v.map(\.gate) == ["min_metric", "max_metric_drop"])
        #expect(v.allSatisfy { $0.passed })
        #expect(v[0].explanation == "accuracy 0.91 meets the minimum 0.85")
        #expect(v[1].explanation == "accuracy 0.91 against production 0.9: not worse, the limit is 0.02")
    }

    @Test func aDropBeyondTheLimitFailsAndSaysByHowMuch() {
        let v = PromotionGates.evaluate(
            metric: "accuracy",
            candidate: 0.86,
            production: 0.90,
            policy: policy,
            abTestWon: nil
        )
        #expect(v[0].passed)
        #expect(!v[1].passed)
        #expect(v[1].explanation.contains("worse by 0.04"))
    }

    @Test func aDropExactlyAtTheLimitPasses() {
        let v = PromotionGates.evaluate(
            metric: "accuracy",
            candidate: 0.88,
            production: 0.90,
            policy: policy,
            abTestWon: nil
        )
        #expect(v[1].passed)
    }

    @Test func lowerIsBetterMetricsAreComparedTheOtherWay() {
        let p = ModelSpec.Promotion(minMetric: 5.0, maxMetricDrop: 0.5, requireABTest: false)
        let good = PromotionGates.evaluate(metric: "rmse", candidate: 4.0, production: 4.2, policy: p, abTestWon: nil)
        #expect(good.allSatisfy { $0.passed })
        let bad = PromotionGates.evaluate(metric: "rmse", candidate: 5.5, production: 4.2, policy: p, abTestWon: nil)
        #expect(bad.map(\.passed) == [false, false])
        #expect(bad[0].explanation.contains("maximum 5"))
    }

    @Test func missingMetricsAndFirstVersionsAreHandled() {
        let noMetric = PromotionGates.evaluate(
            metric: "f1",
            candidate: nil,
            production: 0.8,
            policy: policy,
            abTestWon: nil
        )
        #expect(noMetric.map(\.passed) == [false, false])
        let first = PromotionGates.evaluate(
            metric: "f1",
            candidate: 0.9,
            production: nil,
            policy: policy,
            abTestWon: nil
        )
        #expect(first.map(\.passed) == [true, true])
        #expect(first[1].explanation == "no production version to compare with")
    }

    @Test func anABTestRequirementNeedsAWin() {
        let p = ModelSpec.Promotion(requireABTest: true)
        #expect(
            PromotionGates.evaluate(metric: "accuracy", candidate: 0.9, production: 0.8, policy: p, abTestWon: nil).map(
                \.passed
            ) == [false]
        )
        #expect(
            PromotionGates.evaluate(metric: "accuracy", candidate: 0.9, production: 0.8, policy: p, abTestWon: false)
                .map(\.passed) == [false]
        )
        #expect(
            PromotionGates.evaluate(metric: "accuracy", candidate: 0.9, production: 0.8, policy: p, abTestWon: true)
                .map(\.passed) == [true]
        )
    }

    @Test func noGatesNoVerdicts() {
        #expect(
            PromotionGates.evaluate(
                metric: "accuracy",
                candidate: 0.1,
                production: 0.9,
                policy: ModelSpec.Promotion(),
                abTestWon: nil
            ).isEmpty
        )
    }
}
