import GRDB

/// The store's schema, as numbered migrations applied in order at open.
///
/// A migration, once released, never changes: a later schema change is a new migration.
/// Later issues append theirs here (versions, predictions, alerts, pipeline runs...).
enum StoreMigrations {
    /// The newest migration applied to `db` ("" before any).
    static func latest(_ db: Database) throws -> String {
        try String.fetchOne(db, sql: "SELECT MAX(identifier) FROM grdb_migrations") ?? ""
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-jobs-audit-models") { db in
            // One row per job id that was claimed. `content`, `device` and `inode` identify
            // the submission so a restart can tell a recovered job from a duplicate id.
            try db.execute(
                sql: """
                    CREATE TABLE jobs (
                        id            TEXT PRIMARY KEY NOT NULL,
                        kind          TEXT,
                        model         TEXT,
                        file_name     TEXT NOT NULL,
                        content       TEXT NOT NULL,
                        device        INTEGER NOT NULL,
                        inode         INTEGER NOT NULL,
                        submitter_uid INTEGER NOT NULL,
                        submitted_by  TEXT NOT NULL,
                        submitted_at  TEXT NOT NULL,
                        state         TEXT NOT NULL CHECK (state IN ('running','succeeded','failed','rejected')),
                        attempts      INTEGER NOT NULL DEFAULT 0,
                        started_at    TEXT,
                        finished_at   TEXT,
                        result        TEXT
                    );
                    CREATE INDEX jobs_state ON jobs(state);
                    CREATE INDEX jobs_model ON jobs(model);
                    CREATE INDEX jobs_file ON jobs(device, inode);

                    -- Job files claimed and not finished yet, by file identity, with the number
                    -- of times processing began: a file that keeps killing the daemon (a poison
                    -- job) is failed after max_attempts instead of looping forever.
                    CREATE TABLE claims (
                        device     INTEGER NOT NULL,
                        inode      INTEGER NOT NULL,
                        file_name  TEXT NOT NULL,
                        attempts   INTEGER NOT NULL,
                        first_at   TEXT NOT NULL,
                        PRIMARY KEY (device, inode)
                    );

                    -- Every change to the daemon's state: who, when, why, from which job.
                    CREATE TABLE audit_log (
                        seq        INTEGER PRIMARY KEY AUTOINCREMENT,
                        at         TEXT NOT NULL,
                        actor      TEXT NOT NULL,
                        actor_uid  INTEGER,
                        job_id     TEXT,
                        model      TEXT,
                        action     TEXT NOT NULL,
                        reason     TEXT,
                        details    TEXT NOT NULL DEFAULT '{}'
                    );
                    CREATE INDEX audit_model ON audit_log(model, seq);
                    CREATE INDEX audit_job ON audit_log(job_id);

                    -- Models declared by register-model; `spec` is the validated ModelSpec as JSON.
                    CREATE TABLE models (
                        name        TEXT PRIMARY KEY NOT NULL,
                        task        TEXT NOT NULL,
                        target      TEXT NOT NULL,
                        metric      TEXT NOT NULL,
                        pipeline    TEXT NOT NULL,
                        spec        TEXT NOT NULL,
                        revision    INTEGER NOT NULL,
                        created_at  TEXT NOT NULL,
                        created_by  TEXT NOT NULL,
                        updated_at  TEXT NOT NULL,
                        updated_by  TEXT NOT NULL
                    );
                    """
            )
        }
        migrator.registerMigration("v2-registry-alerts") { db in
            try db.execute(
                sql: """
                    -- Model versions (docs/design.md §10). `sequence` is the creation order within the
                    -- model; `artifact_sha256` names the stored files under state/artifacts/.
                    CREATE TABLE versions (
                        model                TEXT NOT NULL REFERENCES models(name),
                        version              TEXT NOT NULL,
                        sequence             INTEGER NOT NULL,
                        state                TEXT NOT NULL CHECK (state IN ('registered','staging','production','archived')),
                        artifact_sha256      TEXT NOT NULL,
                        model_sha256         TEXT NOT NULL,
                        artifact_removed     INTEGER NOT NULL DEFAULT 0,
                        schema               TEXT NOT NULL,
                        change               TEXT NOT NULL,
                        parent_version       TEXT,
                        training_data        TEXT,
                        training_data_sha256 TEXT,
                        run_id               TEXT,
                        parameters           TEXT NOT NULL DEFAULT '{}',
                        metrics              TEXT NOT NULL DEFAULT '{}',
                        metric_value         REAL,
                        reference_file       TEXT NOT NULL,
                        reference_rows       INTEGER NOT NULL,
                        description          TEXT,
                        ab_test_won          INTEGER,
                        created_at           TEXT NOT NULL,
                        created_by           TEXT NOT NULL,
                        job_id               TEXT,
                        state_changed_at     TEXT NOT NULL,
                        PRIMARY KEY (model, version),
                        UNIQUE (model, sequence)
                    );
                    -- Exactly one production version per model: the store itself refuses a second.
                    CREATE UNIQUE INDEX versions_one_production ON versions(model) WHERE state = 'production';
                    CREATE INDEX versions_artifact ON versions(artifact_sha256);

                    -- Every state change of every version.
                    CREATE TABLE version_events (
                        seq        INTEGER PRIMARY KEY AUTOINCREMENT,
                        model      TEXT NOT NULL,
                        version    TEXT NOT NULL,
                        from_state TEXT,
                        to_state   TEXT NOT NULL,
                        at         TEXT NOT NULL,
                        actor      TEXT NOT NULL,
                        job_id     TEXT,
                        reason     TEXT,
                        forced     INTEGER NOT NULL DEFAULT 0
                    );
                    CREATE INDEX version_events_model ON version_events(model, seq);

                    -- Which version was in production from when until when: one row per stint;
                    -- `until_at` is NULL for the current one.
                    CREATE TABLE production_history (
                        seq      INTEGER PRIMARY KEY AUTOINCREMENT,
                        model    TEXT NOT NULL,
                        version  TEXT NOT NULL,
                        from_at  TEXT NOT NULL,
                        until_at TEXT,
                        action   TEXT NOT NULL CHECK (action IN ('promote','rollback')),
                        forced   INTEGER NOT NULL DEFAULT 0,
                        actor    TEXT NOT NULL,
                        job_id   TEXT,
                        reason   TEXT
                    );
                    CREATE INDEX production_history_model ON production_history(model, from_at);
                    CREATE UNIQUE INDEX production_history_current ON production_history(model) WHERE until_at IS NULL;

                    -- Alerts (docs/design.md §5): one open alert per model and type, updated while it
                    -- stays true, resolved when its condition clears.
                    CREATE TABLE alerts (
                        seq             INTEGER PRIMARY KEY AUTOINCREMENT,
                        id              TEXT NOT NULL UNIQUE,
                        model           TEXT NOT NULL,
                        version         TEXT,
                        type            TEXT NOT NULL,
                        severity        TEXT NOT NULL CHECK (severity IN ('info','warning','critical')),
                        health_score    REAL,
                        message         TEXT NOT NULL,
                        details         TEXT NOT NULL DEFAULT '{}',
                        occurrences     INTEGER NOT NULL DEFAULT 1,
                        opened_at       TEXT NOT NULL,
                        updated_at      TEXT NOT NULL,
                        resolved_at     TEXT,
                        acknowledged_at TEXT,
                        acknowledged_by TEXT
                    );
                    CREATE UNIQUE INDEX alerts_open ON alerts(model, type) WHERE resolved_at IS NULL;
                    """
            )
        }
        migrator.registerMigration("v3-monitoring") { db in
            try db.execute(
                sql: """
                    -- Predictions (docs/design.md §8). Numerical features are one BLOB of little-endian
                    -- Float64 in the model's feature order (NaN = missing), so a check over a
                    -- 10,000 × 50 window copies numbers instead of parsing text per value.
                    -- Categorical features and segment values are text in the model's order,
                    -- separated by U+001F, a missing value written U+001E (PredictionRecord). `id` is unique per model: nothing is ingested twice.
                    CREATE TABLE predictions (
                        seq           INTEGER PRIMARY KEY AUTOINCREMENT,
                        model         TEXT NOT NULL,
                        id            TEXT NOT NULL,
                        version       TEXT,
                        variant       TEXT,
                        at            TEXT NOT NULL,
                        logged_at     TEXT NOT NULL,
                        numeric       BLOB NOT NULL,
                        categorical   TEXT NOT NULL,
                        segments      TEXT NOT NULL,
                        prediction    TEXT NOT NULL,
                        score         REAL,
                        probabilities TEXT,
                        label         TEXT,
                        labelled_at   TEXT,
                        job_id        TEXT,
                        UNIQUE (model, id)
                    );
                    CREATE INDEX predictions_window ON predictions(model, seq);
                    CREATE INDEX predictions_labelled ON predictions(model, seq) WHERE label IS NOT NULL;

                    -- Every monitoring check with its full report.
                    CREATE TABLE monitoring_checks (
                        seq          INTEGER PRIMARY KEY AUTOINCREMENT,
                        model        TEXT NOT NULL,
                        version      TEXT,
                        at           TEXT NOT NULL,
                        trigger      TEXT NOT NULL,
                        status       TEXT NOT NULL,
                        window_count INTEGER NOT NULL,
                        labelled     INTEGER NOT NULL,
                        health_score REAL,
                        band         TEXT,
                        drift_share  REAL,
                        report       TEXT NOT NULL,
                        job_id       TEXT
                    );
                    CREATE INDEX monitoring_checks_model ON monitoring_checks(model, seq);

                    -- Per model: predictions and labels since the last check (the cadence of
                    -- docs/design.md §8), consecutive drifting checks (drift_confirmations), and the
                    -- latest check's figures (what the metrics file shows, without scanning
                    -- the ever-growing monitoring_checks).
                    CREATE TABLE monitoring_state (
                        model                   TEXT PRIMARY KEY NOT NULL,
                        predictions_since_check INTEGER NOT NULL DEFAULT 0,
                        labels_since_check      INTEGER NOT NULL DEFAULT 0,
                        drift_streak            INTEGER NOT NULL DEFAULT 0,
                        last_check_at           TEXT,
                        health_score            REAL,
                        drift_share             REAL
                    );
                    """
            )
        }
        migrator.registerMigration("v4-pipelines") { db in
            try db.execute(
                sql: """
                    -- One row per pipeline run, from run-pipeline until its final state. `job_id`
                    -- is the run-pipeline job whose result follows the run.
                    CREATE TABLE pipeline_runs (
                        id            TEXT PRIMARY KEY NOT NULL,
                        model         TEXT NOT NULL,
                        pipeline      TEXT NOT NULL,
                        job_id        TEXT,
                        state         TEXT NOT NULL CHECK (state IN ('queued','running','succeeded','failed','cancelled','interrupted')),
                        stage         TEXT,
                        params        TEXT NOT NULL,
                        definition    TEXT NOT NULL,
                        trigger       TEXT NOT NULL DEFAULT 'manual',
                        submitted_by  TEXT NOT NULL,
                        queued_at     TEXT NOT NULL,
                        started_at    TEXT,
                        finished_at   TEXT,
                        version       TEXT,
                        error         TEXT,
                        children_seconds REAL NOT NULL DEFAULT 0
                    );
                    CREATE INDEX pipeline_runs_model ON pipeline_runs(model, queued_at);
                    CREATE INDEX pipeline_runs_state ON pipeline_runs(state);
                    -- At most one queued or running run per model.
                    CREATE UNIQUE INDEX pipeline_runs_one_active ON pipeline_runs(model) WHERE state IN ('queued','running');

                    -- The eight stages of every run, with their outcome and report.
                    CREATE TABLE pipeline_stages (
                        run_id      TEXT NOT NULL REFERENCES pipeline_runs(id),
                        stage       TEXT NOT NULL,
                        position    INTEGER NOT NULL,
                        outcome     TEXT NOT NULL,
                        started_at  TEXT,
                        finished_at TEXT,
                        exit_code   INTEGER,
                        signal      INTEGER,
                        report      TEXT,
                        PRIMARY KEY (run_id, stage)
                    );

                    -- Every stage child while it may be alive: what a restarted daemon kills
                    -- (process group, checked against MLOPSD_RUN_ID in its environment).
                    CREATE TABLE pipeline_children (
                        run_id     TEXT NOT NULL,
                        stage      TEXT NOT NULL,
                        pid        INTEGER NOT NULL,
                        pgid       INTEGER NOT NULL,
                        start_time INTEGER NOT NULL,
                        started_at TEXT NOT NULL,
                        ended_at   TEXT
                    );
                    CREATE INDEX pipeline_children_alive ON pipeline_children(run_id) WHERE ended_at IS NULL;
                    """
            )
        }
        migrator.registerMigration("v5-retraining") { db in
            try db.execute(
                sql: """
                    -- Automated retraining per model (docs/design.md §9): the switch, the pipeline and
                    -- parameters automatic runs use, and the latest schedule slot handled (so a
                    -- slot fires once, across restarts).
                    CREATE TABLE retraining_settings (
                        model          TEXT PRIMARY KEY NOT NULL,
                        enabled        INTEGER NOT NULL DEFAULT 0,
                        pipeline       TEXT,
                        params         TEXT NOT NULL DEFAULT '{}',
                        scheduled_slot TEXT,
                        updated_at     TEXT NOT NULL,
                        updated_by     TEXT NOT NULL,
                        job_id         TEXT,
                        reason         TEXT
                    );

                    -- Every retraining (automatic or manual) and every trigger held back, with
                    -- its evidence. The outcome, duration and version come from the run.
                    -- A trigger held back again for the same reason (each check of a long drift
                    -- episode in its cooldown) counts on the same row: `occurrences`, `last_at`.
                    CREATE TABLE retraining_events (
                        seq          INTEGER PRIMARY KEY AUTOINCREMENT,
                        model        TEXT NOT NULL,
                        at           TEXT NOT NULL,
                        trigger      TEXT NOT NULL,
                        action       TEXT NOT NULL CHECK (action IN ('fired','suppressed')),
                        reason       TEXT,
                        message      TEXT,
                        evidence     TEXT NOT NULL DEFAULT '{}',
                        check_seq    INTEGER,
                        detected_at  TEXT,
                        run_id       TEXT,
                        job_id       TEXT,
                        submitted_by TEXT NOT NULL,
                        occurrences  INTEGER NOT NULL DEFAULT 1,
                        last_at      TEXT
                    );
                    CREATE INDEX retraining_events_model ON retraining_events(model, seq);
                    CREATE INDEX retraining_events_fired ON retraining_events(at) WHERE action = 'fired';
                    """
            )
        }
        migrator.registerMigration("v6-ab-tests") { db in
            try db.execute(
                sql: """
                    -- A/B tests of pipeline runs (docs/design.md §11): who is tested against whom, from
                    -- which prediction on, until when, and what was decided. An undecided row
                    -- lets a restarted daemon resume the test instead of losing it.
                    CREATE TABLE ab_tests (
                        run_id      TEXT PRIMARY KEY NOT NULL,
                        model       TEXT NOT NULL,
                        champion    TEXT NOT NULL,
                        challenger  TEXT NOT NULL,
                        share       REAL NOT NULL,
                        started_at  TEXT NOT NULL,
                        deadline    TEXT NOT NULL,
                        start_seq   INTEGER NOT NULL,
                        decided_at  TEXT,
                        decision    TEXT,
                        verdict     TEXT
                    );
                    """
            )
        }
        migrator.registerMigration("v7-slurm-jobs") { db in
            try db.execute(
                sql: """
                    -- Pipeline stages that run as Slurm batch jobs (docs/slurm.md). The row is
                    -- written before sbatch runs and gets the job id once sbatch answers, so a
                    -- restarted daemon re-attaches to the job (or finds it by its name) instead
                    -- of losing a retraining that takes hours.
                    CREATE TABLE pipeline_slurm_jobs (
                        run_id        TEXT NOT NULL REFERENCES pipeline_runs(id),
                        stage         TEXT NOT NULL,
                        job_name      TEXT NOT NULL,
                        job_id        TEXT,
                        submitted_at  TEXT NOT NULL,
                        started_at    TEXT,
                        ended_at      TEXT,
                        state         TEXT,
                        exit_code     TEXT
                    );
                    CREATE INDEX pipeline_slurm_jobs_live ON pipeline_slurm_jobs(run_id, stage) WHERE ended_at IS NULL;
                    """
            )
        }
        migrator.registerMigration("v8-run-pipeline-trigger") { db in
            try db.execute(
                sql: """
                    -- A run that a run-pipeline job started is labelled `run-pipeline`; before,
                    -- it was `manual` like a retraining-trigger. Every retraining has a `fired`
                    -- event naming its run, so the other `manual` runs were run-pipeline jobs.
                    UPDATE pipeline_runs SET trigger = 'run-pipeline'
                    WHERE trigger = 'manual'
                      AND id NOT IN (SELECT run_id FROM retraining_events WHERE action = 'fired' AND run_id IS NOT NULL);
                    """
            )
        }
        migrator.registerMigration("v9-ingestions") { db in
            try db.execute(
                sql: """
                    -- A large log-predictions file is stored in chunks beside the engine before
                    -- its job commits (docs/monitoring.md (Large files)). Its rows are in
                    -- `predictions` but not seen while a row here names its job: every reader
                    -- of a model stops below `first_seq` (no other job of the model runs
                    -- meanwhile). The job's commit deletes the row, making them seen at once;
                    -- a job that ends otherwise, or a daemon that stops, has them deleted.
                    CREATE TABLE ingestions (
                        job_id     TEXT PRIMARY KEY,
                        model      TEXT NOT NULL,
                        first_seq  INTEGER NOT NULL,
                        started_at TEXT NOT NULL
                    );
                    CREATE INDEX ingestions_model ON ingestions(model);
                    """
            )
        }
        return migrator
    }
}
