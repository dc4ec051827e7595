-- Optional model files of finished jobs: the author of a job's result may
-- upload the model it trained, for the teacher to download. D1 caps a
-- value (and a row) at 2,000,000 bytes, so a model is at most
-- Config.MaxModel, 1,900,000 bytes by default. One model per job, never
-- replaced (a repeat of the same upload is accepted, another is refused).

CREATE TABLE job_models (
  job_id      INTEGER PRIMARY KEY REFERENCES jobs (id),
  class_id    INTEGER NOT NULL REFERENCES classes (id),
  sha256      TEXT    NOT NULL,
  bytes       INTEGER NOT NULL,
  data        BLOB    NOT NULL,
  uploaded_at INTEGER NOT NULL
);
CREATE INDEX job_models_class ON job_models (class_id);

-- A result the teacher discards takes its model with it, in the same
-- statement (a trigger: D1 has no transactions), so the job's next author
-- can upload theirs.
CREATE TRIGGER jobs_discard_model AFTER UPDATE OF state ON jobs
WHEN NEW.state <> 'done'
BEGIN
  DELETE FROM job_models WHERE job_id = NEW.id;
END;
