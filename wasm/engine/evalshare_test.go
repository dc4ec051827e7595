package main

import (
	"encoding/json"
	"os"
	"sync"
	"testing"

	"sentilab/core/nn"
	"sentilab/core/train"
	"sentilab/internal/testenv"
	"sentilab/protocol"
)

// countingPeer is a localPeer that records the scoreRows requests it gets,
// and fails them when fail is set (a helper whose worker died).
type countingPeer struct {
	localPeer
	mu   *sync.Mutex
	reqs *[]protocol.ScoreRowsRequest
	fail bool
}

func (p countingPeer) Call(region int, typ string, payload any, buf []byte) <-chan PeerReply {
	if r, ok := payload.(protocol.ScoreRowsRequest); ok {
		p.mu.Lock()
		*p.reqs = append(*p.reqs, r)
		p.mu.Unlock()
		if p.fail {
			ch := make(chan PeerReply, 1)
			ch <- PeerReply{Err: os.ErrClosed}
			return ch
		}
	}
	return p.localPeer.Call(region, typ, payload, buf)
}

// An evaluation shared with a helper gives exactly the numbers of one
// engine alone, for the float, float16-stored and int8 runtimes, on a test
// split of real reviews large enough to be shared; the helper gets each
// model's file once, and a failed helper's share is scored by the leader.
func TestSharedEvaluateSameAsAlone(t *testing.T) {
	raw, err := os.ReadFile(testenv.DataPath(t))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var reqs []protocol.ScoreRowsRequest
	fail := false
	e := NewEngine()
	e.NewPeers = func(n int) ([]Peer, error) {
		var ps []Peer
		for range n {
			ps = append(ps, countingPeer{newLocalPeer(), &mu, &reqs, fail})
		}
		return ps, nil
	}
	call(t, e, "loadData", map[string]any{"name": "imdb.csv.gz", "limit": 12000}, raw)
	names := []string{"base", "base.f16", "base.int8", "base.prune-distill-int8"}
	for _, name := range names {
		b, err := os.ReadFile("../../assets/models/" + name + ".safetensors")
		if err != nil {
			t.Skip("no shipped model:", err)
		}
		call(t, e, "importModel", map[string]any{"name": name}, b)
	}
	evaluate := func(name string, workers int) string {
		res, _ := call(t, e, protocol.TypeEvaluate, protocol.EvaluateRequest{Variant: name, Workers: workers}, nil)
		ev := res.(*protocol.Evaluation)
		if ev.N < protocol.SharedEvalRows {
			t.Fatalf("%s: %d test reviews, too few to share", name, ev.N)
		}
		b, _ := json.Marshal(ev)
		return string(b)
	}
	// The second round shares again (the helper is sent each file again)
	// and is held to the first round's results alone: an evaluation alone
	// is deterministic, and each costs ~4 s under Node.
	alone := map[string]string{}
	for round := range 2 {
		for _, name := range names {
			if round == 0 {
				alone[name] = evaluate(name, 1)
			}
			if shared := evaluate(name, 2); shared != alone[name] {
				t.Fatalf("%s, round %d: alone %.400s\nshared %.400s", name, round, alone[name], shared)
			}
		}
		if round == 0 {
			t.Logf("%d shared evaluations; %s", len(reqs), alone["base"][:120])
		}
	}
	// The helper keeps the last model it was sent only: with four models
	// in turn, every request carries its model's file.
	if len(reqs) != 2*len(names) {
		t.Fatalf("%d scoreRows requests, want %d", len(reqs), 2*len(names))
	}
	for i, r := range reqs {
		if r.FileBytes == 0 || r.N < protocol.SharedEvalRows/3 || len(r.Chunks) == 0 {
			t.Fatalf("request %d: %+v", i, r)
		}
	}
	// The same model again: no file.
	reqs = nil
	evaluate("base", 2)
	evaluate("base", 2)
	if len(reqs) != 2 || reqs[0].FileBytes == 0 || reqs[1].FileBytes != 0 {
		t.Fatalf("base twice: %+v", reqs)
	}
	// A helper that fails: the leader scores its share.
	e.peers, e.helperModels, fail = nil, nil, true
	reqs = nil
	if alone, shared := evaluate("base.int8", 1), evaluate("base.int8", 2); alone != shared || len(reqs) != 1 {
		t.Fatalf("with a failing helper (%d requests): alone %.200s\nshared %.200s", len(reqs), alone, shared)
	}
}

