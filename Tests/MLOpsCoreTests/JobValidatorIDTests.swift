import Testing

@testable import MLOpsCore

@Suite struct JobIDRuleTests {
    @Test func fileNameWithoutExtensionIsTheID() {
        #expect(JobValidator.idFromFileName("retrain-1.yaml") == "retrain-1")
        #expect(JobValidator.idFromFileName("a.b_c.yml") == "a.b_c")
    }
    @Test func idsOutsideTheAlphabetOrTooLongAreRefused() {
        #expect(!JobValidator.isValidID("has space"))
        #expect(!JobValidator.isValidID(""))
        #expect(!JobValidator.isValidID(String(repeating: "a", count: 129)))
        #expect(JobValidator.isValidID(String(repeating: "a", count: 128)))
        #expect(!JobValidator.isValidID("../etc"))
    }
    @Test func idsBeginningWithADotAreRefused() {
        #expect(!JobValidator.isValidID("."))
        #expect(!JobValidator.isValidID(".."))
        #expect(!JobValidator.isValidID(".hidden"))
        #expect(JobValidator.isValidID("a..b"))
        #expect(JobValidator.idFromFileName("...yaml") == nil)
    }
}
