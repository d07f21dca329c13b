import Testing

@testable import MLOpsCore

extension ABTestTests {
    /// `ABTest.decide`: when each method waits, promotes and keeps the champion, the deadline
    /// rule, the edges, and the document.
    @Suite struct ABTestDecisionTests {
        let fixed = ABTestSettings(enabled: true, minSamples: 200)
        let sequential = ABTestSettings(enabled: true, minSamples: 200, sequential: true)
        /// 0.80 against 0.90 on 500 per arm: z ≈ 4.4, significant for both methods.
        let better = (champion: ABArm(n: 500, successes: 400), challenger: ABArm(n: 500, successes: 450))

        @Test func fewerThanMinSamplesBeforeTheDeadlineIsUndecidedHoweverStrongTheEvidence() {
            let verdict = ABTest.decide(
                champion: ABArm(n: 500, successes: 250),
                challenger: ABArm(n: 199, successes: 199),
                settings: fixed,
                deadlinePassed: false
            )
            #expect(verdict.decision == .undecided)
            #expect(verdict.method == "two_proportion_z")
            #expect(verdict.statistic != nil && verdict.pValue != nil)  // reported, not acted on
            #expect(verdict.reason == "Waiting for 200 labelled predictions per arm (champion 500, challenger 199).")
        }

        @Test func withMinSamplesInBothArmsTheFixedTestDecidesAtOnce() throws {
            let promote = ABTest.decide(
                champion: better.champion,
                challenger: better.challenger,
                settings: fixed,
                deadlinePassed: false
            )
            #expect(promote.decision == .promote)
            #expect(try #require(promote.pValue) < 0.05)
            #expect(abs(try #require(promote.lift) - 0.1) < 1e-12)
            #expect(promote.reason.hasPrefix("The challenger is significantly better: one-sided p = "))
            let worse = ABTest.decide(
                champion: better.challenger,
                challenger: better.champion,
                settings: fixed,
                deadlinePassed: false
            )
            #expect(worse.decision == .keepChampion)
            let slightly = ABTest.decide(
                champion: ABArm(n: 200, successes: 170),
                challenger: ABArm(n: 200, successes: 174),
                settings: fixed,
                deadlinePassed: false
            )
            #expect(slightly.decision == .keepChampion)
            #expect(slightly.reason.contains("not significantly better"))
        }

        @Test func undecidedAtTheDeadlineKeepsTheChampion() {
            // Fixed horizon, fewer than min_samples, not significant: keep the champion.
            let short = ABTest.decide(
                champion: ABArm(n: 120, successes: 100),
                challenger: ABArm(n: 15, successes: 13),
                settings: fixed,
                deadlinePassed: true
            )
            #expect(short.decision == .keepChampion)
            #expect(short.reason.contains("at the deadline with fewer than 200 per arm"))
            // Sequential, no significant difference by the deadline: keep the champion.
            let flat = ABTest.decide(
                champion: ABArm(n: 3_000, successes: 2_550),
                challenger: ABArm(n: 3_000, successes: 2_560),
                settings: sequential,
                deadlinePassed: true
            )
            #expect(flat.decision == .keepChampion)
            #expect(flat.reason.hasSuffix("the deadline has passed, so the champion stays."))
            // The same counts before the deadline keep the test running.
            #expect(
                ABTest.decide(
                    champion: ABArm(n: 3_000, successes: 2_550),
                    challenger: ABArm(n: 3_000, successes: 2_560),
                    settings: sequential,
                    deadlinePassed: false
                ).decision == .undecided
            )
        }

        @Test func atTheDeadlineWithFewerSamplesASignificantChallengerIsStillPromoted() {
            let verdict = ABTest.decide(
                champion: ABArm(n: 150, successes: 105),
                challenger: ABArm(n: 150, successes: 140),
                settings: fixed,
                deadlinePassed: true
            )
            #expect(verdict.decision == .promote)
            #expect(verdict.reason.contains("at the deadline with fewer than 200 per arm"))
        }

        @Test func theDeadlineNeverLeavesADecisionUndecided() {
            let arms = [
                ABArm.empty, ABArm(n: 10, successes: 9), ABArm(n: 200, successes: 170),
                ABArm(n: 5_000, successes: 5_000),
                ABArm(n: 3, successes: 7),
            ]
            for settings in [fixed, sequential] {
                for a in arms {
                    for b in arms {
                        let verdict = ABTest.decide(
                            champion: a,
                            challenger: b,
                            settings: settings,
                            deadlinePassed: true
                        )
                        #expect(verdict.decision != .undecided, "\(a) \(b) sequential \(settings.sequential)")
                    }
                }
            }
        }

