package web

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"sentilab/protocol"
)

// ---- fakes: the page's host, without a browser. The engine fake keeps
// model files as bytes and answers the requests the lab store uses; the
// real engine is exercised by tests/e2e/reload.mjs in Chromium.

type lockEnv struct{ mu sync.RWMutex }

func (e *lockEnv) Lock()         { e.mu.Lock() }
func (e *lockEnv) UnlockOnly()   { e.mu.Unlock() }
func (e *lockEnv) UnlockRender() { e.mu.Unlock() }
func (e *lockEnv) RLock()        { e.mu.RLock() }
func (e *lockEnv) RUnlock()      { e.mu.RUnlock() }

type fakeEngine struct {
	mu      sync.Mutex
	files   map[string][]byte
	infos   map[string]VariantInfo
	calls   []string // request types, in order
	loads   []map[string]any
	loadBuf []any
	badFile string // importModel refuses this content
}

func newFakeEngine() *fakeEngine {
	return &fakeEngine{files: map[string][]byte{}, infos: map[string]VariantInfo{}}
}

// fileInfo is what a fake model file says about its model (any engine's).
var fileInfo sync.Map

func (e *fakeEngine) add(info VariantInfo, file []byte) {
	e.files[info.Name], e.infos[info.Name] = file, info
	fileInfo.LoadOrStore(string(file), info)
}

func (e *fakeEngine) count(typ string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, c := range e.calls {
		if c == typ {
			n++
		}
	}
	return n
}

func (e *fakeEngine) Cancel(int) {}

func (e *fakeEngine) Do(typ string, payload any, buf any, started func(int), _ func(json.RawMessage)) (json.RawMessage, any, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls = append(e.calls, typ)
	reply := func(v any) (json.RawMessage, any, error) {
		b, err := json.Marshal(v)
		return b, nil, err
	}
	// The request as the engine reads it: its JSON keys.
	var p map[string]any
	if b, err := json.Marshal(payload); err != nil || json.Unmarshal(b, &p) != nil {
		return nil, nil, &EngineError{fmt.Sprintf("fake engine: %s payload %T is not a JSON object", typ, payload)}
	}
	str := func(k string) string { s, _ := p[k].(string); return s }
	switch typ {
	case "presets":
		return reply(map[string]any{"presets": []Preset{{Name: "classroom", Epochs: 3, BatchSize: 64, LR: 0.001, ValSplit: 0.1,
			TestFrac: 0.2, TrainLimit: 10000, ModelConfig: ModelConfig{Vocab: 5000, Embed: 32, Hidden: 32, MaxLen: 100, Masking: true, Dropout: 0.2}}}, "kernel": "simd128"})
	case "variants":
		var vs []VariantInfo
		for _, v := range e.infos {
			vs = append(vs, v)
		}
		sort.Slice(vs, func(i, j int) bool { return vs[i].Name < vs[j].Name })
		return reply(map[string]any{"variants": vs})
	case "exportModel":
		f, ok := e.files[str("variant")]
		if !ok {
			return nil, nil, &EngineError{"no variant " + str("variant")}
		}
		b, _ := json.Marshal(map[string]any{"name": str("variant"), "size": len(f)})
		return b, append([]byte(nil), f...), nil
	case "importModel":
		f, _ := buf.([]byte)
		if len(f) == 0 || string(f) == e.badFile {
			return nil, nil, &EngineError{"modelfile: not a safetensors file"}
		}
		name := str("name")
		for i := 2; e.infos[name].Name != ""; i++ {
			name = fmt.Sprintf("%s-%d", str("name"), i)
		}
		// As the engine: the file carries the weights and the test
		// accuracy and loss, not the kind, preset, confusion or history;
		// its provenance is stamped anew at each export.
		v, _ := fileInfo.Load(string(f))
		orig, _ := v.(VariantInfo)
		info := VariantInfo{Name: name, Kind: "imported", Config: orig.Config, Params: orig.Params, NonZero: orig.NonZero,
			FileBytes: orig.FileBytes + 3, Storage: cmp.Or(orig.Storage, "f32"), Sparse: orig.Sparse, Runtime: orig.Runtime}
		if orig.Metrics != nil {
			info.Metrics = &Metrics{Accuracy: orig.Metrics.Accuracy, Loss: orig.Metrics.Loss}
		}
		e.add(info, append([]byte(nil), f...))
		return reply(info)
	case "deleteVariant":
		n := str("variant")
		if _, ok := e.infos[n]; !ok {
			return nil, nil, &EngineError{fmt.Sprintf("no model %q", n)}
		}
		delete(e.infos, n)
		delete(e.files, n)
		left := []string{}
		for k := range e.infos {
			left = append(left, k)
		}
		sort.Strings(left)
		return reply(protocol.DeleteResult{Deleted: n, Left: left})
	case "loadData":
		e.loads = append(e.loads, p)
		e.loadBuf = append(e.loadBuf, buf)
		return reply(DataInfo{Name: str("name"), Rows: 2000, Positive: 1000, Negative: 1000})
	case "eda":
		return reply(EDA{Rows: 2000})
	}
	return nil, nil, &EngineError{"fake engine: no " + typ}
}

