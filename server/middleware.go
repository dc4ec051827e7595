package main

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"time"
)

// securityHeaders go on every answer, errors included.
//
// The CSP allows only our own origin. 'wasm-unsafe-eval' is what
// WebAssembly.instantiateStreaming needs and nothing more (it does not allow
// JavaScript eval). Workers come from /worker.js, so worker-src is 'self'
// without blob:. img-src takes data: and blob: for ECharts' "save as
// image". Framing is same-origin only (frame-src and frame-ancestors
// 'self'), so the lab may show a /report page in an iframe and no other
// site can frame us. COOP + COEP make the page cross-origin isolated
// (SharedArrayBuffer, precise timers), and CORP keeps other sites from
// embedding our files.
//
// Styles: style sheets and <style> elements come from 'self' only (a page
// with an inline <style>, /report, adds its hash: reportCSP). Style
// attributes keep 'unsafe-inline', and only they (style-src-attr), because
// the lab needs them: Vugu v0.4.0 applies a :style binding (the word
// clouds of web/root.vugu) with el.setAttribute("style", ...)
// (domrender/renderer-js-script.js), go-echarts gives each chart container
// of /report a style attribute, and ECharts writes its tooltips as HTML
// with style attributes; Chromium 156 blocks all three under a bare
// style-src 'self' and reports a violation, while it always allows styles
// set through the CSSOM (el.style.x = ..., which is how ECharts sizes its
// canvas). A style attribute cannot run code. A browser without CSP
// level 3 (style-src-attr) falls back to style-src 'self' and shows the
// clouds and tooltips unstyled. server/cspcheck.mjs shows it on the lab.
//
// No 'unsafe-eval', which Vugu v0.4.0 needs once: domrender.New runs its JS
// helper with window.eval (domrender/renderer-js.go:42). The page loads
// that helper as a file (vugu-helper.js, written by web/tools/vuguhelper)
// before ui.wasm and answers exactly that eval call with a no-op
// (assets/main.js).
//
// Permissions-Policy turns off every powerful feature the lab does not use
// (each name is one Chromium 156 recognises: an unknown one would log a
// console warning), and X-Permitted-Cross-Domain-Policies forbids Flash
// and PDF readers to load cross-domain policy files from us.
var securityHeaders = map[string]string{
	"Content-Security-Policy": "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; " +
		"worker-src 'self'; connect-src 'self'; frame-src 'self'; img-src 'self' data: blob:; " +
		"style-src 'self'; style-src-attr 'unsafe-inline'; font-src 'self'; manifest-src 'self'; " +
		"base-uri 'none'; form-action 'none'; frame-ancestors 'self'",
	"Permissions-Policy": "accelerometer=(), autoplay=(), browsing-topics=(), camera=(), display-capture=(), " +
		"encrypted-media=(), fullscreen=(), geolocation=(), gyroscope=(), hid=(), idle-detection=(), " +
		"magnetometer=(), microphone=(), midi=(), payment=(), picture-in-picture=(), " +
		"publickey-credentials-get=(), screen-wake-lock=(), serial=(), usb=(), xr-spatial-tracking=()",
	"X-Permitted-Cross-Domain-Policies": "none",
	"X-Content-Type-Options":            "nosniff",
	"Referrer-Policy":                   "no-referrer",
	"Cross-Origin-Opener-Policy":        "same-origin",
	"Cross-Origin-Embedder-Policy":      "require-corp",
	"Cross-Origin-Resource-Policy":      "same-origin",
	"X-Frame-Options":                   "SAMEORIGIN",
}

