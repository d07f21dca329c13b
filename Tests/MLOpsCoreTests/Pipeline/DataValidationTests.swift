import Foundation
import Testing

@testable import MLOpsCore

/// The parent of the pipeline-stage suites: `swift test --filter PipelineStageTests` runs them all.
@Suite enum PipelineStageTests {}

extension PipelineStageTests {
    /// `validate_data`: every rule, every violation listed with its rows' lines.
    @Suite struct DataValidationTests {
        static let spec = ModelSpec(
            task: .binaryClassification,
            features: [
                .init(name: "age", type: .numerical), .init(name: "dose", type: .numerical),
                .init(name: "site", type: .categorical, values: ["a", "b", "c"]),
            ],
            target: "outcome",
            classes: ["no", "yes"],
            segments: .init(equipment: ["scanner"], population: ["sex"])
        )

        /// Row `i` of a clean data set: every third row is `yes`.
        static func row(_ i: Int) -> [String: String] {
            [
                "id": "r\(i)", "age": "\(20 + (i * 7) % 60)", "dose": "\(1 + Double(i % 10) / 10)",
                "site": ["a", "b", "c"][i % 3],
                "outcome": i % 3 == 0 ? "yes" : "no", "scanner": ["s1", "s2"][i % 2], "sex": ["f", "m"][(i / 2) % 2],
            ]
        }

        /// CSV text of `rows` with the columns `header`, in that order.
        static func csv(_ header: [String], _ rows: [[String: String]]) throws -> CSVTable {
            let text =
                header.joined(separator: ",") + "\n"
                + rows.map { row in header.map { row[$0] ?? "" }.joined(separator: ",") }.joined(separator: "\n") + "\n"
            return try CSVTable.parse(text)
        }

        static let header = ["id", "age", "dose", "site", "outcome", "scanner", "sex"]

        @Test func aCleanDataSetPassesWithItsFigures() throws {
            let table = try Self.csv(Self.header, (0..<100).map(Self.row))
            let report = DataValidation.validate(
                csv: table,
                model: Self.spec,
                rules: DataRules(ranges: ["age": 0...120], minClassShare: 0.2)
            )
            #expect(report.passed)
            #expect(report.violations.isEmpty, "\(report.violations.map(\.message))")
            #expect(report.rows == 100)
            #expect(report.columns == Self.header)
            #expect(report.missingShare == ["age": 0, "dose": 0, "site": 0, "outcome": 0, "scanner": 0, "sex": 0])
            // Rows 0, 3, …, 99 are `yes`: 34 of them.
            #expect(report.classCounts == ["no": 66, "yes": 34])
            #expect(report.classShares["yes"] == 0.34)
            let json = try report.json()
            #expect(json["passed"] == true)
            #expect(json["class_counts"]?["yes"] == 34)
            #expect(json["missing_share"]?["dose"]?.doubleValue == 0)
            #expect(json["violations"] == [])
        }