// memStore is Store in a map; put fails with failPut when set.
type memStore struct {
	mu      sync.Mutex
	m       map[string]any
	failPut error
}

func newMemStore() *memStore { return &memStore{m: map[string]any{}} }

func (s *memStore) Get(k string) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[k], nil
}
func (s *memStore) Put(k string, v any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failPut != nil {
		return s.failPut
	}
	if b, ok := v.([]byte); ok {
		v = append([]byte(nil), b...) // IndexedDB stores a copy
	}
	s.m[k] = v
	return nil
}
func (s *memStore) Delete(k string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, k)
	return nil
}
func (s *memStore) Keys() ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ks []string
	for k := range s.m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks, nil
}
func (s *memStore) Clear() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m = map[string]any{}
	return nil
}

// startPage runs Init as the browser would and waits until the page is
// idle and its saved lab (if any) is back.
func startPage(t *testing.T, eng Engine, st Store, query string) *Root {
	t.Helper()
	c := NewRoot(eng, newFakeBrowser().withQuery(query), &lockEnv{})
	c.Store = st
	c.Env.Lock()
	c.Init()
	c.Init() // as in the page: wasm/ui's main, then Vugu's first build (a no-op)
	c.Env.UnlockOnly()
	waitFor(t, c, "the page to be ready", func() bool { return strings.HasPrefix(c.Status, "Ready") && c.Busy == "" })
	t.Cleanup(func() {
		c.P.mu.Lock()
		c.P.stopped = true
		c.P.mu.Unlock()
	})
	return c
}

func waitFor(t *testing.T, c *Root, what string, ok func() bool) {
	t.Helper()
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		c.Env.Lock()
		done := ok()
		c.Env.UnlockOnly()
		if done {
			return
		}
	}
	t.Fatalf("timed out waiting for %s (status %q, note %q)", what, c.Status, c.P.Note)
}

