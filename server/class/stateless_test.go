package class

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sentilab/protocol"
)

// poll is one GET of the live view with an optional Last-Event-ID.
func poll(t *testing.T, url, lastID string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(body)
}

// sseField returns the value of the first "name: value" line of an event
// stream, or "".
func sseField(stream, name string) string {
	for _, line := range strings.Split(stream, "\n") {
		if v, ok := strings.CutPrefix(line, name+": "); ok {
			return v
		}
	}
	return ""
}

// TestStatelessEvents: the Workers live view answers each /events request
// at once, in the event-stream format, with the status only when it
// changed since the Last-Event-ID, and a retry delay for EventSource.
func TestStatelessEvents(t *testing.T) {
	f := newFixture(t, Config{Stateless: true, PollEvery: 1500 * time.Millisecond}, smallGrid(2, 0, 60), 1)
	url := f.base + f.path("/events")
	code, hdr, body := poll(t, url, "")
	if code != 200 || hdr.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("events: %d %q", code, hdr.Get("Content-Type"))
	}
	id := sseField(body, "id")
	if sseField(body, "retry") != "1500" || sseField(body, "event") != "status" || len(id) != 24 {
		t.Fatalf("first poll: want retry 1500, a status and a 24-digit id:\n%s", body)
	}
	var st protocol.ClassStatus
	if err := json.Unmarshal([]byte(sseField(body, "data")), &st); err != nil || st.Code != f.code || len(st.Students) != 1 {
		t.Fatalf("first poll's status: %+v, %v", st, err)
	}
	// Nothing changed: only the retry line, no event.
	if _, _, body := poll(t, url, id); body != "retry: 1500\n\nevent: end\ndata: {}\n\n" {
		t.Errorf("unchanged poll: %q, want only the retry line and the end event", body)
	}
	// A claim changes the status: a new id and the new status.
	var job protocol.ClassJob
	f.students[0].must(t, http.StatusOK, "POST", f.path("/claim"), nil, &job)
	_, _, body = poll(t, url, id)
	id2 := sseField(body, "id")
	st = protocol.ClassStatus{}
	if err := json.Unmarshal([]byte(sseField(body, "data")), &st); err != nil || id2 == "" || id2 == id || st.Leased != 1 {
		t.Errorf("after a claim: id %q (was %q), status %+v, %v", id2, id, st, err)
	}

	// /status carries the same tag as an ETag; If-None-Match gets 304.
	req, _ := http.NewRequest("GET", f.base+f.path("/status"), nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if etag := resp.Header.Get("ETag"); etag != `"`+id2+`"` {
		t.Errorf("status ETag %s, want %q", etag, id2)
	}
	req.Header.Set("If-None-Match", resp.Header.Get("ETag"))
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotModified {
		t.Errorf("status with If-None-Match: %d, want 304", resp.StatusCode)
	}
}

// TestCreateManyJobs: a grid of 2,000 points and its 200 spot checks go
// in by several json_each statements (jobChunk) and all of them are
// claimable.
func TestCreateManyJobs(t *testing.T) {
	var lrs []json.RawMessage
	for i := range 2000 {
		lrs = append(lrs, json.RawMessage(fmt.Sprint(1e-4*float64(i+1))))
	}
	req := smallGrid(1, 0.1, 60)
	req.Experiment.Sweep = []protocol.SweepAxis{{Param: "train.lr", Values: lrs}}
	f := newFixture(t, Config{}, req, 0)
	st := f.status(t)
	if st.Jobs != 2000 || st.Todo != 2200 || st.State != protocol.ClassOpen {
		t.Fatalf("status: %d jobs, %d todo, %s; want 2000, 2200, open", st.Jobs, st.Todo, st.State)
	}
	var as []assignment
	for i := range 2200 {
		as = append(as, assignment{idx: i % 2000, copy: i / 2000, ord: int64(i), run: strings.Repeat("r", 300)})
	}
	chunks, rows := 0, 0
	for rest := as; len(rest) > 0; chunks++ {
		var chunk []byte
		chunk, rest = jobsJSON(rest)
		var got [][]any
		if len(chunk) > jobChunk || json.Unmarshal(chunk, &got) != nil {
			t.Fatalf("chunk %d: %d bytes (at most %d), valid JSON: %v", chunks, len(chunk), jobChunk, json.Valid(chunk))
		}
		rows += len(got)
	}
	if rows != 2200 || chunks < 3 {
		t.Errorf("jobsJSON: %d rows in %d chunks, want 2200 in at least 3", rows, chunks)
	}
}

// TestDBLimiter: the bucket in the database refills at its rate up to its
// burst, keys are separate, and pruning forgets only old buckets.
func TestDBLimiter(t *testing.T) {
	db, err := OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "class.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	clk := newClock()
	l := &dbLimiter{db: db, name: "test", rate: 2, burst: 3, now: clk.now, log: slog.New(slog.DiscardHandler)}
	ctx := context.Background()
	takes := func(key string, n int) (ok int) {
		for range n {
			if l.allow(ctx, key) {
				ok++
			}
		}
		return ok
	}
	if got := takes("a", 5); got != 3 {
		t.Errorf("a new bucket: %d of 5 taken, want the burst, 3", got)
	}
	if got := takes("b", 1); got != 1 {
		t.Errorf("another key: %d of 1 taken", got)
	}
	clk.advance(1500 * time.Millisecond) // 3 tokens at 2 a second
	if got := takes("a", 5); got != 3 {
		t.Errorf("after 1.5 s: %d of 5 taken, want 3", got)
	}
	clk.advance(time.Hour) // full again, not more
	if got := takes("a", 5); got != 3 {
		t.Errorf("after an hour: %d of 5 taken, want the burst, 3", got)
	}
	if err := pruneBuckets(ctx, db, clk.now().UnixMilli()-1000); err != nil {
		t.Fatal(err)
	}
	var keys []string
	rows, err := db.Query(`SELECT key FROM rate_buckets ORDER BY key`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		rows.Scan(&k)
		keys = append(keys, k)
	}
	rows.Close()
	if strings.Join(keys, ",") != "test:a" {
		t.Errorf("after pruning: %v, want only the recent test:a", keys)
	}
}
