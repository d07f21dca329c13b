import Foundation
import MLOpsCore
import Testing

@testable import MLOpsDaemon

/// `mlopsctl versions | production | promote | rollback` against a real daemon.
@Suite(.serialized) struct MLOpsCtlRegistryTests {
    func ctl(_ d: DaemonHarness, _ args: [String]) throws -> CommandRun {
        try Ctl.run([args[0], "--spool", d.spool] + args.dropFirst(), stdin: nil, in: d.root, timeout: 60)
    }

    @Test func promoteRollbackVersionsAndProductionWriteJobsAndReportThem() throws {
        let d = try DaemonHarness()
        defer { d.cleanUp() }
        try d.start()
        try d.drop("reg.yaml", Jobs.registerModel("xray"))
        #expect(try d.waitForResult("reg").status == .succeeded)
        for i in 0..<2 {
            let dir = try DaemonRegistryTests.artifact(d.root, "a\(i)", weights: "w\(i)")
            try d.drop("cv\(i).yaml", "kind: create-version\nmodel: xray\nparams:\n  artifact: \(dir)\n")
            #expect(try d.waitForResult("cv\(i)").status == .succeeded)
        }
        let first = try ctl(d, ["promote", "xray", "1.0.0", "--reason", "first: \"quoted\" # not a comment"])
        #expect(first.exitCode == 0, "\(first)")
        #expect(first.stdout.contains("xray 1.0.0 is in production"), "\(first)")
        let second = try ctl(d, ["promote", "xray", "1.1.0"])
        #expect(second.stdout.contains("xray 1.1.0 is in production (was 1.0.0)"), "\(second)")
        let unknown = try ctl(d, ["promote", "xray", "3.0.0"])
        #expect(unknown.exitCode == 65, "\(unknown)")
        #expect(unknown.stdout.contains("unknown_version"), "\(unknown)")

        let back = try ctl(d, ["rollback", "xray", "--reason", "bad night"])
        #expect(back.exitCode == 0, "\(back)")
        #expect(back.stdout.contains("xray rolled back from 1.1.0 to 1.0.0"), "\(back)")

        let versions = try ctl(d, ["versions", "xray"])
        #expect(versions.exitCode == 0, "\(versions)")
        #expect(versions.stdout.contains("xray: production 1.0.0, rollback target 1.1.0"), "\(versions)")
        #expect(versions.stdout.contains("promote by"), "\(versions)")
        #expect(versions.stdout.contains("rollback by"), "\(versions)")

        let json = try ctl(d, ["production", "xray", "--json"])
        let doc = try ResultDocument.decode(Data(json.stdout.utf8))
        #expect(doc.result?["version"]?.stringValue == "1.0.0")
        #expect(doc.result?["stint"]?["action"]?.stringValue == "rollback")
        let stints = try d.readStore { db in try VersionStore.history(db, model: "xray") }
        #expect(stints.first?.reason == "first: \"quoted\" # not a comment")
        let past = try ctl(d, ["production", "xray", "--at", stints[1].from])
        #expect(past.stdout.hasPrefix("xray 1.1.0: in production since \(stints[1].from) until"), "\(past)")
        let badTime = try ctl(d, ["production", "xray", "--at", "noon"])
        #expect(badTime.exitCode == 65, "\(badTime)")
    }
}
