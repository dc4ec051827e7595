//go:build !js || !wasm

package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// paceFixture is the usual lab plus a model of size bytes listed in the
// manifest, served with the given chunk timeout and total write time.
func paceFixture(t *testing.T, size int, chunk, total time.Duration) (*fixture, []byte, string) {
	t.Helper()
	fx := newFixture(t)
	big := make([]byte, size)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range big {
		big[i] = byte(rng.Uint32())
	}
	write(t, filepath.Join(fx.models, "big.safetensors"), big)
	write(t, filepath.Join(fx.models, manifestName), manifestFor("big", "big.safetensors", big))
	cfg := fx.config()
	cfg.ChunkTimeout, cfg.MaxWrite = chunk, total
	return fx, big, startSmallBuffers(t, cfg)
}

// startSmallBuffers serves cfg on loopback with a 64 KB send buffer per
// connection (Linux doubles it), so that a stalled client blocks the server
// after about 150 KB, not after the megabytes loopback would buffer.
func startSmallBuffers(t *testing.T, cfg Config) string {
	t.Helper()
	h, err := NewHandler(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(h)
	ts.Listener = smallBufListener{ts.Listener}
	ts.Start()
	t.Cleanup(ts.Close)
	return ts.Listener.Addr().String()
}

type smallBufListener struct{ net.Listener }

func (l smallBufListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetWriteBuffer(64 << 10)
	}
	return c, err
}

