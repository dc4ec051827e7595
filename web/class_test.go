//go:build !js || !wasm

package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"sentilab/protocol"
	"sentilab/server/class"
)

// httpNet is ClassNet over net/http, against server/class's real handler
// on a real SQLite file: the page's requests as the server reads them.
type httpNet struct{ base string }

func (n httpNet) Post(url, token string, body any) (int, float64, []byte, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return 0, 0, nil, err
	}
	req, err := http.NewRequest("POST", n.base+url, bytes.NewReader(b))
	if err != nil {
		return 0, 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, 0, nil, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	wait, _ := strconv.ParseFloat(resp.Header.Get("Retry-After"), 64)
	return resp.StatusCode, wait, answer, err
}

func (n httpNet) Upload(url, token string, file any) (int, []byte, error) {
	req, err := http.NewRequest("POST", n.base+url, bytes.NewReader(file.([]byte)))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	return resp.StatusCode, answer, err
}

func (httpNet) Listen(string, func(string), func()) func() { return func() {} }

func (n httpNet) status(t *testing.T, code string) *protocol.ClassStatus {
	t.Helper()
	resp, err := http.Get(n.base + "api/class/" + code + "/status")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var st protocol.ClassStatus
	if err := protocol.Decode("status", b, &st); err != nil {
		t.Fatal(err)
	}
	return &st
}

func newClassServer(t *testing.T) httpNet {
	t.Helper()
	db, err := class.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "class.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	h, err := class.NewHandler(class.Config{DB: db})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return httpNet{base: srv.URL + "/"}
}

// classroomStep is a Class step over the classroom preset's settings.
func classroomStep(net ClassNet) *ClassStep {
	l := &Lab{S: Settings{Step: "class", Seed: 42, Workers: 3}, Charts: map[string]string{}}
	l.S.Apply(Preset{Name: "classroom", Epochs: 3, BatchSize: 64, LR: 1e-3, TrainLimit: 10000, TestFrac: 0.2, ValSplit: 0.1,
		ModelConfig: ModelConfig{Vocab: 5000, Embed: 32, Hidden: 32, MaxLen: 100, Padding: "pre", Masking: true, Dropout: 0.2}})
	c := &ClassStep{Lab: l, Net: net, Compress: &CompressStep{CEmbed: 8, CHidden: 12}}
	c.init()
	c.Dataset = "imdb-50k"
	return c
}

// Each experiment of the form is one the server takes, and its jobs pin
// what the page set: the slice, the epochs, one worker, the swept values.
func TestClassExperimentsOnTheServer(t *testing.T) {
	net := newClassServer(t)
	for _, tc := range []struct {
		kind, a, b string
		jobs       int
		params     string
	}{
		{"distill", "0.5, 0.9", "1, 2, 4", 6, "compress.alpha,compress.t"},
		{"lrunits", "0.001, 0.003", "16, 32", 4, "train.lr,train.hidden"},
		{"prune", "0.5, 0.8", "", 2, "compress.final_sparsity"},
	} {
		c := classroomStep(net)
		c.Kind, c.AVals, c.BVals, c.Rows, c.Epochs = tc.kind, tc.a, tc.b, 500, 1
		e, err := c.Experiment()
		if err != nil {
			t.Fatalf("%s: %v", tc.kind, err)
		}
		var params []string
		for _, ax := range e.Sweep {
			params = append(params, ax.Param)
		}
		if strings.Join(params, ",") != tc.params {
			t.Errorf("%s: sweeps %v, want %s", tc.kind, params, tc.params)
		}
		made, err := createClass(net, protocol.ClassCreateRequest{Title: tc.kind, Experiment: e, SpotCheck: new(float64)})
		if err != nil {
			t.Fatalf("%s: %v", tc.kind, err)
		}
		if made.Jobs != tc.jobs || made.Assignments != tc.jobs {
			t.Errorf("%s: %d jobs, %d assignments; want %d", tc.kind, made.Jobs, made.Assignments, tc.jobs)
		}
		api := classAPI{net: net, code: made.Code}
		j, err := api.join("Ada")
		if err != nil {
			t.Fatal(err)
		}
		job, _, err := api.claim(j.StudentToken)
		if err != nil || job == nil {
			t.Fatalf("%s: claim %v, %v", tc.kind, job, err)
		}
		r := job.Run
		if r.Rows != 500 || r.Workers != 1 || r.Kernel != protocol.KernelPortable || r.Train.Epochs != 1 || r.Train.Workers != 1 ||
			r.Train.Kernels != protocol.KernelPortable || r.Train.Seed != 42 || r.Dataset != "imdb-50k" {
			t.Errorf("%s: job run %+v: want 500 rows, 1 epoch, 1 worker, the portable kernel, seed 42", tc.kind, r)
		}
		vals := PointValues(e, job.Index)
		switch tc.kind {
		case "distill":
			if r.Compress == nil || r.Compress.Epochs != 1 || r.Compress.Embed != 8 || r.Compress.Hidden != 12 ||
				F(r.Compress.Alpha, 1) != vals[0] || strconv.FormatFloat(r.Compress.T, 'g', -1, 64) != vals[1] {
				t.Errorf("distill: job %d compress %+v, want α %s, T %s and the Compress step's student", job.Index, r.Compress, vals[0], vals[1])
			}
		case "lrunits":
			if r.Compress != nil || strconv.FormatFloat(r.Train.LR, 'g', -1, 64) != vals[0] || I(r.Train.Hidden) != vals[1] {
				t.Errorf("lrunits: job %d train lr %g hidden %d, want %v", job.Index, r.Train.LR, r.Train.Hidden, vals)
			}
		}
	}
}

