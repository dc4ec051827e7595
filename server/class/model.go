package class

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"

	"sentilab/protocol"
)

// Optional model files: the author of a job's result may upload the model
// file it trained, once, and anyone with the class code may download it
// (the teacher, to open the grid's best point in the lab). It lives in the
// database (job_models), so D1's 2,000,000-byte cap on a value bounds it:
// Config.MaxModel, 1,900,000 bytes by default.

const defaultMaxModel = 1_900_000

// modelSQL stores a model for a job: one statement, taken only from the
// author of the job's result, while the class is not closed, and only
// once (a second upload for the job inserts nothing).
const modelSQL = `INSERT INTO job_models (job_id, class_id, sha256, bytes, data, uploaded_at)
SELECT ?3, ?1, ?4, ?5, ?6, ?7
WHERE EXISTS (SELECT 1 FROM jobs j WHERE j.id = ?3 AND j.class_id = ?1 AND j.student_id = ?2 AND j.state = 'done')
  AND EXISTS (SELECT 1 FROM classes c WHERE c.id = ?1 AND c.state <> 'closed')
  AND EXISTS (SELECT 1 FROM students s WHERE s.id = ?2 AND s.removed = 0)
ON CONFLICT (job_id) DO NOTHING
RETURNING job_id`

func (s store) storeModel(ctx context.Context, classID, studentID, jobID int64, sum string, data []byte, now int64) (bool, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var id int64
	err := s.db.QueryRowContext(ctx, modelSQL, classID, studentID, jobID, sum, len(data), data, now).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// modelRow is a stored model.
type modelRow struct {
	sha256 string
	data   []byte
}

func (s store) model(ctx context.Context, classID, jobID int64) (modelRow, error) {
	var m modelRow
	err := s.db.QueryRowContext(ctx, `SELECT sha256, data FROM job_models WHERE job_id = ?2 AND class_id = ?1`, classID, jobID).
		Scan(&m.sha256, &m.data)
	if errors.Is(err, sql.ErrNoRows) {
		return m, errNotFound
	}
	return m, err
}

func (h *Handler) putModel(w http.ResponseWriter, r *http.Request) {
	c, ok := h.lookup(w, r)
	if !ok {
		return
	}
	st, ok := h.student(w, r, c)
	if !ok {
		return
	}
	jobID, err := strconv.ParseInt(r.PathValue("job"), 10, 64)
	if err != nil {
		fail(w, http.StatusBadRequest, "model: job %q: want a job id", r.PathValue("job"))
		return
	}
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/octet-stream" {
		fail(w, http.StatusUnsupportedMediaType, "model: want Content-Type application/octet-stream (the model file)")
		return
	}
	limit := h.cfg.MaxModel
	if r.ContentLength > limit {
		w.Header().Set("Connection", "close")
		fail(w, http.StatusRequestEntityTooLarge, "model: %d bytes, at most %d", r.ContentLength, limit)
		return
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		fail(w, http.StatusRequestEntityTooLarge, "model: over %d bytes", limit)
		return
	case err != nil:
		fail(w, http.StatusBadRequest, "model: %v", err)
		return
	case len(data) == 0:
		fail(w, http.StatusBadRequest, "model: empty body")
		return
	}
	if c.state == protocol.ClassClosed {
		fail(w, http.StatusGone, "the class is closed: models are no longer taken")
		return
	}
	raw := sha256.Sum256(data)
	sum := hex.EncodeToString(raw[:])
	stored, err := h.st.storeModel(r.Context(), c.id, st.id, jobID, sum, data, h.ms())
	if err != nil {
		h.internal(w, "model", err)
		return
	}
	answer := protocol.ModelStored{JobID: jobID, SHA256: sum, Bytes: len(data)}
	if stored {
		h.hub.changed(c.id)
		writeJSON(w, http.StatusOK, answer)
		return
	}
	// Refused: say why.
	j, err := h.st.job(r.Context(), c.id, jobID)
	switch {
	case errors.Is(err, errNotFound):
		fail(w, http.StatusNotFound, "no job %d in this class", jobID)
		return
	case err != nil:
		h.internal(w, "job", err)
		return
	case j.state != "done" || j.studentID.Int64 != st.id:
		fail(w, http.StatusConflict, "job %d: not a result of yours: post its result first", jobID)
		return
	}
	m, err := h.st.model(r.Context(), c.id, jobID)
	switch {
	case err == nil && m.sha256 == sum:
		answer.Repeat = true
		writeJSON(w, http.StatusOK, answer)
	case err == nil:
		fail(w, http.StatusConflict, "job %d: a different model is already stored", jobID)
	default:
		// Not stored and not there: the class closed meanwhile.
		fail(w, http.StatusGone, "the class is closed: models are no longer taken")
	}
}

func (h *Handler) getModel(w http.ResponseWriter, r *http.Request) {
	c, ok := h.lookup(w, r)
	if !ok {
		return
	}
	jobID, err := strconv.ParseInt(r.PathValue("job"), 10, 64)
	if err != nil {
		fail(w, http.StatusBadRequest, "model: job %q: want a job id", r.PathValue("job"))
		return
	}
	m, err := h.st.model(r.Context(), c.id, jobID)
	if errors.Is(err, errNotFound) {
		fail(w, http.StatusNotFound, "no model for job %d in this class", jobID)
		return
	}
	if err != nil {
		h.internal(w, "model", err)
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "application/octet-stream")
	hdr.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="class-%s-job-%d.safetensors"`, c.code, jobID))
	hdr.Set("Content-Length", strconv.Itoa(len(m.data)))
	hdr.Set("ETag", `"`+m.sha256+`"`)
	w.WriteHeader(http.StatusOK)
	w.Write(m.data)
}
