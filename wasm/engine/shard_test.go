package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"sentilab/core/data"
	"sentilab/core/kernels"
	"sentilab/core/lab"
	"sentilab/core/modelfile"
	"sentilab/core/nn"
	"sentilab/core/train"
	"sentilab/internal/testenv"
	"sentilab/protocol"
)

// localPeer is a helper engine in the same process (the browser's are Web
// Workers; the messages are the same). Like a worker it handles its
// messages one at a time, in the order they were sent.
type localPeer struct {
	e     *Engine
	queue chan func()
}

func newLocalPeer() localPeer {
	p := localPeer{NewEngine(), make(chan func(), 64)}
	go func() {
		for f := range p.queue {
			f()
		}
	}()
	return p
}

func (p localPeer) Call(_ int, typ string, payload any, buf []byte) <-chan PeerReply {
	ch := make(chan PeerReply, 1)
	// A message is a copy: the caller reuses buf, the helper its reply's.
	b, err := json.Marshal(payload)
	buf = bytes.Clone(buf)
	p.queue <- func() {
		if err != nil {
			ch <- PeerReply{Err: err}
			return
		}
		res, out, err := p.e.Handle(context.Background(), typ, b, buf, func(any) {})
		out = bytes.Clone(out)
		if err != nil {
			ch <- PeerReply{Err: err}
			return
		}
		r, err := json.Marshal(res)
		ch <- PeerReply{Payload: r, Buf: out, Err: err}
	}
	return ch
}

// reusingPeer holds a peer to Peer's contract on reply buffers: "the Buf
// of a reply in a region may be reused by the region's next reply: read
// it before the region's next Call". A browser worker's reply is copied
// into one buffer per region; here the region's last reply is scribbled
// over as soon as the region's next request is sent, the earliest the
// contract allows, so a leader that reads a reply too late reads 0xff.
type reusingPeer struct {
	p    Peer
	mu   sync.Mutex
	last [regions][]byte
}

func (r *reusingPeer) Call(region int, typ string, payload any, buf []byte) <-chan PeerReply {
	if region < 0 {
		return r.p.Call(region, typ, payload, buf)
	}
	r.mu.Lock()
	for i := range r.last[region] {
		r.last[region][i] = 0xff
	}
	r.mu.Unlock()
	in, out := r.p.Call(region, typ, payload, buf), make(chan PeerReply, 1)
	go func() {
		rep := <-in
		r.mu.Lock()
		r.last[region] = rep.Buf
		r.mu.Unlock()
		out <- rep
	}()
	return out
}

func newParallelEngine() *Engine {
	e := NewEngine()
	e.NewPeers = func(n int) ([]Peer, error) {
		var ps []Peer
		for i := 0; i < n; i++ {
			ps = append(ps, &reusingPeer{p: newLocalPeer()})
		}
		return ps, nil
	}
	return e
}

func trainWith(t *testing.T, raw []byte, workers int) *protocol.TrainResult {
	e := newParallelEngine()
	call(t, e, "loadData", map[string]any{"name": "imdb.csv.gz", "limit": 600}, raw)
	res, _ := call(t, e, "train", map[string]any{"preset": "classroom", "epochs": 2, "workers": workers, "dropout": 0}, nil)
	return res.(*protocol.TrainResult)
}

// TestDataParallel: without dropout (whose masks follow the chunks, so the
// workers), the gradient of a batch split over 3 engines is the one
// engine's up to float rounding (only the grouping of the sums differs),
// and the same worker count gives the same bits every time.
func TestDataParallel(t *testing.T) {
	raw, err := os.ReadFile(testenv.DataPath(t))
	if err != nil {
		t.Fatal(err)
	}
	one := trainWith(t, raw, 1)
	three := trainWith(t, raw, 3)
	again := trainWith(t, raw, 3)
	for i := range one.History {
		a, b, c := one.History[i], three.History[i], again.History[i]
		if math.Abs(a.Loss-b.Loss) > 1e-4 || math.Abs(a.ValLoss-b.ValLoss) > 1e-4 {
			t.Errorf("epoch %d: 1 worker loss %v val %v, 3 workers %v %v", i+1, a.Loss, a.ValLoss, b.Loss, b.ValLoss)
		}
		if b.Loss != c.Loss || b.ValLoss != c.ValLoss || b.Accuracy != c.Accuracy {
			t.Errorf("epoch %d: two 3-worker runs differ: %+v vs %+v", i+1, b, c)
		}
	}
	t.Logf("1 worker: %+v\n3 workers: %+v", one.History, three.History)
}

