import Foundation
import MLOpsCore
import Testing

/// A result lists at most 100 errors and counts the rest.
@Suite struct ResultErrorInfoTests {
    func errors(_ n: Int) -> [JobError] {
        (1...n).map { JobError(.unknownKey, "unknown key `k\($0)`", at: SourceMark(line: $0, column: 1)) }
    }

    @Test func aResultListsTheFirstHundredErrorsAndCountsAll() throws {
        let all = errors(60_000)
        let info = ResultDocument.ErrorInfo(all[0], more: Array(all.dropFirst()))
        #expect(info.more?.count == 99)
        #expect(info.more?.first?.line == 2)
        #expect(info.more?.last?.line == 100)
        #expect(info.errorsTotal == 60_000)
        #expect(info.unlisted == 59_900)
    }

    @Test func aHundredErrorsOrFewerAreAllListedWithoutACount() throws {
        let all = errors(100)
        let info = ResultDocument.ErrorInfo(all[0], more: Array(all.dropFirst()))
        #expect(info.more?.count == 99)
        #expect(info.errorsTotal == nil)
        #expect(info.unlisted == 0)
        let encoded = try JSONEncoder.mlopsPretty.encode(info)
        #expect(!String(decoding: encoded, as: UTF8.self).contains("errors_total"))
    }

    @Test func theCountIsWrittenAsErrorsTotal() throws {
        let all = errors(101)
        let info = ResultDocument.ErrorInfo(all[0], more: Array(all.dropFirst()))
        let text = String(decoding: try JSONEncoder.mlopsPretty.encode(info), as: UTF8.self)
        #expect(text.contains("\"errors_total\" : 101"))
        let decoded = try JSONDecoder().decode(ResultDocument.ErrorInfo.self, from: Data(text.utf8))
        #expect(decoded == info)
    }
}
