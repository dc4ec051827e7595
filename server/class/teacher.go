package class

import (
	"cmp"
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"strings"

	"sentilab/protocol"
)

// The teacher's routes: creating a class and running it.

func (h *Handler) create(w http.ResponseWriter, r *http.Request) {
	if !h.joins.allow(r.Context(), clientAddr(r)) {
		w.Header().Set("Retry-After", "1")
		fail(w, http.StatusTooManyRequests, "too many requests from this address")
		return
	}
	var req protocol.ClassCreateRequest
	if !readBody(w, r, h.maxCreate, "class", &req) {
		return
	}
	title, err := checkName("title", req.Title, maxTitleRunes)
	if err != nil {
		fail(w, http.StatusBadRequest, "%v", err)
		return
	}
	spot := 0.1
	if req.SpotCheck != nil {
		spot = *req.SpotCheck
	}
	lease := cmp.Or(req.LeaseSeconds, defaultLease)
	minutes := cmp.Or(req.Minutes, defaultMinutes)
	switch {
	case spot < 0 || spot > 0.5:
		fail(w, http.StatusBadRequest, "spot_check %g: want 0 to 0.5", spot)
		return
	case lease < 1 || lease > 86400:
		fail(w, http.StatusBadRequest, "lease_seconds %d: want 1 to 86400", lease)
		return
	case minutes < 1 || minutes > maxMinutes:
		fail(w, http.StatusBadRequest, "minutes %d: want 1 to %d", minutes, maxMinutes)
		return
	}
	runs, err := expand(req.Experiment, h.cfg.MaxJobs)
	if err != nil {
		fail(w, http.StatusBadRequest, "%v", err)
		return
	}
	if n, err := h.st.countLiveClasses(r.Context()); err != nil {
		h.internal(w, "count classes", err)
		return
	} else if n >= h.cfg.MaxClasses {
		fail(w, http.StatusServiceUnavailable, "this server already runs %d classes, its limit: close one first", n)
		return
	}
	as := make([]assignment, 0, len(runs)+len(runs)/2)
	for i, run := range runs {
		data, err := json.Marshal(run)
		if err != nil {
			h.internal(w, "marshal run", err)
			return
		}
		as = append(as, assignment{idx: i, copy: 0, run: string(data)})
	}
	// The spot checks: a random spot share of the grid points, rounded.
	checks := int(spot*float64(len(runs)) + 0.5)
	for _, i := range rand.Perm(len(runs))[:checks] {
		as = append(as, assignment{idx: i, copy: 1, run: as[i].run})
	}
	for i, o := range rand.Perm(len(as)) {
		as[i].ord = int64(o)
	}
	exp, _ := json.Marshal(req.Experiment)
	tok, hash := newToken()
	now := h.ms()
	c := classRow{teacherHash: hash, title: title, experiment: string(exp), leaseMS: int64(lease) * 1000,
		endsAt: now + int64(minutes)*60_000}
	for attempt := 0; ; attempt++ {
		c.code = newCode()
		_, err = h.st.createClass(r.Context(), c, now, as)
		if err == nil || attempt == 3 || !strings.Contains(err.Error(), "UNIQUE") {
			break
		}
	}
	if err != nil {
		h.internal(w, "create class", err)
		return
	}
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	writeJSON(w, http.StatusCreated, protocol.ClassCreated{Code: c.code, URL: scheme + "://" + r.Host + "/?class=" + c.code,
		TeacherToken: tok, Jobs: len(runs), Assignments: len(as)})
}

func (h *Handler) teacher(w http.ResponseWriter, r *http.Request) {
	c, ok := h.lookup(w, r)
	if !ok || !h.isTeacher(w, r, c) {
		return
	}
	var a protocol.TeacherAction
	if !readBody(w, r, h.cfg.MaxBody, "teacher action", &a) {
		return
	}
	ctx := r.Context()
	var changed bool
	var err error
	switch action := r.PathValue("action"); action {
	case "pause":
		changed, err = h.st.setState(ctx, c.id, protocol.ClassOpen, protocol.ClassPaused)
	case "resume":
		changed, err = h.st.setState(ctx, c.id, protocol.ClassPaused, protocol.ClassOpen)
	case "close":
		changed, err = h.closeClass(ctx, c)
	case "extend":
		if a.Minutes < 1 || a.Minutes > maxMinutes {
			fail(w, http.StatusBadRequest, "extend: minutes %d, want 1 to %d", a.Minutes, maxMinutes)
			return
		}
		changed, err = h.st.extend(ctx, c.id, int64(a.Minutes)*60_000, h.ms())
	case "rename":
		name, nerr := checkName("name", a.Name, maxNameRunes)
		if nerr != nil {
			fail(w, http.StatusBadRequest, "rename: %v", nerr)
			return
		}
		changed, err = h.st.rename(ctx, c.id, a.StudentID, name)
	case "remove":
		changed, err = h.st.remove(ctx, c.id, a.StudentID)
	case "discard":
		changed, err = h.st.discard(ctx, c.id, a.JobID)
	default:
		fail(w, http.StatusNotFound, "no teacher action %q (pause, resume, close, extend, rename, remove, discard)", action)
		return
	}
	if err != nil {
		h.internal(w, "teacher", err)
		return
	}
	if !changed {
		fail(w, http.StatusConflict, "nothing to change: the class, student or result is not in a state this action applies to")
		return
	}
	h.hub.changed(c.id)
	st, err := h.st.status(ctx, reload(ctx, h.st, c), h.ms())
	if err != nil {
		h.internal(w, "status", err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (h *Handler) closeClass(ctx context.Context, c classRow) (bool, error) {
	if c.state == protocol.ClassClosed {
		return false, nil
	}
	return h.st.exec(ctx, `UPDATE classes SET state = 'closed' WHERE id = ?1 AND state <> 'closed'`, c.id)
}

// reload reads the class again after a change, falling back to the
// copy we have if that fails (the status read will then report the error).
func reload(ctx context.Context, s store, c classRow) classRow {
	if c2, err := s.classByCode(ctx, c.code); err == nil {
		return c2
	}
	return c
}
