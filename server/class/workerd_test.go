//go:build unix

package class

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"sentilab/protocol"
)

// The same class flow against the Workers build (server/main_workers.go:
// D1, Config.Stateless) in workerd, through `wrangler dev --local` and its
// local D1, a SQLite file under a persist folder. server/workers.sh builds
// the Worker and runs this test with SENTILAB_WORKERD set to the build
// folder (build/workers) and wrangler on PATH; without it, it skips.

// wranglerDev is `wrangler dev` and the workerd it starts, in their own
// process group so that stopping it stops them all.
type wranglerDev struct {
	cmd *exec.Cmd
	log *os.File
}

// wrangler runs one wrangler command in the Worker's folder, offline.
func wrangler(dir string, args ...string) *exec.Cmd {
	cmd := exec.Command("wrangler", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "WRANGLER_SEND_METRICS=false", "WRANGLER_SEND_ERROR_REPORTS=false",
		"CLOUDFLARE_CF_FETCH_ENABLED=false", "DO_NOT_TRACK=1", "CI=1",
		"XDG_CONFIG_HOME="+filepath.Join(dir, ".config"), "WRANGLER_LOG_PATH="+filepath.Join(dir, ".logs"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return cmd
}

func startWrangler(t *testing.T, dir, persist, addr string) *wranglerDev {
	t.Helper()
	host, port, _ := strings.Cut(addr, ":")
	log, err := os.Create(filepath.Join(t.TempDir(), "dev.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := wrangler(dir, "dev", "--local", "--persist-to", persist, "--ip", host, "--port", port,
		"--inspector-ip", "127.0.0.1", "--inspector-port", strings.Split(freeAddr(t), ":")[1],
		"--show-interactive-dev-session=false")
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	d := &wranglerDev{cmd: cmd, log: log}
	t.Cleanup(d.kill)
	start := time.Now()
	for time.Since(start) < 60*time.Second {
		if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				t.Logf("workerd ready in %v on %s", time.Since(start).Round(time.Millisecond), addr)
				return d
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	d.kill()
	out, _ := os.ReadFile(log.Name())
	t.Fatalf("wrangler dev not ready in 60 s:\n%s", out)
	return nil
}

// kill stops wrangler and its workerd at once (SIGKILL to the group): the
// harshest restart, as TestClassSurvivesKill's kill -9.
func (d *wranglerDev) kill() {
	if d.cmd.ProcessState == nil {
		syscall.Kill(-d.cmd.Process.Pid, syscall.SIGKILL)
		d.cmd.Wait()
		d.log.Close()
	}
}

// TestWorkerdClass: 4 simulated students complete a 3×3 α×T grid with 3
// spot checks on the Workers build in workerd, with local D1. One student
// vanishes mid-job (its lease runs out and the job is reassigned); workerd
// is killed midway and restarted on the same D1 state. Every job ends with
// exactly one accepted result, the spot checks agree, nothing a student
// was told was accepted is missing from the D1 file, the live view polls
// as on Workers, and the refusals hold against workerd.
func TestWorkerdClass(t *testing.T) {
	dir := os.Getenv("SENTILAB_WORKERD")
	if dir == "" {
		t.Skip("SENTILAB_WORKERD (the Workers build folder) is not set: server/workers.sh runs this test")
	}
	if _, err := os.Stat(filepath.Join(dir, "wrangler.jsonc")); err != nil {
		t.Fatalf("SENTILAB_WORKERD=%s: %v (run server/workers.sh build)", dir, err)
	}
	persist := t.TempDir()
	start := time.Now()
	if out, err := wrangler(dir, "d1", "migrations", "apply", "sentilab-class", "--local", "--persist-to", persist).CombinedOutput(); err != nil ||
		!strings.Contains(string(out), "0002_rate_buckets.sql") {
		t.Fatalf("wrangler d1 migrations apply: %v\n%s", err, out)
	}
	t.Logf("migrations applied to the local D1 in %v", time.Since(start).Round(time.Millisecond))
	addr := freeAddr(t)
	dev := startWrangler(t, dir, persist, addr)
	base := "http://" + addr

	exp := alphaTGrid()
	for i := range exp.Sweep {
		exp.Sweep[i].Values = exp.Sweep[i].Values[:3]
	}
	spot := 0.34 // 3 of the 9 points
	teacher := newClient(base)
	var created protocol.ClassCreated
	teacher.must(t, http.StatusCreated, "POST", "/api/class",
		protocol.ClassCreateRequest{Title: "α×T on Workers", Experiment: exp, SpotCheck: &spot, LeaseSeconds: 3}, &created)
	if created.Jobs != 9 || created.Assignments != 12 {
		t.Fatalf("created %+v, want 9 jobs and 12 assignments", created)
	}
	teacher.token = created.TeacherToken
	path := func(p string) string { return "/api/class/" + created.Code + p }

	// The live view as EventSource sees it on Workers: one status, its id,
	// a retry delay; the same id again gets nothing new.
	events := base + path("/events")
	_, hdr, body := poll(t, events, "")
	id0 := sseField(body, "id")
	if hdr.Get("Content-Type") != "text/event-stream" || sseField(body, "retry") != "3000" || sseField(body, "event") != "status" || id0 == "" {
		t.Fatalf("live view on workerd: %q\n%s", hdr.Get("Content-Type"), body)
	}
	if _, _, body := poll(t, events, id0); body != "retry: 3000\n\nevent: end\ndata: {}\n\n" {
		t.Errorf("unchanged live view on workerd: %q, want only the retry line and the end event", body)
	}

	const students, vanishing = 4, 1
	var sims []*simStudent
	for i := range students {
		c := newClient(base)
		var j protocol.Joined
		c.must(t, http.StatusCreated, "POST", path("/join"), protocol.JoinRequest{Name: fmt.Sprint("sim ", i)}, &j)
		c.token = j.StudentToken
		sims = append(sims, &simStudent{c: c, id: j.StudentID, path: path, vanish: i < vanishing,
			work: time.Duration(200+i*50) * time.Millisecond})
	}
	_, _, body = poll(t, events, id0)
	var st protocol.ClassStatus
	if id := sseField(body, "id"); id == "" || id == id0 || json.Unmarshal([]byte(sseField(body, "data")), &st) != nil || len(st.Students) != students {
		t.Errorf("live view after %d joins: %s", students, body)
	}

	led := newLedger()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, s := range sims {
		wg.Go(func() { s.run(ctx, t, led) })
	}
	run := time.Now()
	// Midway, kill workerd and restart it on the same local D1.
	for led.acceptedPosts() < created.Assignments/2 && time.Since(run) < 60*time.Second {
		time.Sleep(10 * time.Millisecond)
	}
	before := led.acceptedPosts()
	dev.kill()
	killedAt := time.Since(run)
	dev = startWrangler(t, dir, persist, addr)
	view := startEventSource(t, events)

	for time.Since(run) < 90*time.Second {
		st = protocol.ClassStatus{}
		newClient(base).must(t, http.StatusOK, "GET", path("/status"), nil, &st)
		if st.Done == created.Assignments {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	elapsed := time.Since(run)
	cancel()
	wg.Wait()
	// The live view as a browser's EventSource: the finished class, then
	// the teacher's pause, each status once.
	view.waitFor(t, "the finished class", func(ev esEvent) bool { return ev.Done == created.Assignments })
	teacher.must(t, http.StatusOK, "POST", path("/teacher/pause"), protocol.TeacherAction{}, nil)
	view.waitFor(t, "the paused class", func(ev esEvent) bool { return ev.State == protocol.ClassPaused })
	view.check(t)
	teacher.must(t, http.StatusOK, "POST", path("/teacher/resume"), protocol.TeacherAction{}, nil)
	t.Logf("%d assignments in %v by %d students (%d vanished); workerd killed at %v after %d accepted posts",
		st.Done, elapsed.Round(time.Millisecond), students, vanishing, killedAt.Round(time.Millisecond), before)
	if st.Done != created.Assignments || st.Todo != 0 || st.Leased != 0 {
		t.Fatalf("status %+v: not every assignment done", st)
	}
	led.checkOnce(t, created.Assignments)
	runs, err := expand(exp, 100)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, r := range st.Results {
		if r.Mismatch {
			t.Errorf("grid point %d: spot check mismatch", r.Index)
		}
		if r.Checked {
			checked++
		}
		if r.Hash != runJob(runs[r.Index]) {
			t.Errorf("grid point %d: hash %s is not its run's", r.Index, r.Hash)
		}
	}
	if len(st.Results) != 9 || checked != 3 {
		t.Errorf("%d grid results, %d spot-checked; want 9 and 3", len(st.Results), checked)
	}
	for _, accs := range led.accepted {
		if accs[0].student == sims[0].id {
			t.Errorf("vanished student %d has an accepted result", sims[0].id)
		}
	}
	lat := slices.Clone(led.claims)
	slices.Sort(lat)
	t.Logf("claims with a job through workerd: %d, p50 %v, max %v", len(lat), lat[len(lat)/2], lat[len(lat)-1])

	workerdModel(t, base, path, sims[1], led)
	workerdRefusals(t, base, path, teacher, sims, led)
	workerdBigClass(t, base)

	// Nothing lost: every accepted result is in the D1 file, read after
	// workerd is stopped.
	dev.kill()
	db := openLocalD1(t, persist)
	for job, accs := range led.accepted {
		var student int64
		var hash string
		if err := db.QueryRow(`SELECT student_id, hash FROM jobs WHERE id = ?1 AND state = 'done'`, job).Scan(&student, &hash); err != nil {
			t.Errorf("job %d: accepted, but in D1: %v", job, err)
			continue
		}
		if student != accs[0].student || hash != accs[0].hash {
			t.Errorf("job %d: accepted from %d (%s), D1 says %d (%s)", job, accs[0].student, accs[0].hash, student, hash)
		}
	}
	var buckets int
	if err := db.QueryRow(`SELECT COUNT(*) FROM rate_buckets`).Scan(&buckets); err != nil || buckets == 0 {
		t.Errorf("rate_buckets in D1: %d rows, %v; want the students' buckets", buckets, err)
	}
}

// workerdRefusals checks issue 14's refusals against workerd: a missing
// or wrong teacher token, a post for a job not held, an oversize body, a
// flood from one student, a result for a closed class.
func workerdRefusals(t *testing.T, base string, path func(string) string, teacher *client, sims []*simStudent, led *ledger) {
	anon := newClient(base)
	anon.must(t, http.StatusUnauthorized, "POST", path("/teacher/pause"), protocol.TeacherAction{}, nil)
	wrong := newClient(base)
	wrong.token = "not-the-token"
	wrong.must(t, http.StatusForbidden, "POST", path("/teacher/close"), protocol.TeacherAction{}, nil)
	a, b := sims[1], sims[2]
	a.c.must(t, http.StatusForbidden, "POST", path("/teacher/close"), protocol.TeacherAction{}, nil)

	// A post for a job b did, by a: not held.
	var bJob int64
	var bHash string
	for job, accs := range led.accepted {
		if accs[0].student == b.id {
			bJob, bHash = job, accs[0].hash
			break
		}
	}
	if bJob == 0 {
		t.Fatalf("student %d has no accepted result", b.id)
	}
	if body := a.c.must(t, http.StatusConflict, "POST", path("/result"), protocol.ClassResult{JobID: bJob, Hash: bHash}, nil); !strings.Contains(body, "not held") {
		t.Errorf("post for a job not held: %s", body)
	}
	// b's own repeat is idempotent.
	var acc protocol.ResultAccepted
	b.c.must(t, http.StatusOK, "POST", path("/result"), protocol.ClassResult{JobID: bJob, Hash: bHash}, &acc)
	if !acc.Repeat {
		t.Errorf("repeat post: %+v, want repeat", acc)
	}

	// Oversize: a declared 20 KB body, over the 16 KiB limit.
	big := []byte(`{"name":"` + strings.Repeat("x", 20<<10) + `"}`)
	anon.must(t, http.StatusRequestEntityTooLarge, "POST", path("/join"), big, nil)

	// A flood from one student: 40 claims at once. The bucket (burst 10,
	// 2 a second) is in D1, shared by the Go instances of all 40 requests.
	flood := time.Now()
	var mu sync.Mutex
	codes := map[int]int{}
	var wg sync.WaitGroup
	for range 40 {
		wg.Go(func() {
			code, _, err := a.c.do("POST", path("/claim"), nil, nil)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			codes[code]++
			mu.Unlock()
		})
	}
	wg.Wait()
	took := time.Since(flood)
	passed := 40 - codes[http.StatusTooManyRequests]
	t.Logf("flood of 40 claims in %v: %v", took.Round(time.Millisecond), codes)
	if limit := 10 + int(2*took.Seconds()) + 1; passed > limit || codes[http.StatusTooManyRequests] == 0 {
		t.Errorf("flood of 40 claims in %v: %v; want at most %d through (burst 10 + 2/s), the rest refused", took, codes, limit)
	}

	// A result for a closed class.
	teacher.must(t, http.StatusOK, "POST", path("/teacher/close"), protocol.TeacherAction{}, nil)
	if body := b.c.must(t, http.StatusGone, "POST", path("/result"), protocol.ClassResult{JobID: bJob, Hash: bHash}, nil); !strings.Contains(body, "closed") {
		t.Errorf("result for a closed class: %s", body)
	}
}

// openLocalD1 opens, read-only, the SQLite file that wrangler's local D1
// keeps under persist: the one with a jobs table.
func openLocalD1(t *testing.T, persist string) *sql.DB {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(persist, "v3", "d1", "*", "*.sqlite"))
	for _, f := range files {
		db, err := sql.Open("sqlite", "file:"+f+"?mode=ro")
		if err != nil {
			continue
		}
		var n int
		if db.QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE name = 'jobs'`).Scan(&n) == nil && n == 1 {
			t.Cleanup(func() { db.Close() })
			return db
		}
		db.Close()
	}
	t.Fatalf("no local D1 file with a jobs table under %s (%v)", persist, files)
	return nil
}

// workerdBigClass creates a class of the largest grid (2,000 points and
// 200 spot checks): its jobs go into D1 by a few json_each statements,
// each argument under D1's 2 MB value cap.
func workerdBigClass(t *testing.T, base string) {
	var lrs []json.RawMessage
	for i := range 2000 {
		lrs = append(lrs, json.RawMessage(fmt.Sprint(1e-4*float64(i+1))))
	}
	exp := alphaTGrid()
	exp.Sweep = []protocol.SweepAxis{{Param: "train.lr", Values: lrs}}
	spot := 0.1
	var created protocol.ClassCreated
	start := time.Now()
	newClient(base).must(t, http.StatusCreated, "POST", "/api/class",
		protocol.ClassCreateRequest{Title: "2,000 points", Experiment: exp, SpotCheck: &spot}, &created)
	took := time.Since(start)
	var st protocol.ClassStatus
	newClient(base).must(t, http.StatusOK, "GET", "/api/class/"+created.Code+"/status", nil, &st)
	if created.Assignments != 2200 || st.Jobs != 2000 || st.Todo != 2200 || st.State != protocol.ClassOpen {
		t.Errorf("a 2,000-point class on D1: created %+v, status %d jobs, %d todo, %s", created, st.Jobs, st.Todo, st.State)
	}
	t.Logf("a class of 2,000 points and 200 spot checks created in D1 in %v", took.Round(time.Millisecond))
}

// workerdModel uploads a model of 1,900,000 bytes (the default MaxModel,
// just under D1's 2,000,000-byte value cap) for a job the student
// finished, and downloads it back byte for byte.
func workerdModel(t *testing.T, base string, path func(string) string, s *simStudent, led *ledger) {
	var job int64
	for id, accs := range led.accepted {
		if accs[0].student == s.id {
			job = id
			break
		}
	}
	if job == 0 {
		t.Fatalf("student %d has no accepted result", s.id)
	}
	model := make([]byte, defaultMaxModel)
	for i := range model {
		model[i] = byte(i * 7919 >> 3)
	}
	url := base + path(fmt.Sprint("/model/", job))
	start := time.Now()
	if code, body := upload(t, s.c, url, model, "application/octet-stream"); code != http.StatusOK {
		t.Fatalf("model upload to D1: %d %s", code, body)
	}
	up := time.Since(start)
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || !bytes.Equal(got, model) {
		t.Fatalf("model download from D1: %d, %d bytes (want %d), %v", resp.StatusCode, len(got), len(model), err)
	}
	if code, body := upload(t, s.c, url, append(model, 0), "application/octet-stream"); code != http.StatusRequestEntityTooLarge {
		t.Errorf("model of %d bytes: %d %s", len(model)+1, code, body)
	}
	t.Logf("a model of %d bytes uploaded to D1 in %v and read back equal", len(model), up.Round(time.Millisecond))
}

// eventSource is Node's EventSource on the live view (testdata/eventsource.mjs).
type eventSource struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	mu    sync.Mutex
	out   bytes.Buffer
}

// esEvent is one line eventsource.mjs prints.
type esEvent struct {
	Type  string // status, end, error
	ID    string // a status's event id
	State string
	Done  int
}

func startEventSource(t *testing.T, url string) *eventSource {
	t.Helper()
	e := &eventSource{cmd: exec.Command("node", "--experimental-eventsource", "testdata/eventsource.mjs", url)}
	e.cmd.Stdout, e.cmd.Stderr = e, e
	var err error
	if e.stdin, err = e.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := e.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.cmd.Process.Kill(); e.cmd.Wait() })
	return e
}

func (e *eventSource) Write(p []byte) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.out.Write(p)
}

func (e *eventSource) events() ([]esEvent, string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	var evs []esEvent
	for _, line := range strings.Split(e.out.String(), "\n") {
		var ev esEvent
		if json.Unmarshal([]byte(line), &ev) == nil && ev.Type != "" {
			evs = append(evs, ev)
		}
	}
	return evs, e.out.String()
}

// waitFor waits until a status event satisfies ok (the view polls every
// 3 s).
func (e *eventSource) waitFor(t *testing.T, what string, ok func(esEvent) bool) {
	t.Helper()
	for start := time.Now(); time.Since(start) < 20*time.Second; time.Sleep(100 * time.Millisecond) {
		evs, _ := e.events()
		for _, ev := range evs {
			if ev.Type == "status" && ok(ev) {
				return
			}
		}
	}
	_, out := e.events()
	t.Fatalf("EventSource did not see %s in 20 s:\n%s", what, out)
}

// check stops the view and checks what it saw: statuses only when the
// class changed (it sent Last-Event-ID back, so an unchanged poll brought
// none), and an "end" after each poll, after which it reconnected.
func (e *eventSource) check(t *testing.T) {
	t.Helper()
	// One more poll with nothing new (3 s): it must bring no status.
	for start := time.Now(); time.Since(start) < 15*time.Second; time.Sleep(100 * time.Millisecond) {
		evs, _ := e.events()
		polls, statuses := 0, 0
		for _, ev := range evs {
			switch ev.Type {
			case "end":
				polls++
			case "status":
				statuses++
			}
		}
		if polls > statuses {
			break
		}
	}
	e.stdin.Close()
	e.cmd.Wait()
	evs, out := e.events()
	counts := map[string]int{}
	prev := ""
	for _, ev := range evs {
		counts[ev.Type]++
		if ev.Type == "status" {
			if ev.ID == prev {
				t.Errorf("EventSource got status %s twice in a row: Last-Event-ID not honoured", ev.ID)
			}
			prev = ev.ID
		}
	}
	t.Logf("EventSource on the live view: %d statuses in %d polls", counts["status"], counts["end"])
	if counts["status"] < 2 || counts["end"] <= counts["status"] {
		t.Errorf("EventSource saw %v, want at least 2 statuses and a poll without one:\n%s", counts, out)
	}
}
