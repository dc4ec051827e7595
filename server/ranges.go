package main

import (
	"io"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"time"
)

// serveContent is http.ServeContent with one fix to its Range parsing.
// Go (1.26) reads the suffix range "bytes=-0" as a zero-length range at the
// end and answers 206 with "Content-Range: bytes 100000-99999/100000", which
// is not a range; on an empty body any suffix range gets 206 "bytes
// 0--1/0". RFC 9110 §14.1.1 makes a zero suffix-length unsatisfiable, so
// each such range spec (and any suffix range of an empty body, which then
// selects nothing either) is rewritten to "<size>-", which
// ServeContent knows does not overlap: alone it gets a 416 with
// "Content-Range: bytes */<size>", beside a good range it is dropped.
// ServeContent keeps deciding everything else (If-None-Match and If-Range
// before Range; a 200 for any range of an empty body, which the RFC allows).
func serveContent(w http.ResponseWriter, r *http.Request, modtime time.Time, content io.ReadSeeker, size int64) {
	if v := r.Header.Get("Range"); v != "" {
		if fixed, ok := fixZeroRanges(v, size); ok {
			r.Header.Set("Range", fixed)
		}
	}
	http.ServeContent(w, r, "", modtime, content)
}

// fixZeroRanges rewrites the empty suffix ranges of a Range header value
// (see serveContent) and reports whether it changed anything.
func fixZeroRanges(v string, size int64) (string, bool) {
	spec, ok := strings.CutPrefix(v, "bytes=")
	if !ok {
		return v, false
	}
	parts := strings.Split(spec, ",")
	changed := false
	for i, p := range parts {
		suffix, ok := strings.CutPrefix(textproto.TrimString(p), "-")
		if !ok {
			continue
		}
		n, err := strconv.ParseInt(textproto.TrimString(suffix), 10, 64)
		if err != nil || n < 0 {
			continue // malformed: ServeContent refuses it as it is
		}
		if n == 0 || size == 0 {
			parts[i] = strconv.FormatInt(size, 10) + "-"
			changed = true
		}
	}
	return "bytes=" + strings.Join(parts, ","), changed
}
