package class

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"sentilab/protocol"
)

func TestExpandGrid(t *testing.T) {
	runs, err := expand(alphaTGrid(), 2000)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 49 {
		t.Fatalf("%d runs, want 49", len(runs))
	}
	// The first axis slowest: run 8 is α index 1, T index 1.
	if r := runs[8].Compress; r.Alpha != 0.25 || r.T != 2 || r.Method != "distill" {
		t.Errorf("runs[8].compress = %+v, want alpha 0.25, t 2, distill", *r)
	}
	if r := runs[48]; r.Train.Seed != 42 || r.Train.Workers != 1 || r.Train.Kernels != "portable" || r.Dataset != "imdb-50k" {
		t.Errorf("runs[48] does not pin seed, workers, kernel: %+v", r)
	}
	if runs[0].Compress == runs[1].Compress {
		t.Error("runs share their compress settings")
	}
	bad := []struct {
		edit func(*protocol.Experiment)
		want string
	}{
		{func(e *protocol.Experiment) { e.Sweep[0].Param = "compress.alpah" }, `unknown field "alpah"`},
		{func(e *protocol.Experiment) { e.Sweep[0].Param = "train.seed" }, `sweep "seed" instead`},
		{func(e *protocol.Experiment) { e.Sweep[1].Values = nil }, "experiment.sweep[1].values: empty"},
		{func(e *protocol.Experiment) { e.Sweep[1].Values[2] = json.RawMessage(`"hot"`) }, "cannot unmarshal string"},
		{func(e *protocol.Experiment) { e.Base.Compress = nil }, `no object "compress"`},
		{func(e *protocol.Experiment) { e.Base.Kernel = "avx2" }, `kernel "avx2"`},
		{func(e *protocol.Experiment) { e.Base.Dataset = "../etc/passwd" }, "dataset"},
		{func(e *protocol.Experiment) { e.Sweep = append(e.Sweep, e.Sweep[0]) }, "swept twice"},
		{func(e *protocol.Experiment) { e.Base.DataHash = "ABC" }, "data_hash"},
		{func(e *protocol.Experiment) {
			e.Sweep[0] = protocol.SweepAxis{Param: "data_hash", Values: []json.RawMessage{json.RawMessage(`"` + strings.Repeat("a", 64) + `"`)}}
		}, "data_hash cannot be swept"},
	}
	for _, b := range bad {
		e := alphaTGrid()
		b.edit(&e)
		if _, err := expand(e, 2000); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("error %v, want one containing %q", err, b.want)
		}
	}
	if _, err := expand(alphaTGrid(), 48); err == nil || !strings.Contains(err.Error(), "more than 48 jobs") {
		t.Errorf("49 jobs under a cap of 48: error %v", err)
	}
}

func TestCodes(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		c := newCode()
		if n, ok := normalizeCode(c); !ok || n != c {
			t.Fatalf("code %q does not read back (%q, %v)", c, n, ok)
		}
		seen[c] = true
	}
	if len(seen) != 1000 {
		t.Errorf("%d distinct codes of 1000", len(seen))
	}
	if n, ok := normalizeCode("ab-cd ef0o"); !ok || n != "ABCDEF00" {
		t.Errorf("normalizeCode = %q %v, want ABCDEF00", n, ok)
	}
	for _, bad := range []string{"ABCDEFG", "ABCDEFGHJ", "ABCDEFGU", "ABCD%2F12"} {
		if _, ok := normalizeCode(bad); ok {
			t.Errorf("normalizeCode(%q) accepted", bad)
		}
	}
}

// classFixture is a class with a teacher and n joined students, on a test
// server with a settable clock.
type classFixture struct {
	clk      *clock
	teacher  *client
	students []*client
	ids      []int64
	code     string
	base     string
}

func newFixture(t *testing.T, cfg Config, req protocol.ClassCreateRequest, n int) *classFixture {
	t.Helper()
	f := &classFixture{clk: newClock()}
	cfg.Now = f.clk.now
	srv := newTestServer(t, cfg)
	f.base = srv.URL
	f.teacher = newClient(srv.URL)
	var created protocol.ClassCreated
	f.teacher.must(t, http.StatusCreated, "POST", "/api/class", req, &created)
	f.teacher.token, f.code = created.TeacherToken, created.Code
	for i := range n {
		s := newClient(srv.URL)
		var j protocol.Joined
		s.must(t, http.StatusCreated, "POST", "/api/class/"+f.code+"/join", protocol.JoinRequest{Name: fmt.Sprint("student ", i)}, &j)
		s.token = j.StudentToken
		f.students = append(f.students, s)
		f.ids = append(f.ids, j.StudentID)
	}
	return f
}

