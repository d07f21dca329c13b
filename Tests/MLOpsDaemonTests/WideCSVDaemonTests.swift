import Foundation
import MLOpsCore
import Testing

/// A CSV file with a million columns, through the real daemon (issue 23): before, parsing
/// its header took time quadratic in the columns while every other job waited; now the
/// header is counted in one pass and refused against `max_columns`, and the next job is
/// answered.
@Suite(.serialized) struct WideCSVDaemonTests {
    @Test func aMillionColumnHeaderIsRefusedWithTheLimitAndTheNextJobIsAnswered() throws {
        let h = try DaemonHarness()
        defer { h.cleanUp() }
        try h.start()
        try h.drop("reg.yaml", Jobs.registerModel("xray"))
        #expect(try h.waitForResult("reg").status == .succeeded)
        try FileManager.default.createDirectory(atPath: h.root + "/data", withIntermediateDirectories: true)
        let header = (0..<1_000_000).map { "c\($0)" }.joined(separator: ",")
        try writeFile(h.root + "/data/wide.csv", Data((header + "\n" + header + "\n").utf8))
        try h.drop("wide.yaml", "kind: log-predictions\nmodel: xray\nparams:\n  file: \(h.root)/data/wide.csv\n")
        try h.drop("alerts.yaml", "kind: list-alerts\n")
        let wide = try h.waitForResult("wide", timeout: 60)
        #expect(wide.status == .rejected)
        let message = wide.error?.message ?? ""
        #expect(message.contains("wide.csv"), "\(message)")
        #expect(message.contains("1000000 columns"), "\(message)")
        #expect(message.contains("at most 10000"), "\(message)")
        #expect(message.contains("raise max_columns"), "\(message)")
        #expect(try h.waitForResult("alerts", timeout: 30).status == .succeeded)
    }

    @Test func maxColumnsFromTheConfigRefusesAWiderFileAndAcceptsOneAtTheLimit() throws {
        let h = try DaemonHarness(config: "max_columns: 3")
        defer { h.cleanUp() }
        try h.start()
        try h.drop("reg.yaml", Jobs.registerModel("xray"))
        #expect(try h.waitForResult("reg").status == .succeeded)
        try FileManager.default.createDirectory(atPath: h.root + "/data", withIntermediateDirectories: true)
        try writeFile(h.root + "/data/four.csv", Data("id,prediction,age,extra\n1,normal,3,x\n".utf8))
        try h.drop("four.yaml", "kind: log-predictions\nmodel: xray\nparams:\n  file: \(h.root)/data/four.csv\n")
        let four = try h.waitForResult("four")
        #expect(four.status == .rejected)
        #expect(four.error?.message.contains("four.csv: line 1: the header has 4 columns; at most 3") == true)
        try writeFile(h.root + "/data/three.csv", Data("id,prediction,age\n1,normal,3\n".utf8))
        try h.drop("three.yaml", "kind: log-predictions\nmodel: xray\nparams:\n  file: \(h.root)/data/three.csv\n")
        let three = try h.waitForResult("three")
        // Three columns pass the limit; the model's other columns are then missing.
        #expect(three.error?.message.contains("the header lacks") == true, "\(three.error?.message ?? "")")
    }
}
