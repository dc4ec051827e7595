package class

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"sentilab/protocol"
)

// store holds every SQL statement of class mode. Each claim and each
// result post is a single statement (UPDATE … RETURNING), atomic on its
// own in SQLite and in Cloudflare D1, whose driver has no transactions.
// Times are Unix milliseconds from the caller's clock.
//
// Writes also take wmu: SQLite runs one writer at a time, and a writer
// that finds the database locked sleeps in its busy handler (1 to 100 ms),
// which under load cost more than the writes. Queued on a Go mutex, they
// run back to back. Reads (the live view) do not take it: WAL lets them
// run beside a write.
type store struct {
	db    *sql.DB
	wmu   *sync.Mutex
	claim *sql.Stmt // claimSQL, prepared once: parsing it cost as much as running it
	post  *sql.Stmt // postSQL
}

func newStore(ctx context.Context, db *sql.DB) (store, error) {
	s := store{db: db, wmu: new(sync.Mutex)}
	var err error
	if s.claim, err = db.PrepareContext(ctx, claimSQL); err != nil {
		return s, fmt.Errorf("claim statement: %w", err)
	}
	if s.post, err = db.PrepareContext(ctx, postSQL); err != nil {
		return s, fmt.Errorf("post statement: %w", err)
	}
	return s, nil
}

// classRow is a class as the handlers need it.
type classRow struct {
	id          int64
	code        string
	teacherHash string
	title       string
	experiment  string
	state       string
	leaseMS     int64
	endsAt      int64
}

var errNotFound = errors.New("not found")

// assignment is one row of jobs to insert.
type assignment struct {
	idx, copy int
	ord       int64
	run       string
}

// createClass inserts a class and its assignments without a transaction
// (D1's driver has none): the class row goes in closed, its jobs in a few
// statements of up to jobChunk bytes each, and only then is it opened. A
// crash midway leaves a closed class whose teacher never got its token:
// unreachable, not counted against MaxClasses, harmless.
func (s store) createClass(ctx context.Context, c classRow, now int64, as []assignment) (int64, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var id int64
	err := s.db.QueryRowContext(ctx, `INSERT INTO classes (code, teacher_hash, title, experiment, state, lease_ms, ends_at, created_at)
		VALUES (?1, ?2, ?3, ?4, 'closed', ?5, ?6, ?7) RETURNING id`,
		c.code, c.teacherHash, c.title, c.experiment, c.leaseMS, c.endsAt, now).Scan(&id)
	if err != nil {
		return 0, err
	}
	for len(as) > 0 {
		var chunk []byte
		chunk, as = jobsJSON(as)
		if _, err := s.db.ExecContext(ctx, insertJobsSQL, id, string(chunk)); err != nil {
			return 0, fmt.Errorf("class %d: jobs: %w", id, err)
		}
	}
	_, err = s.db.ExecContext(ctx, `UPDATE classes SET state = 'open' WHERE id = ?1`, id)
	return id, err
}

// insertJobsSQL inserts many assignments in one statement from a JSON
// array of [idx, copy, ord, run] (jobsJSON): D1 binds at most 100
// parameters a statement, and one statement per job would be thousands of
// round trips on Workers.
const insertJobsSQL = `INSERT INTO jobs (class_id, idx, copy, ord, run, state)
SELECT ?1, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), json_extract(value, '$[3]'), 'todo'
FROM json_each(?2)`

// jobChunk bounds one insertJobsSQL argument, well under D1's 2 MB cap on
// a string value.
const jobChunk = 256 << 10

// jobsJSON encodes assignments from the front of as as a JSON array of at
// most jobChunk bytes (at least one assignment) and returns the rest.
func jobsJSON(as []assignment) ([]byte, []assignment) {
	buf := []byte{'['}
	n := 0
	for n < len(as) {
		run, _ := json.Marshal(as[n].run) // a string: cannot fail
		row := fmt.Appendf(nil, "[%d,%d,%d,%s]", as[n].idx, as[n].copy, as[n].ord, run)
		if n > 0 && len(buf)+len(row)+2 > jobChunk {
			break
		}
		if n > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, row...)
		n++
	}
	return append(buf, ']'), as[n:]
}

