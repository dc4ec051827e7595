package class

import (
	"encoding/json"
	"errors"
	"net/http"

	"sentilab/protocol"
)

// The students' routes, and the status anyone with the code may read.

func (h *Handler) join(w http.ResponseWriter, r *http.Request) {
	if !h.joins.allow(r.Context(), clientAddr(r)) {
		w.Header().Set("Retry-After", "1")
		fail(w, http.StatusTooManyRequests, "too many joins from this address")
		return
	}
	c, ok := h.lookup(w, r)
	if !ok {
		return
	}
	var req protocol.JoinRequest
	if !readBody(w, r, h.cfg.MaxBody, "join", &req) {
		return
	}
	name, err := checkName("name", req.Name, maxNameRunes)
	if err != nil {
		fail(w, http.StatusBadRequest, "%v", err)
		return
	}
	if c.state == protocol.ClassClosed {
		fail(w, http.StatusGone, "the class is closed")
		return
	}
	tok, hash := newToken()
	id, err := h.st.join(r.Context(), c.id, hash, name, h.cfg.MaxStudents, h.ms())
	if errors.Is(err, errNotFound) {
		fail(w, http.StatusConflict, "the class is full (%d students) or closed", h.cfg.MaxStudents)
		return
	}
	if err != nil {
		h.internal(w, "join", err)
		return
	}
	h.hub.changed(c.id)
	writeJSON(w, http.StatusCreated, protocol.Joined{StudentID: id, Name: name, StudentToken: tok})
}

// claim answers 200 with a job, or 204 with Retry-After when there is
// nothing to do now (all leased, paused, ended), or 410 when the class is
// closed.
func (h *Handler) claim(w http.ResponseWriter, r *http.Request) {
	c, ok := h.lookup(w, r)
	if !ok {
		return
	}
	st, ok := h.student(w, r, c)
	if !ok {
		return
	}
	if c.state == protocol.ClassClosed {
		fail(w, http.StatusGone, "the class is closed")
		return
	}
	now := h.ms()
	job, err := h.st.claimJob(r.Context(), c.id, st.id, now)
	if errors.Is(err, errNotFound) {
		job, err = h.st.held(r.Context(), c.id, st.id, now)
	} else if err == nil {
		h.hub.changed(c.id)
	}
	switch {
	case err == nil:
		writeJSON(w, http.StatusOK, job)
	case errors.Is(err, errNotFound):
		// Nothing now. Ask again in a while: a lease may run out, the
		// teacher may resume, extend or discard.
		w.Header().Set("Retry-After", "2")
		w.WriteHeader(http.StatusNoContent)
	default:
		h.internal(w, "claim", err)
	}
}

func (h *Handler) result(w http.ResponseWriter, r *http.Request) {
	c, ok := h.lookup(w, r)
	if !ok {
		return
	}
	st, ok := h.student(w, r, c)
	if !ok {
		return
	}
	var res protocol.ClassResult
	if !readBody(w, r, h.cfg.MaxBody, "result", &res) {
		return
	}
	if !isSHA256(res.Hash) {
		fail(w, http.StatusBadRequest, "result.hash %q: want 64 lowercase hex digits (SHA-256)", res.Hash)
		return
	}
	metrics := ""
	if len(res.Metrics) > 0 {
		var obj map[string]any
		if len(res.Metrics) > maxMetrics || json.Unmarshal(res.Metrics, &obj) != nil || obj == nil {
			fail(w, http.StatusBadRequest, "result.metrics: want a JSON object of at most %d bytes", maxMetrics)
			return
		}
		metrics = string(res.Metrics)
	}
	if c.state == protocol.ClassClosed {
		fail(w, http.StatusGone, "the class is closed: results are no longer taken")
		return
	}
	ok, err := h.st.postResult(r.Context(), c.id, st.id, res.JobID, res.Hash, metrics, h.ms())
	if err != nil {
		h.internal(w, "post", err)
		return
	}
	if ok {
		h.hub.changed(c.id)
		writeJSON(w, http.StatusOK, protocol.ResultAccepted{JobID: res.JobID})
		return
	}
	// Refused: say why. A repeat of an accepted post changes nothing.
	j, err := h.st.job(r.Context(), c.id, res.JobID)
	switch {
	case errors.Is(err, errNotFound):
		fail(w, http.StatusNotFound, "no job %d in this class", res.JobID)
	case err != nil:
		h.internal(w, "job", err)
	case j.state == "done" && j.studentID.Int64 == st.id && j.hash.String == res.Hash:
		writeJSON(w, http.StatusOK, protocol.ResultAccepted{JobID: res.JobID, Repeat: true})
	case j.state == "done" && j.studentID.Int64 == st.id:
		fail(w, http.StatusConflict, "job %d: you already posted a different result", res.JobID)
	default:
		if c2, err := h.st.classByCode(r.Context(), c.code); err == nil && c2.state == protocol.ClassClosed {
			fail(w, http.StatusGone, "the class is closed: results are no longer taken")
			return
		}
		fail(w, http.StatusConflict, "job %d is not held by you (its lease ran out and another student took it, or you never claimed it)", res.JobID)
	}
}

// renew answers 200 with the job's new lease end, or 409 when the student
// no longer holds the job.
func (h *Handler) renew(w http.ResponseWriter, r *http.Request) {
	c, ok := h.lookup(w, r)
	if !ok {
		return
	}
	st, ok := h.student(w, r, c)
	if !ok {
		return
	}
	var req protocol.RenewRequest
	if !readBody(w, r, h.cfg.MaxBody, "renew", &req) {
		return
	}
	until, err := h.st.renew(r.Context(), c.id, st.id, req.JobID, h.ms())
	switch {
	case errors.Is(err, errNotFound):
		fail(w, http.StatusConflict, "job %d is not held by you: drop it and claim another", req.JobID)
	case err != nil:
		h.internal(w, "renew", err)
	default:
		writeJSON(w, http.StatusOK, protocol.Renewed{JobID: req.JobID, LeaseUntil: until})
	}
}

func (h *Handler) status(w http.ResponseWriter, r *http.Request) {
	c, ok := h.lookup(w, r)
	if !ok {
		return
	}
	st, err := h.st.status(r.Context(), c, h.ms())
	if err != nil {
		h.internal(w, "status", err)
		return
	}
	data, err := json.Marshal(st)
	if err != nil {
		h.internal(w, "status", err)
		return
	}
	writeStatus(w, r, data)
}