// sameWeights are the weights' hashes of TestSameWeightsAsCLI's run with 1
// and 2 workers. The test runs natively and as wasm (.ci/run does both):
// one constant for both means `lab train --kernels portable` natively and
// the browser engine train the same model. If a deliberate change to the
// numerics moves them, update them from the native run and check the wasm
// run agrees.
var sameWeights = map[int]string{1: "0133e09fe39e4457", 2: "d5a26830f8acaf94"}

// TestSameWeightsAsCLI: the browser's train request and the command
// line's path (lab.Resolve of the flags, lab.NewCorpus, lab.Train: what
// `lab train --kernels portable --workers W` runs; cmd/lab's
// TestTrainIsLabTrain checks the command itself) give the same weights,
// bit for bit, with 1 and 2 workers, and the same in every build. The
// shape makes chunks smaller than a worker's share (ChunkSize 85 of a
// batch of 128), so the chunk rule is exercised; the engine's second
// worker is a helper engine. In wasm the SIMD kernel must give the same
// bits as the portable one.
func TestSameWeightsAsCLI(t *testing.T) {
	raw := testenv.ToyCSV(240, 1)
	req := map[string]any{"preset": "classroom", "kernels": "portable", "epochs": 2, "batch_size": 128, "embed": 128, "hidden": 128,
		"max_len": 60, "vocab": 100, "train_limit": 0, "test_frac": 0.2}
	reviews, err := data.ReadAuto(bytes.NewReader(raw), "toy.csv", data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	corpus := lab.NewCorpus(reviews, nil)
	// The flags `--preset classroom --epochs 2 --batch 128 --embed 128
	// --hidden 128 --maxlen 60 --vocab 100 --train-size 0 --test-frac 0.2`.
	epochs, batch, width, maxLen, vocab, limit, testFrac := 2, 128, 128, 60, 100, 0, 0.2
	plan, err := lab.Resolve("classroom", lab.Overrides{Epochs: &epochs, BatchSize: &batch, Embed: &width, Hidden: &width, MaxLen: &maxLen,
		Vocab: &vocab, TrainLimit: &limit, TestFrac: &testFrac})
	if err != nil {
		t.Fatal(err)
	}
	if c := plan.Model; c.Masking != true || lab.ConfigJSON(c).Dropout != 0.2 {
		t.Fatalf("plan %+v", c)
	}
	engineHash := func(workers int, kernels string) (string, *protocol.TrainResult) {
		e := newParallelEngine()
		call(t, e, "loadData", map[string]any{"name": "toy.csv"}, raw)
		req["workers"], req["kernels"] = workers, kernels
		res, _ := call(t, e, "train", req, nil)
		v, err := e.variant(res.(*protocol.TrainResult).Variant)
		if err != nil {
			t.Fatal(err)
		}
		// The file records the count that, beside the seed, fixes the bits.
		_, file := call(t, e, "exportModel", map[string]any{"variant": v.Name}, nil)
		ld, err := modelfile.Load(bytes.NewReader(file), int64(len(file)))
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("lab train --workers %d", workers); !strings.Contains(ld.Meta.Provenance.Command, want) {
			t.Errorf("provenance %q does not say %q", ld.Meta.Provenance.Command, want)
		}
		// A restored lab imports its files: the count comes back with it.
		res2, _ := call(t, e, "importModel", map[string]any{"name": "again"}, file)
		_, file2 := call(t, e, "exportModel", map[string]any{"variant": res2.(*protocol.VariantInfo).Name}, nil)
		if ld2, err := modelfile.Load(bytes.NewReader(file2), int64(len(file2))); err != nil || ld2.Meta.Provenance.Command != ld.Meta.Provenance.Command {
			t.Errorf("re-exported after an import: provenance %q, want %q (%v)", ld2.Meta.Provenance.Command, ld.Meta.Provenance.Command, err)
		} else if !reflect.DeepEqual(ld2.Meta.Metrics, ld.Meta.Metrics) || !reflect.DeepEqual(ld2.Meta.Extra, ld.Meta.Extra) || len(file2) != len(file) {
			// The page shows the size: a restored lab must show the same.
			t.Errorf("re-exported after an import: %d bytes, metrics %v, extra %v; exported first: %d bytes, %v, %v",
				len(file2), ld2.Meta.Metrics, ld2.Meta.Extra, len(file), ld.Meta.Metrics, ld.Meta.Extra)
		}
		return lab.WeightsHash(v.Model), res.(*protocol.TrainResult)
	}
	for _, workers := range []int{1, 2} {
		got, res := engineHash(workers, "portable")
		cli, err := lab.Train(context.Background(), corpus, plan, lab.RunOptions{Workers: workers, Kernels: kernels.Portable})
		if err != nil {
			t.Fatal(err)
		}
		if want := lab.WeightsHash(cli.Model); got != want {
			t.Errorf("%d workers: the engine's weights hash %s, the command line's %s", workers, got, want)
		}
		if got != sameWeights[workers] {
			t.Errorf("%d workers: weights hash %s, pinned %s", workers, got, sameWeights[workers])
		}
		if cli.TrainN != 192 || res.Config != lab.ConfigJSON(cli.Model.Cfg) || res.Test.Accuracy != cli.Test.Accuracy {
			t.Errorf("%d workers: %d training rows; configs %+v / %+v", workers, cli.TrainN, res.Config, cli.Model.Cfg)
		}
		// The validation rows, shared with the helper (leader.valLogits),
		// give the command line's losses to the bit (early stopping and
		// restore-best read them).
		for i, ep := range cli.Fit.History {
			if got := res.History[i]; got.ValLoss != ep.ValLoss || got.ValAccuracy != ep.ValAccuracy || got.ValLoss == 0 {
				t.Errorf("%d workers, epoch %d: validation loss %v, accuracy %v; the command line's %v, %v",
					workers, i+1, got.ValLoss, got.ValAccuracy, ep.ValLoss, ep.ValAccuracy)
			}
		}
		t.Logf("%d workers: weights %s, test accuracy %.3f", workers, got, cli.Test.Accuracy)
		if k := kernels.Default().Name; k == "simd128" {
			if h, _ := engineHash(workers, ""); h != got {
				t.Errorf("%d workers: the %s kernel gives weights %s, the portable one %s", workers, k, h, got)
			}
		}
	}
	if sameWeights[1] == sameWeights[2] {
		t.Error("1 and 2 workers pinned to the same bits: the sums are grouped by worker")
	}
}

// TestShardStepIsLocalGrad: a helper given the weights (shardInit) and a
// part's rows with the step (shardStep) returns the gradient a local worker
// computes from the whole set, byte for byte, after applying an update as
// the leader's Adam does; it refuses rows out of range, a rows buffer of
// the wrong size and a step before shardInit.
func TestShardStepIsLocalGrad(t *testing.T) {
	cfg := nn.Config{Vocab: 50, Embed: 8, Hidden: 8, MaxLen: 12, Dropout: 0.2, Masking: true, Padding: "post"}
	m := seededModel(t, cfg, 7)
	const N = 40
	set := train.Set{Tokens: make([]int32, N*cfg.MaxLen), Labels: make([]float32, N), N: N}
	for i := range set.Tokens {
		set.Tokens[i] = int32((i*7 + i/13) % cfg.Vocab)
	}
	for i := range set.Labels {
		set.Labels[i] = float32(i % 2)
	}
	rows := []int{3, 17, 5, 38, 21, 0, 9}
	const chunk, seed, scale = 3, 42, float32(1) / 14
	h := NewEngine()
	step := func(p protocol.ShardStepRequest, buf []byte) ([]byte, error) {
		_, out, err := h.shardStep(context.Background(), p, buf)
		return out, err
	}
	if _, err := step(protocol.ShardStepRequest{Rows: rows}, encodeRows(nil, set, rows, cfg.MaxLen)); err == nil || !strings.Contains(err.Error(), "before shardInit") {
		t.Fatalf("a step before shardInit: %v", err)
	}
	if _, err := h.shardInit(protocol.ShardInitRequest{Config: lab.ConfigJSON(cfg), N: N, Chunk: chunk, Seed: seed, LR: 1e-3, Kernels: "portable"}, encodeWeights(m)); err != nil {
		t.Fatal(err)
	}
	// The leader's side: a gradient to apply, then this step's part.
	w, err := train.NewWorker(cfg, kernels.Portable)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.Grad(m, set, train.Part{Rows: []int{1, 2, 4}}, chunk, 0, seed, scale, nil, nil); err != nil {
		t.Fatal(err)
	}
	update := encodeGrads(nil, w.G)
	nn.NewAdam(1e-3).Update(m.Params(), w.G.Params())
	w.G.Reset()
	if _, err := step(protocol.ShardStepRequest{Step: 0, Update: true}, update); err != nil {
		t.Fatal(err)
	}
	part := train.Part{Rows: rows, ChunkBase: 2}
	if _, _, err := w.Grad(m, set, part, chunk, 1, seed, scale, nil, nil); err != nil {
		t.Fatal(err)
	}
	want := encodeGrads(nil, w.G)
	req := protocol.ShardStepRequest{Step: 1, Rows: rows, ChunkBase: 2, Scale: scale, WeightsHash: lab.WeightsHash(m)}
	got, err := step(req, encodeRows(nil, set, rows, cfg.MaxLen))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the helper's gradient (%d bytes) differs from the local worker's (%d bytes)", len(got), len(want))
	}
	for _, c := range []struct {
		req  protocol.ShardStepRequest
		buf  []byte
		want string
	}{
		{protocol.ShardStepRequest{Step: 2, Rows: []int{N}}, encodeRows(nil, set, []int{0}, cfg.MaxLen), "row 40 of 40"},
		{protocol.ShardStepRequest{Step: 2, Rows: rows}, encodeRows(nil, set, rows[1:], cfg.MaxLen), "bytes for 7 rows of 12 tokens"},
		{protocol.ShardStepRequest{Step: 2, Rows: rows[:1]}, append([]byte{1, 2, 3, 4}, encodeRows(nil, set, rows[:1], cfg.MaxLen)...), "a buffer without update"},
	} {
		if _, err := step(c.req, c.buf); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("rows %v, %d bytes: error %v, want %q", c.req.Rows, len(c.buf), err, c.want)
		}
	}
}

