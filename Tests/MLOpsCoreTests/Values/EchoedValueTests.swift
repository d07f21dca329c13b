import MLOpsCore
import Testing

/// Values echoed in error messages are escaped and cut.
@Suite struct EchoedValueTests {
    @Test func controlCharactersAreWrittenAsEscapes() {
        #expect(EchoedValue.quoted("PA\u{1F}") == "`PA\\u001F`")
        #expect(EchoedValue.quoted("a\nb\tc\rd") == "`a\\nb\\tc\\rd`")
        #expect(EchoedValue.quoted("\u{1B}[2J") == "`\\u001B[2J`")
        #expect(EchoedValue.quoted("\u{7F}\u{85}\u{2028}") == "`\\u007F\\u0085\\u2028`")
        #expect(EchoedValue.quoted("C:\\x") == "`C:\\\\x`")
    }

    @Test func plainTextIsUnchanged() {
        #expect(EchoedValue.quoted("Röntgen 🩻 S0") == "`Röntgen 🩻 S0`")
    }

    @Test func longValuesAreCutWithAnEllipsis() {
        let long = String(repeating: "x", count: 1000)
        #expect(EchoedValue.quoted(long) == "`" + String(repeating: "x", count: 64) + "…`")
        #expect(EchoedValue.escaped(long, limit: 3) == "xxx…")
        #expect(EchoedValue.escaped("xxx", limit: 3) == "xxx")
    }
}
