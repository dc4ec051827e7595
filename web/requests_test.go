package web

import (
	"encoding/json"
	"sync"
	"testing"
	"time"

	"sentilab/protocol"
)

// strictEngine reads each request as wasm/engine does: strictly, into the
// protocol's payload type for its type. Every request fails (canceled), so
// handlers stop after sending it.
type strictEngine struct {
	t    *testing.T
	mu   sync.Mutex
	got  map[string]json.RawMessage
	done chan string
}

func (e *strictEngine) Do(typ string, payload any, _ any, _ func(int), _ func(json.RawMessage)) (json.RawMessage, any, error) {
	b, err := json.Marshal(payload)
	if err != nil {
		e.t.Errorf("%s: payload %T does not marshal: %v", typ, payload, err)
	}
	var v any
	switch typ {
	case protocol.TypeLoadData:
		v = new(protocol.LoadDataRequest)
	case protocol.TypeTrain:
		v = new(protocol.TrainRequest)
	case protocol.TypeCompress:
		v = new(protocol.CompressRequest)
	case protocol.TypeEvaluate:
		v = new(protocol.EvaluateRequest)
	case protocol.TypePredict:
		v = new(protocol.PredictRequest)
	case protocol.TypeInspect, protocol.TypeExportModel, protocol.TypeDelete:
		v = new(protocol.VariantRequest)
	case protocol.TypeImportModel:
		v = new(protocol.ImportRequest)
	case protocol.TypeTrainBaseline:
		v = new(protocol.TrainBaselineRequest)
	case protocol.TypeExplainBaseline:
		v = new(protocol.BaselineExplainRequest)
	case protocol.TypeLoadOOD:
		v = new(protocol.LoadDataRequest)
	case protocol.TypeVariants, protocol.TypePresets, protocol.TypeEDA:
		if string(b) != "null" {
			e.t.Errorf("%s takes no payload, sent %s", typ, b)
		}
	default:
		e.t.Errorf("unknown request type %q", typ)
	}
	if v != nil {
		if err := protocol.Decode(typ+" request", b, v); err != nil {
			e.t.Errorf("the engine would refuse %s: %v", b, err)
		}
	}
	e.mu.Lock()
	e.got[typ] = b
	e.mu.Unlock()
	e.done <- typ
	return nil, nil, &EngineError{Message: protocol.Canceled}
}
func (e *strictEngine) Cancel(int) {}

