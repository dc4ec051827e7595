package class

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"sentilab/protocol"
)

// upload posts a model file for job as c.
func upload(t *testing.T, c *client, url string, data []byte, contentType string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, bytes.NewReader(data))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestModelUpload: the author of a job's result uploads its model once;
// anyone with the code downloads it, byte for byte; everything else is
// refused. Natively and as on Workers (a fresh handler per request).
func TestModelUpload(t *testing.T) {
	for _, stateless := range []bool{false, true} {
		t.Run(fmt.Sprint("stateless=", stateless), func(t *testing.T) { testModelUpload(t, stateless) })
	}
}

func testModelUpload(t *testing.T, stateless bool) {
	f := newFixture(t, Config{MaxModel: 1000, Stateless: stateless}, smallGrid(2, 0, 60), 2)
	a, b := f.students[0], f.students[1]
	var ja protocol.ClassJob
	a.must(t, http.StatusOK, "POST", f.path("/claim"), nil, &ja)
	model := []byte(strings.Repeat("weights!", 100)) // 800 bytes
	url := f.base + f.path(fmt.Sprint("/model/", ja.JobID))
	const bin = "application/octet-stream"

	if code, body := upload(t, a, url, model, bin); code != http.StatusConflict || !strings.Contains(body, "post its result first") {
		t.Errorf("upload before the result: %d %s", code, body)
	}
	a.must(t, http.StatusOK, "POST", f.path("/result"), protocol.ClassResult{JobID: ja.JobID, Hash: runJob(ja.Run)}, nil)
	if code, body := upload(t, b, url, model, bin); code != http.StatusConflict {
		t.Errorf("upload by another student: %d %s", code, body)
	}
	if code, body := upload(t, a, url, model, "application/json"); code != http.StatusUnsupportedMediaType {
		t.Errorf("upload as JSON: %d %s", code, body)
	}
	if code, body := upload(t, a, url, make([]byte, 1001), bin); code != http.StatusRequestEntityTooLarge {
		t.Errorf("upload of 1,001 bytes (limit 1,000): %d %s", code, body)
	}
	if code, body := upload(t, a, url, nil, bin); code != http.StatusBadRequest {
		t.Errorf("empty upload: %d %s", code, body)
	}
	if code, body := upload(t, a, f.base+f.path("/model/99999"), model, bin); code != http.StatusNotFound {
		t.Errorf("upload for no job: %d %s", code, body)
	}
	if got := f.status(t).Results[0]; got.Model {
		t.Errorf("status before any upload: %+v", got)
	}

	sum := sha256.Sum256(model)
	code, body := upload(t, a, url, model, bin)
	if want := fmt.Sprintf(`{"job_id":%d,"sha256":"%s","bytes":800,"repeat":false}`, ja.JobID, hex.EncodeToString(sum[:])); code != 200 || strings.TrimSpace(body) != want {
		t.Fatalf("upload: %d %s, want %s", code, body, want)
	}
	if code, body := upload(t, a, url, model, bin); code != 200 || !strings.Contains(body, `"repeat":true`) {
		t.Errorf("the same upload again: %d %s", code, body)
	}
	if code, body := upload(t, a, url, []byte("other weights"), bin); code != http.StatusConflict || !strings.Contains(body, "different model") {
		t.Errorf("a different upload: %d %s", code, body)
	}
	if st := f.status(t); len(st.Results) != 1 || !st.Results[0].Model {
		t.Errorf("status after the upload: %+v", st.Results)
	}
	// Anyone with the code downloads it, byte for byte.
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(got, model) || resp.Header.Get("Content-Type") != bin ||
		resp.Header.Get("ETag") != `"`+hex.EncodeToString(sum[:])+`"` ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("download: %d, %d bytes, headers %v", resp.StatusCode, len(got), resp.Header)
	}
	if r := do(t, "GET", f.base+f.path("/model/99999")); r != http.StatusNotFound {
		t.Errorf("download of no model: %d", r)
	}

	// The teacher discards the result: the model goes with it, and the
	// job's next author may upload theirs.
	f.teacher.must(t, http.StatusOK, "POST", f.path("/teacher/discard"), protocol.TeacherAction{JobID: ja.JobID}, nil)
	if r := do(t, "GET", url); r != http.StatusNotFound {
		t.Errorf("download after the discard: %d, want 404", r)
	}
	// A closed class takes no more models.
	var jb protocol.ClassJob
	b.must(t, http.StatusOK, "POST", f.path("/claim"), nil, &jb)
	b.must(t, http.StatusOK, "POST", f.path("/result"), protocol.ClassResult{JobID: jb.JobID, Hash: runJob(jb.Run)}, nil)
	f.teacher.must(t, http.StatusOK, "POST", f.path("/teacher/close"), protocol.TeacherAction{}, nil)
	if code, body := upload(t, b, f.base+f.path(fmt.Sprint("/model/", jb.JobID)), model, bin); code != http.StatusGone {
		t.Errorf("upload to a closed class: %d %s", code, body)
	}
}

// do is a GET's status.
func do(t *testing.T, method, url string) int {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
