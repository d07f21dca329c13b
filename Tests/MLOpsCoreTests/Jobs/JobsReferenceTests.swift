import Foundation
import Testing

@testable import MLOpsCore

/// docs/jobs-reference.md documents every kind and every parameter its declaration accepts:
/// a kind or a parameter added without its docs fails here.
@Suite struct JobsReferenceTests {
    static let reference: [Substring] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("docs/jobs-reference.md")
        let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        return text.split(separator: "\n", omittingEmptySubsequences: false)
    }()

    /// The lines of the section whose heading names `kind` in backticks, up to the next heading.
    static func section(of kind: JobKind) -> [Substring]? {
        guard let start = reference.firstIndex(where: { $0.hasPrefix("#") && $0.contains("`\(kind.rawValue)`") })
        else { return nil }
        let rest = reference[(start + 1)...]
        let end = rest.firstIndex(where: { $0.hasPrefix("## ") || $0.hasPrefix("### ") }) ?? reference.endIndex
        return Array(reference[start..<end])
    }

    @Test(arguments: JobKind.allCases) func everyKindHasASectionListingEachParameter(kind: JobKind) throws {
        let section = try #require(
            Self.section(of: kind),
            "docs/jobs-reference.md has no heading naming `\(kind.rawValue)`"
        )
        for field in kind.declaration.schema.fields {
            // A mapping's fields may be documented one row each (`policy.window_size`).
            let row = ["| `\(field.name)` |", "| `\(field.name).", "| `\(field.name)[]."]
            #expect(
                section.contains { line in row.contains { line.hasPrefix($0) } },
                "docs/jobs-reference.md's section on \(kind.rawValue) has no row for `\(field.name)`"
            )
        }
    }
}