// TestRequestsDecodeStrictly sends every request the page's buttons send
// and checks that the engine's strict decoding accepts it and reads the
// page's values.
func TestRequestsDecodeStrictly(t *testing.T) {
	eng := &strictEngine{t: t, got: map[string]json.RawMessage{}, done: make(chan string, 64)}
	c := NewRoot(eng, newFakeBrowser(), &lockEnv{})
	c.Data = &DataInfo{Rows: 100}
	c.S = Settings{Preset: "classroom", Epochs: 3, BatchSize: 64, LR: 0.001, ValSplit: 0, TrainLimit: 0, TestFrac: 0.2,
		Vocab: 5000, Embed: 32, Hidden: 32, MaxLen: 100, Masking: true, Dropout: 0, Workers: 1, Seed: 7}
	c.CompressStep.reset()
	c.TryStep.Review = "a fine film"
	c.Variants = []VariantInfo{{Name: "baseline", ModelKind: protocol.ModelKindTFIDF}}
	c.OOD.Offer = &protocol.Dataset{Name: "rt.csv.gz", URL: "api/data-ood", Role: protocol.RoleOOD}
	wait := func(typ string) {
		t.Helper()
		select {
		case got := <-eng.done:
			if got != typ {
				t.Fatalf("sent %s, want %s", got, typ)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no %s request", typ)
		}
		// the job's goroutine ends (Busy cleared) before the next one
		for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(time.Millisecond) {
			c.Env.Lock()
			busy := c.Busy
			c.Env.UnlockOnly()
			if busy == "" {
				return
			}
		}
		t.Fatalf("%s: still busy", typ)
	}
	for _, step := range []struct {
		typ string
		run func()
	}{
		{protocol.TypeLoadData, c.DataStep.LoadServer},
		{protocol.TypeTrain, c.TrainStep.Train},
		{protocol.TypeCompress, func() { c.CompressStep.Compress("prune", false) }},
		{protocol.TypeEvaluate, func() { c.CompareStep.Evaluate("base") }},
		{protocol.TypePredict, c.TryStep.Predict},
		{protocol.TypeExportModel, func() { c.ExportStep.Export("base") }},
		{protocol.TypeTrainBaseline, c.TrainBaseline},
		{protocol.TypeExplainBaseline, func() { c.ExplainBaseline(c.TryStep.Review) }},
		{protocol.TypeLoadOOD, c.LoadOODServer},
		{protocol.TypeTrain, c.TrainStep.TrainOtherSide},
	} {
		c.Env.Lock()
		step.run()
		c.Env.UnlockOnly()
		wait(step.typ)
	}
	var load protocol.LoadDataRequest
	if err := protocol.Decode("loadData", eng.got[protocol.TypeLoadData], &load); err != nil {
		t.Fatal(err)
	}
	// The reader's limits travel, sized to the tab (readerLimits' floor here).
	if load.URL != "api/data" || load.MaxBytes != 512<<20 || load.MaxTextBytes != 128<<20 || load.MaxRows != 524288 || load.MaxReviewBytes != 1<<20 || load.MaxRatio != 100 {
		t.Errorf("loadData request %s", eng.got[protocol.TypeLoadData])
	}
	var train protocol.TrainRequest
	if err := protocol.Decode("train", eng.got[protocol.TypeTrain], &train); err != nil {
		t.Fatal(err)
	}
	// Zeros the preset must not override travel as explicit values.
	if train.ValSplit == nil || *train.ValSplit != 0 || train.TrainLimit == nil || *train.TrainLimit != 0 ||
		train.Dropout == nil || train.Masking == nil || !*train.Masking || train.Seed != 7 {
		t.Errorf("train request %s", eng.got[protocol.TypeTrain])
	}
	// The last train request is the truncation lesson's: the form's
	// settings read from the other end ('pre' is the form's side: the
	// classroom preset is not loaded here).
	if train.Name != "base-post" || train.Padding != "post" || train.MaxLen != 100 {
		t.Errorf("the other side's train request %s", eng.got[protocol.TypeTrain])
	}
	var bl protocol.TrainBaselineRequest
	if err := protocol.Decode("trainBaseline", eng.got[protocol.TypeTrainBaseline], &bl); err != nil {
		t.Fatal(err)
	}
	if bl != (protocol.TrainBaselineRequest{Name: "baseline", Seed: 7, TestFrac: 0.2}) {
		t.Errorf("trainBaseline request %s", eng.got[protocol.TypeTrainBaseline])
	}
	var ex protocol.BaselineExplainRequest
	if err := protocol.Decode("explainBaseline", eng.got[protocol.TypeExplainBaseline], &ex); err != nil || ex.Variant != "baseline" || ex.Text != "a fine film" {
		t.Errorf("explainBaseline request %s (%v)", eng.got[protocol.TypeExplainBaseline], err)
	}
	var ood protocol.LoadDataRequest
	if err := protocol.Decode("loadOOD", eng.got[protocol.TypeLoadOOD], &ood); err != nil || ood.URL != "api/data-ood" || ood.Name != "rt.csv.gz" || ood.MaxBytes != load.MaxBytes {
		t.Errorf("loadOOD request %s (%v)", eng.got[protocol.TypeLoadOOD], err)
	}
	var comp protocol.CompressRequest
	if err := protocol.Decode("compress", eng.got[protocol.TypeCompress], &comp); err != nil {
		t.Fatal(err)
	}
	if comp.Variant != "base" || comp.Method != "prune" || comp.FinalSparsity != 0.8 || comp.Epochs != 3 || comp.Alpha != 0.85 {
		t.Errorf("compress request %s", eng.got[protocol.TypeCompress])
	}
}

// TestRepliesAreDecodedStrictly: a reply with a key the page does not know
// (a renamed field) is an error shown to the user, not a silent zero.
func TestRepliesAreDecodedStrictly(t *testing.T) {
	eng := replyEngine{typ: protocol.TypeEvaluate, reply: `{"n": 10, "accuracy": 0.8, "acuracy": 0.8}`}
	var m Metrics
	_, err := ask(eng, protocol.TypeEvaluate, protocol.EvaluateRequest{Variant: "base"}, nil, &m, nil, nil)
	if err == nil || err.Error() != `evaluate reply: json: unknown field "acuracy"` {
		t.Fatalf("err %v", err)
	}
	eng.reply = `{"n": 10, "accuracy": 0.8}`
	if _, err := ask(eng, protocol.TypeEvaluate, nil, nil, &m, nil, nil); err != nil || m.N != 10 || m.Accuracy != 0.8 {
		t.Fatalf("err %v, metrics %+v", err, m)
	}
}

type replyEngine struct{ typ, reply string }

func (e replyEngine) Do(typ string, _ any, _ any, _ func(int), _ func(json.RawMessage)) (json.RawMessage, any, error) {
	if typ != e.typ {
		return nil, nil, &EngineError{Message: "unexpected " + typ}
	}
	return json.RawMessage(e.reply), nil, nil
}
func (replyEngine) Cancel(int) {}
