package main

import (
	"encoding/json"
	"os"
	"sync"
	"testing"

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
	for round := range 2 {
		for _, name := range names {
			alone, shared := evaluate(name, 1), evaluate(name, 2)
			if alone != shared {
				t.Fatalf("%s: alone %.400s\nshared %.400s", name, alone, shared)
			}
		}
		if round == 0 {
			t.Logf("%d shared evaluations; %s", len(reqs), evaluate("base", 1)[:120])
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
