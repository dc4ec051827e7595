package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"sync"
	"time"
)

// fileKey identifies one version of one file: if the size or modification
// time changes, the cached hash or gzip is stale and a new key is used.
type fileKey struct {
	path    string // root label + relative path, e.g. "assets:ui.wasm"
	size    int64
	modTime time.Time
}

// memo computes a value once per key, even when 64 connections ask for the
// same new file at the same moment, and forgets everything once it holds
// more than limit bytes (a crude bound, but the working set of the lab is a
// dozen files and a restart-free server must not grow without end).
type memo struct {
	mu      sync.Mutex
	entries map[fileKey]*memoEntry
	bytes   int64
	limit   int64
}

type memoEntry struct {
	once sync.Once
	data []byte
	err  error
}

func newMemo(limit int64) *memo {
	return &memo{entries: map[fileKey]*memoEntry{}, limit: limit}
}

func (m *memo) get(k fileKey, compute func() ([]byte, error)) ([]byte, error) {
	m.mu.Lock()
	e, ok := m.entries[k]
	if !ok {
		e = &memoEntry{}
		m.entries[k] = e
	}
	m.mu.Unlock()
	e.once.Do(func() {
		e.data, e.err = compute()
		m.mu.Lock()
		switch {
		case e.err != nil:
			// Those waiting get the error; the next request tries again.
			if m.entries[k] == e {
				delete(m.entries, k)
			}
		case m.bytes+int64(len(e.data)) > m.limit:
			m.entries = map[fileKey]*memoEntry{k: e}
			m.bytes = int64(len(e.data))
		default:
			m.bytes += int64(len(e.data))
		}
		m.mu.Unlock()
	})
	return e.data, e.err
}

// hashETag returns a strong entity tag from the content's SHA-256 (the first
// 128 bits are plenty to tell versions apart).
func hashETag(r io.Reader, suffix string) ([]byte, error) {
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return nil, err
	}
	sum := h.Sum(nil)
	return []byte(`"` + hex.EncodeToString(sum[:16]) + suffix + `"`), nil
}

// gzipBytes compresses r at the default level. The output is deterministic
// for a given Go version, so its ETag (identity hash + "-gz") stays strong.
func gzipBytes(r io.Reader) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := io.Copy(zw, r); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
