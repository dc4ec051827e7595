//go:build !js || !wasm

package main

import (
	"bytes"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer that a server's goroutines may log into.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var logField = regexp.MustCompile(`(\w+)=(\S+)`)

// logCounts reads a text log: request lines by status class, and what the
// summary lines say was left out, by class.
func logCounts(log string) (logged, dropped map[string]int64) {
	logged, dropped = map[string]int64{}, map[string]int64{}
	for _, line := range strings.Split(log, "\n") {
		f := map[string]string{}
		for _, m := range logField.FindAllStringSubmatch(line, -1) {
			f[m[1]] = m[2]
		}
		switch {
		case f["msg"] == "request":
			logged[f["status"][:1]+"xx"]++
		case strings.Contains(line, "log lines left out"):
			for _, c := range []string{"2xx", "3xx", "4xx", "5xx"} {
				n, _ := strconv.ParseInt(f["requests_"+c], 10, 64)
				dropped[c] += n
			}
		}
	}
	return logged, dropped
}

// TestRequestLogSampled: 300 requests in a burst with a budget of 20 lines
// at once and 2 a second: about 20 request lines, and summary lines that
// account, by status class, for every request left out. Before: 300 lines.
func TestRequestLogSampled(t *testing.T) {
	var out syncBuffer
	fx := newFixture(t)
	cfg := fx.config()
	cfg.Logger = slog.New(slog.NewTextHandler(&out, nil))
	cfg.LogRate, cfg.LogBurst = 2, 20
	ts := start(t, cfg)
	t0 := time.Now()
	for i := range 300 {
		path := "/healthz"
		if i%3 == 0 {
			path = "/nope"
		}
		do(t, "GET", ts.URL+path)
	}
	elapsed := time.Since(t0)
	want := map[string]int64{"2xx": 200, "4xx": 100}
	var logged, dropped map[string]int64
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		logged, dropped = logCounts(out.String())
		if logged["2xx"]+dropped["2xx"] == want["2xx"] && logged["4xx"]+dropped["4xx"] == want["4xx"] {
			break
		}
	}
	for c, n := range want {
		if logged[c]+dropped[c] != n {
			t.Errorf("%s: %d logged + %d counted as left out, want %d requests", c, logged[c], dropped[c], n)
		}
	}
	total := logged["2xx"] + logged["4xx"]
	if max := 20 + int64(2*elapsed.Seconds()) + 1; total < 20 || total > max {
		t.Errorf("%d request lines for 300 requests in %v, want 20..%d", total, elapsed, max)
	}
	t.Logf("300 requests in %v: %d request lines, %d bytes of log", elapsed.Round(time.Millisecond), total, len(out.String()))
}

// TestRequestLogQuiet: under the budget every request is logged, and no
// summary line appears.
func TestRequestLogQuiet(t *testing.T) {
	var out syncBuffer
	fx := newFixture(t)
	cfg := fx.config()
	cfg.Logger = slog.New(slog.NewTextHandler(&out, nil))
	ts := start(t, cfg)
	for range 100 {
		do(t, "GET", ts.URL+"/ui.wasm")
	}
	time.Sleep(1200 * time.Millisecond)
	logged, _ := logCounts(out.String())
	if logged["2xx"] != 100 || strings.Contains(out.String(), "left out") {
		t.Errorf("100 requests under the default budget: %d request lines, want 100 and no summary\n%s", logged["2xx"], out.String())
	}
}

// TestRotatingFile: 1,000 records through a 1 KB rotating file leave the
// file and one .1, each at most 1 KB, each made of whole records, the
// newest record in the file.
func TestRotatingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "server.log")
	rf, err := openRotatingFile(path, 1024)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(rf, nil))
	for i := range 1000 {
		log.Info("request", "n", i, "path", "/models/base.safetensors")
	}
	rf.Close()
	matches, _ := filepath.Glob(path + "*")
	if len(matches) != 2 {
		t.Errorf("files %v, want the log and one .1", matches)
	}
	for _, p := range []string{path, path + ".1"} {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if len(data) > 1024 || len(data) == 0 {
			t.Errorf("%s: %d bytes, want 1..1024", filepath.Base(p), len(data))
		}
		for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
			if !strings.HasPrefix(line, "time=") || !strings.Contains(line, "path=/models/base.safetensors") {
				t.Errorf("%s: split record %q", filepath.Base(p), line)
			}
		}
	}
	if data, _ := os.ReadFile(path); !strings.Contains(string(data), "n=999 ") {
		t.Errorf("newest record not in the log:\n%s", data)
	}
}

// TestLogFlag: the server process with --log and --log-max-bytes 4096,
// 400 requests later, has a log and a .1 of at most 4 KB each.
func TestLogFlag(t *testing.T) {
	fx := newFixture(t)
	path := filepath.Join(t.TempDir(), "server.log")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(os.Args[0], "--addr", addr, "--root", fx.root, "--models", fx.models, "--log", path, "--log-max-bytes", "4096")
	cmd.Env = append(os.Environ(), "SENTILAB_SERVER_MAIN=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	up := false
	for range 100 {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			up = true
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !up {
		t.Fatalf("server did not start: %s", stderr.String())
	}
	for i := range 400 {
		do(t, "GET", fmt.Sprintf("http://%s/healthz?i=%d", addr, i))
	}
	for _, p := range []string{path, path + ".1"} {
		fi, err := os.Stat(p)
		if err != nil || fi.Size() > 4096 || fi.Size() == 0 {
			t.Errorf("%s: %v; want 1..4096 bytes", p, err)
		}
	}
	if stderr.Len() != 0 {
		t.Errorf("with --log, stderr got %q", stderr.String())
	}
	bad := exec.Command(os.Args[0], "--root", fx.root, "--log", path, "--log-max-bytes", "100")
	bad.Env = append(os.Environ(), "SENTILAB_SERVER_MAIN=1")
	if out, err := bad.CombinedOutput(); err == nil || !strings.Contains(string(out), "--log-max-bytes 100: want at least 4096") {
		t.Errorf("--log-max-bytes 100: %v %q, want a refusal", err, out)
	}
}
