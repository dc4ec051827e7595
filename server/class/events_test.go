package class

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sentilab/protocol"
)

// TestEventsOutliveServerTimeouts: the live view streams on past the
// server's read and write timeouts (here 300 ms), sends heartbeats, and
// sends a new status when the class changes.
func TestEventsOutliveServerTimeouts(t *testing.T) {
	db, err := OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "class.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	h, err := NewHandler(Config{DB: db, Heartbeat: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ReadTimeout = 300 * time.Millisecond
	srv.Config.WriteTimeout = 300 * time.Millisecond
	srv.Start()
	defer srv.Close()

	teacher := newClient(srv.URL)
	var created protocol.ClassCreated
	teacher.must(t, http.StatusCreated, "POST", "/api/class", smallGrid(2, 0, 60), &created)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/api/class/"+created.Code+"/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type %q", ct)
	}
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	// next returns the next status event's students, counting heartbeats.
	beats := 0
	next := func() []protocol.ClassStudent {
		t.Helper()
		for line := range lines {
			if line == ": heartbeat" {
				beats++
			}
			if data, ok := strings.CutPrefix(line, "data: "); ok {
				var st protocol.ClassStatus
				if err := json.Unmarshal([]byte(data), &st); err != nil {
					t.Fatal(err)
				}
				return st.Students
			}
		}
		t.Fatal("stream ended")
		return nil
	}
	if s := next(); len(s) != 0 {
		t.Fatalf("first status: %d students", len(s))
	}
	time.Sleep(time.Second) // past both server timeouts
	newClient(srv.URL).must(t, http.StatusCreated, "POST", "/api/class/"+created.Code+"/join", protocol.JoinRequest{Name: "late"}, nil)
	if s := next(); len(s) != 1 || s[0].Name != "late" {
		t.Fatalf("after a join: %+v", s)
	}
	if beats < 5 {
		t.Errorf("%d heartbeats in a second, want about 10", beats)
	}
}

func TestMigrate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "class.db")
	db, err := OpenSQLite(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	// Again: nothing to do.
	if err := Migrate(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	var n, v int
	if err := db.QueryRow(`SELECT COUNT(*), MAX(version) FROM schema_migrations`).Scan(&n, &v); err != nil || n != 3 || v != 3 {
		t.Fatalf("schema_migrations: %d rows, version %d, %v", n, v, err)
	}
	var mode string
	db.QueryRow(`PRAGMA journal_mode`).Scan(&mode)
	if mode != "wal" {
		t.Errorf("journal_mode %q, want wal", mode)
	}
	if _, err := db.Exec(`INSERT INTO schema_migrations VALUES (7, 'future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := OpenSQLite(context.Background(), path); err == nil || !strings.Contains(err.Error(), "version 7 is newer") {
		t.Errorf("a newer database: %v", err)
	}
}

// TestEventsManyViewers: 50 live views of one class all get the change.
func TestEventsManyViewers(t *testing.T) {
	f := newFixture(t, Config{}, smallGrid(2, 0, 60), 0)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	const viewers = 50
	got := make(chan int, viewers)
	ready := make(chan bool, viewers)
	for range viewers {
		go func() {
			req, _ := http.NewRequestWithContext(ctx, "GET", f.base+f.path("/events"), nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				got <- -1
				return
			}
			defer resp.Body.Close()
			sc := bufio.NewScanner(resp.Body)
			sc.Buffer(nil, 1<<20)
			first := true
			for sc.Scan() {
				data, ok := strings.CutPrefix(sc.Text(), "data: ")
				if !ok {
					continue
				}
				if first {
					first = false
					ready <- true
					continue
				}
				var st protocol.ClassStatus
				json.Unmarshal([]byte(data), &st)
				got <- len(st.Students)
				return
			}
			got <- -1
		}()
	}
	for range viewers {
		<-ready
	}
	newClient(f.base).must(t, http.StatusCreated, "POST", f.path("/join"), protocol.JoinRequest{Name: "x"}, nil)
	for range viewers {
		if n := <-got; n != 1 {
			t.Fatalf("a viewer saw %d students after one join", n)
		}
	}
}

// TestCloseStreams: on shutdown, open streams end with an "end" event, so
// http.Server.Shutdown does not wait for them.
func TestCloseStreams(t *testing.T) {
	db, err := OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "class.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	h, err := NewHandler(Config{DB: db})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	srv.Config.RegisterOnShutdown(h.CloseStreams)
	defer srv.Close()
	var created protocol.ClassCreated
	newClient(srv.URL).must(t, http.StatusCreated, "POST", "/api/class", smallGrid(2, 0, 60), &created)
	resp, err := http.Get(srv.URL + "/api/class/" + created.Code + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() && sc.Text() != "" { // the first status event
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Config.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown with a stream open: %v", err)
	}
	var rest []string
	for sc.Scan() {
		rest = append(rest, sc.Text())
	}
	if len(rest) == 0 || rest[0] != "event: end" {
		t.Errorf("after shutdown the stream said %q, want an end event", rest)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("shutdown took %v", d)
	}
}