func (f *classFixture) path(p string) string { return "/api/class/" + f.code + p }

func (f *classFixture) status(t *testing.T) protocol.ClassStatus {
	var st protocol.ClassStatus
	newClient(f.base).must(t, http.StatusOK, "GET", f.path("/status"), nil, &st)
	return st
}

func smallGrid(n int, spot float64, lease int) protocol.ClassCreateRequest {
	e := alphaTGrid()
	e.Sweep = e.Sweep[:1]
	e.Sweep[0].Values = e.Sweep[0].Values[:n]
	return protocol.ClassCreateRequest{Title: "test", Experiment: e, SpotCheck: &spot, LeaseSeconds: lease}
}

func TestLeases(t *testing.T) {
	f := newFixture(t, Config{}, smallGrid(3, 0, 60), 3)
	a, b, c := f.students[0], f.students[1], f.students[2]
	var ja, ja2, jb, jc protocol.ClassJob
	a.must(t, http.StatusOK, "POST", f.path("/claim"), nil, &ja)
	// One job at a time: a second claim (a reloaded tab) gets the same one.
	a.must(t, http.StatusOK, "POST", f.path("/claim"), nil, &ja2)
	if ja2.JobID != ja.JobID || ja2.LeaseUntil != ja.LeaseUntil {
		t.Errorf("second claim got job %d until %d, want the held %d until %d", ja2.JobID, ja2.LeaseUntil, ja.JobID, ja.LeaseUntil)
	}
	if want := f.clk.now().UnixMilli() + 60_000; ja.LeaseUntil != want {
		t.Errorf("lease until %d, want %d", ja.LeaseUntil, want)
	}
	b.must(t, http.StatusOK, "POST", f.path("/claim"), nil, &jb)
	if jb.JobID == ja.JobID {
		t.Fatal("two students hold the same job")
	}
	// b finishes; a vanishes. Its job is not handed out while leased...
	b.must(t, http.StatusOK, "POST", f.path("/result"), protocol.ClassResult{JobID: jb.JobID, Hash: runJob(jb.Run)}, nil)
	f.clk.advance(time.Second) // c's lease ends a second after a's
	c.must(t, http.StatusOK, "POST", f.path("/claim"), nil, &jc)
	var none protocol.ClassJob
	b.must(t, http.StatusNoContent, "POST", f.path("/claim"), nil, &none)
	// c renews its lease: it stays c's past the original end.
	var ren protocol.Renewed
	f.clk.advance(30 * time.Second)
	c.must(t, http.StatusOK, "POST", f.path("/renew"), protocol.RenewRequest{JobID: jc.JobID}, &ren)
	if want := f.clk.now().UnixMilli() + 60_000; ren.LeaseUntil != want {
		t.Errorf("renewed until %d, want %d", ren.LeaseUntil, want)
	}
	b.must(t, http.StatusConflict, "POST", f.path("/renew"), protocol.RenewRequest{JobID: jc.JobID}, nil)
	// ...but is once the lease runs out; the oldest expired lease first.
	f.clk.advance(31 * time.Second)
	var jb2 protocol.ClassJob
	b.must(t, http.StatusOK, "POST", f.path("/claim"), nil, &jb2)
	if jb2.JobID != ja.JobID {
		t.Fatalf("after the lease, b got job %d, want a's %d", jb2.JobID, ja.JobID)
	}
	// a comes back too late: refused, the job is b's now.
	if body := a.must(t, http.StatusConflict, "POST", f.path("/result"), protocol.ClassResult{JobID: ja.JobID, Hash: runJob(ja.Run)}, nil); !strings.Contains(body, "not held") {
		t.Errorf("late post: %s", body)
	}
	var acc protocol.ResultAccepted
	b.must(t, http.StatusOK, "POST", f.path("/result"), protocol.ClassResult{JobID: jb2.JobID, Hash: runJob(jb2.Run)}, &acc)
	if acc.Repeat {
		t.Error("first post reported as a repeat")
	}
	// Idempotent: the same post again changes nothing and says so.
	b.must(t, http.StatusOK, "POST", f.path("/result"), protocol.ClassResult{JobID: jb2.JobID, Hash: runJob(jb2.Run)}, &acc)
	if !acc.Repeat {
		t.Error("repeated post not reported as a repeat")
	}
	b.must(t, http.StatusConflict, "POST", f.path("/result"), protocol.ClassResult{JobID: jb2.JobID, Hash: strings.Repeat("0", 64)}, nil)
	a.must(t, http.StatusConflict, "POST", f.path("/renew"), protocol.RenewRequest{JobID: ja.JobID}, nil)
	// c's renewed lease is still running: b gets nothing more.
	b.must(t, http.StatusNoContent, "POST", f.path("/claim"), nil, nil)
	f.clk.advance(time.Minute)
	// c's lease ran out too, but nobody took the job: its result counts
	// (once its metrics fit in 2 KiB).
	big := json.RawMessage(`{"note":"` + strings.Repeat("x", 3000) + `"}`)
	if body := c.must(t, http.StatusBadRequest, "POST", f.path("/result"), protocol.ClassResult{JobID: jc.JobID, Hash: runJob(jc.Run), Metrics: big}, nil); !strings.Contains(body, "2048 bytes") {
		t.Errorf("3 KB of metrics: %s", body)
	}
	c.must(t, http.StatusOK, "POST", f.path("/result"), protocol.ClassResult{JobID: jc.JobID, Hash: runJob(jc.Run), Metrics: json.RawMessage(`{"accuracy":0.87}`)}, nil)
	st := f.status(t)
	if st.Jobs != 3 || st.Done != 3 || st.Todo != 0 || st.Leased != 0 || len(st.Results) != 3 {
		t.Fatalf("status %+v, want 3 jobs done", st)
	}
	for _, r := range st.Results {
		if r.Hash != runJob(mustRun(t, r.Index)) {
			t.Errorf("grid point %d: hash %s is not its run's", r.Index, r.Hash)
		}
	}
	a.must(t, http.StatusNoContent, "POST", f.path("/claim"), nil, nil)
}

