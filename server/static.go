package main

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// maxOnTheFlyGzip is the largest file we compress per request (once, then
// cached). Bigger files should ship a precompressed .gz/.br sibling; the
// biggest compressible file of the lab is a wasm of about 6 MB.
const maxOnTheFlyGzip = 16 << 20

// minGzip is the smallest file worth compressing: below it the gzip header
// and trailer (18 bytes) and the extra round of work buy nothing.
const minGzip = 256

var errNotFile = errors.New("not a regular file")

// fileRoot is one directory we serve from. It goes through os.Root, so a
// name is resolved by the kernel relative to an open directory and every
// symlink is followed only while it stays inside: a link to /etc/passwd, or
// to ../secret, fails at open time with no window between check and use (a
// filepath.EvalSymlinks-then-prefix check would leave one).
type fileRoot struct {
	label string // for cache keys and logs: "assets", "models", "data"
	dir   string
	root  *os.Root
	// noSiblings turns precompressed .br/.gz siblings off: the model folder
	// serves exactly the files its manifest lists and checked, nothing else.
	noSiblings bool
}

func openFileRoot(label, dir string) (*fileRoot, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("%s directory %q: %w", label, dir, err)
	}
	r, err := os.OpenRoot(abs)
	if err != nil {
		return nil, fmt.Errorf("%s directory %q: %w", label, dir, err)
	}
	return &fileRoot{label: label, dir: abs, root: r}, nil
}

// open returns a regular file below the root and its FileInfo. Directories
// are refused: we never list them.
func (fr *fileRoot) open(rel string) (*os.File, fs.FileInfo, error) {
	if !isLocalRel(rel) || rel == "" {
		return nil, nil, errNotFile
	}
	f, err := fr.root.Open(filepath.FromSlash(rel))
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return nil, nil, errNotFile
	}
	return f, fi, nil
}

func (fr *fileRoot) key(rel string, fi fs.FileInfo) fileKey {
	return fileKey{path: fr.label + ":" + rel, size: fi.Size(), modTime: fi.ModTime()}
}

// serveFile answers GET/HEAD for rel below fr with negotiated compression,
// a strong ETag, conditional requests and ranges (the last two from
// http.ServeContent, which sees the ETag we set).
//
// Choice of representation, best first: a precompressed .br sibling if the
// client takes br, a .gz sibling if it takes gzip, gzip made here (once,
// cached) for compressible types, else the file as is. Each representation
// has its own ETag, so a cache never mixes them up.
func (s *server) serveFile(w http.ResponseWriter, r *http.Request, fr *fileRoot, rel string) {
	f, fi, err := fr.open(rel)
	if err != nil {
		s.notFound(w)
		return
	}
	defer f.Close()
	if !fr.noSiblings && s.staleSibling(fr, rel, f, fi) {
		s.reqLog.logf(slog.LevelWarn, 0, "stale precompressed file refused", "file", fr.label+":"+rel)
		s.notFound(w)
		return
	}

	ct := contentType(rel)
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("Cache-Control", cacheControl(rel))
	h.Add("Vary", "Accept-Encoding")

	br, gz := accepted(r.Header.Get("Accept-Encoding"))
	if br && !fr.noSiblings && s.serveSibling(w, r, fr, rel, fi, ".br", "br") {
		return
	}
	if gz && !fr.noSiblings && s.serveSibling(w, r, fr, rel, fi, ".gz", "gzip") {
		return
	}
	key := fr.key(rel, fi)
	if gz && compressible(ct) && fi.Size() >= minGzip && fi.Size() <= maxOnTheFlyGzip {
		etag, err1 := s.etags.get(key, func() ([]byte, error) { return hashETag(whole(f, fi), "") })
		zipped, err2 := s.gzips.get(key, func() ([]byte, error) { return gzipBytes(whole(f, fi)) })
		if err1 == nil && err2 == nil {
			h.Set("Content-Encoding", "gzip")
			h.Set("ETag", string(bytes.TrimSuffix(etag, []byte(`"`)))+`-gz"`)
			setEncodedLength(h, int64(len(zipped)))
			serveContent(w, r, fi.ModTime(), bytes.NewReader(zipped), int64(len(zipped)))
			return
		}
		s.reqLog.logf(slog.LevelError, 0, "compress", "file", fr.label+":"+rel, "err", errors.Join(err1, err2))
		// Fall through to the identity representation.
	}
	etag, err := s.etags.get(key, func() ([]byte, error) { return hashETag(whole(f, fi), "") })
	if err != nil {
		s.serverError(w, fr.label+":"+rel, err)
		return
	}
	h.Set("ETag", string(etag))
	serveContent(w, r, fi.ModTime(), f, fi.Size())
}

