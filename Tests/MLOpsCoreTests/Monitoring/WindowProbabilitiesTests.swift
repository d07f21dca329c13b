import Foundation
import Testing

@testable import MLOpsCore

/// Logged probabilities (JSON text per row) into per-class columns for a multiclass check.
@Suite struct WindowProbabilitiesTests {
    @Test func theStoresFlatObjectsAreReadAndEverythingElseFallsBackOrIsMissing() {
        let texts: [String?] = [
            #"{"a":0.2,"b":0.7,"c":0.1}"#,
            #"{ "c" : 1e-3 , "a" : 0.5 }"#,
            nil,
            #"{"a\u0062":0.4,"b":0.6}"#,
            #"{"a":null,"b":0.3}"#,
            "not json",
            #"{"a":-0.0,"b":1,"c":2.5E-1}"#,
        ]
        let columns = MonitoringWindow.probabilityColumns(texts, classes: ["a", "b", "c"])
        #expect(columns.count == 3 && columns.allSatisfy { $0.count == texts.count })
        func row(_ r: Int) -> [Double] { columns.map { $0[r] } }
        #expect(row(0) == [0.2, 0.7, 0.1])
        #expect(row(1)[0] == 0.5 && row(1)[1].isNaN && row(1)[2] == 0.001)
        #expect(row(2).allSatisfy { $0.isNaN })
        // An escaped key goes through the full parser: "ab" is no class, b is read.
        #expect(row(3)[0].isNaN && row(3)[1] == 0.6)
        #expect(row(4)[0].isNaN && row(4)[1] == 0.3)
        #expect(row(5).allSatisfy { $0.isNaN })
        #expect(row(6) == [0, 1, 0.25])
    }
}