// workedLab is a page with data loaded from the server, a trained model
// and its int8 variant, compression settings and a typed review.
func workedLab(t *testing.T, st Store) (*Root, *fakeEngine) {
	eng := newFakeEngine()
	c := startPage(t, eng, st, "")
	hist := []Epoch{{Epoch: 1, Loss: 0.69, Accuracy: 0.55, ValLoss: 0.68, ValAccuracy: 0.6, Seconds: 3.5}}
	test := &Metrics{N: 400, Accuracy: 0.61, Loss: 0.66, Confusion: [2][2]int{{120, 80}, {76, 124}}}
	eng.add(VariantInfo{Name: "base", Kind: "trained", Preset: "classroom", Params: 170000, NonZero: 170000, FileBytes: 700000,
		Metrics: test, History: hist}, bytes.Repeat([]byte("base"), 50)) // a trained model reports no storage

	eng.add(VariantInfo{Name: "base-int8", Kind: "int8", Preset: "classroom", Params: 170000, NonZero: 169000, FileBytes: 180000,
		Metrics: &Metrics{N: 400, Accuracy: 0.6}, Storage: "int8", Runtime: "int8"}, bytes.Repeat([]byte("int8"), 20))
	c.Env.Lock()
	c.DataStep.Limit = 2000
	c.Env.UnlockOnly()
	if err := c.DataStep.load(protocol.LoadDataRequest{URL: "api/data", Name: "server dataset", Limit: 2000}, nil); err != nil {
		t.Fatal(err)
	}
	c.Env.Lock()
	c.S.Epochs, c.S.Step, c.S.Variants = 1, "try", []string{"base", "base-int8"}
	c.CompressStep.CFinal, c.CompressStep.CAlpha = 0.7, 0.9
	c.TryStep.Review = "A tender, funny film; the cast is superb.\nSecond line, \"quoted\"."
	c.Run.History, c.TrainStep.Result = hist, &TrainResult{Variant: "base", History: hist, Test: test, Seconds: 3.5}
	c.Run.batches = NewSeries(batchPoints)
	c.Run.batches.Add(1, 0.7, 0.5)
	c.Run.batches.Add(2, 0.69, 0.55)
	c.CompressStep.CompressLog = []string{"Made base-int8: test accuracy 60.00%"}
	c.CompressStep.GridAlphas, c.CompressStep.GridTs, c.CompressStep.CKeep = "0.5, 0.9", "2", 12
	c.CompressStep.Grid = &DistillGrid{Teacher: "base", Epochs: 1, Alphas: []float64{0.5, 0.9}, Ts: []float64{2},
		Cells: []GridCell{{Alpha: 0.9, T: 2, Accuracy: 0.61, Variant: "base-grid-a0.9-t2"}}}
	c.Env.UnlockOnly()
	c.refreshVariants()
	waitFor(t, c, "the variants", func() bool { return len(c.Variants) == 2 })
	return c, eng
}

func TestSaveThenRestore(t *testing.T) {
	st := newMemStore()
	a, engA := workedLab(t, st)
	if !a.saveOnce() {
		t.Fatal("saver stopped")
	}
	raw, _ := st.Get(keyLab)
	if raw == nil {
		t.Fatal("no lab record written")
	}
	for _, n := range []string{"base", "base-int8"} {
		if got, _ := st.Get(modelPrefix + n); !bytes.Equal(got.([]byte), engA.files[n]) {
			t.Errorf("stored %s: %d bytes, the engine exports %d", n, len(got.([]byte)), len(engA.files[n]))
		}
	}

	// A reload: a new page and an empty engine over the same store.
	engB := newFakeEngine()
	b := startPage(t, engB, st, "?"+a.S.Query())
	waitFor(t, b, "the restored variants", func() bool { return len(b.Variants) == 2 })
	for _, n := range []string{"base", "base-int8"} {
		if !bytes.Equal(engB.files[n], engA.files[n]) {
			t.Errorf("%s re-imported with other bytes", n)
		}
	}
	b.Env.Lock()
	defer b.Env.UnlockOnly()
	for i := range b.Variants {
		b.Variants[i].FileBytes -= 3 // the provenance stamp
	}
	if b.Variants[0].Storage != "f32" {
		t.Errorf("restored base stores %q, want f32 (the file's)", b.Variants[0].Storage)
	}
	b.Variants[0].Storage = "" // as the trained model said
	if !reflect.DeepEqual(b.Variants, a.Variants) {
		t.Errorf("variants after restore:\n got %+v\nwant %+v", b.Variants, a.Variants)
	}
	if !reflect.DeepEqual(b.S, a.S) {
		t.Errorf("settings:\n got %+v\nwant %+v", b.S, a.S)
	}
	if b.TryStep.Review != a.TryStep.Review || b.DataStep.Limit != 2000 || b.CompressStep.CFinal != 0.7 || b.CompressStep.CAlpha != 0.9 || b.CompressStep.CT != 1.5 {
		t.Errorf("review %q, limit %d, compress %g/%g/%g", b.TryStep.Review, b.DataStep.Limit, b.CompressStep.CFinal, b.CompressStep.CAlpha, b.CompressStep.CT)
	}
	if !reflect.DeepEqual(b.Run.History, a.Run.History) || !reflect.DeepEqual(b.TrainStep.Result, a.TrainStep.Result) || !reflect.DeepEqual(b.CompressStep.CompressLog, a.CompressStep.CompressLog) {
		t.Errorf("results: history %+v, result %+v, log %v", b.Run.History, b.TrainStep.Result, b.CompressStep.CompressLog)
	}
	if cb, ca := b.CompressStep, a.CompressStep; !reflect.DeepEqual(cb.Grid, ca.Grid) || cb.GridAlphas != ca.GridAlphas || cb.GridTs != ca.GridTs ||
		cb.CKeep != 12 || b.Charts["grid"] != HeatmapChart(ca.Grid) {
		t.Errorf("grid %+v (%q × %q), keep %d, heatmap %q", cb.Grid, cb.GridAlphas, cb.GridTs, cb.CKeep, b.Charts["grid"])
	}
	if b.Charts["epoch"] == "" || b.Charts["batch"] == "" {
		t.Error("curves not drawn again")
	}
	if len(engB.loads) != 1 || engB.loads[0]["url"] != "api/data" || engB.loads[0]["limit"] != 2000.0 || engB.loadBuf[0] != nil {
		t.Errorf("data re-loaded with %v", engB.loads)
	}
	if b.Data == nil || b.DataStep.EDA == nil || b.Data.Rows != 2000 {
		t.Errorf("data %+v, eda %v", b.Data, b.DataStep.EDA != nil)
	}
	if !strings.HasPrefix(b.Status, "Ready. Restored your lab from ") || !strings.Contains(b.Status, "(2 model(s), 2000 reviews)") {
		t.Errorf("status %q", b.Status)
	}
	if !b.P.HasSaved || strings.Contains(b.P.Note, "Not restored") {
		t.Errorf("has saved %v, note %q", b.P.HasSaved, b.P.Note)
	}
}