// TestShardLogitsIsLocalLogits: a helper scores a leader's share of the
// validation rows in the leader's chunks, to the bit of train.Logits on the
// leader's side with the same chunks; it refuses a buffer of the wrong
// size, chunks that do not sum to the rows, and a request before
// shardInit.
func TestShardLogitsIsLocalLogits(t *testing.T) {
	cfg := nn.Config{Vocab: 50, Embed: 8, Hidden: 8, MaxLen: 12, Masking: true, Padding: "pre"}
	m := seededModel(t, cfg, 5)
	const N = 23
	set := train.Set{Tokens: make([]int32, N*cfg.MaxLen), Labels: make([]float32, N), N: N}
	for i := range set.Tokens {
		if i%cfg.MaxLen >= (i/cfg.MaxLen)%cfg.MaxLen { // rows of different lengths, pre-padded
			set.Tokens[i] = int32((i*11 + 3) % cfg.Vocab)
		}
	}
	rows := make([]int, N)
	for i := range rows {
		rows[i] = i
	}
	buf := encodeRows(nil, set, rows, cfg.MaxLen)
	h := NewEngine()
	req := protocol.ShardLogitsRequest{N: N, Chunks: []int{6, 9, 8}}
	if _, _, err := h.shardLogits(context.Background(), req, buf); err == nil || !strings.Contains(err.Error(), "before shardInit") {
		t.Fatalf("logits before shardInit: %v", err)
	}
	if _, err := h.shardInit(protocol.ShardInitRequest{Config: lab.ConfigJSON(cfg), N: 100, Chunk: 4, Seed: 1, LR: 1e-3, Kernels: "portable"}, encodeWeights(m)); err != nil {
		t.Fatal(err)
	}
	res, out, err := h.shardLogits(context.Background(), req, buf)
	if err != nil {
		t.Fatal(err)
	}
	want, err := train.Logits(context.Background(), m, set, train.EvalOptions{Kernels: kernels.Portable, Chunks: [][2]int{{0, 6}, {6, 15}, {15, 23}}})
	if err != nil {
		t.Fatal(err)
	}
	if res.N != N || !bytes.Equal(out, appendLE(nil, want)) {
		t.Errorf("the helper's %d logits (%d bytes) differ from the leader's", res.N, len(out))
	}
	for _, c := range []struct {
		req  protocol.ShardLogitsRequest
		buf  []byte
		want string
	}{
		{protocol.ShardLogitsRequest{N: N, Chunks: []int{N}}, buf[4:], "bytes for 23 rows"},
		{protocol.ShardLogitsRequest{N: N, Chunks: []int{6, 9}}, buf, "chunks [6 9] for 23 rows"},
		{protocol.ShardLogitsRequest{N: N}, buf, "chunks [] for 23 rows"},
	} {
		if _, _, err := h.shardLogits(context.Background(), c.req, c.buf); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v, %d bytes: error %v, want %q", c.req, len(c.buf), err, c.want)
		}
	}
}

