package class

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// hub wakes the live views of a class when it changes: each class has a
// channel that is closed (waking every waiter) and replaced on a change,
// and a generation that counts the changes.
type hub struct {
	mu    sync.Mutex
	chans map[int64]chan struct{}
	gens  map[int64]uint64
}

func newHub() *hub { return &hub{chans: map[int64]chan struct{}{}, gens: map[int64]uint64{}} }

// wait returns the channel the next change closes and the generation now.
func (h *hub) wait(classID int64) (<-chan struct{}, uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	ch, ok := h.chans[classID]
	if !ok {
		ch = make(chan struct{})
		h.chans[classID] = ch
	}
	return ch, h.gens[classID]
}

func (h *hub) changed(classID int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.gens[classID]++
	if ch, ok := h.chans[classID]; ok {
		close(ch)
		delete(h.chans, classID)
	}
}

// snapshot is a class's status as JSON, shared by all its live views: 300
// open streams cost one status query per change, not 300.
type snapshot struct {
	gen  uint64
	at   time.Time
	data []byte
}

// snapshotTTL bounds how stale a shared status may get without a change
// (leases running out change it with no write).
const snapshotTTL = time.Second

func (h *Handler) statusJSON(ctx context.Context, code string, classID int64, gen uint64) ([]byte, error) {
	h.snapMu.Lock()
	defer h.snapMu.Unlock()
	now := h.now()
	if s, ok := h.snaps[classID]; ok && s.gen == gen && now.Sub(s.at) < snapshotTTL {
		return s.data, nil
	}
	cur, err := h.st.classByCode(ctx, code)
	if err != nil {
		return nil, err
	}
	st, err := h.st.status(ctx, cur, now.UnixMilli())
	if err != nil {
		return nil, err
	}
	data, err := json.Marshal(st)
	if err != nil {
		return nil, err
	}
	h.snaps[classID] = snapshot{gen: gen, at: now, data: data}
	return data, nil
}

// minGap coalesces changes: a busy class sends at most a few statuses a
// second, however many results arrive.
const minGap = 250 * time.Millisecond

// events streams the class's status as Server-Sent Events: one "status"
// event at once and after each change, a comment line every Heartbeat so
// proxies and the browser see the connection alive, and an end after
// StreamLimit (EventSource reconnects by itself).
//
// The server's own timeouts are for ordinary answers: its write timeout
// would cut the stream after minutes (events_test.go fails without the
// deadlines below). So the stream moves its connection's deadlines itself:
// a write deadline a little past each write, which still drops a client
// that stops reading, and no read deadline (the client sends nothing more;
// the test passes without this one on Go 1.26, it is kept as a guard).
func (h *Handler) events(w http.ResponseWriter, r *http.Request) {
	c, ok := h.lookup(w, r)
	if !ok {
		return
	}
	if h.cfg.Stateless {
		h.eventsOnce(w, r, c)
		return
	}
	rc := http.NewResponseController(w)
	if err := rc.SetReadDeadline(time.Time{}); err != nil {
		h.internal(w, "events: read deadline", err)
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "text/event-stream")
	hdr.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	ctx := r.Context()
	end := time.NewTimer(h.cfg.StreamLimit)
	defer end.Stop()
	beat := time.NewTicker(h.cfg.Heartbeat)
	defer beat.Stop()
	send := func(chunk string) bool {
		if rc.SetWriteDeadline(time.Now().Add(h.writeSlack)) != nil {
			return false
		}
		if _, err := fmt.Fprint(w, chunk); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	for {
		changed, gen := h.hub.wait(c.id) // before reading, so no change is missed
		data, err := h.statusJSON(ctx, c.code, c.id, gen)
		if err != nil {
			return
		}
		if !send("event: status\ndata: " + string(data) + "\n\n") {
			return
		}
	wait:
		for {
			select {
			case <-ctx.Done():
				return
			case <-end.C:
				send("event: end\ndata: {}\n\n")
				return
			case <-h.closing:
				send("event: end\ndata: {}\n\n")
				return
			case <-beat.C:
				if !send(": heartbeat\n\n") {
					return
				}
			case <-changed:
				break wait
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(minGap):
		}
	}
}