        @Test func aBrokenDataSetListsAllFiveViolationsWithTheirLines() throws {
            // 40 rows (< 50), no `scanner` column, `dose` missing on 4 rows (10% > 5%),
            // `age` 150 on one row (outside [0, 120]), one `yes` of 40 (2.5% < 5%).
            var rows = (0..<40).map { i -> [String: String] in
                var row = Self.row(i)
                row["outcome"] = "no"
                return row
            }
            rows[17]["outcome"] = "yes"
            for i in [3, 9, 10, 31] { rows[i]["dose"] = i == 9 ? "NA" : "" }
            rows[25]["age"] = "150"
            let table = try Self.csv(Self.header.filter { $0 != "scanner" }, rows)
            let rules = DataRules(minRows: 50, maxMissingShare: 0.05, ranges: ["age": 0...120], minClassShare: 0.05)
            let report = DataValidation.validate(csv: table, model: Self.spec, rules: rules)

            #expect(!report.passed)
            // In the documented order: columns, rows, then per column in the model's order
            // (`age` before `dose`), then the labels.
            #expect(
                report.violations.map(\.rule) == [.columns, .minRows, .ranges, .maxMissingShare, .minClassShare],
                "\(report.violations.map(\.message))"
            )
            // Row i is on line i + 2 (the header is line 1).
            let columns = try #require(report.violations(of: .columns).first)
            #expect(columns.column == "scanner")
            #expect(columns.message.contains("`scanner` (equipment segment)"))
            let minRows = try #require(report.violations(of: .minRows).first)
            #expect(minRows.message == "the data has 40 rows; the rules ask for at least 50")
            let missing = try #require(report.violations(of: .maxMissingShare).first)
            #expect(missing.column == "dose" && missing.count == 4 && missing.lines == [5, 11, 12, 33])
            #expect(missing.message == "4 of the 40 values of `dose` are missing (10%); the rules allow at most 5%")
            let range = try #require(report.violations(of: .ranges).first)
            #expect(range.column == "age" && range.count == 1 && range.lines == [27])
            #expect(range.message.contains("outside [0, 120] (highest 150)"))
            let balance = try #require(report.violations(of: .minClassShare).first)
            #expect(balance.column == "outcome" && balance.count == 1 && balance.lines == [19])
            #expect(
                balance.message
                    == "class `yes` has 1 of the 40 labelled rows (2.5%); the rules ask for at least 5% of each class"
            )
            #expect(report.missingShare["dose"] == 0.1 && report.missingCount["dose"] == 4)
            #expect(report.classCounts == ["no": 39, "yes": 1])

