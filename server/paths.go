package main

import (
	"errors"
	"path/filepath"
	"strings"
)

// maxPathLen bounds the request path we are willing to look at. Our longest
// real name (a model file) is well under 100 bytes.
const maxPathLen = 1024

var errBadPath = errors.New("bad path")

// cleanPath turns the escaped request path (r.URL.EscapedPath()) into a
// slash-separated path relative to a root, or refuses it.
//
// It is a whitelist, not a cleaner: every file we serve has a plain name
// (index.html, ui.wasm, base.int8.safetensors), so anything else is an attack
// or a mistake and is refused rather than repaired. In particular:
//   - only [A-Za-z0-9._~/-] may appear, so no '%' (no encoded "..", "/", "\"
//     or NUL can survive to a second decoding), no '\', no ':' (drive letters),
//     no NUL or control bytes;
//   - the path starts with '/' and has no empty segment ("//etc/passwd");
//   - no segment starts with '.', which refuses ".", ".." and dotfiles
//     (.git, .env) in one rule.
//
// The empty result "" means the root itself. A trailing slash is kept as
// isDir so that "/models/" resolves to the directory (and then 404s: we never
// list directories).
func cleanPath(escaped string) (rel string, isDir bool, err error) {
	if len(escaped) == 0 || escaped[0] != '/' || len(escaped) > maxPathLen {
		return "", false, errBadPath
	}
	for i := 0; i < len(escaped); i++ {
		if !pathByteOK(escaped[i]) {
			return "", false, errBadPath
		}
	}
	rel = escaped[1:]
	if rel == "" {
		return "", true, nil
	}
	if strings.HasSuffix(rel, "/") {
		rel, isDir = rel[:len(rel)-1], true
	}
	for _, seg := range strings.Split(rel, "/") {
		if seg == "" || seg[0] == '.' {
			return "", false, errBadPath
		}
	}
	return rel, isDir, nil
}

func pathByteOK(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	case c == '.', c == '_', c == '~', c == '-', c == '/':
		return true
	}
	return false
}

// isLocalRel reports whether rel (slash-separated) stays inside its root
// lexically. cleanPath already guarantees it; this is the belt to its braces,
// checked again just before a file is opened.
func isLocalRel(rel string) bool {
	return rel == "" || filepath.IsLocal(filepath.FromSlash(rel))
}