func mustRun(t *testing.T, idx int) protocol.LabRun {
	runs, err := expand(smallGrid(3, 0, 60).Experiment, 100)
	if err != nil {
		t.Fatal(err)
	}
	return runs[idx]
}

func TestSpotChecks(t *testing.T) {
	f := newFixture(t, Config{}, smallGrid(4, 0.5, 60), 3)
	st := f.status(t)
	if st.Jobs != 4 || st.Todo != 6 {
		t.Fatalf("status %+v: want 4 jobs, 6 assignments (2 spot checks)", st)
	}
	// Student 0 is honest, student 1 lies on everything, student 2 is
	// honest. Run until every assignment is done.
	ranBy := map[int][]int{} // grid point → students
	for round := 0; round < 20; round++ {
		progress := false
		for i, s := range f.students {
			var j protocol.ClassJob
			code, _, err := s.do("POST", f.path("/claim"), nil, &j)
			if err != nil {
				t.Fatal(err)
			}
			if code == http.StatusNoContent {
				continue
			}
			progress = true
			hash := runJob(j.Run)
			if i == 1 {
				hash = strings.Repeat("ab", 32)
			}
			s.must(t, http.StatusOK, "POST", f.path("/result"), protocol.ClassResult{JobID: j.JobID, Hash: hash}, nil)
			ranBy[j.Index] = append(ranBy[j.Index], i)
		}
		if !progress {
			break
		}
	}
	st = f.status(t)
	if st.Done != 6 {
		t.Fatalf("done %d of 6 assignments: %+v", st.Done, st)
	}
	checks := 0
	for idx, who := range ranBy {
		if len(who) == 2 {
			checks++
			if who[0] == who[1] {
				t.Errorf("grid point %d: both copies run by student %d", idx, who[0])
			}
		}
	}
	if checks != 2 {
		t.Errorf("%d grid points run twice, want 2", checks)
	}
	for _, r := range st.Results {
		who := ranBy[r.Index]
		liar := false
		for _, s := range who {
			liar = liar || s == 1
		}
		switch {
		case len(who) == 2 && liar && !r.Mismatch:
			t.Errorf("grid point %d: run by %v, a liar among them, not flagged", r.Index, who)
		case len(who) == 2 && !liar && !r.Checked:
			t.Errorf("grid point %d: two honest runs, not marked checked: %+v", r.Index, r)
		case len(who) == 1 && (r.Checked || r.Mismatch):
			t.Errorf("grid point %d: run once, yet %+v", r.Index, r)
		}
	}
}

