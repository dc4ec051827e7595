package main

import (
	"context"
	"log/slog"
	"os"
	"sync"
	"time"
)

// The log is bounded twice over.
//
// Sampled: a line per request grew the log by 111 MB in a million requests
// (a load test, or a scan). Every line a request causes (the request line
// itself, a warning about a stale sibling, a serve error) now spends a
// token of a bucket that refills at logRate a second up to logBurst, so a
// class loading the lab (300 browsers x ~12 requests) is logged in full,
// while a flood costs at most logRate lines a second plus one summary line
// a second that counts what it left out, by status class, so the volume
// stays visible. At 50 lines of about 130 bytes a second, a million
// requests in a minute log about 0.5 MB.
//
// Rotated: with --log FILE the log goes to FILE, which is renamed to
// FILE.1 (replacing the previous one) once it would pass --log-max-bytes,
// so the disk holds at most twice that. Without --log it goes to stderr,
// for whatever collects it (journald, docker) to rotate.
const (
	defaultLogRate  = 50  // lines a second, sustained
	defaultLogBurst = 500 // lines at once
)

// lineBudget is the token bucket, plus the counts of what it refused.
type lineBudget struct {
	log          *slog.Logger
	rate, burst  float64
	mu           sync.Mutex
	tokens       float64
	last         time.Time
	dropped      [6]int64 // [1..5]: request lines by status class; [0]: other lines
	summaryTimer *time.Timer
}

func newLineBudget(log *slog.Logger, rate float64, burst int) *lineBudget {
	return &lineBudget{log: log, rate: rate, burst: float64(burst), tokens: float64(burst), last: time.Now()}
}

// logf writes one line at level if the budget allows, else counts it under
// status class status/100 (0 for a line that is not a request line).
func (b *lineBudget) logf(level slog.Level, status int, msg string, args ...any) {
	if !b.take(status) {
		return
	}
	b.log.Log(context.Background(), level, msg, args...)
}

func (b *lineBudget) take(status int) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true
	}
	class := status / 100
	if class < 1 || class > 5 {
		class = 0
	}
	b.dropped[class]++
	if b.summaryTimer == nil {
		b.summaryTimer = time.AfterFunc(time.Second, b.summary)
	}
	return false
}

// summary logs, a second after the first line it refused, how many lines
// it refused since. It runs only while lines are being refused.
func (b *lineBudget) summary() {
	b.mu.Lock()
	d := b.dropped
	b.dropped, b.summaryTimer = [6]int64{}, nil
	b.mu.Unlock()
	total := d[0] + d[1] + d[2] + d[3] + d[4] + d[5]
	b.log.Warn("log lines left out (over the per-second budget)", "lines", total,
		"requests_2xx", d[2], "requests_3xx", d[3], "requests_4xx", d[4], "requests_5xx", d[5],
		"requests_other", d[1], "other", d[0], "budget_per_s", b.rate)
}

// rotatingFile is an io.Writer to path that moves path to path.1 before a
// write would make it larger than max bytes. slog handlers write each
// record in one call, so a record is never split across the two files.
type rotatingFile struct {
	mu   sync.Mutex
	path string
	max  int64
	f    *os.File
	size int64
}

func openRotatingFile(path string, max int64) (*rotatingFile, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &rotatingFile{path: path, max: max, f: f, size: fi.Size()}, nil
}

func (r *rotatingFile) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.size > 0 && r.size+int64(len(p)) > r.max {
		r.f.Close()
		if err := os.Rename(r.path, r.path+".1"); err != nil {
			return 0, err
		}
		f, err := os.OpenFile(r.path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|os.O_APPEND, 0o644)
		if err != nil {
			return 0, err
		}
		r.f, r.size = f, 0
	}
	n, err := r.f.Write(p)
	r.size += int64(n)
	return n, err
}

func (r *rotatingFile) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.f.Close()
}
