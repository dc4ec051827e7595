//go:build js && wasm

package main

import (
	"encoding/json"
	"runtime/metrics"
	"syscall/js"
	"testing"
	"time"

	"sentilab/core/kernels"
	"sentilab/core/lab"
	"sentilab/core/nn"
	"sentilab/core/train"
	"sentilab/protocol"
)

// capturePosts stands in for worker.js's goPost until t ends: the
// engine's messages to the page arrive on the channel.
func capturePosts(t *testing.T) <-chan js.Value {
	replies := make(chan js.Value, 4)
	goPost := js.FuncOf(func(_ js.Value, args []js.Value) any { replies <- args[0]; return nil })
	js.Global().Set("goPost", goPost)
	t.Cleanup(func() {
		js.Global().Delete("goPost")
		goPost.Release()
	})
	return replies
}

// TestHelperStepsMakeNoGarbage: a helper engine's training steps, arriving
// as the page's messages do (onMessage; the summed gradient and the rows in
// the leader's shared buffers), leave next to no garbage. The engine runs
// at GOGC 10 (gcPercent): a new slice for each message's 1.8 MB here (1.4 MB
// at the fast preset's shape) set off a collection every ~5 steps in each
// engine, and the other engine waited for it (issue 12).
func TestHelperStepsMakeNoGarbage(t *testing.T) {
	replies := capturePosts(t)

	cfg := nn.Config{Vocab: 20000, Embed: 64, Hidden: 64, MaxLen: 100, Dropout: 0.2, Padding: "post"}
	m := seededModel(t, cfg, 3)
	const N, rowsPerStep, chunk, seed = 256, 16, 8, 42
	set := train.Set{Tokens: make([]int32, N*cfg.MaxLen), Labels: make([]float32, N), N: N}
	for i := range set.Tokens {
		set.Tokens[i] = int32(1 + (i*7919)%(cfg.Vocab-1))
	}
	for i := range set.Labels {
		set.Labels[i] = float32(i % 2)
	}
	// The leader's summed gradient of one batch: the update every step applies.
	w, err := train.NewWorker(cfg, kernels.Default())
	if err != nil {
		t.Fatal(err)
	}
	batch := make([]int, 64)
	for i := range batch {
		batch[i] = i
	}
	if _, _, err := w.Grad(m, set, train.Part{Rows: batch}, chunk, 0, seed, 1e-3, nil, nil); err != nil {
		t.Fatal(err)
	}
	update := encodeGrads(nil, w.G)

	e := NewEngine()
	next := 0
	// send posts a request as a leader's workerPeer does and waits for the reply.
	send := func(typ string, payload any, region int, buf []byte, sab js.Value) js.Value {
		t.Helper()
		next++
		b, _ := json.Marshal(payload)
		msg := js.Global().Get("Object").New()
		msg.Set("id", next)
		msg.Set("type", typ)
		msg.Set("payload", jsJSON.Call("parse", string(b)))
		if region == NoRegion {
			u8 := jsU8.New(len(buf))
			js.CopyBytesToJS(u8, buf)
			msg.Set("buffer", u8.Get("buffer"))
		} else {
			js.CopyBytesToJS(jsU8.New(sab, 0, len(buf)), buf)
			msg.Set("region", region)
			msg.Set("shared", sab) // as the first message of a region brings them
			msg.Set("replyTo", sab)
			msg.Set("sharedLen", len(buf))
		}
		onMessage(e, msg)
		select {
		case r := <-replies:
			if got := r.Get("type").String(); got != protocol.ReplyResult {
				t.Fatalf("%s: %s %s", typ, got, jsJSON.Call("stringify", r.Get("payload")).String())
			}
			return r
		case <-time.After(time.Minute):
			t.Fatalf("%s: no reply", typ)
		}
		return js.Null()
	}
	send(protocol.TypeShardInit, protocol.ShardInitRequest{Config: lab.ConfigJSON(cfg), N: N, Chunk: chunk, Seed: seed, LR: 1e-3}, NoRegion, encodeWeights(m), js.Null())
	sabs := [regions]js.Value{}
	for k := range sabs {
		sabs[k] = js.Global().Get("SharedArrayBuffer").New(2 << 20)
	}
	var rows []byte
	step := func(s int) {
		send(protocol.TypeShardStep, protocol.ShardStepRequest{Step: s, Update: true}, RegionUpdate, update, sabs[RegionUpdate])
		req := protocol.ShardStepRequest{Step: s, Scale: 1e-3, ChunkBase: 0}
		for i := range rowsPerStep {
			req.Rows = append(req.Rows, (s*rowsPerStep+i)%N)
		}
		rows = encodeRows(rows[:0], set, req.Rows, cfg.MaxLen)
		send(protocol.TypeShardStep, req, RegionRows, rows, sabs[RegionRows])
	}
	for s := range 3 { // the workspaces grow to their size
		step(s)
	}
	const steps = 10
	perStep := allocated(func() {
		for s := 3; s < 3+steps; s++ {
			step(s)
		}
	}) / steps
	t.Logf("%d bytes allocated a step (the update is %d bytes, a step's rows %d)", perStep, len(update), len(rows))
	if perStep > uint64(len(update))/8 {
		t.Errorf("a helper's step allocated %d bytes (the update it received is %d)", perStep, len(update))
	}
}

// TestLeaderRepliesMakeNoGarbage: the leader's side of the same exchange,
// a helper's gradient arriving in its region's shared reply buffer, is
// read into a buffer reused from reply to reply.
func TestLeaderRepliesMakeNoGarbage(t *testing.T) {
	const n = 1 << 20
	p := &workerPeer{pending: map[int]pendingCall{}}
	p.back[RegionRows] = js.Global().Get("SharedArrayBuffer").New(n)
	reply := func(id int) PeerReply {
		ch := make(chan PeerReply, 1)
		p.pending[id] = pendingCall{ch: ch, region: RegionRows}
		data := js.Global().Get("Object").New()
		data.Set("id", id)
		data.Set("type", protocol.ReplyResult)
		data.Set("payload", js.Global().Get("Object").New())
		data.Set("sharedLen", n)
		ev := js.Global().Get("Object").New()
		ev.Set("data", data)
		p.onMessage(js.Null(), []js.Value{ev})
		return <-ch
	}
	reply(0)
	const replies = 10
	perReply := allocated(func() {
		for id := 1; id <= replies; id++ {
			if r := reply(id); r.Err != nil || len(r.Buf) != n {
				t.Fatalf("reply %d: %v, %d bytes", id, r.Err, len(r.Buf))
			}
		}
	}) / replies
	t.Logf("%d bytes allocated a reply of %d bytes", perReply, n)
	if perReply > n/8 {
		t.Errorf("a reply of %d bytes allocated %d", n, perReply)
	}
}

// allocated is how many bytes of Go heap f allocates.
func allocated(f func()) uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	before := s[0].Value.Uint64()
	f()
	metrics.Read(s)
	return s[0].Value.Uint64() - before
}
