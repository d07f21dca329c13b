import Foundation
import Testing

@testable import MLOpsCore

extension ABTestTests {
    /// The `ab_test:` section of a pipeline definition, through the same validator as job
    /// files.
    @Suite struct ABTestSettingsTests {
        /// Validates the `ab_test:` section of `yaml` against ``ABTestSettings/schema``.
        func validate(_ yaml: String) throws -> Result<JSONValue, ValidationFailure> {
            let root = try #require(try YAMLComposer.compose(yaml))
            let node = try #require(root["ab_test"])
            do {
                return .success(
                    try SchemaValidator.validate(node, against: .object(ABTestSettings.schema), path: "ab_test")
                )
            } catch {
                return .failure(error)
            }
        }

        /// The errors of an invalid section.
        func errors(_ yaml: String) throws -> [JobError] {
            guard case .failure(let failure) = try validate(yaml) else {
                Issue.record("accepted: \(yaml)")
                return []
            }
            return failure.errors
        }

        @Test func everyKeyOfTheSectionIsRead() throws {
            let yaml = """
                ab_test:
                  enabled: true
                  challenger_share: 0.25
                  min_samples: 1000
                  alpha: 0.01
                  max_duration_hours: 72
                  sequential: true
                  check_interval: 300
                """
            let settings = ABTestSettings(validated: try validate(yaml).get())
            #expect(
                settings
                    == ABTestSettings(
                        enabled: true,
                        challengerShare: 0.25,
                        minSamples: 1_000,
                        alpha: 0.01,
                        maxDurationHours: 72,
                        sequential: true,
                        checkInterval: 300
                    )
            )
            #expect(settings.maxDurationSeconds == 259_200)
            #expect(ABTestSettings(validated: settings.document) == settings)
        }

        @Test func anEmptySectionGivesTheDocumentedDefaults() throws {
            let settings = ABTestSettings(validated: try validate("ab_test:\n").get())
            #expect(settings == ABTestSettings())
            #expect(ABTestSettings(validated: .null) == ABTestSettings())
            #expect(
                !settings.enabled && settings.challengerShare == 0.1 && settings.minSamples == 200
                    && settings.alpha == 0.05
            )
            #expect(settings.maxDurationHours == 168 && !settings.sequential && settings.checkInterval == 60)
        }

        @Test func anUnknownKeyIsRejectedWithTheClosestOne() throws {
            let found = try errors("ab_test:\n  enabled: true\n  min_sample: 500\n")
            #expect(found.count == 1)
            let error = try #require(found.first)
            #expect(error.code == .unknownKey)
            #expect(error.message == "unknown key `min_sample` in ab_test")
            #expect(error.line == 3 && error.column == 3)
            #expect(error.fix?.contains("min_samples") == true)
        }

        @Test(arguments: [
            ("challenger_share: 0", "ab_test.challenger_share must be greater than 0 and less than 1, not 0"),
            ("challenger_share: 1", "ab_test.challenger_share must be greater than 0 and less than 1, not 1"),
            ("challenger_share: -0.2", "ab_test.challenger_share must be greater than 0 and less than 1, not -0.2"),
            ("alpha: 0", "ab_test.alpha must be greater than 0 and at most 0.5, not 0"),
            ("alpha: 0.7", "ab_test.alpha must be greater than 0 and at most 0.5, not 0.7"),
            ("max_duration_hours: 0", "ab_test.max_duration_hours must be greater than 0 and at most 8760, not 0"),
            (
                "max_duration_hours: 9000",
                "ab_test.max_duration_hours must be greater than 0 and at most 8760, not 9000"
            ),
        ])
        func anOutOfRangeValueIsRejectedAtItsLine(line: String, message: String) throws {
            let found = try errors("ab_test:\n  enabled: true\n  \(line)\n")
            #expect(found.map(\.message) == [message])
            #expect(found.first?.code == .invalidValue)
            #expect(found.first?.line == 3)
        }

        @Test func boundsOfTheFieldTypesAndWrongTypesAreRejected() throws {
            #expect(try errors("ab_test:\n  min_samples: 10\n").first?.message.contains("at least 30") == true)
            #expect(try errors("ab_test:\n  min_samples: 200.5\n").first?.code == .invalidValue)
            #expect(try errors("ab_test:\n  check_interval: 0.5\n").first?.message.contains("at least 1") == true)
            #expect(try errors("ab_test:\n  sequential: yes\n").count == 1)
            #expect(try errors("ab_test:\n  alpha: \"0.05\"\n").count == 1)
            #expect(try errors("ab_test:\n  alpha: .nan\n").count == 1)
            let several = try errors("ab_test:\n  alpha: 0\n  challenger_share: 1.5\n")
            #expect(several.compactMap(\.line).sorted() == [2, 3])
        }

        @Test func theEdgesOfTheRangesAreAccepted() throws {
            let settings = ABTestSettings(
                validated: try validate(
                    "ab_test:\n  challenger_share: 0.999\n  alpha: 0.5\n  max_duration_hours: 8760\n  min_samples: 30\n  check_interval: 1\n"
                ).get()
            )
            #expect(settings.challengerShare == 0.999 && settings.alpha == 0.5 && settings.maxDurationHours == 8_760)
            #expect(settings.minSamples == 30 && settings.checkInterval == 1)
        }

        @Test func aPipelineDefinitionValidatesItsAbTestSectionWithThisSchema() throws {
            let pipeline = """
                parameters:
                  data: {type: path, required: true}
                stages:
                  collect_data: {copy: data}
                  train: {argv: [/usr/bin/true]}
                  ab_test: {enabled: true, sequential: true, min_samples: 500}
                """
            let definition = try PipelineDefinitionParser.parse(text: pipeline, name: "ab")
            #expect(definition.abTestEnabled)
            #expect(definition.abTestSettings == ABTestSettings(enabled: true, minSamples: 500, sequential: true))
            do {
                _ = try PipelineDefinitionParser.parse(
                    text: pipeline.replacingOccurrences(of: "min_samples: 500", with: "min_sampels: 500"),
                    name: "ab"
                )
                Issue.record("an unknown ab_test key was accepted")
            } catch {
                #expect(error.errors.map(\.code) == [.unknownKey])
            }
        }
    }
}
