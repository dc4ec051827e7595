package class

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"net"
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

// ledger is what the simulated students saw: every 200 answer to a result
// post, and the latency of every claim that got a job.
type ledger struct {
	mu       sync.Mutex
	accepted map[int64][]acceptance // job id → the posts answered 200
	claims   []time.Duration
	posts    int // accepted, not repeats
}

type acceptance struct {
	student int64
	index   int
	hash    string
}

func newLedger() *ledger { return &ledger{accepted: map[int64][]acceptance{}} }

func (l *ledger) accept(job int64, a acceptance, repeat bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.accepted[job] = append(l.accepted[job], a)
	if !repeat {
		l.posts++
	}
}

// checkOnce asserts every job got exactly one accepted result: all the 200
// answers a job got came from one student with one hash (a retry after a
// kill may get a repeat answer from the same student, nothing else), and
// the students' account holds all want assignments.
func (l *ledger) checkOnce(t *testing.T, want int) {
	t.Helper()
	for job, accs := range l.accepted {
		for _, a := range accs[1:] {
			if a != accs[0] {
				t.Errorf("job %d accepted twice, differently: %+v", job, accs)
			}
		}
	}
	if len(l.accepted) != want {
		t.Errorf("%d assignments accepted by the students' account, want %d", len(l.accepted), want)
	}
}

func (l *ledger) acceptedPosts() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.posts
}

// simStudent is a browser tab speaking the protocol: claim, run the tiny
// job, post, again; it waits as Retry-After says (2 s when there is
// nothing to do, 1 s when over its rate) and retries when the server is
// down. A vanishing student claims one job and is never heard of again.
type simStudent struct {
	c      *client
	id     int64
	path   func(string) string
	vanish bool
	work   time.Duration
}

func (s *simStudent) run(ctx context.Context, t testing.TB, led *ledger) {
	pause := func(d time.Duration) bool {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(d):
			return true
		}
	}
	for ctx.Err() == nil {
		var job protocol.ClassJob
		start := time.Now()
		code, body, err := s.c.do("POST", s.path("/claim"), nil, &job)
		switch {
		case err != nil: // the server is down: try again soon
			pause(100 * time.Millisecond)
			continue
		case code == http.StatusNoContent:
			pause(2 * time.Second)
			continue
		case code == http.StatusTooManyRequests:
			pause(time.Second)
			continue
		case code == http.StatusGone:
			return
		case code != http.StatusOK:
			t.Errorf("student %d: claim: %d %s", s.id, code, body)
			return
		}
		led.mu.Lock()
		led.claims = append(led.claims, time.Since(start))
		led.mu.Unlock()
		if s.vanish {
			return // the tab is closed mid-job
		}
		hash := runJob(job.Run)
		if !pause(s.work) {
			return
		}
		for ctx.Err() == nil {
			var acc protocol.ResultAccepted
			code, body, err := s.c.do("POST", s.path("/result"), protocol.ClassResult{JobID: job.JobID, Hash: hash}, &acc)
			switch {
			case err != nil:
				pause(100 * time.Millisecond)
				continue
			case code == http.StatusTooManyRequests:
				pause(time.Second)
				continue
			case code == http.StatusOK:
				led.accept(job.JobID, acceptance{student: s.id, index: job.Index, hash: hash}, acc.Repeat)
			case code == http.StatusConflict && strings.Contains(body, "not held"):
				// Our lease ran out (the server was down) and another
				// student took the job: drop it.
			default:
				t.Errorf("student %d: post job %d: %d %s", s.id, job.JobID, code, body)
			}
			break
		}
	}
}

// serverProc is the real server binary running on a database file.
type serverProc struct {
	cmd  *exec.Cmd
	addr string
}

// buildServer builds sentilab/server once per test binary run.
func buildServer(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command to build the server")
	}
	bin := filepath.Join(t.TempDir(), "server")
	out, err := exec.Command("go", "build", "-o", bin, "sentilab/server").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func startServer(t *testing.T, bin, addr, dir string) *serverProc {
	t.Helper()
	empty := filepath.Join(dir, "empty")
	os.MkdirAll(empty, 0o755)
	cmd := exec.Command(bin, "--addr", addr, "--root", empty, "--models", empty, "--db", filepath.Join(dir, "class.db"))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		said := false
		for sc.Scan() {
			if !said && strings.Contains(sc.Text(), "msg=listening") {
				said = true
				ready <- true
			}
			if strings.Contains(sc.Text(), "level=ERROR") {
				t.Errorf("server: %s", sc.Text())
			}
		}
		if !said {
			ready <- false
		}
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatal("server exited before listening")
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatal("server did not start in 20 s")
	}
	p := &serverProc{cmd: cmd, addr: addr}
	t.Cleanup(func() { p.kill() })
	return p
}

