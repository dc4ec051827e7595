package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"sentilab/server/class"
)

// TestClassRoutes: with class mode on, /api/class takes a JSON POST and
// answers with the security headers; every other path stays GET-only.
func TestClassRoutes(t *testing.T) {
	db, err := class.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "class.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ch, err := class.NewHandler(class.Config{DB: db})
	if err != nil {
		t.Fatal(err)
	}
	h, err := NewHandler(Config{Class: ch})
	if err != nil {
		t.Fatal(err)
	}
	post := func(path, body string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("POST", path, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	w := post("/api/class", `{"title":"t","experiment":{"base":{"dataset":"imdb-50k","train":{}},"sweep":[{"param":"train.lr","values":[0.001,0.002]}]}}`)
	if w.Code != http.StatusCreated || !strings.Contains(w.Body.String(), `"jobs":2`) {
		t.Fatalf("create: %d %s", w.Code, w.Body)
	}
	if w.Header().Get("Content-Security-Policy") == "" || w.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("class answer headers: %v", w.Header())
	}
	if w := post("/api/classes", `{}`); w.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST /api/classes: %d, want 405", w.Code)
	}
	if w := post("/api/models", `{}`); w.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST /api/models: %d, want 405", w.Code)
	}
}

// TestDBFlag: class mode's database is class.db in the model folder by
// default, a file of --db, or none with --db off.
func TestDBFlag(t *testing.T) {
	root, models := t.TempDir(), t.TempDir()
	create := func(addr string) int {
		resp, err := http.Post("http://"+addr+"/api/class", "application/json",
			strings.NewReader(`{"title":"t","experiment":{"base":{"dataset":"imdb-50k","train":{}}}}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	_, addr, _ := startProcess(t, "--root", root, "--models", models)
	if code := create(addr); code != http.StatusCreated {
		t.Errorf("default --db: create answered %d", code)
	}
	if _, err := os.Stat(filepath.Join(models, "class.db")); err != nil {
		t.Errorf("default --db: %v", err)
	}
	db := filepath.Join(t.TempDir(), "x.db")
	_, addr, _ = startProcess(t, "--root", root, "--models", models, "--db", db)
	if code := create(addr); code != http.StatusCreated {
		t.Errorf("--db FILE: create answered %d", code)
	}
	if _, err := os.Stat(db); err != nil {
		t.Errorf("--db FILE: %v", err)
	}
	_, addr, _ = startProcess(t, "--root", root, "--models", models, "--db", "off")
	if code := create(addr); code != http.StatusMethodNotAllowed {
		t.Errorf("--db off: create answered %d, want 405", code)
	}
	cmd := exec.Command(os.Args[0], "--addr", "127.0.0.1:0", "--root", root, "--db", filepath.Join(root, "no", "such", "dir", "x.db"))
	cmd.Env = append(os.Environ(), "SENTILAB_SERVER_MAIN=1")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "--db") {
		t.Errorf("--db in a missing folder: %v %s", err, out)
	}
}

// TestShutdownWithLiveView: SIGTERM with a class's event stream open ends
// the stream and exits 0 at once, not after Shutdown's 10 s.
func TestShutdownWithLiveView(t *testing.T) {
	cmd, addr, log := startProcess(t, "--root", t.TempDir(), "--models", t.TempDir())
	resp, err := http.Post("http://"+addr+"/api/class", "application/json",
		strings.NewReader(`{"title":"t","experiment":{"base":{"dataset":"imdb-50k","train":{}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	var created struct{ Code string }
	json.NewDecoder(resp.Body).Decode(&created)
	resp.Body.Close()
	resp, err = http.Get("http://" + addr + "/api/class/" + created.Code + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if _, err := resp.Body.Read(make([]byte, 1)); err != nil { // the stream has begun
		t.Fatal(err)
	}
	start := time.Now()
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit: %v\n%s", err, log)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("shutdown with a live view took %v", d)
	}
	rest, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(rest), "event: end") {
		t.Errorf("the stream did not end with an end event: %q", rest)
	}
}
