import GRDB

/// The store's schema, as numbered migrations applied in order at open.
///
/// A migration, once released, never changes: a later schema change is a new migration.
/// Later issues append theirs here (versions, predictions, alerts, pipeline runs...).
enum StoreMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-jobs-audit-models") { db in
            // One row per job id that was claimed. `content`, `device` and `inode` identify
            // the submission so a restart can tell a recovered job from a duplicate id.
            try db.execute(sql: """
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
                """)
        }
        return migrator
    }
}
