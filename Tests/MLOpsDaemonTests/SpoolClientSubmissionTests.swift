import Dispatch
import Foundation
import Glibc
import MLOpsClient
import MLOpsCore
import Testing

@testable import MLOpsDaemon

/// `submit --wait` follows its own file: not a stale rejection, not another file's job.
@Suite(.serialized) struct SpoolClientSubmissionTests {
    typealias Fixture = SpoolClientTests.Fixture

    /// Publishes `document` from another thread shortly after the call, so that it arrives
    /// while the waiter is blocked and must be woken by inotify (the assertion does not
    /// depend on the delay: an early arrival is found by the waiter's first look).
    func publishLater(_ f: Fixture, _ document: ResultDocument, as name: String) {
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) {
            try? f.publish(document, as: name)
        }
    }

    @Test func resubmittingARejectedIDWaitsForTheNewResultNotTheOldRejection() throws {
        let f = try Fixture()
        defer { f.cleanUp() }
        try f.publish(SpoolClientTests.document("retry", .rejected))
        let submission = try f.client.submission(text: Jobs.registerModel("m", id: "retry"), fileName: "retry.yaml")
        #expect(submission.staleResultInode != nil)
        var fresh = SpoolClientTests.document("retry", .succeeded)
        fresh.fileInode = submission.fileInode
        publishLater(f, fresh, as: "retry.json")
        let document = try f.client.wait(for: submission, timeout: 20)
        #expect(document.status == .succeeded)
        #expect(document.fileInode == submission.fileInode)
    }

    @Test func aDuplicateOfAnIDInFlightWaitsForItsOwnRejectionNotTheOtherJobsResult() throws {
        let f = try Fixture()
        defer { f.cleanUp() }
        let submission = try f.client.submission(text: Jobs.registerModel("m", id: "twice"), fileName: "twice.yaml")
        // The other file with this id finishes first...
        var other = SpoolClientTests.document("twice", .succeeded)
        other.fileInode = submission.fileInode &+ 1
        try f.publish(other)
        // ...and ours is rejected as a duplicate, under <id>+<inode>.json.
        var ours = SpoolClientTests.document("twice", .rejected)
        ours.fileInode = submission.fileInode
        publishLater(f, ours, as: "twice+\(submission.fileInode).json")
        let document = try f.client.wait(for: submission, timeout: 20)
        #expect(document.status == .rejected)
        #expect(document.fileInode == submission.fileInode)
    }

    @Test func submittedFilesAreReadableByTheDaemonWhateverTheUmask() throws {
        let f = try Fixture()
        defer { f.cleanUp() }
        let old = umask(0o077)
        defer { umask(old) }
        let id = try f.client.submit(text: Jobs.registerModel("m"), fileName: "strict.yaml")
        var st = stat()
        #expect(stat("\(f.spool)/incoming/\(id).yaml", &st) == 0)
        #expect(st.st_mode & 0o777 == 0o644)
    }

    @Test func theDaemonRecordsTheSubmittedFilesInodeInItsResult() throws {
        let d = try DaemonHarness()
        defer { d.cleanUp() }
        try d.start()
        let client = SpoolClient(root: d.spool)
        let submission = try client.submission(text: Jobs.registerModel("inode"), fileName: "inode-job.yaml")
        let document = try client.wait(for: submission, timeout: 30)
        #expect(document.status == .succeeded)
        #expect(document.fileInode == submission.fileInode)
    }
}