func TestRestoredModelsAreNotStoredAgain(t *testing.T) {
	st := newMemStore()
	a, _ := workedLab(t, st)
	a.saveOnce()
	engB := newFakeEngine()
	b := startPage(t, engB, st, "")
	waitFor(t, b, "the restored variants", func() bool { return len(b.Variants) == 2 })
	b.saveOnce()
	if n := engB.count("exportModel"); n != 0 {
		t.Errorf("%d models exported again after a restore, want 0", n)
	}
	// A variant retrained under the same name is stored again.
	b.Env.Lock()
	b.Variants[0].History = append(b.Variants[0].History, Epoch{Epoch: 2})
	b.Env.UnlockOnly()
	b.saveOnce()
	if n := engB.count("exportModel"); n != 1 {
		t.Errorf("%d exports after retraining base, want 1", n)
	}
}

func TestFreshVisitWritesNothingUntilAChange(t *testing.T) {
	st := newMemStore()
	c := startPage(t, newFakeEngine(), st, "")
	c.saveOnce()
	if keys, _ := st.Keys(); len(keys) != 0 {
		t.Fatalf("a fresh visit stored %v", keys)
	}
	for _, step := range []string{"export", "train", "data"} { // looking at the steps is not work
		c.Env.Lock()
		c.S.Step = step
		c.Env.UnlockOnly()
		c.saveOnce()
		if keys, _ := st.Keys(); len(keys) != 0 || c.P.HasSaved {
			t.Fatalf("a fresh visit that went to step %s stored %v (offers Start over: %v)", step, keys, c.P.HasSaved)
		}
	}
	c.Env.Lock()
	c.TryStep.Review = "typed"
	c.Env.UnlockOnly()
	c.saveOnce()
	raw, _ := st.Get(keyLab)
	rec, problems, err := DecodeLab([]byte(raw.(string)))
	if err != nil || len(problems) > 0 || *rec.Review != "typed" || rec.Saved == "" {
		t.Fatalf("record %+v, %v, %v", rec, problems, err)
	}
}

