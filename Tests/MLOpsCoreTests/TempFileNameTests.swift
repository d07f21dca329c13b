import Testing

@testable import MLOpsCore

/// The temp-file pattern of atomic writes, recognised exactly.
@Suite struct TempFileNameTests {
    @Test func theAtomicWritePatternGivesItsTargetAndPid() throws {
        let parsed = try #require(TempFileName.parse(".job-1.json.4242.tmp"))
        #expect(parsed.target == "job-1.json")
        #expect(parsed.pid == 4242)
        #expect(TempFileName.parse(TempFileName.of("status.json", pid: 7))?.target == "status.json")
    }

    @Test func otherNamesAreNotTempFiles() {
        for name in [".job.yaml.tmp", "job.json.12.tmp", "..12.tmp", ".x.0.tmp", ".x.12a.tmp", ".x.12", ".x..tmp"] {
            #expect(TempFileName.parse(name) == nil, "\(name)")
        }
    }
}
