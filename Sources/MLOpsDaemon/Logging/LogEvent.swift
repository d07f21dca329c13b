import Logging

/// The kinds of things mlopsd reports to the journal.
///
/// Every case has a fixed `MESSAGE_ID` so that operators can select one kind of event
/// with `journalctl MESSAGE_ID=…` and `journalctl -x` can explain it from
/// `systemd/mlopsd.catalog`. Log calls name the event in their metadata under the key
/// `"event"` (the raw value); ``JournalLogHandler`` turns it into `MESSAGE_ID` and
/// `MLOPSD_EVENT`.
///
/// The ids were generated once with `systemd-id128 new` and must never change: saved
/// queries, alerting rules and the catalog depend on them.
public enum LogEvent: String, Sendable, CaseIterable, CustomStringConvertible {
    /// The daemon process started and is reading its configuration.
    case daemonStarted = "daemon_started"
    /// The spool is watched and the store open; READY=1 was sent.
    case daemonReady = "daemon_ready"
    /// SIGTERM received; a graceful stop began.
    case daemonStopping = "daemon_stopping"
    /// The graceful stop finished; the process is about to exit.
    case daemonStopped = "daemon_stopped"
    /// A SIGHUP reload applied a new configuration.
    case configReloaded = "config_reloaded"
    /// A SIGHUP reload found a bad configuration; the old one keeps running.
    case configReloadRefused = "config_reload_refused"
    /// The configuration at start is invalid; the daemon refuses to start.
    case configInvalid = "config_invalid"
    /// The state store was opened (and migrated when needed).
    case storeOpened = "store_opened"
    /// The state store failed its integrity check.
    case storeIntegrityFailed = "store_integrity_failed"
    /// A read or write of the state store failed.
    case storeError = "store_error"
    /// The spool was rescanned (at start, or after lost file-system events).
    case spoolRescan = "spool_rescan"
    /// The kernel's inotify queue overflowed; a rescan follows.
    case spoolOverflow = "spool_overflow"
    /// Old files were deleted from `done/`, `failed/` or `results/` by the retention rules.
    case spoolPruned = "spool_pruned"
    /// A job file was taken from `incoming/` and moved to `active/`.
    case jobClaimed = "job_claimed"
    /// A job finished successfully; its result is in `results/`.
    case jobSucceeded = "job_succeeded"
    /// A job ran and failed; its result explains why.
    case jobFailed = "job_failed"
    /// A job file was refused before running (invalid, unsafe or untrusted).
    case jobRejected = "job_rejected"
    /// A job left in `active/` by an earlier run was recovered at start.
    case jobRecovered = "job_recovered"
    /// A job failed too often across restarts and is set aside as poisoned.
    case jobPoisoned = "job_poisoned"
    /// A new model was registered.
    case modelRegistered = "model_registered"
    /// A model got a new version, deployment or monitoring state.
    case modelUpdated = "model_updated"
    /// A pipeline run was accepted and waits for a free slot (max_concurrent_pipelines).
    case pipelineQueued = "pipeline_queued"
    /// A pipeline run began its first stage.
    case pipelineStarted = "pipeline_started"
    /// A pipeline stage finished (succeeded, failed, skipped, timed out or cancelled).
    case stageFinished = "stage_finished"
    /// A pipeline run finished successfully and produced (or kept) a version.
    case pipelineSucceeded = "pipeline_succeeded"
    /// A pipeline run failed, was cancelled, or was interrupted by a daemon restart.
    case pipelineFailed = "pipeline_failed"
    /// A line a pipeline stage's child wrote to stdout or stderr.
    case childOutput = "child_output"
    /// A pipeline child (or its process group) was signalled: timeout, cancellation,
    /// shutdown, or a stray group left by an earlier daemon.
    case childKilled = "child_killed"
    /// An A/B test began: the challenger serves beside the champion (routing.json).
    case abTestStarted = "ab_test_started"
    /// An A/B test decided: promote the challenger, or keep the champion.
    case abTestDecided = "ab_test_decided"
    /// A bug or an unexpected system failure inside the daemon.
    /// An automatic or manual retraining started a pipeline run.
    case retrainingTriggered = "retraining_triggered"
    /// A retraining trigger held but a rule held it back (a run active, cooldown, daily cap).
    case retrainingSuppressed = "retraining_suppressed"
    /// An automatic retraining could not start: its settings no longer work.
    case retrainingRefused = "retraining_refused"
    /// Automated retraining was switched on or off for a model.
    case retrainingSwitched = "retraining_switched"
    /// A model version was created from an artifact.
    case versionCreated = "version_created"
    /// A version became the production version.
    case versionPromoted = "version_promoted"
    /// Production returned to an earlier version.
    case versionRolledBack = "version_rolled_back"
    /// Old versions were archived.
    case versionsArchived = "versions_archived"
    /// The deploy hook failed and the serving link was switched back.
    case deployFailed = "deploy_failed"
    /// At start the serving link was repaired to match the store.
    case servingReconciled = "serving_reconciled"
    /// An alert opened (or an open one was updated).
    case alertOpened = "alert_opened"
    /// An alert resolved because its condition cleared.
    case alertResolved = "alert_resolved"
    /// A monitoring check ran.
    case monitoringChecked = "monitoring_checked"
    /// Labels named predictions that were never logged.
    case labelsUnmatched = "labels_unmatched"
    /// A bug or an unexpected system failure inside the daemon.
    case internalError = "internal_error"
    /// A write to disk failed (ENOSPC, EIO, ...): the path and errno are in the entry; the
    /// work that needed it is retried and the `storage_write_failed` alert opens.
    case storageWriteFailed = "storage_write_failed"
    /// Every write that had failed works again; the `storage_write_failed` alert resolved.
    case storageRecovered = "storage_recovered"
    /// A pipeline stage was submitted to Slurm, or a restarted daemon re-attached to its
    /// job (`MLOPSD_SLURM_JOB` holds the job id).
    case slurmJobSubmitted = "slurm_job_submitted"
    /// A Slurm command failed or Slurm is not configured: the stage fails with the
    /// command's message (or, while a job runs, the daemon keeps asking).
    case slurmError = "slurm_error"

