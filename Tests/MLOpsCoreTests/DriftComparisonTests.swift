import Foundation
import Testing

@testable import MLOpsCore

@Suite struct DriftComparisonTests {
    func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// `rows` rows of x (normal, shifted by `shift`), g (three categories, `weights`) and k.
    func file(rows: Int, seed: UInt64, shift: Double = 0, weights: [Double] = [1, 1, 1]) -> String {
        var rng = SeededGenerator(seed: seed)
        var text = "x,g,k\n"
        let total = weights.reduce(0, +)
        for _ in 0..<rows {
            var u = Double.random(in: 0..<total, using: &rng)
            var g = 2
            for (i, w) in weights.enumerated() {
                if u < w {
                    g = i
                    break
                }
                u -= w
            }
            text += String(format: "%.4f", rng.normal() + shift) + ",g\(g),\(Int.random(in: 0..<5, using: &rng))\n"
        }
        return text
    }

    @Test func appliesTheDaemonsRuleDToNumbersAndJensenShannonToCategories() throws {
        let report = try DriftComparison.compare(
            reference: bytes(file(rows: 4000, seed: 1)),
            current: bytes(file(rows: 3000, seed: 2, shift: 0.5, weights: [3, 1, 1])),
            categorical: ["k"]
        )
        #expect(report.columns.map(\.name) == ["x", "g", "k"])
        #expect(report.columns.map(\.type) == [.numerical, .categorical, .categorical])
        #expect(report.columns.map(\.test) == [.ks, .chiSquare, .chiSquare])
        for column in report.columns {
            let effect = column.type == .numerical ? column.statistic : column.jensenShannon
            let expected = (effect ?? 0) > report.threshold && (column.pAdjusted ?? 1) < report.alpha
            #expect(column.drift == expected, "\(column)")
        }
        #expect(report.drifted.contains("x"))
        #expect(!report.drifted.contains("k"))
        #expect(report.driftShare == Double(report.drifted.count) / 3)
        #expect(report.rowsReference == 4000 && report.rowsCurrent == 3000)
    }

    @Test func aColumnThatIsTextInOneFileIsReadAsTextInBothAndTheNoteSaysWhere() throws {
        let report = try DriftComparison.compare(
            reference: bytes("a,b\n1,2\n3,4\n5,6\n"),
            current: bytes("b,a\n2,1\n4,3\nn/a,5\n")
        )
        let b = try #require(report.columns.first { $0.name == "b" })
        #expect(b.type == .categorical)
        #expect(b.note?.contains("line 4 of the current file holds 'n/a'") == true, "\(b)")
        #expect(report.columns.first { $0.name == "a" }?.type == .numerical)
    }

    @Test func aColumnInOneFileOnlyIsRefusedByName() {
        #expect(throws: DriftInputError.columnInOneFileOnly(name: "c", presentIn: .reference)) {
            try DriftComparison.compare(reference: bytes("a,c\n1,2\n"), current: bytes("a\n1\n"))
        }
        #expect(throws: DriftInputError.columnInOneFileOnly(name: "d", presentIn: .current)) {
            try DriftComparison.compare(reference: bytes("a\n1\n"), current: bytes("d,a\n1,2\n"))
        }
        #expect(throws: DriftInputError.unknownCategorical(name: "zz")) {
            try DriftComparison.compare(reference: bytes("a\n1\n"), current: bytes("a\n1\n"), categorical: ["zz"])
        }
        #expect(throws: DriftInputError.csv(.current, .wrongFieldCount(line: 3, expected: 1, found: 2))) {
            try DriftComparison.compare(reference: bytes("a\n1\n"), current: bytes("a\n1\n2,3\n"))
        }
    }

    @Test func missingCellsAreCountedAndAnEmptySideIsNotTested() throws {
        let report = try DriftComparison.compare(
            reference: bytes("a,b,g\n1,,x\n2,,\n3,,y\n"),
            current: bytes("a,b,g\n,,x\n2,,x\nnan,,\n")
        )
        let a = try #require(report.columns.first { $0.name == "a" })
        #expect(a.missingReference == 0 && a.missingCurrent == 2)
        let b = try #require(report.columns.first { $0.name == "b" })
        #expect(b.test == nil && b.pValue == nil && b.drift == false && b.note != nil, "\(b)")
        #expect(b.missingReference == 3 && b.missingCurrent == 3)
        let g = try #require(report.columns.first { $0.name == "g" })
        #expect(g.type == .categorical && g.missingReference == 1 && g.missingCurrent == 1)
    }
}
