//go:build !js || !wasm

package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary play the server: with SENTILAB_SERVER_MAIN=1
// it runs the command's run() on its arguments, so TestGracefulShutdown can
// signal a real process without building one.
func TestMain(m *testing.M) {
	if os.Getenv("SENTILAB_SERVER_MAIN") == "1" {
		if err := run(os.Args[1:]); err != nil {
			fmt.Fprintln(os.Stderr, "server:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// startProcess runs the server as a child process and returns its address
// (read from the "listening" log line) and its log so far.
func startProcess(t *testing.T, args ...string) (*exec.Cmd, string, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), "SENTILAB_SERVER_MAIN=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	log := &bytes.Buffer{}
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		line := sc.Text()
		log.WriteString(line + "\n")
		if _, url, ok := strings.Cut(line, "url=http://"); ok {
			go func() { // keep draining, so the child never blocks on its log
				for sc.Scan() {
					log.WriteString(sc.Text() + "\n")
				}
			}()
			return cmd, strings.TrimSuffix(url, "/"), log
		}
	}
	cmd.Wait()
	t.Fatalf("server did not start:\n%s", log)
	return nil, "", nil
}

// TestGracefulShutdown starts a 32 MB download, sends SIGTERM half-way, and
// checks that the download still completes, new connections are refused,
// and the process exits 0.
func TestGracefulShutdown(t *testing.T) {
	fx := newFixture(t)
	big := bytes.Repeat([]byte{0xAB}, 32<<20)
	write(t, filepath.Join(fx.models, "big.safetensors"), big)
	write(t, filepath.Join(fx.models, manifestName), manifestFor("big", "big.safetensors", big))
	cmd, addr, _ := startProcess(t, "--root", fx.root, "--models", fx.models)

	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "GET /models/big.safetensors HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	br := bufio.NewReader(conn)
	first := make([]byte, 1<<20)
	if _, err := io.ReadFull(br, first); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // let Shutdown close the listener
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Errorf("new connection accepted after SIGTERM")
	}
	rest, err := io.ReadAll(br)
	if err != nil {
		t.Fatalf("download cut by shutdown: %v", err)
	}
	all := append(first, rest...)
	if !bytes.HasSuffix(all, big) {
		t.Errorf("download after SIGTERM: got %d bytes, want headers + %d", len(all), len(big))
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("exit after SIGTERM: %v, want 0", err)
	}
}

func TestStartupErrors(t *testing.T) {
	fx := newFixture(t)
	write(t, filepath.Join(fx.models, manifestName), []byte(`{"models":[{"name":"x"}]}`))
	for _, c := range []struct {
		args    []string
		wantErr string
	}{
		{[]string{"--root", fx.root, "--models", fx.models}, `manifest.json: models[0] ("x"): missing "file"`},
		{[]string{"--root", fx.dir + "/nope"}, "assets directory"},
		{[]string{"--root", fx.root, "--models", t.TempDir(), "--data", fx.dir + "/nope.csv"}, "data file"},
		{[]string{"--root", fx.root, "stray"}, `unexpected argument "stray"`},
	} {
		cmd := exec.Command(os.Args[0], append([]string{"--addr", "127.0.0.1:0"}, c.args...)...)
		cmd.Env = append(os.Environ(), "SENTILAB_SERVER_MAIN=1")
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), c.wantErr) {
			t.Errorf("server %v: err %v, output %q; want a failure mentioning %q", c.args, err, out, c.wantErr)
		}
	}
}
