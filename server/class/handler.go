package class

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"sentilab/protocol"
)

// Config sets up the class routes. Zero limits take the defaults.
type Config struct {
	DB     *sql.DB          // migrated (OpenSQLite, or Migrate)
	Now    func() time.Time // the clock of leases and rate limits; nil: time.Now
	Logger *slog.Logger     // errors only; nil discards

	MaxClasses  int   // classes not closed, server-wide (default 200)
	MaxStudents int   // students per class (default 400)
	MaxJobs     int   // grid points per class (default 2,000)
	MaxBody     int64 // request body bytes (default 16 KiB; create: 64 KiB)

	StudentRate  float64 // claims and posts a second per student (default 2)
	StudentBurst int     // (default 10)
	// JoinRate and JoinBurst bound joins and creates per address (default
	// 5 a second, 100 at once: a whole lecture hall behind one school NAT
	// joins in a minute). They stop a flood of student rows; guessing codes
	// is bounded by FailRate, server-wide.
	JoinRate  float64
	JoinBurst int
	FailRate  float64 // unknown join codes a second, server-wide (default 5)

	Heartbeat   time.Duration // SSE comment line interval (default 15 s)
	StreamLimit time.Duration // an SSE stream's length; the browser reconnects (default 1 h)
}

const (
	maxNameRunes   = 40
	maxTitleRunes  = 120
	maxMetrics     = 2 << 10 // a results table row; 2,000 of them keep a live view status under 5 MB
	defaultLease   = 600
	defaultMinutes = 120
	maxMinutes     = 7 * 24 * 60
)

type handler struct {
	cfg        Config
	st         store
	now        func() time.Time
	log        *slog.Logger
	students   *limiter
	joins      *limiter
	failures   *limiter
	hub        *hub
	snapMu     sync.Mutex
	snaps      map[int64]snapshot // the live views' shared status, by class
	maxCreate  int64
	rng        *rand.Rand
	mux        *http.ServeMux
	writeSlack time.Duration
}

// NewHandler returns the /api/class routes.
func NewHandler(cfg Config) (http.Handler, error) {
	if cfg.DB == nil {
		return nil, errors.New("class: no database")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.MaxClasses = cmp.Or(cfg.MaxClasses, 200)
	cfg.MaxStudents = cmp.Or(cfg.MaxStudents, 400)
	cfg.MaxJobs = cmp.Or(cfg.MaxJobs, 2000)
	cfg.MaxBody = cmp.Or(cfg.MaxBody, 16<<10)
	cfg.StudentRate = cmp.Or(cfg.StudentRate, 2)
	cfg.StudentBurst = cmp.Or(cfg.StudentBurst, 10)
	cfg.JoinRate = cmp.Or(cfg.JoinRate, 5)
	cfg.JoinBurst = cmp.Or(cfg.JoinBurst, 100)
	cfg.FailRate = cmp.Or(cfg.FailRate, 5)
	cfg.Heartbeat = cmp.Or(cfg.Heartbeat, 15*time.Second)
	cfg.StreamLimit = cmp.Or(cfg.StreamLimit, time.Hour)
	h := &handler{
		cfg:        cfg,
		now:        cfg.Now,
		log:        cfg.Logger,
		students:   newLimiter(cfg.StudentRate, cfg.StudentBurst, cfg.Now),
		joins:      newLimiter(cfg.JoinRate, cfg.JoinBurst, cfg.Now),
		failures:   newLimiter(cfg.FailRate, int(cfg.FailRate*10), cfg.Now),
		hub:        newHub(),
		snaps:      map[int64]snapshot{},
		maxCreate:  max(cfg.MaxBody, 64<<10),
		rng:        rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())),
		mux:        http.NewServeMux(),
		writeSlack: 30 * time.Second,
	}
	var err error
	if h.st, err = newStore(context.Background(), cfg.DB); err != nil {
		return nil, err
	}
	h.mux.HandleFunc("POST /api/class", h.create)
	h.mux.HandleFunc("POST /api/class/{code}/join", h.join)
	h.mux.HandleFunc("POST /api/class/{code}/claim", h.claim)
	h.mux.HandleFunc("POST /api/class/{code}/result", h.result)
	h.mux.HandleFunc("POST /api/class/{code}/renew", h.renew)
	h.mux.HandleFunc("POST /api/class/{code}/teacher/{action}", h.teacher)
	h.mux.HandleFunc("GET /api/class/{code}/status", h.status)
	h.mux.HandleFunc("GET /api/class/{code}/events", h.events)
	return h, nil
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	h.mux.ServeHTTP(w, r)
}

func (h *handler) ms() int64 { return h.now().UnixMilli() }

// ---- answers

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	// json escapes <, > and & as \u003c..., so a display name cannot
	// become markup even in a page that forgets to escape it.
	json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, code int, format string, args ...any) {
	writeJSON(w, code, protocol.Error{Message: fmt.Sprintf(format, args...)})
}

func (h *handler) internal(w http.ResponseWriter, what string, err error) {
	h.log.Error("class", "what", what, "err", err)
	fail(w, http.StatusInternalServerError, "internal error")
}

// readBody decodes a JSON body strictly, bounded to limit bytes. It has
// answered when it returns false.
func readBody(w http.ResponseWriter, r *http.Request, limit int64, what string, v any) bool {
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/json" {
		// A cross-site form cannot send application/json without asking
		// first (CORS preflight), which this server never allows.
		fail(w, http.StatusUnsupportedMediaType, "%s: want Content-Type application/json", what)
		return false
	}
	if r.ContentLength > limit {
		w.Header().Set("Connection", "close")
		fail(w, http.StatusRequestEntityTooLarge, "%s: body of %d bytes, at most %d", what, r.ContentLength, limit)
		return false
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		fail(w, http.StatusRequestEntityTooLarge, "%s: body over %d bytes", what, limit)
		return false
	}
	if err != nil {
		fail(w, http.StatusBadRequest, "%s: %v", what, err)
		return false
	}
	if err := protocol.Decode(what, data, v); err != nil {
		fail(w, http.StatusBadRequest, "%v", err)
		return false
	}
	return true
}