func TestCorruptRecordIsReportedAndIgnored(t *testing.T) {
	for _, tc := range []struct{ record, want string }{
		{`{"version":1,"review":`, "not valid JSON"},
		{`{"review":"x"}`, "no version field"},
		{`{"version":7,"review":"x"}`, "version 7, this page reads version 1"},
	} {
		st := newMemStore()
		st.Put(keyLab, tc.record)
		c := startPage(t, newFakeEngine(), st, "")
		waitFor(t, c, "the note", func() bool { return c.P.Note != "" })
		c.Env.Lock()
		if !strings.Contains(c.P.Note, "Ignored the saved lab") || !strings.Contains(c.P.Note, tc.want) || !c.P.HasSaved {
			t.Errorf("%s: note %q, want %q", tc.record, c.P.Note, tc.want)
		}
		if c.TryStep.Review == "x" || c.Data != nil {
			t.Errorf("%s: state taken from an unreadable record", tc.record)
		}
		c.Env.UnlockOnly()
	}
}

func TestPartialRestore(t *testing.T) {
	st := newMemStore()
	a, _ := workedLab(t, st)
	a.saveOnce()
	// One model file damaged, one entry without its key, bad settings.
	st.Put(modelPrefix+"base-int8", []byte("garbage"))
	raw, _ := st.Get(keyLab)
	var m map[string]any
	if err := json.Unmarshal([]byte(raw.(string)), &m); err != nil {
		t.Fatal(err)
	}
	models := m["models"].([]any)
	models = append(models, map[string]any{"key": "elsewhere", "info": map[string]any{"name": "stray"}})
	m["models"] = models
	m["settings"].(map[string]any)["Epochs"] = -3
	b, _ := json.Marshal(m)
	st.Put(keyLab, string(b))

	engB := newFakeEngine()
	engB.badFile = "garbage"
	c := startPage(t, engB, st, "")
	waitFor(t, c, "the restored variant", func() bool { return len(c.Variants) == 1 })
	c.Env.Lock()
	defer c.Env.UnlockOnly()
	for _, want := range []string{"settings epochs=-3", `models[2] (stray): key "elsewhere"`, "model base-int8: modelfile: not a safetensors file"} {
		if !strings.Contains(c.P.Note, want) {
			t.Errorf("note %q does not say %q", c.P.Note, want)
		}
	}
	if c.Variants[0].Name != "base" || c.S.Epochs != 3 || c.TryStep.Review != a.TryStep.Review || c.Data == nil {
		t.Errorf("the readable parts: variants %v, epochs %d, review %q", c.Variants, c.S.Epochs, c.TryStep.Review)
	}
	c.Env.UnlockOnly()
	// The unreadable file goes at the next save; another tab's stays.
	st.Put(modelPrefix+"other-tab", []byte("theirs"))
	c.saveOnce()
	c.Env.Lock()
	if keys, _ := st.Keys(); strings.Join(keys, " ") != "lab model:base model:other-tab" {
		t.Errorf("stored after the next save: %v", keys)
	}
}

func TestStorageFull(t *testing.T) {
	st := newMemStore()
	c, _ := workedLab(t, st)
	st.failPut = errors.New("QuotaExceededError: the quota has been exceeded")
	c.saveOnce()
	waitFor(t, c, "the note", func() bool { return c.P.Note != "" })
	if !strings.Contains(c.P.Note, "storage for this site is full") || !strings.Contains(c.P.Note, "keeps working") {
		t.Errorf("note %q", c.P.Note)
	}
	if !c.P.warn.Load() {
		t.Error("no warning before leaving with unsaved work")
	}
	// Space again: the next attempt (after retryAfter) saves and says so.
	st.failPut = nil
	c.P.mu.Lock()
	c.P.retryAt = time.Time{}
	c.P.mu.Unlock()
	c.saveOnce()
	waitFor(t, c, "the note", func() bool { return strings.Contains(c.P.Note, "saved in this browser again") })
	if c.P.warn.Load() {
		t.Error("still warning once everything is saved")
	}
}

