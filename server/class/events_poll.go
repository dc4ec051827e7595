package class

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// The live view of a stateless handler (Config.Stateless: Cloudflare
// Workers). A Worker's Go instance lives for one request and shares no
// memory with the others, so nothing could wake a held stream when a
// student posts: it would have to poll D1 itself, and each held stream
// would keep a whole Go instance (its wasm memory) alive in the isolate.
// So /events answers at once, in the same text/event-stream format the
// browser's EventSource reads: "retry: N", the status with its tag as the
// event id when it differs from the Last-Event-ID the browser sends back,
// an "end" event, and the answer ends. EventSource reconnects after N ms
// by itself and sends the last id again, so the page is the same on both
// servers and an unchanged class costs a few bytes a poll. /status
// carries the same tag as an ETag for a plain fetch (If-None-Match → 304).

// statusTag is the ETag of a status JSON: its SHA-256, shortened.
func statusTag(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:12])
}

// eventsOnce writes one poll of the live view.
func (h *Handler) eventsOnce(w http.ResponseWriter, r *http.Request, c classRow) {
	st, err := h.st.status(r.Context(), c, h.ms())
	if err != nil {
		h.internal(w, "events", err)
		return
	}
	data, err := json.Marshal(st)
	if err != nil {
		h.internal(w, "events", err)
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "retry: %d\n", h.cfg.PollEvery.Milliseconds())
	if tag := statusTag(data); r.Header.Get("Last-Event-ID") != tag {
		fmt.Fprintf(&b, "id: %s\nevent: status\ndata: %s\n", tag, data)
	}
	// "end", as a native stream sends when it ends on purpose: the page
	// can tell this close from a lost server (both fire EventSource's
	// error event before the reconnect).
	b.WriteString("\nevent: end\ndata: {}\n\n")
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	w.Write([]byte(b.String()))
}

// writeStatus answers /status with an ETag, and 304 when the caller has
// that status already.
func writeStatus(w http.ResponseWriter, r *http.Request, data []byte) {
	tag := `"` + statusTag(data) + `"`
	w.Header().Set("ETag", tag)
	if inm := r.Header.Get("If-None-Match"); inm != "" && strings.Contains(inm, tag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(append(data, '\n'))
}
