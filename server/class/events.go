package class

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// hub wakes the live views of a class when it changes: each class has a
// channel that is closed (waking every waiter) and replaced on a change.
type hub struct {
	mu    sync.Mutex
	chans map[int64]chan struct{}
}

func newHub() *hub { return &hub{chans: map[int64]chan struct{}{}} }

func (h *hub) wait(classID int64) <-chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	ch, ok := h.chans[classID]
	if !ok {
		ch = make(chan struct{})
		h.chans[classID] = ch
	}
	return ch
}

func (h *hub) changed(classID int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if ch, ok := h.chans[classID]; ok {
		close(ch)
		delete(h.chans, classID)
	}
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
func (h *handler) events(w http.ResponseWriter, r *http.Request) {
	c, ok := h.lookup(w, r)
	if !ok {
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
		changed := h.hub.wait(c.id) // before reading, so no change is missed
		cur, err := h.st.classByCode(ctx, c.code)
		if err != nil {
			return
		}
		st, err := h.st.status(ctx, cur, h.ms())
		if err != nil {
			return
		}
		data, _ := json.Marshal(st)
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