func TestNothingWrittenWhileAJobRuns(t *testing.T) {
	st := newMemStore()
	c, eng := workedLab(t, st)
	c.saveOnce()
	before, _ := st.Get(keyLab)
	exports := eng.count("exportModel")
	c.Env.Lock()
	c.Busy, c.TryStep.Review = "training base", "typed during training"
	c.Env.UnlockOnly()
	c.saveOnce()
	if now, _ := st.Get(keyLab); now != before || eng.count("exportModel") != exports {
		t.Error("saved while a job ran")
	}
	if !c.P.warn.Load() {
		t.Error("no warning before leaving while a job runs")
	}
	c.Env.Lock()
	c.Busy = ""
	c.Env.UnlockOnly()
	c.saveOnce()
	raw, _ := st.Get(keyLab)
	if rec, _, _ := DecodeLab([]byte(raw.(string))); *rec.Review != "typed during training" || c.P.warn.Load() {
		t.Errorf("after the job: review %q, warn %v", *rec.Review, c.P.warn.Load())
	}
}

func TestRecordSavedWhenAModelDoesNotFit(t *testing.T) {
	st := newMemStore()
	c, _ := workedLab(t, st)
	c.saveOnce()
	st.mu.Lock()
	delete(st.m, modelPrefix+"base")
	st.mu.Unlock()
	c.P.mu.Lock()
	delete(c.P.models, "base") // base changed: its file must be written again
	c.Store = &quotaStore{memStore: st, over: modelPrefix + "base"}
	c.P.mu.Unlock()
	c.Env.Lock()
	c.TryStep.Review = "still saved"
	c.Env.UnlockOnly()
	c.saveOnce()
	raw, _ := st.Get(keyLab)
	rec, _, _ := DecodeLab([]byte(raw.(string)))
	if *rec.Review != "still saved" || len(rec.Models) != 1 || rec.Models[0].Info.Name != "base-int8" {
		t.Errorf("record: review %q, models %v", *rec.Review, rec.Models)
	}
}

// quotaStore refuses one key, as a full IndexedDB refuses a big value.
type quotaStore struct {
	*memStore
	over string
}

func (s *quotaStore) Put(k string, v any) error {
	if k == s.over {
		return errors.New("QuotaExceededError: the quota has been exceeded")
	}
	return s.memStore.Put(k, v)
}

func TestNoStore(t *testing.T) {
	// Outside the browser openStore fails, as IndexedDB may in a private
	// window: the lab says so and runs in memory.
	c := NewRoot(newFakeEngine(), newFakeBrowser(), &lockEnv{})
	c.Init()
	waitFor(t, c, "the note", func() bool { return strings.Contains(c.P.Note, "a reload loses it") })
	c.P.mu.Lock()
	c.P.stopped = true
	c.P.mu.Unlock()
}

func TestDataFileKeptOrNamed(t *testing.T) {
	st := newMemStore()
	c := startPage(t, newFakeEngine(), st, "")
	file := []byte("review,sentiment\ngood,positive\n")
	c.keepFile("mine.csv", file, len(file))
	if err := c.DataStep.load(protocol.LoadDataRequest{Name: "mine.csv"}, file); err != nil {
		t.Fatal(err)
	}
	c.saveOnce()
	raw, _ := st.Get(keyLab)
	rec, _, _ := DecodeLab([]byte(raw.(string)))
	if rec.Data == nil || rec.Data.Name != "mine.csv" || !strings.HasPrefix(rec.Data.FileKey, filePrefix) {
		t.Fatalf("data source %+v", rec.Data)
	}
	if kept, _ := st.Get(rec.Data.FileKey); !bytes.Equal(kept.([]byte), file) {
		t.Fatalf("kept %q", kept)
	}
	engB := newFakeEngine()
	b := startPage(t, engB, st, "")
	if len(engB.loads) != 1 || !bytes.Equal(engB.loadBuf[0].([]byte), file) || engB.loads[0]["name"] != "mine.csv" {
		t.Fatalf("file re-loaded with %v", engB.loads)
	}

	// A file over the cap is only named; a reload asks for it again.
	b.keepFile("huge.csv.gz", nil, maxKeptFile+1)
	b.DataStep.load(protocol.LoadDataRequest{Name: "huge.csv.gz"}, nil)
	b.saveOnce()
	if keys, _ := st.Keys(); strings.Contains(strings.Join(keys, " "), filePrefix) {
		t.Errorf("the replaced file is still stored: %v", keys)
	}
	c2 := startPage(t, newFakeEngine(), st, "")
	c2.Env.Lock()
	defer c2.Env.UnlockOnly()
	if !strings.Contains(c2.P.Note, "huge.csv.gz (100.0 MB) was too big to keep in this browser: choose it again in step 1") {
		t.Errorf("note %q", c2.P.Note)
	}
}