    /// The journald `MESSAGE_ID` of this event: 128-bit lowercase hex, fixed forever.
    public var messageID: String {
        switch self {
        case .daemonStarted: "9343da6d9f8f427684f1a1521b82a8db"
        case .daemonReady: "63987d547d4a407198d5d791b1dd718b"
        case .daemonStopping: "ff89afece8bf48e1b2070386f9628781"
        case .daemonStopped: "a1509a8492304a9283d1ff8a93858dac"
        case .configReloaded: "60a3d335d4724e09ab776b52322442ba"
        case .configReloadRefused: "9b986a1ec99342ecad9a9c66094dead0"
        case .configInvalid: "2b30f51a7b2c4ecfbb114461f9a0260d"
        case .storeOpened: "a682d7c88d7f4f06af054e334b2a28c2"
        case .storeIntegrityFailed: "b7c5ceb8d32647a083caed040306d5ed"
        case .storeError: "4ef0b1c6e73a48928cc6afa8252d6352"
        case .spoolRescan: "e1d4c837e930416bb20cc95e430cba38"
        case .spoolOverflow: "071a4ee9fc654232b8d375e43965deba"
        case .spoolPruned: "6b22340a345e455abb274e27816fe91f"
        case .jobClaimed: "5eff7fe3c3ad44399530abfa16d4eb29"
        case .jobSucceeded: "72443b9ccb224f88b82556ea0d3e3437"
        case .jobFailed: "55b4299108af485a95208be358550cae"
        case .jobRejected: "96d8ded6b7d74da3a95c01b3bd72ea62"
        case .jobRecovered: "9f954d90c8374931b6b9ba99bede5894"
        case .jobPoisoned: "ab6f0c9d21084025b8c58ab56a6bfb25"
        case .modelRegistered: "e1cd5df631d64dd9b3f6253dfb7d7583"
        case .modelUpdated: "3eed5eb368f442f494dcd830327c6676"
        case .versionCreated: "694af088810a41379210d86d66bfe3cd"
        case .versionPromoted: "957082f4f0924d288b8b9be5bba00e57"
        case .versionRolledBack: "9acf4844ce854fb894c303b8d9c275a8"
        case .versionsArchived: "fc7f97857ac046569553a9ab11820bc7"
        case .deployFailed: "e60a25bffc6941f7991708a763a59662"
        case .servingReconciled: "7d75f303b6414faa90003baedb4217d3"
        case .alertOpened: "68e87524b9da450b988458c045f3a6cc"
        case .alertResolved: "15911c20345644f28a7cf28369db20cd"
        case .monitoringChecked: "d9c55b5f056340a0a7b9a12b76582955"
        case .labelsUnmatched: "1532fac252df4bfb9749704041be5847"
        case .pipelineQueued: "e65aa6c4c0454362b0f02b68a7389306"
        case .pipelineStarted: "00dee85cde984c269da05a398587a758"
        case .stageFinished: "cf0118d2681b4ce7bd80633a713f1b3b"
        case .pipelineSucceeded: "f6ed732490bb47c6abf962082536ecee"
        case .pipelineFailed: "1b6171586a734f67a9e47d3405c1bcf0"
        case .childOutput: "ad11496f624f450a9e783a6f22ad83d5"
        case .childKilled: "3bac1a73d3fa4e7fbe5d25f533e2898c"
        case .abTestStarted: "01913cbf9ab04bfcb1f4225cfeaa2291"
        case .abTestDecided: "67ca325be39c463498760d123bf7fe0c"
        case .retrainingTriggered: "3e0575e569a8443c8fbc1815ecb96a26"
        case .retrainingSuppressed: "3560a085ada24623bea1618f141f58f5"
        case .retrainingRefused: "ae0494f6bcbf4122a7aca95119ac2f41"
        case .retrainingSwitched: "2d89807ce33e4f94b2f5f06b3637debe"
        case .internalError: "6383bd792056408f8f85498751f695eb"
        case .storageWriteFailed: "fb62057cab4e4a9cb0d5876a93fb5dc0"
        case .storageRecovered: "1dfa5a46d1c24c0e95d8866f4d1480aa"
        case .slurmJobSubmitted: "79a8f100de0a4c8b96105bce2adef6ab"
        case .slurmError: "2731a13099594240b5157c6e8db67c6f"
        }
    }