// middleware does what every request shares, in this order: the log line,
// the write pace (pace.go), the security headers, the method (GET and HEAD only: nothing here takes
// input), no request body, and the path check. Only a path cleanPath
// accepts reaches dispatch.
func (s *server) middleware(next func(http.ResponseWriter, *http.Request, string, bool)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: newPaceWriter(w, s.chunkTimeout, s.maxWrite)}
		defer func() {
			s.reqLog.logf(slog.LevelInfo, sw.status(), "request", "method", r.Method, "path", truncate(r.URL.EscapedPath(), 200),
				"status", sw.status(), "bytes", sw.n, "dur", time.Since(start))
		}()
		h := sw.Header()
		for k, v := range securityHeaders {
			h.Set(k, v)
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			plainError(sw, http.StatusMethodNotAllowed, "405 method not allowed")
			return
		}
		if hasBody(r) {
			// Close rather than drain a body we will not read.
			h.Set("Connection", "close")
			plainError(sw, http.StatusRequestEntityTooLarge, "413 request bodies are not accepted")
			return
		}
		r.Body = http.MaxBytesReader(sw, r.Body, 0)
		rel, isDir, err := cleanPath(r.URL.EscapedPath())
		if err != nil {
			plainError(sw, http.StatusBadRequest, "400 bad request path")
			return
		}
		next(sw, r, rel, isDir)
	})
}

// hasBody reports whether a request carries a body. An empty
// Transfer-Encoding entry is no body: syumai/workers fills the field with
// strings.Split("", ","), that is [""], for every request.
func hasBody(r *http.Request) bool {
	if r.ContentLength > 0 {
		return true
	}
	for _, te := range r.TransferEncoding {
		if strings.TrimSpace(te) != "" {
			return true
		}
	}
	return false
}

// statusWriter remembers the status and counts the body bytes for the log.
// It passes ReadFrom through so http.ServeContent can still use sendfile for
// model files (the load test shows the difference).
type statusWriter struct {
	http.ResponseWriter
	code int
	n    int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.n += int64(n)
	return n, err
}

func (w *statusWriter) ReadFrom(r io.Reader) (int64, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		n, err := rf.ReadFrom(r)
		w.n += n
		return n, err
	}
	n, err := io.Copy(struct{ io.Writer }{w.ResponseWriter}, r)
	w.n += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) status() int {
	if w.code == 0 {
		return http.StatusOK
	}
	return w.code
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// blob is an in-memory response (the manifest, report pages) with its ETag
// and gzip form made once.
type blob struct {
	data, gz     []byte
	etag, gzETag string
	contentType  string
	cacheControl string
}

func newBlob(data []byte, contentType string) *blob {
	b := &blob{data: data, contentType: contentType, cacheControl: "no-cache"}
	tag, _ := hashETag(bytes.NewReader(data), "")
	b.etag = string(tag)
	if compressible(contentType) && len(data) >= minGzip {
		b.gz, _ = gzipBytes(bytes.NewReader(data))
		b.gzETag = b.etag[:len(b.etag)-1] + `-gz"`
	}
	return b
}

func (s *server) serveBlob(w http.ResponseWriter, r *http.Request, b *blob) {
	h := w.Header()
	h.Set("Content-Type", b.contentType)
	h.Set("Cache-Control", b.cacheControl)
	h.Add("Vary", "Accept-Encoding")
	if _, gz := accepted(r.Header.Get("Accept-Encoding")); gz && b.gz != nil {
		h.Set("Content-Encoding", "gzip")
		h.Set("ETag", b.gzETag)
		setEncodedLength(h, int64(len(b.gz)))
		serveContent(w, r, time.Time{}, bytes.NewReader(b.gz), int64(len(b.gz)))
		return
	}
	h.Set("ETag", b.etag)
	serveContent(w, r, time.Time{}, bytes.NewReader(b.data), int64(len(b.data)))
}

// cloudflareHeaders renders securityHeaders in the format of a Cloudflare
// static-assets _headers file, so files served by the assets binding carry
// the same CSP, COOP/COEP and nosniff as the native server's.
func cloudflareHeaders() string {
	keys := make([]string, 0, len(securityHeaders))
	for k := range securityHeaders {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("# Written by server/workers.sh from server/middleware.go: do not edit.\n/*\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "  %s: %s\n", k, securityHeaders[k])
	}
	// Cloudflare does not know .safetensors and sends no Content-Type.
	fmt.Fprintf(&b, "/models/*.safetensors\n  Content-Type: %s\n", contentType(".safetensors"))
	return b.String()
}
