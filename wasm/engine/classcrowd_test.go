package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"sentilab/protocol"
)

// TestClassCrowd is the simulated half of tests/e2e/class_mixed.mjs: a
// crowd of students speaking the class protocol to a real server, each
// running its jobs natively through this engine, the same code the
// browser's engine runs. Some vanish after their first claim. When the
// class is complete it recomputes, natively, every point a browser
// student ran and requires the browser's hash. The script sets:
//
//	SENTILAB_CLASS_URL   the server ("http://127.0.0.1:PORT/")
//	SENTILAB_CLASS_CODE  the class's join code
//	SENTILAB_CLASS_DATA  the server's dataset file (the jobs' slices are its first rows)
//	SENTILAB_CLASS_CROWD students (default 30); SENTILAB_CLASS_VANISH of them vanish (default 5)
//
// Without SENTILAB_CLASS_URL it is skipped.
func TestClassCrowd(t *testing.T) {
	base, code := os.Getenv("SENTILAB_CLASS_URL"), os.Getenv("SENTILAB_CLASS_CODE")
	if base == "" || code == "" {
		t.Skip("run by tests/e2e/class_mixed.mjs (SENTILAB_CLASS_URL, SENTILAB_CLASS_CODE)")
	}
	raw, err := os.ReadFile(os.Getenv("SENTILAB_CLASS_DATA"))
	if err != nil {
		t.Fatal(err)
	}
	crowd, vanish := envInt("SENTILAB_CLASS_CROWD", 30), envInt("SENTILAB_CLASS_VANISH", 5)
	c := &crowdClient{base: base + "api/class/" + code}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	var posted, vanished atomic.Int64
	for i := range crowd {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := &crowdStudent{c: c, raw: raw, vanish: i < vanish}
			if err := s.run(ctx, fmt.Sprintf("sim-%02d", i+1), &posted, &vanished); err != nil {
				t.Errorf("sim-%02d: %v", i+1, err)
			}
		}()
	}
	// The class is complete when every assignment has a result.
	var st protocol.ClassStatus
	for {
		if err := c.get("/status", &st); err == nil && st.Todo == 0 && st.Leased == 0 && len(st.Results) == st.Jobs {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the class did not complete: %d of %d points, %d leased, %d to do", len(st.Results), st.Jobs, st.Leased, st.Todo)
		case <-time.After(500 * time.Millisecond):
		}
	}
	cancel()
	wg.Wait()
	t.Logf("%d results posted by %d simulated students (%d vanished after a claim)", posted.Load(), crowd, vanished.Load())
	if int(vanished.Load()) != vanish {
		t.Errorf("%d students vanished, want %d", vanished.Load(), vanish)
	}
	// Every point a browser ran, recomputed here.
	names := map[int64]string{}
	for _, s := range st.Students {
		names[s.ID] = s.Name
	}
	e := NewEngine()
	loaded, browserRuns := 0, 0
	for _, r := range st.Results {
		if r.Mismatch {
			t.Errorf("point %d: a spot check disagrees", r.Index)
		}
		if !strings.HasPrefix(names[r.StudentID], "chromium") {
			continue
		}
		run, err := pointRun(st.Experiment, r.Index)
		if err != nil {
			t.Fatal(err)
		}
		if loaded != run.Rows {
			call(t, e, "loadData", map[string]any{"name": "data.csv", "limit": run.Rows}, raw)
			loaded = run.Rows
		}
		res, _ := call(t, e, protocol.TypeClassJob, run, nil)
		if h := res.(*protocol.ClassJobResult).Hash; h != r.Hash {
			t.Errorf("point %d: %s's browser posted %s, natively %s", r.Index, names[r.StudentID], r.Hash, h)
		}
		browserRuns++
	}
	t.Logf("%d points run by a browser equal their native recomputation", browserRuns)
	if browserRuns == 0 {
		t.Error("no point was run by a browser student")
	}
}

func envInt(k string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(k)); err == nil {
		return n
	}
	return def
}