func TestClassExperimentRefusesBadValues(t *testing.T) {
	for _, tc := range []struct{ kind, a, b, want string }{
		{"distill", "0.5, 2", "1", `α values: "2" is not a number in [0, 1]`},
		{"lrunits", "0.001", "16.5", "LSTM units: 16.5 is not a whole number"},
		{"distill", "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8", "1", "α values: give 1 to 7 comma-separated values, not 8"},
		{"prune", "", "", "Final sparsities: give 1 to 7 comma-separated values, not 0"},
	} {
		c := classroomStep(nil)
		c.Kind, c.AVals, c.BVals = tc.kind, tc.a, tc.b
		if _, err := c.Experiment(); err == nil || err.Error() != tc.want {
			t.Errorf("%s %q × %q: error %v, want %q", tc.kind, tc.a, tc.b, err, tc.want)
		}
	}
	c := classroomStep(nil)
	c.Dataset = ""
	if _, err := c.Experiment(); err == nil || !strings.Contains(err.Error(), "--data") {
		t.Errorf("no dataset: error %v", err)
	}
}

// A student's posted result shows in the live view at its grid point; a
// removed student is refused with 403.
func TestClassLiveViewAndModeration(t *testing.T) {
	net := newClassServer(t)
	c := classroomStep(net)
	c.AVals, c.BVals = "0.5, 0.9", "1, 2"
	e, err := c.Experiment()
	if err != nil {
		t.Fatal(err)
	}
	made, err := createClass(net, protocol.ClassCreateRequest{Title: "t", Experiment: e, SpotCheck: new(float64)})
	if err != nil {
		t.Fatal(err)
	}
	api := classAPI{net: net, code: made.Code}
	j, err := api.join("Ada <i>")
	if err != nil {
		t.Fatal(err)
	}
	job, _, err := api.claim(j.StudentToken)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.renew(j.StudentToken, job.JobID); err != nil {
		t.Fatalf("renew: %v", err)
	}
	m, _ := json.Marshal(jobMetrics(&protocol.ClassJobResult{Accuracy: 0.8125, Loss: 0.45, TestN: 80,
		History: []protocol.Epoch{{Epoch: 1, Loss: 0.61234567, Accuracy: 0.7, ValLoss: 0.5, ValAccuracy: 0.75}}}))
	if err := api.result(j.StudentToken, protocol.ClassResult{JobID: job.JobID, Hash: strings.Repeat("ab", 32), Metrics: m}); err != nil {
		t.Fatal(err)
	}
	st := net.status(t, made.Code)
	rows := ClassRows(st)
	row := rows[job.Index]
	if len(rows) != 4 || row.Accuracy != "81.25%" || row.Student != "Ada <i>" || !row.Best || !row.HasCurve || row.JobID != job.JobID {
		t.Errorf("rows %+v", rows)
	}
	for i, r := range rows {
		if i != job.Index && (r.Accuracy != "" || r.Best) {
			t.Errorf("row %d without a result: %+v", i, r)
		}
	}
	var h struct {
		Series []struct{ Data [][3]float64 } `json:"series"`
	}
	if err := json.Unmarshal([]byte(ClassHeatmap(st)), &h); err != nil {
		t.Fatal(err)
	}
	want := [][3]float64{{float64(job.Index % 2), float64(job.Index / 2), 81.25}}
	if !reflect.DeepEqual(h.Series[0].Data, want) {
		t.Errorf("heatmap cells %v, want %v", h.Series[0].Data, want)
	}
	if s := ClassSummary(st); !strings.Contains(s, "1 of 4 grid points done") || !strings.Contains(s, "81.25%") {
		t.Errorf("summary %q", s)
	}
	if CellCurve(st, job.Index) == "" || CellCurve(st, (job.Index+1)%4) != "" {
		t.Error("the curve of the point with a result is missing, or one without has one")
	}
	if _, err := api.teacher(made.TeacherToken, "remove", protocol.TeacherAction{StudentID: j.StudentID}); err != nil {
		t.Fatal(err)
	}
	_, _, err = api.claim(j.StudentToken)
	var ce *ClassError
	if !errors.As(err, &ce) || ce.Status != 403 {
		t.Errorf("a removed student's claim: %v, want a 403", err)
	}
	if _, err := api.teacher("wrong", "close", protocol.TeacherAction{}); !errors.As(err, &ce) || ce.Status != 403 {
		t.Errorf("close with a wrong token: %v, want a 403", err)
	}
}

