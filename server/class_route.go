package main

import (
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// withClass sends /api/class and below to class mode's handler
// (server/class), which takes JSON bodies and POST, and everything else to
// site, the read-only lab. Class answers carry the same security headers
// and log lines. They are not paced (pace.go): they are small JSON, and the
// live view's Server-Sent Events stream sets its own write deadlines.
func (s *server) withClass(site, class http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isClassPath(r.URL.Path) {
			site.ServeHTTP(w, r)
			return
		}
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			s.reqLog.logf(slog.LevelInfo, sw.status(), "request", "method", r.Method, "path", truncate(r.URL.EscapedPath(), 200),
				"status", sw.status(), "bytes", sw.n, "dur", time.Since(start))
		}()
		for k, v := range securityHeaders {
			sw.Header().Set(k, v)
		}
		class.ServeHTTP(sw, r)
	})
}

// isClassPath reports whether path is class mode's: /api/class and below.
func isClassPath(path string) bool {
	return path == "/api/class" || strings.HasPrefix(path, "/api/class/")
}