func (s store) countLiveClasses(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM classes WHERE state <> 'closed'`).Scan(&n)
	return n, err
}

func (s store) classByCode(ctx context.Context, code string) (classRow, error) {
	var c classRow
	err := s.db.QueryRowContext(ctx, `SELECT id, code, teacher_hash, title, experiment, state, lease_ms, ends_at
		FROM classes WHERE code = ?1`, code).Scan(&c.id, &c.code, &c.teacherHash, &c.title, &c.experiment, &c.state, &c.leaseMS, &c.endsAt)
	if errors.Is(err, sql.ErrNoRows) {
		return c, errNotFound
	}
	return c, err
}

// join adds a student unless the class is closed or full: one statement,
// so two joins racing for the last seat cannot both get it.
func (s store) join(ctx context.Context, classID int64, tokenHash, name string, maxStudents int, now int64) (int64, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var id int64
	err := s.db.QueryRowContext(ctx, `INSERT INTO students (class_id, token_hash, name, joined_at)
		SELECT ?1, ?2, ?3, ?4
		WHERE (SELECT COUNT(*) FROM students WHERE class_id = ?1 AND removed = 0) < ?5
		  AND EXISTS (SELECT 1 FROM classes WHERE id = ?1 AND state <> 'closed')
		RETURNING id`, classID, tokenHash, name, now, maxStudents).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, errNotFound
	}
	return id, err
}

// studentRow is a student found by token.
type studentRow struct {
	id, classID int64
	name        string
	removed     bool
}

func (s store) studentByToken(ctx context.Context, tokenHash string) (studentRow, error) {
	var st studentRow
	err := s.db.QueryRowContext(ctx, `SELECT id, class_id, name, removed FROM students WHERE token_hash = ?1`, tokenHash).
		Scan(&st.id, &st.classID, &st.name, &st.removed)
	if errors.Is(err, sql.ErrNoRows) {
		return st, errNotFound
	}
	return st, err
}

// claimSQL leases the next free assignment to a student: first one whose
// lease ran out (its holder vanished), the oldest, else the next todo one
// in the class's random order. Never the other copy of a grid point this
// student ran (a spot check needs a second machine), never while the
// student holds a live lease, only while the class is open and not past
// its end, and only for a student not removed. Each branch walks an index
// (jobs_claim, jobs_lease) and stops at its first row, so a claim costs
// the same at the first job and the last.
const claimSQL = `UPDATE jobs SET state = 'leased', student_id = ?2, claims = claims + 1,
	lease_until = ?3 + (SELECT lease_ms FROM classes WHERE id = ?1)
WHERE id = COALESCE(
	(SELECT j.id FROM jobs j
	 WHERE j.class_id = ?1 AND j.state = 'leased' AND j.lease_until <= ?3
	   AND NOT EXISTS (SELECT 1 FROM jobs o WHERE o.class_id = ?1 AND o.idx = j.idx AND o.copy <> j.copy AND o.student_id = ?2)
	 ORDER BY j.lease_until LIMIT 1),
	(SELECT j.id FROM jobs j
	 WHERE j.class_id = ?1 AND j.state = 'todo'
	   AND NOT EXISTS (SELECT 1 FROM jobs o WHERE o.class_id = ?1 AND o.idx = j.idx AND o.copy <> j.copy AND o.student_id = ?2)
	 ORDER BY j.ord LIMIT 1))
  AND EXISTS (SELECT 1 FROM classes c WHERE c.id = ?1 AND c.state = 'open' AND c.ends_at > ?3)
  AND EXISTS (SELECT 1 FROM students s WHERE s.id = ?2 AND s.class_id = ?1 AND s.removed = 0)
  AND NOT EXISTS (SELECT 1 FROM jobs h WHERE h.class_id = ?1 AND h.student_id = ?2 AND h.state = 'leased' AND h.lease_until > ?3)
RETURNING id, idx, run, lease_until`

// claim returns the job leased, or errNotFound if none was.
func (s store) claimJob(ctx context.Context, classID, studentID, now int64) (protocol.ClassJob, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return scanJob(s.claim.QueryRowContext(ctx, classID, studentID, now))
}

// held returns the job the student holds now, if any: a second claim (a
// reloaded tab) gets the same job back instead of a second one.
func (s store) held(ctx context.Context, classID, studentID, now int64) (protocol.ClassJob, error) {
	return scanJob(s.db.QueryRowContext(ctx, `SELECT id, idx, run, lease_until FROM jobs
		WHERE class_id = ?1 AND student_id = ?2 AND state = 'leased' AND lease_until > ?3`, classID, studentID, now))
}

func scanJob(row *sql.Row) (protocol.ClassJob, error) {
	var j protocol.ClassJob
	var run string
	err := row.Scan(&j.JobID, &j.Index, &run, &j.LeaseUntil)
	if errors.Is(err, sql.ErrNoRows) {
		return j, errNotFound
	}
	if err != nil {
		return j, err
	}
	if err := json.Unmarshal([]byte(run), &j.Run); err != nil {
		return j, fmt.Errorf("job %d: stored run: %w", j.JobID, err)
	}
	return j, nil
}

// renew extends the lease of a job the student still holds, from now: a
// long run (a full training in a slow tab) keeps its job by renewing
// before the lease ends. A job already taken over is not renewed.
func (s store) renew(ctx context.Context, classID, studentID, jobID, now int64) (int64, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var until int64
	err := s.db.QueryRowContext(ctx, `UPDATE jobs SET lease_until = ?4 + (SELECT lease_ms FROM classes WHERE id = ?1)
		WHERE id = ?3 AND class_id = ?1 AND student_id = ?2 AND state = 'leased'
		  AND EXISTS (SELECT 1 FROM classes c WHERE c.id = ?1 AND c.state <> 'closed')
		RETURNING lease_until`, classID, studentID, jobID, now).Scan(&until)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, errNotFound
	}
	return until, err
}

// post records a result for a job the student holds. A lease that ran out
// still counts as long as nobody else claimed the job meanwhile: the work
// is done and nobody else is doing it. One statement: two posts for the
// same job cannot both be accepted.
const postSQL = `UPDATE jobs SET state = 'done', hash = ?4, metrics = ?5, done_at = ?6, lease_until = NULL
WHERE id = ?3 AND class_id = ?1 AND student_id = ?2 AND state = 'leased'
  AND EXISTS (SELECT 1 FROM classes c WHERE c.id = ?1 AND c.state <> 'closed')
  AND EXISTS (SELECT 1 FROM students s WHERE s.id = ?2 AND s.removed = 0)
RETURNING id`

func (s store) postResult(ctx context.Context, classID, studentID, jobID int64, hash, metrics string, now int64) (bool, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var id int64
	err := s.post.QueryRowContext(ctx, classID, studentID, jobID, hash, nullable(metrics), now).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// jobRow is a job as a refused post needs it, to say why.
type jobRow struct {
	state     string
	studentID sql.NullInt64
	hash      sql.NullString
}

func (s store) job(ctx context.Context, classID, jobID int64) (jobRow, error) {
	var j jobRow
	err := s.db.QueryRowContext(ctx, `SELECT state, student_id, hash FROM jobs WHERE id = ?1 AND class_id = ?2`, jobID, classID).
		Scan(&j.state, &j.studentID, &j.hash)
	if errors.Is(err, sql.ErrNoRows) {
		return j, errNotFound
	}
	return j, err
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// exec runs a teacher's statement and reports whether it changed a row.
func (s store) exec(ctx context.Context, query string, args ...any) (bool, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	res, err := s.db.ExecContext(ctx, query, args...)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

func (s store) setState(ctx context.Context, classID int64, from, to string) (bool, error) {
	return s.exec(ctx, `UPDATE classes SET state = ?3 WHERE id = ?1 AND state = ?2`, classID, from, to)
}

func (s store) extend(ctx context.Context, classID, ms, now int64) (bool, error) {
	return s.exec(ctx, `UPDATE classes SET ends_at = MAX(ends_at, ?3) + ?2 WHERE id = ?1 AND state <> 'closed'`, classID, ms, now)
}

func (s store) rename(ctx context.Context, classID, studentID int64, name string) (bool, error) {
	return s.exec(ctx, `UPDATE students SET name = ?3 WHERE id = ?2 AND class_id = ?1`, classID, studentID, name)
}

// remove marks a student removed, then hands back the job it held. Two
// statements, each safe alone: a removed student can neither claim nor
// post, so its lease is free to hand back.
func (s store) remove(ctx context.Context, classID, studentID int64) (bool, error) {
	ok, err := s.exec(ctx, `UPDATE students SET removed = 1 WHERE id = ?2 AND class_id = ?1`, classID, studentID)
	if !ok || err != nil {
		return ok, err
	}
	_, err = s.exec(ctx, `UPDATE jobs SET state = 'todo', student_id = NULL, lease_until = NULL
		WHERE class_id = ?1 AND student_id = ?2 AND state = 'leased'`, classID, studentID)
	return true, err
}

// discard throws a result away: the assignment is run again.
func (s store) discard(ctx context.Context, classID, jobID int64) (bool, error) {
	return s.exec(ctx, `UPDATE jobs SET state = 'todo', student_id = NULL, lease_until = NULL, hash = NULL, metrics = NULL, done_at = NULL
		WHERE id = ?2 AND class_id = ?1 AND state = 'done'`, classID, jobID)
}

// status reads the live view.
func (s store) status(ctx context.Context, c classRow, now int64) (protocol.ClassStatus, error) {
	st := protocol.ClassStatus{Code: c.code, Title: c.title, State: c.state, EndsAt: c.endsAt,
		Students: []protocol.ClassStudent{}, Results: []protocol.GridResult{}}
	if err := json.Unmarshal([]byte(c.experiment), &st.Experiment); err != nil {
		return st, fmt.Errorf("class %s: stored experiment: %w", c.code, err)
	}
	err := s.db.QueryRowContext(ctx, `SELECT
			COUNT(DISTINCT idx),
			COALESCE(SUM(state = 'done'), 0),
			COALESCE(SUM(state = 'leased' AND lease_until > ?2), 0)
		FROM jobs WHERE class_id = ?1`, c.id, now).Scan(&st.Jobs, &st.Done, &st.Leased)
	if err != nil {
		return st, err
	}
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM jobs WHERE class_id = ?1`, c.id).Scan(&total); err != nil {
		return st, err
	}
	st.Todo = total - st.Done - st.Leased
	rows, err := s.db.QueryContext(ctx, `SELECT s.id, s.name, s.removed,
			(SELECT COUNT(*) FROM jobs j WHERE j.student_id = s.id AND j.state = 'done')
		FROM students s WHERE s.class_id = ?1 ORDER BY s.id`, c.id)
	if err != nil {
		return st, err
	}
	for rows.Next() {
		var p protocol.ClassStudent
		if err := rows.Scan(&p.ID, &p.Name, &p.Removed, &p.Done); err != nil {
			rows.Close()
			return st, err
		}
		st.Students = append(st.Students, p)
	}
	if err := rows.Close(); err != nil {
		return st, err
	}
	// Done assignments by grid point, the first done first: the first is
	// the grid point's result, a second one is its spot check.
	rows, err = s.db.QueryContext(ctx, `SELECT id, idx, hash, COALESCE(metrics, ''), student_id,
			EXISTS (SELECT 1 FROM job_models m WHERE m.job_id = jobs.id)
		FROM jobs WHERE class_id = ?1 AND state = 'done' ORDER BY idx, done_at, id`, c.id)
	if err != nil {
		return st, err
	}
	defer rows.Close()
	for rows.Next() {
		var r protocol.GridResult
		var metrics string
		if err := rows.Scan(&r.JobID, &r.Index, &r.Hash, &metrics, &r.StudentID, &r.Model); err != nil {
			return st, err
		}
		if n := len(st.Results); n > 0 && st.Results[n-1].Index == r.Index {
			prev := &st.Results[n-1]
			prev.Checked = prev.Hash == r.Hash
			prev.Mismatch = prev.Hash != r.Hash
			continue
		}
		if metrics != "" {
			r.Metrics = json.RawMessage(metrics)
		}
		st.Results = append(st.Results, r)
	}
	return st, rows.Err()
}
