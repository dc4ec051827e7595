package web

import (
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vugu/vugu"

	"sentilab/protocol"
)

// fakeBrowser records what the page hands the browser.
type fakeBrowser struct {
	query   string
	mu      sync.Mutex
	drawn   map[string]string
	draws   int
	values  map[string]string
	crashes []string
	crashed chan struct{}
}

func newFakeBrowser() *fakeBrowser {
	return &fakeBrowser{drawn: map[string]string{}, values: map[string]string{}, crashed: make(chan struct{}, 8)}
}

func (b *fakeBrowser) withQuery(q string) *fakeBrowser { b.query = q; return b }
func (b *fakeBrowser) Query() string                   { return b.query }
func (b *fakeBrowser) SetQuery(q string)               { b.query = q }
func (b *fakeBrowser) ReadFile(string) (string, any, int, error) {
	return "", nil, 0, errors.New("no file")
}
func (b *fakeBrowser) Download(string, string, any)     {}
func (b *fakeBrowser) Now() float64                     { return 0 }
func (b *fakeBrowser) FetchText(string) (string, error) { return `{"models":[]}`, nil }
func (b *fakeBrowser) DrawChart(id, option string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.drawn[id] = option
	b.draws++
}
func (b *fakeBrowser) SyncValue(id, value string) { b.values[id] = value }
func (b *fakeBrowser) Crash(message string) {
	b.mu.Lock()
	b.crashes = append(b.crashes, message)
	b.mu.Unlock()
	b.crashed <- struct{}{}
}

// panicEngine fails the way a bug would: by panicking.
type panicEngine struct{}

func (panicEngine) Do(typ string, _ any, _ any, _ func(int), _ func(json.RawMessage)) (json.RawMessage, any, error) {
	panic("engine bug in " + typ)
}
func (panicEngine) Cancel(int) { panic("cancel bug") }

func newEnv() vugu.EventEnv { return vugu.NewEventEnvImpl(&sync.RWMutex{}, make(chan bool, 64)) }

func TestHandlerPanicIsShownNotFatal(t *testing.T) {
	br := newFakeBrowser()
	c := NewRoot(panicEngine{}, br, newEnv())
	c.TrainStep.TrainID = 7
	c.TrainStep.CancelTrain() // Cancel panics inside the handler
	if !strings.HasPrefix(c.Err, "Internal error: cancel bug") || len(br.crashes) != 1 {
		t.Fatalf("Err %q, crash reports %d", c.Err, len(br.crashes))
	}
	if !strings.Contains(br.crashes[0], "CancelTrain") {
		t.Fatalf("the crash report has no stack naming the handler: %.300s", br.crashes[0])
	}
}

func TestGoroutinePanicIsShownAndUnlocks(t *testing.T) {
	br := newFakeBrowser()
	env := newEnv()
	c := NewRoot(panicEngine{}, br, env)
	c.Data = &DataInfo{Rows: 10}
	env.Lock() // handlers run under Vugu's lock
	c.CompareStep.Evaluate("base")
	env.UnlockRender()
	select {
	case <-br.crashed:
	case <-time.After(5 * time.Second):
		t.Fatal("a panic on the job's goroutine was not reported")
	}
	env.Lock() // the lock is free again: the page can still change state
	defer env.UnlockOnly()
	if !strings.Contains(c.Err, "engine bug in evaluate") || c.Busy != "" {
		t.Fatalf("Err %q, Busy %q", c.Err, c.Busy)
	}
}

func TestAfterRenderSendsOnlyChangedCharts(t *testing.T) {
	br := newFakeBrowser()
	c := NewRoot(nil, br, nil)
	c.Charts = map[string]string{"a": "{1}", "b": "{2}"}
	c.AfterRender()
	if br.draws != 2 || br.drawn["chart-a"] != "{1}" {
		t.Fatalf("first render: %d draws, %v", br.draws, br.drawn)
	}
	c.AfterRender()
	if br.draws != 2 {
		t.Fatalf("unchanged charts sent again: %d draws", br.draws)
	}
	c.Charts["a"] = "{3}"
	delete(c.Charts, "b")
	c.AfterRender()
	if br.draws != 4 || br.drawn["chart-a"] != "{3}" || br.drawn["chart-b"] != "" {
		t.Fatalf("after a change and a removal: %d draws, %v", br.draws, br.drawn)
	}
	long := strings.Repeat("a wonderful film ", 3200) // 54 KB
	c.S.Step, c.TryStep.Review = "try", long
	c.AfterRender()
	if br.values["review"] != long {
		t.Fatalf("the review was not set through the DOM (%d bytes)", len(br.values["review"]))
	}
}

