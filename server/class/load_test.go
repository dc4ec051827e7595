package class

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"sentilab/protocol"
)

// TestLoad300 measures the class routes with 300 simulated students on a
// real SQLite file over loopback HTTP: jobs handled a second and the claim
// latency, with jobs that take no time (the server saturated: latency is
// the queue of 300 students) and jobs of 2 s (300 students offer 150 jobs
// a second). The per-student rate limit is lifted, so the server and the
// database are measured, not the limiter; the students run in the same
// process, on the same cores. SENTILAB_LONG=1 runs it.
func TestLoad300(t *testing.T) {
	if os.Getenv("SENTILAB_LONG") != "1" {
		t.Skip("SENTILAB_LONG=1 runs the 300-student load measurement")
	}
	for _, work := range []time.Duration{0, 2 * time.Second} {
		t.Run(fmt.Sprint("work=", work), func(t *testing.T) {
			srv := newTestServer(t, Config{StudentRate: 1000, StudentBurst: 1000, JoinBurst: 1000})
			load300(t, srv.URL, work)
		})
	}
	// The real binary with its default limits (2 claims or posts a
	// second per student), as a class would meet it.
	t.Run("binary,work=2s", func(t *testing.T) {
		addr := freeAddr(t)
		startServer(t, buildServer(t), addr, t.TempDir())
		load300(t, "http://"+addr, 2*time.Second)
	})
}

func load300(t *testing.T, base string, work time.Duration) {
	var lrs []json.RawMessage
	for i := range 2000 {
		lrs = append(lrs, json.RawMessage(fmt.Sprint(1e-4*float64(i+1))))
	}
	exp := alphaTGrid()
	exp.Sweep = []protocol.SweepAxis{{Param: "train.lr", Values: lrs}}
	spot := 0.1
	teacher := newClient(base)
	var created protocol.ClassCreated
	teacher.must(t, http.StatusCreated, "POST", "/api/class",
		protocol.ClassCreateRequest{Title: "load", Experiment: exp, SpotCheck: &spot, LeaseSeconds: 60}, &created)
	path := func(p string) string { return "/api/class/" + created.Code + p }

	transport := &http.Transport{MaxIdleConnsPerHost: 400}
	var sims []*simStudent
	for i := range 300 {
		c := newClient(base)
		c.http.Transport = transport
		var j protocol.Joined
		for { // 300 joins from one address: wait out the join rate
			code, body, err := c.do("POST", path("/join"), protocol.JoinRequest{Name: fmt.Sprint("load ", i)}, &j)
			if err != nil || code != http.StatusCreated && code != http.StatusTooManyRequests {
				t.Fatalf("join: %d %s %v", code, body, err)
			}
			if code == http.StatusCreated {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		c.token = j.StudentToken
		sims = append(sims, &simStudent{c: c, id: j.StudentID, path: path, work: work})
	}
	led := newLedger()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	start := time.Now()
	for _, s := range sims {
		wg.Go(func() { s.run(ctx, t, led) })
	}
	var st protocol.ClassStatus
	for time.Since(start) < 5*time.Minute {
		st = protocol.ClassStatus{}
		teacher.must(t, http.StatusOK, "GET", path("/status"), nil, &st)
		if st.Done == created.Assignments {
			break
		}
		time.Sleep(250 * time.Millisecond) // as often as the live view's events
	}
	elapsed := time.Since(start)
	cancel()
	wg.Wait()
	if st.Done != created.Assignments {
		t.Fatalf("%d of %d assignments done in %v", st.Done, created.Assignments, elapsed)
	}
	for _, r := range st.Results {
		if r.Mismatch {
			t.Errorf("grid point %d: spot check mismatch", r.Index)
		}
	}
	lat := slices.Clone(led.claims)
	slices.Sort(lat)
	t.Logf("jobs of %v: 300 students, %d assignments (%d jobs + spot checks) in %v: %.0f assignments/s; claim latency p50 %v, p99 %v, max %v (%d claims)",
		work, created.Assignments, created.Jobs, elapsed.Round(time.Millisecond), float64(created.Assignments)/elapsed.Seconds(),
		lat[len(lat)/2].Round(time.Microsecond), lat[len(lat)*99/100].Round(time.Microsecond), lat[len(lat)-1].Round(time.Microsecond), len(lat))
}