func TestStartOver(t *testing.T) {
	st := newMemStore()
	c, _ := workedLab(t, st)
	c.saveOnce()
	c.StartOver()
	waitFor(t, c, "the store to be cleared", func() bool { keys, _ := st.Keys(); return len(keys) == 0 })
	if c.saveOnce() {
		t.Error("the saver goes on after Start over")
	}
	if keys, _ := st.Keys(); len(keys) != 0 {
		t.Errorf("stored again after Start over: %v", keys)
	}
}

func TestDecodeLabDropsBadParts(t *testing.T) {
	rec := `{"version":1,"limit":-5,"data":{"url":"https://elsewhere.example/data","name":"x"},
		"compress":{"source":"base","initial":0.2,"final":1.5,"epochs":1,"alpha":0.85,"t":1.5},
		"batches":{"Cap":4,"Step":1,"X":[1],"A":[0.5],"B":[]},
		"models":[{"key":"model:a","info":{"name":"a"}},{"key":"model:a","info":{"name":"a"}},{"key":"model:","info":{}}]}`
	r, problems, err := DecodeLab([]byte(rec))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"models[1]: a saved twice", "models[2]: no name", `data: url "https://elsewhere.example/data" is not a path of this server`,
		"limit -5 < 0", "compress: sparsity 0.2 → 1.5 outside [0, 0.99]", "batch curve: 1 points, 1 and 0 values"}
	if !reflect.DeepEqual(problems, want) {
		t.Errorf("problems\n got %q\nwant %q", problems, want)
	}
	if len(r.Models) != 1 || r.Data != nil || r.Compress != nil || r.Limit != 0 || r.Batches != nil {
		t.Errorf("kept %+v", r)
	}
}

// TestVersion1RecordOfTheOldTypesReads: before the page used
// sentilab/protocol's types it wrote empty fields ("preset": "", "metrics":
// null, "val_loss": 0) that the protocol's types omit, and no model config
// in a result. Such a record (LabVersion 1) still reads, every value kept.
func TestVersion1RecordOfTheOldTypesReads(t *testing.T) {
	old := `{"version":1,"saved":"2026-11-29T10:00:00Z","limit":2000,
"settings":{"Step":"train","Preset":"classroom","Epochs":2,"BatchSize":64,"LR":0.001,"Seed":42,"TrainLimit":0,"TestFrac":0.2,
 "ValSplit":0.1,"Vocab":5000,"Embed":32,"Hidden":32,"MaxLen":100,"Masking":true,"Dropout":0.2,"Workers":1,"Variants":null},
"history":[{"epoch":1,"loss":0.6,"accuracy":0.7,"val_loss":0,"val_accuracy":0,"seconds":1.5}],
"result":{"variant":"base","history":null,"test":{"n":400,"loss":0.5,"accuracy":0.75,"confusion":[[150,50],[50,150]],"classes":null,
 "macro_avg":{"precision":0,"recall":0,"f1":0,"support":0},"weighted_avg":{"precision":0,"recall":0,"f1":0,"support":0}},
 "seconds":3.5,"examples_per_sec":1000,"params":170000,"train_rows":1800,"info":null},
"predictions":[{"variant":"base","probability":0.9,"label":"positive","ms":0.2,"words":null}],
"models":[{"key":"model:base","print":"p","info":{"name":"base","kind":"trained","preset":"","config":{"vocab":5000,"embed":32,
 "hidden":32,"max_len":100,"masking":true,"dropout":0.2},"params":170000,"nonzero":170000,"file_bytes":700000,"metrics":null,
 "history":null,"storage":"","sparse":false,"runtime":""}}]}`
	rec, problems, err := DecodeLab([]byte(old))
	if err != nil || len(problems) > 0 {
		t.Fatalf("err %v, problems %v", err, problems)
	}
	if rec.Settings.Epochs != 2 || rec.Limit != 2000 || len(rec.History) != 1 || rec.History[0].Seconds != 1.5 ||
		rec.Result.Test.Confusion[1][1] != 150 || rec.Result.EPS != 1000 || rec.Predictions[0].Probability != 0.9 ||
		len(rec.Models) != 1 || rec.Models[0].Info.Config.MaxLen != 100 || rec.Models[0].Info.FileBytes != 700000 {
		t.Fatalf("record %+v", rec)
	}
}

