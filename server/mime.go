package main

import (
	"path"
	"regexp"
	"strings"
)

// contentTypes is our own table, not mime.TypeByExtension: that one reads
// /etc/mime.types, which differs between machines (and is absent in Workers),
// and a wrong type for .wasm breaks WebAssembly.instantiateStreaming.
var contentTypes = map[string]string{
	".html":        "text/html; charset=utf-8",
	".js":          "text/javascript; charset=utf-8",
	".mjs":         "text/javascript; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".json":        "application/json",
	".map":         "application/json",
	".wasm":        "application/wasm",
	".safetensors": "application/octet-stream",
	".svg":         "image/svg+xml",
	".png":         "image/png",
	".jpg":         "image/jpeg",
	".ico":         "image/x-icon",
	".webp":        "image/webp",
	".woff2":       "font/woff2",
	".woff":        "font/woff",
	".txt":         "text/plain; charset=utf-8",
	".md":          "text/markdown; charset=utf-8",
	".csv":         "text/csv; charset=utf-8",
	".gz":          "application/gzip",
	".tgz":         "application/gzip",
	".tar":         "application/x-tar",
}

// contentType names the media type of a file by its extension; unknown
// extensions are opaque bytes (and nosniff keeps browsers from guessing).
func contentType(name string) string {
	if ct, ok := contentTypes[strings.ToLower(path.Ext(name))]; ok {
		return ct
	}
	return "application/octet-stream"
}

// compressible reports whether gzip is worth doing on the fly for a type.
// WebAssembly is included: Go wasm shrinks about 3.6x (ui.wasm: 6.3 MB to
// 1.6 MB, BENCHMARKS.md). Model weights are not: float32 weights barely compress, and a
// model is better shipped precompressed if at all.
func compressible(ct string) bool {
	switch {
	case strings.HasPrefix(ct, "text/"),
		strings.HasPrefix(ct, "application/json"),
		ct == "application/wasm",
		ct == "image/svg+xml":
		return true
	}
	return false
}

// hashedName matches file names that carry their content hash, such as
// ui.3f9a1c2b.wasm or engine-3f9a1c2b0d.wasm: at least 8 hex digits between
// separators just before the extension. Such a file never changes under its
// name, so it may be cached for a year without revalidation.
var hashedName = regexp.MustCompile(`[.-][0-9a-f]{8,64}\.[A-Za-z0-9]+$`)

// cacheControl says how long a browser may keep a file without asking again.
func cacheControl(name string) string {
	if hashedName.MatchString(path.Base(name)) {
		return "public, max-age=31536000, immutable"
	}
	// Revalidate every time; the ETag makes that a cheap 304.
	return "no-cache"
}