// stuckPeer is a helper that never answers a step with rows.
type stuckPeer struct{ localPeer }

func (p stuckPeer) Call(region int, typ string, payload any, buf []byte) <-chan PeerReply {
	if r, ok := payload.(protocol.ShardStepRequest); ok && len(r.Rows) > 0 {
		return make(chan PeerReply)
	}
	return p.localPeer.Call(region, typ, payload, buf)
}

// TestCancelDoesNotWaitForHelpers: a cancel stops the leader while a helper
// still works on its part (in the browser the leader waited for it: up to a
// chunk, ~120 ms at the thesis shape).
func TestCancelDoesNotWaitForHelpers(t *testing.T) {
	e := NewEngine()
	e.NewPeers = func(n int) ([]Peer, error) { return []Peer{stuckPeer{newLocalPeer()}}, nil }
	call(t, e, "loadData", map[string]any{"name": "toy.csv"}, testenv.ToyCSV(240, 1))
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	_, _, err := e.Handle(ctx, "train", []byte(`{"preset":"classroom","workers":2}`), nil, func(any) {})
	if !errors.Is(err, context.Canceled) || time.Since(start) > 5*time.Second {
		t.Fatalf("canceled train returned %v after %v", err, time.Since(start))
	}
}

// TestAddEncodedGradsIsAdd: adding a helper's encoded gradient in place
// gives g.Add's bits and rows, without a second gradient buffer.
func TestAddEncodedGradsIsAdd(t *testing.T) {
	cfg := nn.Config{Vocab: 50, Embed: 8, Hidden: 8, MaxLen: 12, Dropout: 0.2, Masking: true, Padding: "post"}
	m := seededModel(t, cfg, 3)
	set := train.Set{Tokens: make([]int32, 20*cfg.MaxLen), Labels: make([]float32, 20), N: 20}
	for i := range set.Tokens {
		set.Tokens[i] = int32((i*11 + i/7) % cfg.Vocab)
	}
	grad := func(rows []int) *nn.Grads {
		w, err := train.NewWorker(cfg, kernels.Portable)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := w.Grad(m, set, train.Part{Rows: rows}, 4, 0, 1, 0.1, nil, nil); err != nil {
			t.Fatal(err)
		}
		return w.G
	}
	b := grad([]int{10, 11, 12, 13, 14, 15})
	want := grad([]int{0, 1, 2, 3, 4})
	dec, _ := nn.NewGrads(cfg)
	if err := decodeGrads(dec, encodeGrads(nil, b)); err != nil {
		t.Fatal(err)
	}
	want.Add(dec)
	// Aligned, the values are added in place (AddRowsAt); one byte off,
	// value by value.
	for _, off := range []int{0, 1} {
		a, enc := grad([]int{0, 1, 2, 3, 4}), encodeGrads(nil, b)
		buf := make([]byte, off+len(enc))[off:]
		copy(buf, enc)
		if err := addEncodedGrads(a, make([]bool, cfg.Vocab), buf); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(encodeGrads(nil, a), encodeGrads(nil, want)) {
			t.Errorf("in-place sum (buffer offset %d) differs from Grads.Add", off)
		}
	}
	a := grad([]int{0, 1, 2, 3, 4})
	if err := addEncodedGrads(a, make([]bool, cfg.Vocab), encodeGrads(nil, b)[:100]); err == nil {
		t.Error("a truncated buffer was added")
	}
}

// seededModel is a new model of cfg with nn.Init's weights for seed.
func seededModel(t *testing.T, cfg nn.Config, seed uint64) *nn.Model {
	t.Helper()
	m, err := nn.NewModel(cfg)
	if err != nil {
		t.Fatal(err)
	}
	nn.Init(m, seed)
	return m
}