// serveSibling serves rel+ext (e.g. ui.wasm.br) as the encoded form of rel,
// if it exists and is not older than rel (a sibling left over from the
// previous build would otherwise hand out the old program). It reports
// whether it answered.
func (s *server) serveSibling(w http.ResponseWriter, r *http.Request, fr *fileRoot, rel string, orig fs.FileInfo, ext, coding string) bool {
	f, fi, err := fr.open(rel + ext)
	if err != nil {
		return false
	}
	defer f.Close()
	if fi.ModTime().Before(orig.ModTime()) {
		s.reqLog.logf(slog.LevelWarn, 0, "stale precompressed file ignored", "file", fr.label+":"+rel+ext)
		return false
	}
	etag, err := s.etags.get(fr.key(rel+ext, fi), func() ([]byte, error) { return hashETag(whole(f, fi), "-"+coding) })
	if err != nil {
		return false
	}
	w.Header().Set("Content-Encoding", coding)
	w.Header().Set("ETag", string(etag))
	setEncodedLength(w.Header(), fi.Size())
	serveContent(w, r, fi.ModTime(), f, fi.Size())
	return true
}

// staleSibling reports whether rel is a precompressed copy (ui.wasm.gz)
// that is not its file's: asked for by name, as load_wasm.js does, it would
// hand out the previous build as surely as through Accept-Encoding. A 404
// makes the page load the .wasm itself. A .gz is compared by content (its
// inflated bytes' hash against the file's, each computed once per version):
// a copy of the folder that did not keep modification times (cp -r) must
// not make a good copy look old. A .br (Go has no brotli decoder) by time.
func (s *server) staleSibling(fr *fileRoot, rel string, f *os.File, fi fs.FileInfo) bool {
	base, ok := strings.CutSuffix(rel, ".gz")
	if !ok {
		if base, ok = strings.CutSuffix(rel, ".br"); !ok {
			return false
		}
		orig, err := fr.root.Stat(filepath.FromSlash(base))
		return err == nil && orig.Mode().IsRegular() && fi.ModTime().Before(orig.ModTime())
	}
	of, ofi, err := fr.open(base)
	if err != nil {
		return false // a .gz of its own (no such file beside it), served as it is
	}
	defer of.Close()
	want, err1 := s.etags.get(fr.key(base, ofi), func() ([]byte, error) { return hashETag(whole(of, ofi), "") })
	inflated := fr.key(rel, fi)
	inflated.path += "|inflated"
	got, err2 := s.etags.get(inflated, func() ([]byte, error) {
		zr, err := gzip.NewReader(whole(f, fi))
		if err != nil {
			return nil, err
		}
		return hashETag(zr, "") // its CRC is checked at the end
	})
	return err1 != nil || err2 != nil || !bytes.Equal(want, got)
}

// whole reads all of f without moving its offset, which http.ServeContent
// then owns (it seeks to the end for the size and back for the body).
func whole(f *os.File, fi fs.FileInfo) io.Reader { return io.NewSectionReader(f, 0, fi.Size()) }

// setEncodedLength sets Content-Length for an encoded body, which
// http.ServeContent leaves out when Content-Encoding is set (then a 6 MB
// wasm would go chunked and the page could not show download progress).
// It is safe to preset: ServeContent overwrites it for a range, deletes it
// for a 304, and http.Error deletes it for an error.
func setEncodedLength(h http.Header, n int64) {
	h.Set("Content-Length", strconv.FormatInt(n, 10))
}
