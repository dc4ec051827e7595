package class

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"sentilab/core/kernels"
	"sentilab/core/nn"
	"sentilab/protocol"
)

// clock is a settable time for leases and rate limits.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)} }

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// newTestServer serves the class routes on a real SQLite file in a temp dir.
func newTestServer(t *testing.T, cfg Config) *httptest.Server {
	t.Helper()
	db, err := OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "class.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cfg.DB = db
	h, err := NewHandler(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var serve http.Handler = h
	if cfg.Stateless {
		// As on Workers: a fresh handler (a fresh Go instance there) for
		// every request, sharing nothing but the database.
		serve = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h, err := NewHandler(cfg)
			if err != nil {
				t.Error(err)
				w.WriteHeader(http.StatusInternalServerError)
				return
			}
			h.ServeHTTP(w, r)
		})
	}
	srv := httptest.NewServer(serve)
	t.Cleanup(srv.Close)
	return srv
}

// client speaks the class protocol to base.
type client struct {
	base  string
	http  *http.Client
	token string
}

func newClient(base string) *client {
	return &client{base: base, http: &http.Client{Timeout: 20 * time.Second}}
}

// do sends v (JSON, or raw bytes) and decodes a 2xx answer into out. It
// returns the status and the body.
func (c *client) do(method, path string, v, out any) (int, string, error) {
	var body io.Reader
	switch v := v.(type) {
	case nil:
	case []byte:
		body = bytes.NewReader(v)
	default:
		data, err := json.Marshal(v)
		if err != nil {
			return 0, "", err
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		return 0, "", err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, "", err
	}
	if out != nil && resp.StatusCode/100 == 2 && resp.StatusCode != http.StatusNoContent {
		if err := json.Unmarshal(data, out); err != nil {
			return resp.StatusCode, string(data), fmt.Errorf("%s %s: %v", method, path, err)
		}
	}
	return resp.StatusCode, string(data), nil
}

// must is do that fails the test unless the status is want.
func (c *client) must(t testing.TB, want int, method, path string, v, out any) string {
	t.Helper()
	code, body, err := c.do(method, path, v, out)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	if code != want {
		t.Fatalf("%s %s: status %d (%s), want %d", method, path, code, body, want)
	}
	return body
}

// alphaTGrid is the distillation α×T grid of 7×7 = 49 jobs.
func alphaTGrid() protocol.Experiment {
	var alphas, temps []json.RawMessage
	for i := range 7 {
		alphas = append(alphas, json.RawMessage(fmt.Sprint(0.1+0.15*float64(i))))
		temps = append(temps, json.RawMessage(fmt.Sprint(1+i)))
	}
	return protocol.Experiment{
		Base: protocol.LabRun{Dataset: "imdb-50k", Seed: 42, Workers: 1, Kernel: protocol.KernelPortable,
			Train:    protocol.TrainRequest{Preset: "classroom"},
			Compress: &protocol.CompressRequest{Variant: "base", Method: "distill"}},
		Sweep: []protocol.SweepAxis{{Param: "compress.alpha", Values: alphas}, {Param: "compress.t", Values: temps}},
	}
}

// runJob is the tiny real job of the tests: an Embedding → LSTM → Dense
// forward pass of core/nn at a toy shape, initialized from a seed derived
// from the whole LabRun, on token sequences drawn from the same seed, with
// the portable kernels. Its hash covers the run's JSON and the logits'
// bits, so it is the same on any machine and differs between jobs.
func runJob(run protocol.LabRun) string {
	spec, _ := json.Marshal(run)
	sum := sha256.Sum256(spec)
	seed := binary.LittleEndian.Uint64(sum[:8])
	cfg := nn.Config{Vocab: 64, Embed: 8, Hidden: 8, MaxLen: 12, Padding: "pre", Masking: true}
	m, err := nn.NewModel(cfg)
	if err != nil {
		panic(err)
	}
	nn.Init(m, seed)
	const B = 4
	rng := rand.New(rand.NewPCG(seed, 1))
	tokens := make([]int32, B*cfg.MaxLen)
	for i := range tokens {
		tokens[i] = int32(rng.IntN(cfg.Vocab))
	}
	logits := nn.NewWorkspace(cfg, kernels.Portable).Forward(m, tokens, B, nil)
	h := sha256.New()
	h.Write(spec)
	binary.Write(h, binary.LittleEndian, logits)
	return hex.EncodeToString(h.Sum(nil))
}