// TestRefusals runs natively (one long-lived handler) and as on Workers
// (Stateless: a fresh handler per request, rate limits in the database):
// the answers must be the same, the flood's counts included.
func TestRefusals(t *testing.T) {
	for _, stateless := range []bool{false, true} {
		t.Run(fmt.Sprint("stateless=", stateless), func(t *testing.T) { testRefusals(t, stateless) })
	}
}

func testRefusals(t *testing.T, stateless bool) {
	f := newFixture(t, Config{MaxBody: 1024, StudentRate: 1, StudentBurst: 5, MaxStudents: 3, Stateless: stateless}, smallGrid(3, 0, 60), 2)
	a, b := f.students[0], f.students[1]
	anon := newClient(f.base)

	// Teacher actions: missing token, a wrong one, a student's.
	anon.must(t, http.StatusUnauthorized, "POST", f.path("/teacher/pause"), protocol.TeacherAction{}, nil)
	wrong := newClient(f.base)
	wrong.token = "not-the-token"
	wrong.must(t, http.StatusForbidden, "POST", f.path("/teacher/close"), protocol.TeacherAction{}, nil)
	a.must(t, http.StatusForbidden, "POST", f.path("/teacher/close"), protocol.TeacherAction{}, nil)
	// Student routes without a token, or with the teacher's.
	anon.must(t, http.StatusUnauthorized, "POST", f.path("/claim"), nil, nil)
	f.teacher.must(t, http.StatusForbidden, "POST", f.path("/claim"), nil, nil)
	// A student of another class.
	var other protocol.ClassCreated
	f.teacher.must(t, http.StatusCreated, "POST", "/api/class", smallGrid(1, 0, 60), &other)
	stranger := newClient(f.base)
	var j protocol.Joined
	stranger.must(t, http.StatusCreated, "POST", "/api/class/"+other.Code+"/join", protocol.JoinRequest{Name: "x"}, &j)
	stranger.token = j.StudentToken
	stranger.must(t, http.StatusForbidden, "POST", f.path("/claim"), nil, nil)

	// Posting for a job not held: b posts for a's job; for a job that does not exist.
	var ja protocol.ClassJob
	a.must(t, http.StatusOK, "POST", f.path("/claim"), nil, &ja)
	b.must(t, http.StatusConflict, "POST", f.path("/result"), protocol.ClassResult{JobID: ja.JobID, Hash: runJob(ja.Run)}, nil)
	b.must(t, http.StatusNotFound, "POST", f.path("/result"), protocol.ClassResult{JobID: 99999, Hash: runJob(ja.Run)}, nil)
	// Bad results: not a hash, metrics not an object, unknown keys.
	a.must(t, http.StatusBadRequest, "POST", f.path("/result"), protocol.ClassResult{JobID: ja.JobID, Hash: "abc"}, nil)
	a.must(t, http.StatusBadRequest, "POST", f.path("/result"), protocol.ClassResult{JobID: ja.JobID, Hash: strings.Repeat("AB", 32)}, nil)
	a.must(t, http.StatusBadRequest, "POST", f.path("/result"), protocol.ClassResult{JobID: ja.JobID, Hash: runJob(ja.Run), Metrics: json.RawMessage(`[1]`)}, nil)
	if body := a.must(t, http.StatusBadRequest, "POST", f.path("/result"), []byte(`{"job_id":1,"hash":"x","extra":1}`), nil); !strings.Contains(body, `unknown field \"extra\"`) {
		t.Errorf("unknown key: %s", body)
	}
	f.clk.advance(10 * time.Second) // refill the rate buckets

	// Oversize bodies: declared, and streamed without a length.
	big := []byte(`{"name":"` + strings.Repeat("x", 2000) + `"}`)
	anon.must(t, http.StatusRequestEntityTooLarge, "POST", f.path("/join"), big, nil)
	req, _ := http.NewRequest("POST", f.base+f.path("/join"), struct{ *strings.Reader }{strings.NewReader(string(big))})
	req.Header.Set("Content-Type", "application/json")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked oversize body: %v %v", resp.Status, err)
	}
	// Not JSON: a form post from another site.
	req, _ = http.NewRequest("POST", f.base+f.path("/join"), strings.NewReader("name=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("form post: %v %v", resp.Status, err)
	}
	// Names: control characters, bidi overrides, too long; markup is escaped.
	for _, name := range []string{"", "  ", "a\x00b", "evil\u202Eman", strings.Repeat("é", 41)} {
		anon.must(t, http.StatusBadRequest, "POST", f.path("/join"), protocol.JoinRequest{Name: name}, nil)
	}
	body := anon.must(t, http.StatusCreated, "POST", f.path("/join"), protocol.JoinRequest{Name: "<script>alert(1)</script>"}, nil)
	if strings.Contains(body, "<") || !strings.Contains(body, `\u003cscript\u003e`) {
		t.Errorf("name not escaped: %s", body)
	}
	// The class is full now (3 students).
	anon.must(t, http.StatusConflict, "POST", f.path("/join"), protocol.JoinRequest{Name: "fourth"}, nil)
	// Unknown and malformed codes.
	anon.must(t, http.StatusNotFound, "GET", "/api/class/ZZZZZZZZ/status", nil, nil)
	anon.must(t, http.StatusNotFound, "GET", "/api/class/nope/status", nil, nil)

	// A flood from one student: the burst passes, then 429 with Retry-After.
	f.clk.advance(10 * time.Second)
	codes := map[int]int{}
	for range 50 {
		code, _, err := b.do("POST", f.path("/claim"), nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		codes[code]++
	}
	if codes[http.StatusTooManyRequests] != 45 || codes[http.StatusOK] != 5 {
		t.Errorf("flood of 50 claims: %v, want 5 answered and 45 refused (burst 5)", codes)
	}
	// Another student is not slowed by b's flood.
	a.must(t, http.StatusOK, "POST", f.path("/claim"), nil, nil)

	// A result for a closed class.
	f.teacher.must(t, http.StatusOK, "POST", f.path("/teacher/close"), protocol.TeacherAction{}, nil)
	if body := a.must(t, http.StatusGone, "POST", f.path("/result"), protocol.ClassResult{JobID: ja.JobID, Hash: runJob(ja.Run)}, nil); !strings.Contains(body, "closed") {
		t.Errorf("closed class: %s", body)
	}
	a.must(t, http.StatusGone, "POST", f.path("/claim"), nil, nil)
	anon.must(t, http.StatusGone, "POST", f.path("/join"), protocol.JoinRequest{Name: "late"}, nil)
	f.teacher.must(t, http.StatusConflict, "POST", f.path("/teacher/close"), protocol.TeacherAction{}, nil)
}

func TestCreateRefusals(t *testing.T) {
	srv := newTestServer(t, Config{MaxClasses: 2, MaxJobs: 10})
	c := newClient(srv.URL)
	bad := func(edit func(*protocol.ClassCreateRequest), want string) {
		t.Helper()
		req := smallGrid(3, 0.1, 60)
		edit(&req)
		if body := c.must(t, http.StatusBadRequest, "POST", "/api/class", req, nil); !strings.Contains(body, want) {
			t.Errorf("create: %s, want %q", body, want)
		}
	}
	bad(func(r *protocol.ClassCreateRequest) { r.Title = "" }, "title: empty")
	bad(func(r *protocol.ClassCreateRequest) { s := 0.9; r.SpotCheck = &s }, "spot_check 0.9")
	bad(func(r *protocol.ClassCreateRequest) { r.LeaseSeconds = -1 }, "lease_seconds -1")
	bad(func(r *protocol.ClassCreateRequest) { r.Experiment = alphaTGrid() }, "more than 10 jobs")
	c.must(t, http.StatusCreated, "POST", "/api/class", smallGrid(3, 0.1, 60), nil)
	c.must(t, http.StatusCreated, "POST", "/api/class", smallGrid(3, 0.1, 60), nil)
	if body := c.must(t, http.StatusServiceUnavailable, "POST", "/api/class", smallGrid(3, 0.1, 60), nil); !strings.Contains(body, "limit") {
		t.Errorf("third class: %s", body)
	}
}

func TestTeacherModeration(t *testing.T) {
	f := newFixture(t, Config{}, smallGrid(3, 0, 60), 2)
	a, b := f.students[0], f.students[1]
	teach := func(action string, body protocol.TeacherAction) protocol.ClassStatus {
		t.Helper()
		var st protocol.ClassStatus
		f.teacher.must(t, http.StatusOK, "POST", f.path("/teacher/"+action), body, &st)
		return st
	}
	st := teach("rename", protocol.TeacherAction{StudentID: f.ids[0], Name: "Ada"})
	if st.Students[0].Name != "Ada" {
		t.Errorf("renamed: %+v", st.Students)
	}
	f.teacher.must(t, http.StatusBadRequest, "POST", f.path("/teacher/rename"), protocol.TeacherAction{StudentID: f.ids[0], Name: "\u200Fx"}, nil)

	// Paused: no claims, but a held job's result is still taken.
	var ja protocol.ClassJob
	a.must(t, http.StatusOK, "POST", f.path("/claim"), nil, &ja)
	teach("pause", protocol.TeacherAction{})
	b.must(t, http.StatusNoContent, "POST", f.path("/claim"), nil, nil)
	a.must(t, http.StatusOK, "POST", f.path("/result"), protocol.ClassResult{JobID: ja.JobID, Hash: runJob(ja.Run)}, nil)
	teach("resume", protocol.TeacherAction{})

	// Discard: the result is gone and the job is run again.
	st = teach("discard", protocol.TeacherAction{JobID: ja.JobID})
	if st.Done != 0 || st.Todo != 3 {
		t.Errorf("after discard: %+v", st)
	}
	f.teacher.must(t, http.StatusConflict, "POST", f.path("/teacher/discard"), protocol.TeacherAction{JobID: ja.JobID}, nil)

	// Remove: the student's lease is handed back at once, it can do nothing more.
	var jb protocol.ClassJob
	b.must(t, http.StatusOK, "POST", f.path("/claim"), nil, &jb)
	st = teach("remove", protocol.TeacherAction{StudentID: f.ids[1]})
	if !st.Students[1].Removed || st.Leased != 0 {
		t.Errorf("after remove: %+v", st)
	}
	b.must(t, http.StatusForbidden, "POST", f.path("/claim"), nil, nil)
	b.must(t, http.StatusForbidden, "POST", f.path("/result"), protocol.ClassResult{JobID: jb.JobID, Hash: runJob(jb.Run)}, nil)

	// The class ends: no claims after ends_at, until the teacher extends it.
	f.clk.advance(121 * time.Minute)
	a.must(t, http.StatusNoContent, "POST", f.path("/claim"), nil, nil)
	st = teach("extend", protocol.TeacherAction{Minutes: 30})
	if want := f.clk.now().Add(30 * time.Minute).UnixMilli(); st.EndsAt != want {
		t.Errorf("extended to %d, want %d", st.EndsAt, want)
	}
	a.must(t, http.StatusOK, "POST", f.path("/claim"), nil, nil)
	f.teacher.must(t, http.StatusNotFound, "POST", f.path("/teacher/explode"), protocol.TeacherAction{}, nil)
	f.teacher.must(t, http.StatusBadRequest, "POST", f.path("/teacher/extend"), protocol.TeacherAction{Minutes: -5}, nil)
}

// TestGuessingCodes: unknown codes share one server-wide budget (here a
// burst of 10), so guessing is slow from any number of addresses, while a
// student with the right code still gets in; joins from one address have
// their own budget.
func TestGuessingCodes(t *testing.T) {
	for _, stateless := range []bool{false, true} {
		t.Run(fmt.Sprint("stateless=", stateless), func(t *testing.T) { testGuessingCodes(t, stateless) })
	}
}

func testGuessingCodes(t *testing.T, stateless bool) {
	f := newFixture(t, Config{FailRate: 1, JoinRate: 1, JoinBurst: 4, Stateless: stateless}, smallGrid(2, 0, 60), 1) // the fixture's join and create used 2
	anon := newClient(f.base)
	for i := range 10 {
		anon.must(t, http.StatusNotFound, "GET", fmt.Sprintf("/api/class/ABCD%04d/status", i), nil, nil)
	}
	if body := anon.must(t, http.StatusTooManyRequests, "GET", "/api/class/ABCD9999/status", nil, nil); !strings.Contains(body, "unknown class codes") {
		t.Errorf("guess 11: %s", body)
	}
	anon.must(t, http.StatusOK, "GET", f.path("/status"), nil, nil)
	anon.must(t, http.StatusCreated, "POST", f.path("/join"), protocol.JoinRequest{Name: "third"}, nil)
	anon.must(t, http.StatusCreated, "POST", f.path("/join"), protocol.JoinRequest{Name: "fourth"}, nil)
	anon.must(t, http.StatusTooManyRequests, "POST", f.path("/join"), protocol.JoinRequest{Name: "fifth"}, nil)
	f.clk.advance(time.Second) // one more join a second
	anon.must(t, http.StatusCreated, "POST", f.path("/join"), protocol.JoinRequest{Name: "fifth"}, nil)
}
