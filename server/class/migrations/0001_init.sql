-- Class mode, first schema. Times are Unix milliseconds. Every claim and
-- result post is one statement on these tables (store.go), so the same SQL
-- runs on Cloudflare D1, which has no transactions.

CREATE TABLE classes (
  id           INTEGER PRIMARY KEY,
  code         TEXT    NOT NULL UNIQUE,           -- join code
  teacher_hash TEXT    NOT NULL,                  -- SHA-256 of the teacher token
  title        TEXT    NOT NULL,
  experiment   TEXT    NOT NULL,                  -- protocol.Experiment, JSON
  state        TEXT    NOT NULL CHECK (state IN ('open', 'paused', 'closed')),
  lease_ms     INTEGER NOT NULL,
  ends_at      INTEGER NOT NULL,
  created_at   INTEGER NOT NULL
);

CREATE TABLE students (
  id         INTEGER PRIMARY KEY,
  class_id   INTEGER NOT NULL REFERENCES classes (id),
  token_hash TEXT    NOT NULL UNIQUE,             -- SHA-256 of the student token
  name       TEXT    NOT NULL,
  removed    INTEGER NOT NULL DEFAULT 0,
  joined_at  INTEGER NOT NULL
);
CREATE INDEX students_class ON students (class_id);

-- One row per assignment: grid point idx, copy 0 (the job) or 1 (its spot
-- check). student_id is the holder while leased and the author once done.
CREATE TABLE jobs (
  id          INTEGER PRIMARY KEY,
  class_id    INTEGER NOT NULL REFERENCES classes (id),
  idx         INTEGER NOT NULL,
  copy        INTEGER NOT NULL CHECK (copy IN (0, 1)),
  ord         INTEGER NOT NULL,                   -- random claim order, so a spot check looks like any job
  run         TEXT    NOT NULL,                   -- protocol.LabRun, JSON
  state       TEXT    NOT NULL CHECK (state IN ('todo', 'leased', 'done')),
  student_id  INTEGER REFERENCES students (id),
  lease_until INTEGER,
  claims      INTEGER NOT NULL DEFAULT 0,
  hash        TEXT,
  metrics     TEXT,
  done_at     INTEGER,
  UNIQUE (class_id, idx, copy)
);
CREATE INDEX jobs_claim ON jobs (class_id, state, ord);
CREATE INDEX jobs_lease ON jobs (class_id, state, lease_until);
CREATE INDEX jobs_point ON jobs (class_id, idx);
CREATE INDEX jobs_student ON jobs (student_id, state);
