import Testing

@testable import MLOpsCore

/// The parent of the A/B test suites: `swift test --filter ABTestTests` runs them all.
@Suite enum ABTestTests {}

extension ABTestTests {
    /// The two statistics behind the decisions, against independent python/scipy code.
    @Suite struct ABTestStatisticsTests {
        /// Count pairs from tiny to large arms, equal and unequal (a 10% challenger share),
        /// rates from 1% to 99%, differences from none to huge.
        static func cases() -> [[Int]] {
            var rng = SplitMix64(seed: 20_261_130)
            var cases: [[Int]] = [
                [170, 200, 170, 200], [850, 1_000, 880, 1_000], [800, 1_000, 880, 1_000], [25, 30, 29, 30],
                [0, 10, 1, 10], [10, 10, 9, 10], [4_500, 5_000, 495, 500], [90_000, 100_000, 99_000, 100_000],
                [1, 3, 2, 3],
            ]
            for _ in 0..<300 {
                let nChampion = 1 + rng.next(below: 50_000)
                let nChallenger = rng.next(below: 4) == 0 ? max(1, nChampion / 9) : 1 + rng.next(below: 50_000)
                let rate = 0.01 + 0.98 * Double(rng.next(below: 1_000_001)) / 1_000_000
                let shift = 0.1 * (Double(rng.next(below: 2_001)) / 1_000 - 1)
                let xChampion = min(nChampion, Int(Double(nChampion) * rate))
                let xChallenger = max(0, min(nChallenger, Int(Double(nChallenger) * min(1, rate + shift))))
                cases.append([xChampion, nChampion, xChallenger, nChallenger])
            }
            return cases
        }

        @Test(.enabled(if: ScipyReference.isAvailable, ScipyReference.skipMessage))
        func theOneSidedZAndPValueMatchThePooledFormulaWithScipy() throws {
            let cases = Self.cases()
            let expected = try ScipyReference.compute("ab_one_sided", cases, as: [Double].self)
            var zTally = ErrorTally()
            var pTally = ErrorTally()
            for (c, reference) in zip(cases, expected) {
                let test = try #require(
                    ABTest.oneSidedZTest(
                        champion: ABArm(n: c[1], successes: c[0]),
                        challenger: ABArm(n: c[3], successes: c[2])
                    )
                )
                zTally.record(test.z, reference[0])
                pTally.record(test.pValue, reference[1])
                #expect(abs(test.z - reference[0]) <= 1e-12 * max(1, abs(reference[0])), "\(c)")
                #expect(
                    abs(test.pValue - reference[1]) <= 1e-12 * max(reference[1], 1e-300)
                        || abs(test.pValue - reference[1]) < 1e-300,
                    "\(c): \(test.pValue) vs \(reference[1])"
                )
                let verdict = ABTest.decide(
                    champion: ABArm(n: c[1], successes: c[0]),
                    challenger: ABArm(n: c[3], successes: c[2]),
                    settings: ABTestSettings(minSamples: 1),
                    deadlinePassed: false
                )
                #expect(verdict.statistic == test.z && verdict.pValue == test.pValue)
            }
            print(zTally.summary("A/B one-sided z"))
            print(pTally.summary("A/B one-sided p-value"))
        }

        @Test(.enabled(if: ScipyReference.isAvailable, ScipyReference.skipMessage))
        func theMixtureSPRTMatchesTheJohariPekelisWalshFormulaInNumpy() throws {
            let cases = Self.cases()
            let tau2 = MixtureSPRT.mixingVariance
            let expected = try ScipyReference.compute(
                "ab_msprt",
                cases.map { $0.map(Double.init) + [tau2] },
                as: [Double].self
            )
            var logTally = ErrorTally()
            var pTally = ErrorTally()
            for (c, reference) in zip(cases, expected) {
                let test = try #require(
                    MixtureSPRT.compute(successesA: c[0], trialsA: c[1], successesB: c[2], trialsB: c[3])
                )
                logTally.record(test.logLikelihoodRatio, reference[1])
                pTally.record(test.pValue, reference[2])
                #expect(abs(test.z - reference[0]) <= 1e-12 * max(1, abs(reference[0])), "\(c)")
                #expect(abs(test.logLikelihoodRatio - reference[1]) <= 1e-12 * max(1, abs(reference[1])), "\(c)")
                #expect(
                    abs(test.pValue - reference[2]) <= 1e-11 * max(reference[2], 1e-300)
                        || abs(test.pValue - reference[2]) < 1e-300,
                    "\(c): \(test.pValue) vs \(reference[2])"
                )
            }
            print(logTally.summary("mSPRT log Λ"))
            print(pTally.summary("mSPRT always-valid p"))
        }

        @Test func noVarianceGivesNoEvidenceInEitherTest() throws {
            let z = try #require(
                ABTest.oneSidedZTest(champion: ABArm(n: 300, successes: 300), challenger: ABArm(n: 40, successes: 40))
            )
            #expect(z.z == 0 && z.pValue == 0.5)
            let zeros = try #require(
                ABTest.oneSidedZTest(champion: ABArm(n: 300, successes: 0), challenger: ABArm(n: 40, successes: 0))
            )
            #expect(zeros.z == 0 && zeros.pValue == 0.5)
            #expect(
                MixtureSPRT.compute(successesA: 300, trialsA: 300, successesB: 40, trialsB: 40)
                    == MixtureSPRT(z: 0, variance: 0, logLikelihoodRatio: 0, pValue: 1)
            )
        }

        @Test func identicalArmsGiveZeroZAndAnAlwaysValidPOfOne() throws {
            let z = try #require(
                ABTest.oneSidedZTest(
                    champion: ABArm(n: 1_000, successes: 850),
                    challenger: ABArm(n: 1_000, successes: 850)
                )
            )
            #expect(z.z == 0 && z.pValue == 0.5)
            let m = try #require(MixtureSPRT.compute(successesA: 850, trialsA: 1_000, successesB: 850, trialsB: 1_000))
            #expect(m.z == 0 && m.logLikelihoodRatio < 0 && m.pValue == 1)
        }

        @Test func emptyOrInvalidArmsGiveNoStatistic() {
            #expect(ABTest.oneSidedZTest(champion: .empty, challenger: ABArm(n: 10, successes: 5)) == nil)
            #expect(
                ABTest.oneSidedZTest(champion: ABArm(n: 10, successes: 11), challenger: ABArm(n: 10, successes: 5))
                    == nil
            )
            #expect(MixtureSPRT.compute(successesA: 0, trialsA: 0, successesB: 0, trialsB: 0) == nil)
            #expect(MixtureSPRT.compute(successesA: 1, trialsA: 2, successesB: 1, trialsB: 2, mixingVariance: 0) == nil)
        }

        @Test func aHugeDifferenceKeepsAFiniteLogLikelihoodRatioAndAPValueOfZero() throws {
            let m = try #require(
                MixtureSPRT.compute(successesA: 0, trialsA: 1_000_000, successesB: 999_999, trialsB: 1_000_000)
            )
            #expect(m.logLikelihoodRatio.isFinite && m.logLikelihoodRatio > 1_000)
            #expect(m.pValue == 0)
            let verdict = ABTest.decide(
                champion: ABArm(n: 1_000_000, successes: 0),
                challenger: ABArm(n: 1_000_000, successes: 999_999),
                settings: ABTestSettings(sequential: true),
                deadlinePassed: false
            )
            #expect(verdict.decision == .promote)
            #expect(verdict.document["log_likelihood_ratio"]?.doubleValue == m.logLikelihoodRatio)
        }
    }
}