func bearer(r *http.Request) string {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return ""
	}
	return strings.TrimSpace(tok)
}

func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// checkName validates a display name or title: trimmed, 1 to max
// characters, valid UTF-8, no control or format characters (no bidi
// overrides that would reorder the live view).
func checkName(field, s string, maxRunes int) (string, error) {
	s = strings.TrimSpace(s)
	n := utf8.RuneCountInString(s)
	switch {
	case !utf8.ValidString(s):
		return "", fmt.Errorf("%s: not valid UTF-8", field)
	case n == 0:
		return "", fmt.Errorf("%s: empty", field)
	case n > maxRunes:
		return "", fmt.Errorf("%s: %d characters, at most %d", field, n, maxRunes)
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return "", fmt.Errorf("%s: control character %U", field, r)
		}
	}
	return s, nil
}

// lookup finds the class of the request's {code}. It has answered when it
// returns false. Unknown codes count against the server-wide failure
// budget, so guessing codes is slow from any number of addresses.
func (h *handler) lookup(w http.ResponseWriter, r *http.Request) (classRow, bool) {
	code, ok := normalizeCode(r.PathValue("code"))
	if ok {
		c, err := h.st.classByCode(r.Context(), code)
		if err == nil {
			return c, true
		}
		if !errors.Is(err, errNotFound) {
			h.internal(w, "class", err)
			return c, false
		}
	}
	if !h.failures.allow("") {
		w.Header().Set("Retry-After", "1")
		fail(w, http.StatusTooManyRequests, "too many unknown class codes: try again in a second")
		return classRow{}, false
	}
	fail(w, http.StatusNotFound, "no class with this code")
	return classRow{}, false
}

// teacherOf checks the teacher token against the class.
func (h *handler) isTeacher(w http.ResponseWriter, r *http.Request, c classRow) bool {
	tok := bearer(r)
	if tok == "" {
		w.Header().Set("WWW-Authenticate", "Bearer")
		fail(w, http.StatusUnauthorized, "the teacher token is missing")
		return false
	}
	if !sameHash(hashToken(tok), c.teacherHash) {
		fail(w, http.StatusForbidden, "not the teacher of this class")
		return false
	}
	return true
}

// student finds the student of the bearer token in class c and takes a
// token of its rate budget.
func (h *handler) student(w http.ResponseWriter, r *http.Request, c classRow) (studentRow, bool) {
	tok := bearer(r)
	if tok == "" {
		w.Header().Set("WWW-Authenticate", "Bearer")
		fail(w, http.StatusUnauthorized, "the student token is missing")
		return studentRow{}, false
	}
	st, err := h.st.studentByToken(r.Context(), hashToken(tok))
	switch {
	case errors.Is(err, errNotFound) || err == nil && st.classID != c.id:
		fail(w, http.StatusForbidden, "not a student of this class")
		return st, false
	case err != nil:
		h.internal(w, "student", err)
		return st, false
	case st.removed:
		fail(w, http.StatusForbidden, "removed from this class by the teacher")
		return st, false
	}
	if !h.students.allow(strconv.FormatInt(st.id, 10)) {
		w.Header().Set("Retry-After", "1")
		fail(w, http.StatusTooManyRequests, "too many requests: at most %g a second", h.cfg.StudentRate)
		return st, false
	}
	return st, true
}

// ---- routes

func (h *handler) create(w http.ResponseWriter, r *http.Request) {
	if !h.joins.allow(clientAddr(r)) {
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
	for _, i := range h.rng.Perm(len(runs))[:checks] {
		as = append(as, assignment{idx: i, copy: 1, run: as[i].run})
	}
	for i, o := range h.rng.Perm(len(as)) {
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

func (h *handler) join(w http.ResponseWriter, r *http.Request) {
	if !h.joins.allow(clientAddr(r)) {
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
func (h *handler) claim(w http.ResponseWriter, r *http.Request) {
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

func (h *handler) result(w http.ResponseWriter, r *http.Request) {
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
	if b, err := hex.DecodeString(res.Hash); err != nil || len(b) != 32 || strings.ToLower(res.Hash) != res.Hash {
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
func (h *handler) renew(w http.ResponseWriter, r *http.Request) {
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

func (h *handler) status(w http.ResponseWriter, r *http.Request) {
	c, ok := h.lookup(w, r)
	if !ok {
		return
	}
	st, err := h.st.status(r.Context(), c, h.ms())
	if err != nil {
		h.internal(w, "status", err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (h *handler) teacher(w http.ResponseWriter, r *http.Request) {
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
	st, err := h.st.status(ctx, mustReload(ctx, h.st, c), h.ms())
	if err != nil {
		h.internal(w, "status", err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (h *handler) closeClass(ctx context.Context, c classRow) (bool, error) {
	if c.state == protocol.ClassClosed {
		return false, nil
	}
	return h.st.exec(ctx, `UPDATE classes SET state = 'closed' WHERE id = ?1 AND state <> 'closed'`, c.id)
}

// mustReload reads the class again after a change, falling back to the
// copy we have if that fails (the status read will then report the error).
func mustReload(ctx context.Context, s store, c classRow) classRow {
	if c2, err := s.classByCode(ctx, c.code); err == nil {
		return c2
	}
	return c
}