// pointRun is the experiment's grid point index as server/class expands it:
// each axis's value set by its JSON path (the first axis slowest), seed,
// workers and kernel pinned into the train request.
func pointRun(e protocol.Experiment, index int) (protocol.LabRun, error) {
	var run protocol.LabRun
	b, err := json.Marshal(e.Base)
	if err != nil {
		return run, err
	}
	var tree map[string]any
	if err := json.Unmarshal(b, &tree); err != nil {
		return run, err
	}
	for a := len(e.Sweep) - 1; a >= 0; a-- {
		ax := e.Sweep[a]
		var v any
		if err := json.Unmarshal(ax.Values[index%len(ax.Values)], &v); err != nil {
			return run, err
		}
		index /= len(ax.Values)
		keys := strings.Split(ax.Param, ".")
		node := tree
		for _, k := range keys[:len(keys)-1] {
			node = node[k].(map[string]any)
		}
		node[keys[len(keys)-1]] = v
	}
	if b, err = json.Marshal(tree); err != nil {
		return run, err
	}
	if err := json.Unmarshal(b, &run); err != nil {
		return run, err
	}
	run.Train.Seed, run.Train.Workers, run.Train.Kernels = run.Seed, run.Workers, run.Kernel
	return run, nil
}

// crowdClient speaks to one class's routes.
type crowdClient struct{ base string }

// post sends body and returns the status, Retry-After and the answer;
// a network error (the server being restarted) is status 0.
func (c *crowdClient) post(path, token string, body any) (int, time.Duration, []byte) {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", c.base+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, time.Second, nil
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	wait, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
	return resp.StatusCode, time.Duration(max(wait, 1)) * time.Second, answer
}

func (c *crowdClient) get(path string, out any) error {
	resp, err := http.Get(c.base + path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != 200 {
		return fmt.Errorf("%s: HTTP %d", path, resp.StatusCode)
	}
	return json.Unmarshal(b, out)
}

type crowdStudent struct {
	c      *crowdClient
	raw    []byte
	vanish bool
	e      *Engine
	rows   int
}

func (s *crowdStudent) run(ctx context.Context, name string, posted, vanished *atomic.Int64) error {
	var j protocol.Joined
	for {
		status, wait, answer := s.c.post("/join", "", protocol.JoinRequest{Name: name})
		if status == 201 {
			if err := json.Unmarshal(answer, &j); err != nil {
				return err
			}
			break
		}
		if status != 0 && status != 429 {
			return fmt.Errorf("join: HTTP %d %s", status, answer)
		}
		if sleepCtx(ctx, wait) != nil {
			return nil
		}
	}
	for ctx.Err() == nil {
		status, wait, answer := s.c.post("/claim", j.StudentToken, struct{}{})
		switch status {
		case 200:
		case 410:
			return nil
		case 0, 204, 429, 503:
			sleepCtx(ctx, wait)
			continue
		default:
			return fmt.Errorf("claim: HTTP %d %s", status, answer)
		}
		var job protocol.ClassJob
		if err := json.Unmarshal(answer, &job); err != nil {
			return err
		}
		if s.vanish { // a closed laptop: the lease runs out
			vanished.Add(1)
			return nil
		}
		res, err := s.job(ctx, job.Run)
		if err != nil {
			return err
		}
		m, _ := json.Marshal(map[string]any{"accuracy": res.Accuracy, "loss": res.Loss, "test_n": res.TestN, "params": res.Params,
			"nonzero": res.NonZero, "seconds": res.Seconds})
		for ctx.Err() == nil {
			status, wait, answer = s.c.post("/result", j.StudentToken, protocol.ClassResult{JobID: job.JobID, Hash: res.Hash, Metrics: m})
			if status == 200 {
				posted.Add(1)
				break
			}
			if status == 409 || status == 410 {
				break // the lease ran out and another student took it, or the class closed
			}
			if status != 0 && status != 429 {
				return fmt.Errorf("result: HTTP %d %s", status, answer)
			}
			sleepCtx(ctx, wait)
		}
	}
	return nil
}

// job runs a job in the student's own engine, loading its slice once.
func (s *crowdStudent) job(ctx context.Context, run protocol.LabRun) (*protocol.ClassJobResult, error) {
	if s.e == nil || s.rows != run.Rows {
		s.e = NewEngine()
		p, _ := json.Marshal(map[string]any{"name": "data.csv", "limit": run.Rows})
		if _, _, err := s.e.Handle(ctx, protocol.TypeLoadData, p, s.raw, func(any) {}); err != nil {
			return nil, err
		}
		s.rows = run.Rows
	}
	p, _ := json.Marshal(run)
	res, _, err := s.e.Handle(ctx, protocol.TypeClassJob, p, nil, func(any) {})
	if err != nil {
		return nil, err
	}
	return res.(*protocol.ClassJobResult), nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}