// A model deleted in Compare, after a confirmation, leaves the engine, the
// page, the link's chosen models and the store: a reload does not bring
// it back, and the other model comes back as it was.
func TestDeletedModelStaysDeleted(t *testing.T) {
	st := newMemStore()
	a, engA := workedLab(t, st)
	a.saveOnce()
	a.Env.Lock()
	a.CompareStep.AskDelete("base-int8")
	q := a.CompareStep.DeleteQuestion()
	a.Env.UnlockOnly()
	if engA.count("deleteVariant") != 0 || !strings.Contains(q, "Delete base-int8?") {
		t.Fatalf("the first click deleted (%d requests) or asked %q", engA.count("deleteVariant"), q)
	}
	a.Env.Lock()
	a.CompareStep.DeleteModels()
	a.Env.UnlockOnly()
	waitFor(t, a, "the deletion", func() bool { return a.Idle() && len(a.Variants) == 1 })
	a.Env.Lock()
	chosen, status := a.S.Variants, a.Status
	a.Env.UnlockOnly()
	if strings.Join(chosen, ",") != "base" || status != "Deleted 1 model(s): base-int8." {
		t.Errorf("chosen %v, status %q", chosen, status)
	}
	a.saveOnce()
	if got, _ := st.Get(modelPrefix + "base-int8"); got != nil {
		t.Error("the deleted model's file is still stored")
	}
	raw, _ := st.Get(keyLab)
	if strings.Contains(raw.(string), `"key":"model:base-int8"`) {
		t.Error("the record still names the deleted model")
	}
	b := startPage(t, newFakeEngine(), st, "")
	waitFor(t, b, "the restored lab", func() bool { return strings.Contains(b.Status, "Restored your lab") })
	b.Env.Lock()
	defer b.Env.UnlockOnly()
	if len(b.Variants) != 1 || b.Variants[0].Name != "base" || strings.Contains(b.P.Note, "Not restored") {
		t.Errorf("after a reload: %d variants, note %q", len(b.Variants), b.P.Note)
	}
}

// Every student of a grid goes with one confirmation.
func TestDeleteGridStudents(t *testing.T) {
	eng := newFakeEngine()
	c := startPage(t, eng, newMemStore(), "")
	for _, n := range []string{"base", "base-grid-a0.5-t1.5", "base-grid-a0.85-t3", "base-grid-a1e-05-t20"} {
		eng.add(VariantInfo{Name: n, Kind: "distill"}, []byte(n))
	}
	c.refreshVariants()
	waitFor(t, c, "the variants", func() bool { return len(c.Variants) == 4 })
	c.Env.Lock()
	students := c.CompareStep.GridStudents()
	c.CompareStep.AskDelete(students...)
	q := c.CompareStep.DeleteQuestion()
	c.CompareStep.DeleteModels()
	c.Env.UnlockOnly()
	if len(students) != 3 || !strings.Contains(q, "these 3 models") {
		t.Fatalf("students %v, question %q", students, q)
	}
	waitFor(t, c, "the deletion", func() bool { return c.Idle() && len(c.Variants) == 1 })
	if n := eng.count("deleteVariant"); n != 3 {
		t.Errorf("%d delete requests, want 3", n)
	}
}