            let json = try report.json()
            guard case .array(let violations)? = json["violations"] else {
                Issue.record("no violations array in \(json)")
                return
            }
            #expect(
                violations.map { $0["rule"]?.stringValue } == [
                    "columns", "min_rows", "ranges", "max_missing_share", "min_class_share",
                ]
            )
            #expect(violations[3]["lines"] == [5, 11, 12, 33])
            #expect(violations[1]["column"] == nil)
        }

        @Test func aNonNumericValueInANumericalFeatureIsReportedByItsLine() throws {
            // A quoted note with a line break makes row 1 span lines 3–4, so later rows
            // sit one line further down than their index suggests.
            var text = "age,dose,site,outcome,scanner,sex,note\n"
            var lines: [Int] = []
            var line = 2
            for i in 0..<60 {
                var row = Self.row(i)
                if i == 7 { row["age"] = "old" }
                if i == 42 { row["age"] = "12abc" }
                if i == 50 { row["age"] = "NA" }  // missing, not a bad number
                let note = i == 1 ? "\"two\nlines\"" : "-"
                text +=
                    ["age", "dose", "site", "outcome", "scanner", "sex"].map { row[$0] ?? "" }.joined(separator: ",")
                    + ",\(note)\n"
                lines.append(line)
                line += i == 1 ? 2 : 1
            }
            let table = try CSVTable.parse(text)
            #expect(table.rowLines == lines)
            let report = DataValidation.validate(csv: table, model: Self.spec, rules: DataRules())
            #expect(report.violations.map(\.rule) == [.numbers], "\(report.violations.map(\.message))")
            let numbers = try #require(report.violations.first)
            #expect(numbers.column == "age" && numbers.count == 2)
            #expect(numbers.lines == [lines[7], lines[42]] && numbers.lines == [10, 45])
            #expect(
                numbers.message
                    == "`age` is a numerical feature, but 2 of its 60 values are not numbers, e.g. `old` on line 10"
            )
            #expect(report.missingCount["age"] == 1)
        }

        @Test func aSingleClassAnUndeclaredCategoryAndAnUndeclaredLabelAreViolations() throws {
            var rows = (0..<60).map { i -> [String: String] in
                var row = Self.row(i)
                row["outcome"] = "no"
                return row
            }
            rows[4]["site"] = "z"
            let report = DataValidation.validate(
                csv: try Self.csv(Self.header, rows),
                model: Self.spec,
                rules: DataRules()
            )
            #expect(
                report.violations.map(\.rule) == [.categories, .classes, .minClassShare],
                "\(report.violations.map(\.message))"
            )
            #expect(report.violations[0].lines == [6])
            #expect(
                report.violations[1].message
                    == "the target `outcome` has only one class (`no`) in its 60 labelled rows; "
                    + "a classifier needs at least 2"
            )
            #expect(report.violations[2].message.contains("class `yes` has 0 of the 60"))

            rows[8]["outcome"] = "maybe"
            rows[9]["outcome"] = "yes"
            let undeclared = DataValidation.validate(
                csv: try Self.csv(Self.header, rows),
                model: Self.spec,
                rules: DataRules(minClassShare: 0)
            )
            #expect(undeclared.violations(of: .classes).map(\.lines) == [[10], []])
            #expect(undeclared.violations(of: .classes).last?.message.contains("binary") == true)
        }

        @Test func aFeatureDeclaredMinAndMaxActAsARangeUnlessTheRulesGiveOne() throws {
            var spec = Self.spec
            spec.features[0].max = 70
            let table = try Self.csv(Self.header, (0..<60).map(Self.row))  // ages 20…79
            let report = DataValidation.validate(csv: table, model: spec, rules: DataRules())
            let over = (0..<60).filter { 20 + ($0 * 7) % 60 > 70 }
            #expect(report.violations.map(\.rule) == [.ranges])
            #expect(report.violations.first?.count == over.count)
            #expect(
                report.violations.first?.lines == Array(over.prefix(DataValidation.maxLinesPerViolation).map { $0 + 2 })
            )
            #expect(DataValidation.validate(csv: table, model: spec, rules: DataRules(ranges: ["age": 0...120])).passed)
        }

        @Test func aRangeOnAColumnTheModelDoesNotUseChecksItOrSaysItIsAbsent() throws {
            var rows = (0..<60).map(Self.row)
            rows[5]["id"] = "12"
            rows[6]["id"] = "999"
            let table = try Self.csv(Self.header, rows)  // ids are `r0`, `r1`, … except two numbers
            let report = DataValidation.validate(
                csv: table,
                model: Self.spec,
                rules: DataRules(ranges: ["id": 0...100, "weight": 0...300])
            )
            #expect(report.violations.map(\.rule) == [.ranges, .ranges], "\(report.violations.map(\.message))")
            let id = try #require(report.violations.first)
            #expect(id.column == "id" && id.count == 59)
            #expect(id.lines == [2, 3, 4, 5, 6, 8, 9, 10, 11, 12])  // line 7 holds `12`, inside the range
            #expect(id.message.contains("(highest 999, 58 not a number)"))
            #expect(
                report.violations.last?.message == "`ranges` names the column `weight`, which the data does not have"
            )
        }

        @Test func aRegressionTargetMustBeNumbersAndHasNoClasses() throws {
            var spec = Self.spec
            spec.task = .regression
            spec.classes = nil
            spec.metric = "rmse"
            var rows = (0..<60).map(Self.row)
            for i in rows.indices { rows[i]["outcome"] = "\(Double(i) / 4)" }
            rows[30]["outcome"] = "high"
            let report = DataValidation.validate(csv: try Self.csv(Self.header, rows), model: spec, rules: DataRules())
            #expect(report.violations.map(\.rule) == [.numbers])
            #expect(report.violations.first?.lines == [32])
            #expect(report.violations.first?.message.hasPrefix("`outcome` is the target of a regression model") == true)
            #expect(report.classCounts.isEmpty)
        }

        @Test func theMissingMarkersAreEmptyNAAndFriendsInAnyCase() {
            for cell in ["", "NA", "na", "N/A", "NaN", "nan", "null", "NULL", "None", " NA "] {
                #expect(DataRules.isMissing(cell), "\(cell)")
            }
            for cell in ["0", "-", "no", "none of them", "NAN1"] { #expect(!DataRules.isMissing(cell), "\(cell)") }
        }
    }
}