        @Test func zeroSamplesWaitThenKeepTheChampion() {
            for settings in [fixed, sequential] {
                let waiting = ABTest.decide(
                    champion: .empty,
                    challenger: .empty,
                    settings: settings,
                    deadlinePassed: false
                )
                #expect(waiting.decision == .undecided)
                #expect(waiting.statistic == nil && waiting.pValue == nil && waiting.lift == nil)
                #expect(waiting.document["p_value"] == .null && waiting.document["lift"] == .null)
                let deadline = ABTest.decide(
                    champion: ABArm(n: 400, successes: 300),
                    challenger: .empty,
                    settings: settings,
                    deadlinePassed: true
                )
                #expect(deadline.decision == .keepChampion)
                #expect(
                    deadline.reason
                        == "The deadline has passed with no labelled prediction in the challenger's arm, so the champion stays."
                )
            }
        }

        @Test func allSuccessesInBothArmsNeverPromote() throws {
            for settings in [fixed, sequential] {
                let verdict = ABTest.decide(
                    champion: ABArm(n: 1_000, successes: 1_000),
                    challenger: ABArm(n: 1_000, successes: 1_000),
                    settings: settings,
                    deadlinePassed: false
                )
                #expect(verdict.statistic == 0)
                #expect(verdict.lift == 0)
                if settings.sequential {
                    #expect(verdict.decision == .undecided)
                    #expect(verdict.pValue == 1)
                } else {
                    #expect(verdict.decision == .keepChampion)
                    #expect(verdict.pValue == 0.5)
                }
            }
        }

        @Test func identicalArmsKeepTheChampionOrWait() {
            let arm = ABArm(n: 2_000, successes: 1_700)
            #expect(
                ABTest.decide(champion: arm, challenger: arm, settings: fixed, deadlinePassed: false).decision
                    == .keepChampion
            )
            let s = ABTest.decide(champion: arm, challenger: arm, settings: sequential, deadlinePassed: false)
            #expect(s.decision == .undecided && s.pValue == 1 && s.statistic == 0)
            #expect(
                ABTest.decide(champion: arm, challenger: arm, settings: sequential, deadlinePassed: true).decision
                    == .keepChampion
            )
        }

        @Test func theSequentialTestPromotesAnyTimeButNotBelowItsFloor() {
            // Far below min_samples (200) the sequential test already promotes...
            let early = ABTest.decide(
                champion: ABArm(n: 60, successes: 30),
                challenger: ABArm(n: 60, successes: 60),
                settings: sequential,
                deadlinePassed: false
            )
            #expect(early.decision == .promote)
            #expect(early.method == "msprt")
            // ...but never on fewer than 30 per arm, however lopsided.
            let tiny = ABTest.decide(
                champion: ABArm(n: 29, successes: 0),
                challenger: ABArm(n: 29, successes: 29),
                settings: sequential,
                deadlinePassed: false
            )
            #expect(tiny.decision == .undecided)
            #expect(tiny.reason.hasPrefix("Fewer than 30 labelled predictions per arm"))
            #expect(
                ABTest.decide(
                    champion: ABArm(n: 29, successes: 0),
                    challenger: ABArm(n: 29, successes: 29),
                    settings: sequential,
                    deadlinePassed: true
                ).decision == .keepChampion
            )
        }

        @Test func theSequentialTestStopsEarlyForASignificantlyWorseChallenger() {
            let verdict = ABTest.decide(
                champion: better.challenger,
                challenger: better.champion,
                settings: sequential,
                deadlinePassed: false
            )
            #expect(verdict.decision == .keepChampion)
            #expect(verdict.reason.hasPrefix("The challenger is significantly worse"))
        }

        @Test func invalidCountsDecideNothing() {
            let bad = ABArm(n: 10, successes: 11)
            for settings in [fixed, sequential] {
                let waiting = ABTest.decide(
                    champion: bad,
                    challenger: ABArm(n: 300, successes: 300),
                    settings: settings,
                    deadlinePassed: false
                )
                #expect(waiting.decision == .undecided)
                #expect(waiting.reason.hasPrefix("The counts of the champion (n 10, successes 11) are not valid"))
                #expect(
                    ABTest.decide(
                        champion: ABArm(n: -1, successes: 0),
                        challenger: bad,
                        settings: settings,
                        deadlinePassed: true
                    ).decision == .keepChampion
                )
            }
        }

        @Test func theDocumentCarriesTheDecisionAndItsStatisticsInSnakeCase() throws {
            let verdict = ABTest.decide(
                champion: better.champion,
                challenger: better.challenger,
                settings: sequential,
                deadlinePassed: false
            )
            let document = verdict.document
            #expect(document["decision"] == .string("promote"))
            #expect(document["method"] == .string("msprt"))
            #expect(document["statistic"]?.doubleValue == verdict.statistic)
            #expect(document["p_value"]?.doubleValue == verdict.pValue)
            #expect(document["alpha"] == .double(0.05))
            #expect(document["champion"] == .object(["n": .int(500), "successes": .int(400), "rate": .double(0.8)]))
            #expect(document["challenger"]?["rate"] == .double(0.9))
            #expect(document["mixing_variance"] == .double(MixtureSPRT.mixingVariance))
            #expect(document["minimum_per_arm"] == .int(30))
            #expect(document["deadline_passed"] == .bool(false))
            #expect(document["reason"] == .string(verdict.reason))
            let fixedDocument = ABTest.decide(
                champion: better.champion,
                challenger: better.challenger,
                settings: fixed,
                deadlinePassed: false
            ).document
            #expect(fixedDocument["log_likelihood_ratio"] == nil)
            #expect(fixedDocument["method"] == .string("two_proportion_z"))
            #expect(ABDecision.keepChampion.rawValue == "keep_champion")
        }
    }
}
