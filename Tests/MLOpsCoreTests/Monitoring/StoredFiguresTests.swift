import Foundation
import Testing

@testable import MLOpsCore

/// A history check read from a stored report's JSON through ``Kinds.MonitoringHistory.Check.StoredFigures``
/// (only the trend figures decoded) is the check built from the whole report.
@Suite struct StoredFiguresTests {
    @Test func decodingOnlyTheTrendFiguresGivesTheCheckOfTheWholeReport() throws {
        let names = (0..<5).map(ReportFixture.columnName)
        for index in 0..<12 {
            let report = ReportFixture.monitoringReport(index: index, columns: names)
            let stored = try JSONEncoder.mlopsCompact.encode(report)
            let figures = try JSONDecoder().decode(Kinds.MonitoringHistory.Check.StoredFigures.self, from: stored)
            let light = Kinds.MonitoringHistory.Check(
                seq: index,
                at: "t",
                version: "1.0.0",
                trigger: "job",
                figures: figures
            )
            let whole = Kinds.MonitoringHistory.Check(
                seq: index,
                at: "t",
                version: "1.0.0",
                trigger: "job",
                report: report
            )
            #expect(light == whole)
            #expect(light.columns.count == names.count)
        }
    }
}
