import Foundation
import Testing

@testable import MLOpsCore

extension ABTestTests {
    /// Simulated A/B tests with a seeded generator: how often each method promotes a
    /// challenger that is no better (false promotions) and one that is (power). The rates
    /// are printed (docs/ab-testing.md quotes them) and asserted.
    @Suite struct ABTestSimulationTests {
        static let tests = 200

        /// Outcome counts of `tests` simulated A/B tests.
        struct Tally: CustomStringConvertible {
            var promoted = 0
            var kept = 0
            var labelledPerTest: [Int] = []
            var rate: Double { Double(promoted) / Double(promoted + kept) }
            var description: String {
                let mean =
                    labelledPerTest.isEmpty ? 0 : Double(labelledPerTest.reduce(0, +)) / Double(labelledPerTest.count)
                return "\(promoted)/\(promoted + kept) promoted (" + String(format: "%.1f%%", rate * 100)
                    + "), mean challenger predictions at the decision " + String(format: "%.0f", mean)
            }
        }

        /// Runs `tests` A/B tests. Each look adds `championBatch` and `challengerBatch`
        /// labelled predictions (correct with probability `pChampion`, `pChallenger`) and asks
        /// `ABTest.decide`; the deadline is the look at which the challenger reaches
        /// `challengerDeadline`. `naive`: a keep_champion before the deadline does not stop
        /// the test (the fixed z-test used with repeated looks, what this API exists to avoid).
        /// Test i of a seed sees the same predictions whatever the method.
        static func simulate(
            seed: UInt64,
            pChampion: Double,
            pChallenger: Double,
            settings: ABTestSettings,
            championBatch: Int = 20,
            challengerBatch: Int = 20,
            challengerDeadline: Int,
            naive: Bool = false
        ) -> Tally {
            var tally = Tally()
            for test in 0..<tests {
                // One stream per simulated test, so two methods run on the same seed see the same data.
                var rng = SplitMix64(seed: seed &* 1_000_003 &+ UInt64(test))
                var champion = ABArm.empty
                var challenger = ABArm.empty
                while true {
                    champion.n += championBatch
                    champion.successes += bernoulli(championBatch, pChampion, &rng)
                    challenger.n += challengerBatch
                    challenger.successes += bernoulli(challengerBatch, pChallenger, &rng)
                    let deadline = challenger.n >= challengerDeadline
                    let decision = ABTest.decide(
                        champion: champion,
                        challenger: challenger,
                        settings: settings,
                        deadlinePassed: deadline
                    ).decision
                    if decision == .promote {
                        tally.promoted += 1
                    } else if decision == .keepChampion && (deadline || !naive) {
                        tally.kept += 1
                    } else {
                        continue
                    }
                    tally.labelledPerTest.append(challenger.n)
                    break
                }
            }
            return tally
        }

        /// Successes among `count` draws with probability `p` (53-bit uniforms).
        static func bernoulli(_ count: Int, _ p: Double, _ rng: inout SplitMix64) -> Int {
            var k = 0
            for _ in 0..<count where Double(rng.next() >> 11) * 0x1p-53 < p { k += 1 }
            return k
        }

        static let nullFixed = ABTestSettings(enabled: true, minSamples: 500, alpha: 0.05)
        static let nullSequential = ABTestSettings(enabled: true, minSamples: 500, alpha: 0.05, sequential: true)

        @Test func theFixedTestKeepsAChampionThatIsNoWorseInAtLeast95PercentOfTests() {
            let tally = Self.simulate(
                seed: 1,
                pChampion: 0.85,
                pChallenger: 0.85,
                settings: Self.nullFixed,
                challengerDeadline: 5_000
            )
            print("A/B null, fixed horizon (p = 0.85 both, min_samples 500, alpha 0.05): \(tally)")
            #expect(tally.promoted + tally.kept == Self.tests)
            #expect(tally.labelledPerTest.allSatisfy { $0 == 500 })  // decided exactly at min_samples
            #expect(tally.rate <= 0.05)
        }

        @Test func theSequentialTestLookingEvery20PredictionsPromotesAtMost5PercentOfNullTests() {
            let tally = Self.simulate(
                seed: 2,
                pChampion: 0.85,
                pChallenger: 0.85,
                settings: Self.nullSequential,
                challengerDeadline: 5_000
            )
            print("A/B null, sequential mSPRT (p = 0.85 both, a look every 20 per arm up to 5,000): \(tally)")
            #expect(tally.promoted + tally.kept == Self.tests)
            #expect(tally.rate <= 0.05)
        }

        @Test func theSequentialTestStaysValidWithATenPercentChallengerShare() {
            // 180 champion and 20 challenger predictions per look, up to 2,000 for the challenger.
            let tally = Self.simulate(
                seed: 3,
                pChampion: 0.85,
                pChallenger: 0.85,
                settings: Self.nullSequential,
                championBatch: 180,
                challengerBatch: 20,
                challengerDeadline: 2_000
            )
            print(
                "A/B null, sequential mSPRT, challenger share 0.1 (a look every 200 predictions, challenger up to 2,000): \(tally)"
            )
            #expect(tally.rate <= 0.05)
        }

        @Test func naiveRepeatedLooksWithTheFixedZTestInflateFalsePromotions() {
            let tally = Self.simulate(
                seed: 2,
                pChampion: 0.85,
                pChallenger: 0.85,
                settings: Self.nullFixed,
                challengerDeadline: 5_000,
                naive: true
            )
            print("A/B null, naive peeking: fixed z-test at every look from 500 to 5,000 per arm, every 20: \(tally)")
            #expect(tally.rate > Self.nullFixed.alpha)
        }

        @Test func aRealDifferenceIsPromotedInAtLeast90PercentByTheFixedTest() {
            let settings = ABTestSettings(enabled: true, minSamples: 1_000, alpha: 0.05)
            let tally = Self.simulate(
                seed: 4,
                pChampion: 0.80,
                pChallenger: 0.88,
                settings: settings,
                challengerDeadline: 1_000
            )
            print("A/B power, fixed horizon (0.80 vs 0.88, 1,000 per arm): \(tally)")
            #expect(tally.rate >= 0.90)
        }

        @Test func aRealDifferenceIsPromotedInAtLeast90PercentByTheSequentialTest() {
            let settings = ABTestSettings(enabled: true, minSamples: 1_000, alpha: 0.05, sequential: true)
            let tally = Self.simulate(
                seed: 5,
                pChampion: 0.80,
                pChallenger: 0.88,
                settings: settings,
                challengerDeadline: 1_000
            )
            print("A/B power, sequential mSPRT (0.80 vs 0.88, a look every 20 per arm up to 1,000): \(tally)")
            #expect(tally.rate >= 0.90)
        }
    }
}