func TestLogsAreCapped(t *testing.T) {
	var log []string
	for i := 0; i < 1000; i++ {
		log = appendLog(log, I(i))
	}
	if len(log) != logCap || log[0] != I(1000-logCap) || log[logCap-1] != "999" {
		t.Fatalf("%d lines, first %q, last %q", len(log), log[0], log[len(log)-1])
	}
}

func TestFineTuneStepsOfTheClassroomPreset(t *testing.T) {
	s := Settings{BatchSize: 64, TrainLimit: 10000, TestFrac: 0.2, ValSplit: 0.1}
	if n, known := fineTuneSteps(nil, s, 3); known || n != 1000 {
		t.Fatalf("without data: %d (known %v), want 1000, unknown", n, known)
	}
	// 50,000 reviews: 40,000 for training, the first 10,000 used, 9,000
	// after validation: 141 batches of 64, 3 epochs.
	if n, known := fineTuneSteps(&DataInfo{Rows: 50000}, s, 3); !known || n != 423 {
		t.Fatalf("got %d steps, want 423", n)
	}
}

func TestReadouts(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{Latency(0.012), "12 µs"}, {Latency(0), "< 1 µs"}, {Latency(3.25), "3.2 ms"},
		{DistinctText(1000), "≥ 1,000"}, {DistinctText(255), "255"},
		{Thousands(1234567), "1,234,567"}, {Thousands(423), "423"}, {Thousands(-1000), "-1,000"},
		{Clip("ééééé", 3), "éé…"}, {Clip("short", 10), "short"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestScatterSeparatesTheServersModelsFromTheClasss(t *testing.T) {
	pre := []PretrainedModel{{Name: "base", Bytes: 2 << 20, Metrics: map[string]float64{"test_accuracy": 0.88}}}
	m := &Metrics{N: 400, Accuracy: 0.8}
	vs := []VariantInfo{{Name: "base", FileBytes: 2 << 20, Metrics: m}, {Name: "mine", FileBytes: 1 << 20, Metrics: m}}
	scatter := scatterChart(pre, vs)
	var opt struct {
		Series []struct {
			Name        string
			Data        []struct{ Name string }
			LabelLayout struct{ HideOverlap bool } `json:"labelLayout"`
		}
	}
	if err := json.Unmarshal([]byte(scatter), &opt); err != nil {
		t.Fatal(err)
	}
	if len(opt.Series) != 4 || opt.Series[1].Name != "server's pre-trained" || opt.Series[2].Name != "this class" || opt.Series[3].Name != "Pareto front" {
		t.Fatalf("series %+v", opt.Series)
	}
	if len(opt.Series[1].Data) != 1 || len(opt.Series[2].Data) != 1 || opt.Series[2].Data[0].Name != "mine" || !opt.Series[2].LabelLayout.HideOverlap {
		t.Fatalf("the server's base is drawn once, the class's model in its own series, labels hide overlaps: %+v", opt.Series)
	}
}

func TestTrainWithoutMaskingUsesThesisPadding(t *testing.T) {
	eng := &strictEngine{t: t, got: map[string]json.RawMessage{}, done: make(chan string, 4)}
	env := newEnv()
	c := NewRoot(eng, newFakeBrowser(), env)
	c.Data = &DataInfo{Rows: 100}
	c.S = Settings{Preset: "classroom", Epochs: 3, BatchSize: 64, Masking: true}
	env.Lock()
	c.TrainStep.TrainUnmasked()
	env.UnlockRender()
	<-eng.done
	eng.mu.Lock()
	raw := eng.got["train"]
	eng.mu.Unlock()
	var req protocol.TrainRequest
	if err := protocol.Decode("train request", raw, &req); err != nil {
		t.Fatal(err)
	}
	// The classroom preset pads 'pre'; the experiment must read the pads
	// after the review, as the thesis did, or there is no stall to see.
	if req.Masking == nil || *req.Masking || req.Padding != "post" || req.MaxLen != 170 || req.Name != "no-masking" {
		t.Fatalf("request %s", raw)
	}
}
