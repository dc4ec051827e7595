package class

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
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
	MaxModel    int64 // an uploaded model file's bytes (default 1,900,000: under D1's 2,000,000 per value)

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

	// Stateless is for a handler that lives for one request (Cloudflare
	// Workers, where each request gets a fresh Go instance): rate-limit
	// buckets are kept in the database (rate_buckets) instead of memory,
	// and the live view answers each /events request at once with the
	// status if it changed and a retry delay, instead of holding a stream
	// that an in-memory wake-up would feed (events_poll.go).
	Stateless bool
	PollEvery time.Duration // Stateless: the live view's reconnect delay (default 3 s)
}

const (
	maxNameRunes   = 40
	maxTitleRunes  = 120
	maxMetrics     = 2 << 10 // a results table row; 2,000 of them keep a live view status under 5 MB
	defaultLease   = 600
	defaultMinutes = 120
	maxMinutes     = 7 * 24 * 60
)

// Handler serves the /api/class routes.
type Handler struct {
	cfg        Config
	st         store
	now        func() time.Time
	log        *slog.Logger
	students   rateLimit
	joins      rateLimit
	failures   rateLimit
	hub        *hub
	snapMu     sync.Mutex
	snaps      map[int64]snapshot // the live views' shared status, by class
	maxCreate  int64
	mux        *http.ServeMux
	writeSlack time.Duration
	closing    chan struct{} // closed by CloseStreams
	closeOnce  sync.Once
}

// NewHandler returns the /api/class routes.
func NewHandler(cfg Config) (*Handler, error) {
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
	cfg.MaxModel = cmp.Or(cfg.MaxModel, defaultMaxModel)
	cfg.StudentRate = cmp.Or(cfg.StudentRate, 2)
	cfg.StudentBurst = cmp.Or(cfg.StudentBurst, 10)
	cfg.JoinRate = cmp.Or(cfg.JoinRate, 5)
	cfg.JoinBurst = cmp.Or(cfg.JoinBurst, 100)
	cfg.FailRate = cmp.Or(cfg.FailRate, 5)
	cfg.Heartbeat = cmp.Or(cfg.Heartbeat, 15*time.Second)
	cfg.StreamLimit = cmp.Or(cfg.StreamLimit, time.Hour)
	cfg.PollEvery = cmp.Or(cfg.PollEvery, 3*time.Second)
	h := &Handler{
		cfg:        cfg,
		now:        cfg.Now,
		log:        cfg.Logger,
		hub:        newHub(),
		snaps:      map[int64]snapshot{},
		maxCreate:  max(cfg.MaxBody, 64<<10),
		mux:        http.NewServeMux(),
		writeSlack: 30 * time.Second,
		closing:    make(chan struct{}),
	}
	newLimit := func(name string, rate float64, burst int) rateLimit {
		if cfg.Stateless {
			return &dbLimiter{db: cfg.DB, name: name, rate: rate, burst: float64(burst), now: cfg.Now, log: cfg.Logger}
		}
		return newLimiter(rate, burst, cfg.Now)
	}
	h.students = newLimit("student", cfg.StudentRate, cfg.StudentBurst)
	h.joins = newLimit("join", cfg.JoinRate, cfg.JoinBurst)
	h.failures = newLimit("fail", cfg.FailRate, int(cfg.FailRate*10))
	var err error
	if h.st, err = newStore(context.Background(), cfg.DB); err != nil {
		return nil, err
	}
	h.mux.HandleFunc("POST /api/class", h.create)
	h.mux.HandleFunc("POST /api/class/{code}/join", h.join)
	h.mux.HandleFunc("POST /api/class/{code}/claim", h.claim)
	h.mux.HandleFunc("POST /api/class/{code}/result", h.result)
	h.mux.HandleFunc("POST /api/class/{code}/renew", h.renew)
	h.mux.HandleFunc("POST /api/class/{code}/model/{job}", h.putModel)
	h.mux.HandleFunc("GET /api/class/{code}/model/{job}", h.getModel)
	h.mux.HandleFunc("POST /api/class/{code}/teacher/{action}", h.teacher)
	h.mux.HandleFunc("GET /api/class/{code}/status", h.status)
	h.mux.HandleFunc("GET /api/class/{code}/events", h.events)
	return h, nil
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	h.mux.ServeHTTP(w, r)
}

// CloseStreams ends every live view's event stream (with an "end" event,
// after which a browser reconnects, to another server or later) and makes
// new ones end at once. http.Server.Shutdown waits for handlers, and a
// stream would otherwise hold it until its timeout: register this with
// RegisterOnShutdown.
func (h *Handler) CloseStreams() {
	h.closeOnce.Do(func() { close(h.closing) })
}

func (h *Handler) ms() int64 { return h.now().UnixMilli() }

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

func (h *Handler) internal(w http.ResponseWriter, what string, err error) {
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
func (h *Handler) lookup(w http.ResponseWriter, r *http.Request) (classRow, bool) {
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
	if !h.failures.allow(r.Context(), "") {
		w.Header().Set("Retry-After", "1")
		fail(w, http.StatusTooManyRequests, "too many unknown class codes: try again in a second")
		return classRow{}, false
	}
	fail(w, http.StatusNotFound, "no class with this code")
	return classRow{}, false
}

// isTeacher checks the bearer token against the class's teacher token.
func (h *Handler) isTeacher(w http.ResponseWriter, r *http.Request, c classRow) bool {
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
func (h *Handler) student(w http.ResponseWriter, r *http.Request, c classRow) (studentRow, bool) {
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
	if !h.students.allow(r.Context(), strconv.FormatInt(st.id, 10)) {
		w.Header().Set("Retry-After", "1")
		fail(w, http.StatusTooManyRequests, "too many requests: at most %g a second", h.cfg.StudentRate)
		return st, false
	}
	return st, true
}