// PointValues walks the grid as server/class expands it: the first axis
// slowest.
func TestPointValues(t *testing.T) {
	raw := func(s ...string) []json.RawMessage {
		var out []json.RawMessage
		for _, x := range s {
			out = append(out, json.RawMessage(x))
		}
		return out
	}
	e := protocol.Experiment{Sweep: []protocol.SweepAxis{{Param: "compress.alpha", Values: raw("0.1", "0.9")}, {Param: "compress.t", Values: raw("1", "2", "4")}}}
	var got []string
	for i := range 6 {
		got = append(got, PointLabel(e, i))
	}
	want := []string{"α 0.1, T 1", "α 0.1, T 2", "α 0.1, T 4", "α 0.9, T 1", "α 0.9, T 2", "α 0.9, T 4"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("points %q, want %q", got, want)
	}
}

// The class is kept with the lab; a saved class that is not one is
// reported and dropped, the rest of the record kept.
func TestClassRecordSaved(t *testing.T) {
	rec := LabRecord{Version: LabVersion, Limit: 5, Class: &ClassRecord{Code: "ABCD2345", URL: "http://h/?class=ABCD2345", Teacher: "tok"}}
	b, _ := json.Marshal(rec)
	got, problems, err := DecodeLab(b)
	if err != nil || len(problems) > 0 || !reflect.DeepEqual(got.Class, rec.Class) {
		t.Fatalf("decoded %+v, %v, %v", got.Class, problems, err)
	}
	for _, bad := range []ClassRecord{{Code: "abcd", Teacher: "t"}, {Code: "ABCD2345"}, {Code: "ABCDI345", Student: "s"}} {
		rec.Class = &bad
		b, _ := json.Marshal(rec)
		got, problems, err := DecodeLab(b)
		if err != nil || got.Class != nil || len(problems) != 1 || !strings.HasPrefix(problems[0], "class: ") || got.Limit != 5 {
			t.Errorf("%+v: class %+v, problems %v, err %v", bad, got.Class, problems, err)
		}
	}
}

func TestClassLink(t *testing.T) {
	for q, want := range map[string]string{"?class=abcd2345": "ABCD2345", "?step=data&class=ABCD2345&x=1": "ABCD2345",
		"?class=ABCD234": "", "?subclass=ABCD2345": "", "": ""} {
		c := &ClassStep{}
		ok := c.takeLink(q)
		if ok != (want != "") || (ok && (c.Code != want || !c.FromLink)) {
			t.Errorf("%q: %v, code %q; want %q", q, ok, c.Code, want)
		}
	}
	if datasetName("IMDB-50k.csv.gz") != "imdb-50k" || datasetName("aclImdb_v1.tar.gz") != "aclimdb_v1" {
		t.Error("datasetName")
	}
}