func (p *serverProc) kill() {
	if p.cmd.ProcessState == nil {
		p.cmd.Process.Signal(syscall.SIGKILL)
		p.cmd.Wait()
	}
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestClassSurvivesKill is issue 14's acceptance run: 30 simulated
// students complete the 49-job α×T grid (plus spot checks) on the real
// server binary and a real SQLite file, while 5 students vanish mid-job and
// the server is killed with SIGKILL midway and restarted on the same file.
// Every job must end with exactly one accepted result, every spot check
// must agree, and every result a student was told was accepted must be in
// the database at the end.
func TestClassSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server binary")
	}
	bin := buildServer(t)
	dir := t.TempDir()
	addr := freeAddr(t)
	srv := startServer(t, bin, addr, dir)
	base := "http://" + addr

	teacher := newClient(base)
	spot := 0.1
	var created protocol.ClassCreated
	teacher.must(t, http.StatusCreated, "POST", "/api/class",
		protocol.ClassCreateRequest{Title: "α×T", Experiment: alphaTGrid(), SpotCheck: &spot, LeaseSeconds: 3}, &created)
	if created.Jobs != 49 || created.Assignments != 54 {
		t.Fatalf("created %+v, want 49 jobs and 54 assignments", created)
	}
	path := func(p string) string { return "/api/class/" + created.Code + p }

	const students, vanishing = 30, 5
	var sims []*simStudent
	for i := range students {
		c := newClient(base)
		var j protocol.Joined
		c.must(t, http.StatusCreated, "POST", path("/join"), protocol.JoinRequest{Name: fmt.Sprint("sim ", i)}, &j)
		c.token = j.StudentToken
		sims = append(sims, &simStudent{c: c, id: j.StudentID, path: path, vanish: i < vanishing,
			work: time.Duration(100+i*7) * time.Millisecond})
	}
	led := newLedger()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, s := range sims {
		wg.Go(func() { s.run(ctx, t, led) })
	}
	start := time.Now()

	// Midway, kill -9 and restart on the same database.
	for led.acceptedPosts() < created.Assignments/2 && time.Since(start) < 30*time.Second {
		time.Sleep(5 * time.Millisecond)
	}
	before := led.acceptedPosts()
	srv.kill()
	killedAt := time.Since(start)
	time.Sleep(300 * time.Millisecond)
	startServer(t, bin, addr, dir)

	var st protocol.ClassStatus
	for time.Since(start) < 45*time.Second {
		st = protocol.ClassStatus{} // a fresh value: decoding over the last one would keep its omitted fields
		newClient(base).must(t, http.StatusOK, "GET", path("/status"), nil, &st)
		if st.Done == created.Assignments {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	elapsed := time.Since(start)
	cancel()
	wg.Wait()
	t.Logf("%d assignments in %v by %d students (%d vanished); killed at %v after %d accepted posts",
		st.Done, elapsed.Round(time.Millisecond), students, vanishing, killedAt.Round(time.Millisecond), before)
	if st.Done != created.Assignments || st.Todo != 0 || st.Leased != 0 {
		t.Fatalf("status %+v: not every assignment done", st)
	}

	led.checkOnce(t, created.Assignments)
	// Spot checks agree, each result is its run's hash, and nothing a
	// student was told is lost: the database has every accepted result.
	runs, err := expand(alphaTGrid(), 100)
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
	if len(st.Results) != 49 || checked != 5 {
		t.Errorf("%d grid results, %d spot-checked; want 49 and 5", len(st.Results), checked)
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "class.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for job, accs := range led.accepted {
		var student int64
		var hash string
		if err := db.QueryRow(`SELECT student_id, hash FROM jobs WHERE id = ?1 AND state = 'done'`, job).Scan(&student, &hash); err != nil {
			t.Errorf("job %d: accepted, but in the database: %v", job, err)
			continue
		}
		if student != accs[0].student || hash != accs[0].hash {
			t.Errorf("job %d: accepted from %d (%s), database says %d (%s)", job, accs[0].student, accs[0].hash, student, hash)
		}
	}
	// The vanished students' jobs were finished by others.
	for _, s := range sims[:vanishing] {
		for _, accs := range led.accepted {
			if accs[0].student == s.id {
				t.Errorf("vanished student %d has an accepted result", s.id)
			}
		}
	}
	lat := slices.Clone(led.claims)
	slices.Sort(lat)
	t.Logf("claims with a job: %d, p50 %v, p99 %v", len(lat), lat[len(lat)/2], lat[len(lat)*99/100])
}