// shareBounds gives each engine about the same work, not the same number
// of chunks: on reviews sorted longest first (the peer benchmark's order)
// the first share has fewer of them. Every share keeps at least one chunk.
func TestShareBounds(t *testing.T) {
	const T, n = 10, 40
	masked, unmasked := nn.Config{MaxLen: T, Masking: true}, nn.Config{MaxLen: T}
	set := train.Set{N: n, Tokens: make([]int32, n*T)}
	for r := range n { // row r has T − r/4 tokens, then padding
		for j := range T - r/4 {
			set.Tokens[r*T+j] = 5
		}
	}
	var chunks [][2]int
	for lo := 0; lo < n; lo += 4 {
		chunks = append(chunks, [2]int{lo, lo + 4})
	}
	work := func(cs [][2]int, masked bool) (w int) {
		for _, c := range cs {
			for r := c[0]; r < c[1]; r++ {
				w++
				for j := range T {
					if !masked || set.Tokens[r*T+j] != 0 {
						w++
					}
				}
			}
		}
		return w
	}
	b := shareBounds(chunks, set, masked, 2)
	first, second := work(chunks[:b[1]], true), work(chunks[b[1]:], true)
	if b[0] != 0 || b[2] != len(chunks) || b[1] >= len(chunks)/2 || max(first, second)-min(first, second) > work(chunks[:1], true) {
		t.Errorf("masked, sorted longest first: bounds %v, work %d and %d", b, first, second)
	}
	if b := shareBounds(chunks, set, unmasked, 2); b[1] != len(chunks)/2 {
		t.Errorf("unmasked (every review T steps): bounds %v, want the chunks halved", b)
	}
	if b := shareBounds(chunks[:3], set, masked, 3); b[1] != 1 || b[2] != 2 || b[3] != 3 {
		t.Errorf("3 chunks, 3 engines: bounds %v, want one each", b)
	}
}

// A helper keeps one kind of state at a time: a training run's shardInit
// drops the model a shared evaluation left it (and the leader then sends
// the file again), and a model file sent for scoring drops a finished
// run's training state. Both would otherwise sit beside the other in the
// helper's heap, which a wasm memory never gives back (issue 11).
func TestHelperDropsStaleState(t *testing.T) {
	raw, err := os.ReadFile(testenv.DataPath(t))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("../../assets/models/base.int8.safetensors")
	if err != nil {
		t.Skip("no shipped model:", err)
	}
	var mu sync.Mutex
	var reqs []protocol.ScoreRowsRequest
	var helper *Engine
	e := NewEngine()
	e.NewPeers = func(n int) ([]Peer, error) {
		p := newLocalPeer()
		helper = p.e
		return []Peer{countingPeer{p, &mu, &reqs, false}}, nil
	}
	call(t, e, "loadData", map[string]any{"name": "imdb.csv.gz", "limit": 12000}, raw)
	call(t, e, "importModel", map[string]any{"name": "base.int8"}, b)
	evaluate := func() string {
		res, _ := call(t, e, protocol.TypeEvaluate, protocol.EvaluateRequest{Variant: "base.int8", Workers: 2}, nil)
		j, _ := json.Marshal(res.(*protocol.Evaluation).Metrics)
		return string(j)
	}
	first := evaluate()
	if helper.scoring == nil || helper.helper != nil {
		t.Fatalf("after a shared evaluation: helper scoring %v, training state %v", helper.scoring != nil, helper.helper != nil)
	}
	call(t, e, "train", map[string]any{"preset": "classroom", "train_limit": 300, "epochs": 1, "max_len": 40, "workers": 2}, nil)
	if helper.scoring != nil || helper.helper == nil || len(e.helperModels) != 0 {
		t.Fatalf("after training: helper scoring %v, training state %v; leader thinks it has %v", helper.scoring != nil, helper.helper != nil, e.helperModels)
	}
	if again := evaluate(); again != first || len(reqs) != 2 || reqs[1].FileBytes == 0 {
		t.Fatalf("evaluated again: %d requests (%+v), metrics %s, first %s", len(reqs), reqs, again, first)
	}
	if helper.scoring == nil || helper.helper != nil {
		t.Fatalf("after scoring again: helper scoring %v, training state %v", helper.scoring != nil, helper.helper != nil)
	}
}