    /// The journald `PRIORITY` (syslog level 0–7) this event is usually logged at.
    ///
    /// Call sites use it to pick a swift-log level (see ``logLevel``) so that the same event
    /// always lands at the same priority and `journalctl -p` filters behave predictably.
    public var defaultPriority: Int {
        switch self {
        case .storeIntegrityFailed: 2  // crit: state may be lost
        case .configInvalid, .storeError, .jobFailed, .jobPoisoned, .internalError, .deployFailed, .pipelineFailed,
            .storageWriteFailed, .slurmError:
            3  // err
        case .configReloadRefused, .spoolOverflow, .jobRejected, .jobRecovered, .versionRolledBack,
            .servingReconciled, .alertOpened, .labelsUnmatched, .childKilled, .retrainingRefused:
            4  // warning
        case .daemonStarted, .daemonReady, .daemonStopping, .daemonStopped,
            .configReloaded, .modelRegistered, .versionPromoted, .pipelineSucceeded, .abTestStarted, .abTestDecided,
            .retrainingTriggered, .retrainingSuppressed, .retrainingSwitched, .storageRecovered:
            5  // notice
        case .storeOpened, .spoolRescan, .spoolPruned, .jobClaimed, .jobSucceeded, .modelUpdated,
            .versionCreated, .versionsArchived, .alertResolved, .monitoringChecked,
            .pipelineQueued, .pipelineStarted, .stageFinished, .childOutput, .slurmJobSubmitted:
            6  // info
        }
    }

    /// The swift-log level matching ``defaultPriority``, so that call sites can write
    /// `logger.log(level: event.logLevel, …)` and land at the documented priority.
    public var logLevel: Logger.Level {
        switch defaultPriority {
        case ...2: .critical
        case 3: .error
        case 4: .warning
        case 5: .notice
        case 6: .info
        default: .debug
        }
    }

    /// The raw value, so that `"\(LogEvent.jobSucceeded)"` reads `job_succeeded` (the
    /// value the journal handler recognises), not the Swift case name.
    public var description: String { rawValue }

    /// The value to put under the metadata key `"event"`: `["event": event.metadataValue]`.
    public var metadataValue: Logger.Metadata.Value { .string(rawValue) }
}
