package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

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
