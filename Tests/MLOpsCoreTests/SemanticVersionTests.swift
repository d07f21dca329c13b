import Foundation
import Testing

@testable import MLOpsCore

@Suite struct SemanticVersionTests {
    @Test func parsesReleasesPrereleasesAndBuildsAndPrintsThemBack() throws {
        for text in [
            "0.0.0", "1.2.3", "10.20.30", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-0.3.7", "1.0.0-x.7.z.92",
            "1.0.0+20130313144700", "1.0.0-beta+exp.sha.5114f85", "1.0.0-rc.1+build.1",
        ] {
            let v = try #require(SemanticVersion(text), "\(text)")
            #expect(v.description == text)
        }
    }

    @Test func refusesWhatSemverRefuses() {
        for text in [
            "1", "1.2", "1.2.3.4", "v1.2.3", "01.2.3", "1.02.3", "1.2.03", "1.2.3-", "1.2.3+", "1.2.3-01",
            "1.2.3-alpha..1", "1.2.3-al_pha", " 1.2.3", "1.2.-3", "-1.2.3", "a.b.c", "",
        ] {
            #expect(SemanticVersion(text) == nil, "\(text)")
        }
    }

    @Test func orderingFollowsSemverPrecedence() throws {
        // The example chain from semver.org §11.
        let chain = [
            "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11",
            "1.0.0-rc.1", "1.0.0", "1.0.1", "1.1.0", "2.0.0", "10.0.0",
        ]
        let versions = try chain.map { try #require(SemanticVersion($0)) }
        for (a, b) in zip(versions, versions.dropFirst()) {
            #expect(a < b, "\(a) < \(b)")
            #expect(!(b < a))
        }
        #expect(versions.shuffled().sorted() == versions)
    }

    @Test func buildMetadataDoesNotChangePrecedence() throws {
        let a = try #require(SemanticVersion("1.2.0+build.1"))
        let b = try #require(SemanticVersion("1.2.0"))
        #expect(a.hasSamePrecedence(as: b))
        #expect(a != b)
    }

    @Test func codableAsItsString() throws {
        let v = try #require(SemanticVersion("2.1.0-rc.2"))
        let data = try JSONEncoder().encode([v])
        #expect(String(decoding: data, as: UTF8.self) == "[\"2.1.0-rc.2\"]")
        #expect(try JSONDecoder().decode([SemanticVersion].self, from: data) == [v])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([SemanticVersion].self, from: Data("[\"1.2\"]".utf8))
        }
    }
}

@Suite struct VersionRuleTests {
    @Test(
        arguments: [
            (nil, VersionChange.retrain, "1.0.0"),
            (nil, .schema, "1.0.0"),
            ("1.0.0", .retrain, "1.1.0"),
            ("1.4.2", .retrain, "1.5.0"),
            ("1.4.2", .schema, "2.0.0"),
            ("1.4.2", .metadata, "1.4.3"),
            ("2.0.0-rc.1", .metadata, "2.0.0"),
            ("2.0.0-rc.1", .retrain, "2.1.0"),
            ("3.1.4+build.9", .retrain, "3.2.0"),
        ] as [(String?, VersionChange, String)]
    )
    func derivedVersionsFollowTheChange(latest: String?, change: VersionChange, expected: String) throws {
        let previous = latest.flatMap(SemanticVersion.init)
        #expect(VersionRule.next(after: previous, change: change).description == expected)
    }

    @Test func anExplicitVersionMustBeNewAndValid() throws {
        let existing = try ["1.0.0", "1.1.0"].map { try #require(SemanticVersion($0)) }
        #expect(VersionRule.problem(withExplicit: "1.2.0", existing: existing) == nil)
        #expect(VersionRule.problem(withExplicit: "1.1.0", existing: existing)?.contains("already exists") == true)
        #expect(
            VersionRule.problem(withExplicit: "1.1.0+rebuild", existing: existing)?.contains("already exists") == true
        )
        #expect(
            VersionRule.problem(withExplicit: "v1.3", existing: existing)?.contains("not a semantic version") == true
        )
    }

    @Test func theChangeComesFromSchemaAndArtifactFingerprints() {
        #expect(VersionRule.change(previousSchema: nil, schema: "s", previousArtifact: nil, artifact: "a") == .retrain)
        #expect(VersionRule.change(previousSchema: "s", schema: "t", previousArtifact: "a", artifact: "a") == .schema)
        #expect(VersionRule.change(previousSchema: "s", schema: "s", previousArtifact: "a", artifact: "b") == .retrain)
        #expect(VersionRule.change(previousSchema: "s", schema: "s", previousArtifact: "a", artifact: "a") == .metadata)
    }
}