// dialSmall connects with a 4 KB receive buffer, so the server cannot park
// a whole model in the client's kernel.
func dialSmall(t *testing.T, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		var err error
		c.Control(func(fd uintptr) { err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
		return err
	}}
	conn, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// getModel sends the request and returns the connection's reader.
func getModel(t *testing.T, conn net.Conn) *bufio.Reader {
	t.Helper()
	fmt.Fprintf(conn, "GET /models/big.safetensors HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	return bufio.NewReaderSize(conn, 4096)
}

// readPaced reads every bytes per tick until EOF or an error, and returns
// the bytes read and how long it took.
func readPaced(conn net.Conn, br *bufio.Reader, every int, tick time.Duration) (int, time.Duration, error) {
	t0 := time.Now()
	conn.SetReadDeadline(time.Now().Add(60 * time.Second))
	buf := make([]byte, every)
	n := 0
	for {
		m, err := io.ReadFull(br, buf)
		n += m
		if err != nil {
			return n, time.Since(t0), err
		}
		time.Sleep(tick)
	}
}

// TestStalledReaderDropped: a client that asks for a 4 MB model and reads
// nothing is disconnected about one chunk timeout after the kernel buffers
// fill (before: held for the 10-minute WriteTimeout).
func TestStalledReaderDropped(t *testing.T) {
	_, big, addr := paceFixture(t, 4<<20, 300*time.Millisecond, time.Minute)
	conn := dialSmall(t, addr)
	br := getModel(t, conn)
	time.Sleep(2 * time.Second) // stall: far longer than the 300 ms per chunk
	t0 := time.Now()
	conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	n, _ := io.Copy(io.Discard, br) // drain what the kernels held, then EOF or reset
	if n >= int64(len(big)) {
		t.Fatalf("stalled reader got all %d bytes; want the connection cut", n)
	}
	if d := time.Since(t0); d > 10*time.Second {
		t.Errorf("connection of a stalled reader still open %v after the stall", d)
	}
	t.Logf("stalled reader: connection closed after %d of %d bytes", n, len(big))
}

// TestSteadySlowReaderServed: a reader well above the floor (32 KB per
// 300 ms here) but whose download takes ten times the chunk timeout gets
// every byte.
func TestSteadySlowReaderServed(t *testing.T) {
	_, big, addr := paceFixture(t, 2<<20, 300*time.Millisecond, time.Minute)
	conn := dialSmall(t, addr)
	br := getModel(t, conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	var body bytes.Buffer
	buf := make([]byte, 32<<10)
	for {
		m, err := io.ReadFull(resp.Body, buf)
		body.Write(buf[:m])
		if err != nil {
			break
		}
		time.Sleep(30 * time.Millisecond) // about 1 MB/s, 10x the floor
	}
	if d := time.Since(t0); !bytes.Equal(body.Bytes(), big) || d < time.Second {
		t.Errorf("steady reader: %d of %d bytes in %v; want all, over more than 1 s", body.Len(), len(big), d)
	}
}

// TestMaxWrite: a reader that keeps pace but takes longer than MaxWrite is
// cut at MaxWrite.
func TestMaxWrite(t *testing.T) {
	_, big, addr := paceFixture(t, 4<<20, 300*time.Millisecond, time.Second)
	conn := dialSmall(t, addr)
	br := getModel(t, conn)
	n, d, _ := readPaced(conn, br, 16<<10, 5*time.Millisecond) // at most 3.2 MB/s: 4 MB take > 1.2 s
	if n >= len(big) || d > 6*time.Second {
		t.Errorf("reader slower than MaxWrite allows: %d of %d bytes in %v; want cut soon after 1 s", n, len(big), d)
	}
}

// TestClassBehindOneNAT: while 40 stalled readers hold model downloads, 300
// clients from the same address (a class behind one school NAT) each load
// the page, ui.wasm and the model, all in parallel; every one gets every
// byte, and the stalled readers are dropped.
func TestClassBehindOneNAT(t *testing.T) {
	fx, big, addr := paceFixture(t, 2<<20, 4*time.Second, time.Minute)
	// The stalled readers ask for a 4 MB model, which no kernel buffer
	// holds whole: the server must cut them. (The manifest is read at start
	// only, so this one goes to a second server on the same folders.)
	huge := bytes.Repeat([]byte{0x5A}, 4<<20)
	write(t, filepath.Join(fx.models, "huge.safetensors"), huge)
	hs, bs := sha256.Sum256(huge), sha256.Sum256(big)
	write(t, filepath.Join(fx.models, manifestName), fmt.Appendf(nil, `{"models":[`+
		`{"name":"big","file":"big.safetensors","bytes":%d,"sha256":"%x","metrics":{}},`+
		`{"name":"huge","file":"huge.safetensors","bytes":%d,"sha256":"%x","metrics":{}}]}`, len(big), bs, len(huge), hs))
	cfg := fx.config()
	cfg.ChunkTimeout = 3 * time.Second
	addr = startSmallBuffers(t, cfg)
	var stalled []net.Conn
	t0 := time.Now()
	for range 40 {
		c := dialSmall(t, addr)
		fmt.Fprintf(c, "GET /models/huge.safetensors HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		stalled = append(stalled, c)
	}
	base := "http://" + addr
	cl := &http.Client{Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 300}, Timeout: 60 * time.Second}
	var wg sync.WaitGroup
	errs := make(chan error, 900)
	for range 300 {
		for _, c := range []struct {
			path string
			want []byte
		}{{"/", fx.files["index.html"]}, {"/ui.wasm", fx.files["ui.wasm"]}, {"/models/big.safetensors", big}} {
			wg.Go(func() {
				resp, err := cl.Get(base + c.path)
				if err != nil {
					errs <- err
					return
				}
				defer resp.Body.Close()
				// Hash rather than keep 900 bodies: the test's own memory
				// and GC would stall the clients, not the server.
				h := sha256.New()
				n, err := io.Copy(h, resp.Body)
				if want := sha256.Sum256(c.want); err != nil || resp.StatusCode != 200 || !bytes.Equal(h.Sum(nil), want[:]) {
					errs <- fmt.Errorf("GET %s: %d, %d of %d bytes, %v", c.path, resp.StatusCode, n, len(c.want), err)
				}
			})
		}
	}
	wg.Wait()
	classTime := time.Since(t0)
	close(errs)
	failed := 0
	for err := range errs {
		if failed++; failed <= 5 {
			t.Error(err)
		}
	}
	if failed > 0 {
		t.Errorf("%d of 900 requests of the class failed", failed)
	}
	// The stalled readers: released by the server (EOF or reset, after what
	// the kernels held), not still open when our read deadline comes.
	// Still stalled, for two chunk timeouts more (on shared cores the
	// server may have started writing to some of them only late).
	time.Sleep(2 * cfg.ChunkTimeout)
	for i, c := range stalled {
		c.SetReadDeadline(time.Now().Add(15 * time.Second))
		n, err := io.Copy(io.Discard, c)
		if ne, ok := err.(net.Error); (ok && ne.Timeout()) || n >= int64(len(huge)) {
			t.Errorf("stalled reader %d: %d bytes, %v; want the connection cut before the whole model", i, n, err)
		}
	}
	t.Logf("class served in %.1f s; 40 stalled readers cut", classTime.Seconds())
}
