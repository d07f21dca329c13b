import Testing

@testable import MLOpsCore

extension PipelineStageTests {
    /// The `validate_data:` and `test_model:` sections of a pipeline definition, through
    /// the same validator as job files.
    @Suite struct StageRulesTests {
        /// Validates the `section:` of `yaml` against `schema`.
        func validate(
            _ yaml: String,
            _ section: String,
            _ schema: ObjectSchema
        ) throws -> Result<JSONValue, ValidationFailure> {
            let root = try #require(try YAMLComposer.compose(yaml))
            let node = try #require(root[section])
            do {
                return .success(try SchemaValidator.validate(node, against: .object(schema), path: section))
            } catch {
                return .failure(error)
            }
        }

        @Test func dataRulesReadEveryKeyOfTheSection() throws {
            let yaml = """
                validate_data:
                  min_rows: 200
                  max_missing_share: 0.05
                  ranges:
                    age: [0, 120]
                    dose: [0.5, 2.5]
                  min_class_share: 0.05
                  max_class_count: 50
                """
            let value = try validate(yaml, "validate_data", DataRules.schema).get()
            #expect(
                DataRules(validated: value)
                    == DataRules(
                        minRows: 200,
                        maxMissingShare: 0.05,
                        ranges: ["age": 0...120, "dose": 0.5...2.5],
                        minClassShare: 0.05,
                        maxClassCount: 50
                    )
            )
        }

        @Test func anEmptySectionGivesTheDocumentedDefaults() throws {
            let value = try validate("validate_data:\n", "validate_data", DataRules.schema).get()
            let rules = DataRules(validated: value)
            #expect(rules == DataRules())
            #expect(
                rules.minRows == 50 && rules.maxMissingShare == 0.05 && rules.minClassShare == 0.01
                    && rules.maxClassCount == 100
            )
            #expect(rules.ranges.isEmpty)
            #expect(
                TestRules(validated: try validate("test_model:\n", "test_model", TestRules.schema).get()) == TestRules()
            )
            #expect(TestRules().minSegmentRows == 30 && TestRules().minMetric == nil)
        }

        @Test func theDataRulesSchemaRejectsAnUnknownKeyWithTheClosestOne() throws {
            let yaml = "validate_data:\n  min_rows: 10\n  max_missng_share: 0.1\n"
            guard case .failure(let failure) = try validate(yaml, "validate_data", DataRules.schema) else {
                Issue.record("an unknown key was accepted")
                return
            }
            #expect(failure.errors.count == 1)
            let error = try #require(failure.errors.first)
            #expect(error.code == .unknownKey)
            #expect(error.message == "unknown key `max_missng_share` in validate_data")
            #expect(error.line == 3 && error.column == 3)
            #expect(error.fix?.contains("max_missing_share") == true)
        }

        @Test func theDataRulesSchemaRejectsAReversedRangeAndBadBounds() throws {
            let yaml = "validate_data:\n  ranges:\n    age: [120, 0]\n  max_missing_share: 1.5\n  min_rows: 0\n"
            guard case .failure(let failure) = try validate(yaml, "validate_data", DataRules.schema) else {
                Issue.record("bad rules were accepted")
                return
            }
            #expect(failure.errors.map(\.code) == [.invalidValue, .invalidValue])
            #expect(failure.errors.map(\.line) == [4, 5])
            let reversed = "validate_data:\n  ranges:\n    age: [120, 0]\n"
            guard case .failure(let range) = try validate(reversed, "validate_data", DataRules.schema) else {
                Issue.record("a reversed range was accepted")
                return
            }
            #expect(range.errors.first?.message == "ranges.age must be [lo, hi] with lo ≤ hi, not [120.0, 0.0]")
            #expect(range.errors.first?.line == 3)
            guard
                case .failure(let short) = try validate(
                    "validate_data:\n  ranges:\n    age: [1]\n",
                    "validate_data",
                    DataRules.schema
                )
            else {
                Issue.record("a one-number range was accepted")
                return
            }
            #expect(short.errors.first?.message.contains("at least 2 items") == true)
        }

        @Test func testRulesReadEveryKeyAndRejectAnUnknownOne() throws {
            let yaml =
                "test_model:\n  min_metric: 0.8\n  min_segment_metric: 0.7\n  min_segment_rows: 50\n  max_latency_p99_ms: 2.5\n"
            let value = try validate(yaml, "test_model", TestRules.schema).get()
            #expect(
                TestRules(validated: value)
                    == TestRules(
                        minMetric: 0.8,
                        minSegmentMetric: 0.7,
                        minSegmentRows: 50,
                        maxLatencyP99Ms: 2.5
                    )
            )
            guard
                case .failure(let failure) = try validate(
                    "test_model:\n  min_metrik: 0.8\n",
                    "test_model",
                    TestRules.schema
                )
            else {
                Issue.record("an unknown key was accepted")
                return
            }
            #expect(failure.errors.map(\.code) == [.unknownKey])
            #expect(failure.errors.first?.fix?.contains("min_metric") == true)
        }
    }
}
