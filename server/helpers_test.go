package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// secretMarker is the content of a file just outside the served roots; no
// response may ever contain it.
const secretMarker = "TOPSECRET-7f3a9c"

// fixture is a lab tree in a temp dir:
//
//	root/      index.html, app.js, style.css, data.json, ui.wasm, engine.wasm
//	           (+ .br and .gz siblings), ui.0123abcd.wasm, sub/, .hidden,
//	           escape -> ../outside/secret.txt, dirlink -> ../outside,
//	           inlink -> index.html
//	models/    manifest.json, base.safetensors, escape.safetensors -> ../outside/secret.txt
//	outside/   secret.txt
type fixture struct {
	dir, root, models, outside string
	files                      map[string][]byte // root-relative name -> content
	model                      []byte
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	dir := t.TempDir()
	fx := &fixture{
		dir:     dir,
		root:    filepath.Join(dir, "root"),
		models:  filepath.Join(dir, "models"),
		outside: filepath.Join(dir, "outside"),
		files:   map[string][]byte{},
	}
	for _, d := range []string{fx.root, fx.models, fx.outside, filepath.Join(fx.root, "sub")} {
		mkdir(t, d)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	html := []byte("<!doctype html><title>Sentilab</title>" + strings.Repeat("<p>lesson</p>\n", 100))
	fx.put(t, "index.html", html)
	fx.put(t, "app.js", []byte(strings.Repeat("console.log('x');\n", 50)))
	fx.put(t, "style.css", []byte(strings.Repeat("body{margin:0}\n", 50)))
	fx.put(t, "data.json", []byte(`{"a":[`+strings.Repeat("1,", 300)+`1]}`))
	fx.put(t, "ui.wasm", wasmLike(rng, 64<<10))
	fx.put(t, "engine.wasm", wasmLike(rng, 32<<10))
	fx.put(t, "engine.wasm.br", []byte("BROTLI-SIBLING"))
	fx.put(t, "engine.wasm.gz", gzipped(t, fx.files["engine.wasm"])) // as build.sh makes it: gzip -9, unlike gzip made here
	fx.put(t, "ui.0123abcd.wasm", wasmLike(rng, 1<<10))
	fx.put(t, "sub/file.txt", []byte("in a subfolder"))
	fx.put(t, ".hidden", []byte("dotfile"))
	write(t, filepath.Join(fx.outside, "secret.txt"), []byte(secretMarker))
	symlink(t, "../outside/secret.txt", filepath.Join(fx.root, "escape"))
	symlink(t, "../outside", filepath.Join(fx.root, "dirlink"))
	symlink(t, "index.html", filepath.Join(fx.root, "inlink"))

	fx.model = make([]byte, 100_000)
	for i := range fx.model {
		fx.model[i] = byte(rng.Uint32())
	}
	write(t, filepath.Join(fx.models, "base.safetensors"), fx.model)
	symlink(t, "../outside/secret.txt", filepath.Join(fx.models, "escape.safetensors"))
	write(t, filepath.Join(fx.models, manifestName), manifestFor("base", "base.safetensors", fx.model))
	return fx
}

func (fx *fixture) put(t testing.TB, name string, data []byte) {
	write(t, filepath.Join(fx.root, filepath.FromSlash(name)), data)
	fx.files[name] = data
}

// wasmLike makes bytes that compress about as well as Go wasm does: a
// magic number, then runs of a small alphabet.
func wasmLike(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	copy(b, "\x00asm\x01\x00\x00\x00")
	for i := 8; i < n; i++ {
		b[i] = "abcdefgh\x00\x01"[rng.IntN(10)]
	}
	return b
}

func manifestFor(name, file string, content []byte) []byte {
	sum := sha256.Sum256(content)
	return fmt.Appendf(nil, `{"models":[{"name":%q,"file":%q,"bytes":%d,"sha256":%q,`+
		`"metrics":{"accuracy":0.8643},"provenance":{"seed":1}}]}`,
		name, file, len(content), hex.EncodeToString(sum[:]))
}

func mkdir(t testing.TB, d string) {
	t.Helper()
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
}

func write(t testing.TB, path string, data []byte) {
	t.Helper()
	mkdir(t, filepath.Dir(path))
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func symlink(t testing.TB, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// start serves cfg on a real loopback listener for the test's lifetime.
func start(t testing.TB, cfg Config) *httptest.Server {
	t.Helper()
	h, err := NewHandler(cfg)
	if err != nil {
		t.Fatalf("NewHandler: %v", err)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts
}

func (fx *fixture) config() Config {
	return Config{AssetRoot: fx.root, ModelDir: fx.models}
}

// client never adds or strips Accept-Encoding on its own, so each test says
// exactly what it accepts and sees the raw encoded body.
var client = &http.Client{
	Transport: &http.Transport{DisableCompression: true},
	Timeout:   10 * time.Second,
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

func do(t testing.TB, method, url string, hdr ...string) reply {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{resp.StatusCode, resp.Header, body}
}

// raw sends one request line exactly as written, over a bare TCP connection:
// Go's client would clean "/../" and re-encode the path before sending.
func raw(t testing.TB, addr, requestLine string) reply {
	t.Helper()
	return rawRequest(t, addr, requestLine+"\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
}

// rawRequest sends request bytes as they are and reads the whole answer.
func rawRequest(t testing.TB, addr, request string) reply {
	t.Helper()
	requestLine, _, _ := strings.Cut(request, "\r\n")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(conn, request)
	all, err := io.ReadAll(conn)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(all)), nil)
	if err != nil {
		t.Fatalf("%q: unparseable response %q: %v", requestLine, all, err)
	}
	// body is the whole raw response: a leak could hide in a header too.
	return reply{resp.StatusCode, resp.Header, all}
}

// gzipped compresses b as build.sh's gzip -9 does: at the best level, so
// its bytes differ from the server's own on-the-fly gzip (default level).
func gzipped(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if _, err := zw.Write(b); err != nil || zw.Close() != nil {
		t.Fatal("gzip", err)
	}
	return buf.Bytes()
}
