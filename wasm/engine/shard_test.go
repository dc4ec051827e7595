package main

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"testing"

	"sentilab/internal/testenv"
)

// localPeer is a helper engine in the same process (the browser's are Web
// Workers; the protocol is the same).
type localPeer struct{ e *Engine }

func (p localPeer) Call(typ string, payload any, buf []byte) <-chan PeerReply {
	ch := make(chan PeerReply, 1)
	go func() {
		b, _ := json.Marshal(payload)
		res, out, err := p.e.Handle(context.Background(), typ, b, buf, func(any) {})
		r, _ := json.Marshal(res)
		ch <- PeerReply{Payload: r, Buf: out, Err: err}
	}()
	return ch
}

func newParallelEngine() *Engine {
	e := NewEngine()
	e.NewPeers = func(n int) ([]Peer, error) {
		var ps []Peer
		for i := 0; i < n; i++ {
			ps = append(ps, localPeer{NewEngine()})
		}
		return ps, nil
	}
	return e
}

func trainWith(t *testing.T, raw []byte, workers int) *trainRes {
	e := newParallelEngine()
	call(t, e, "loadData", map[string]any{"name": "imdb.csv.gz", "limit": 600}, raw)
	res, _ := call(t, e, "train", map[string]any{"preset": "classroom", "epochs": 2, "workers": workers, "chunk": 8}, nil)
	return res.(*trainRes)
}

// TestDataParallel: the gradient of a batch split over 3 engines is the one
// engine's up to float rounding (only the grouping of the sums differs), and
// the same worker count gives the same bits every time.
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
