//go:build linux

package badinput

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Sizes: the CI run uses bombs of 5% of the (134 MB decompressed)
// and a budget of 64 MiB over lab's own footprint; SENTILAB_LONG=1 runs the
// full-size bombs (2.5 GiB) against a budget of 512 MiB.
func sizes() (scale float64, long bool) {
	if os.Getenv("SENTILAB_LONG") == "1" {
		return 1, true
	}
	return 0.05, false
}

const (
	ciBudget   = 64 << 20  // over the baseline, natively; absolute in wasm
	fullBudget = 512 << 20 // absolute, natively and in wasm
)

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// build compiles lab natively and for js/wasm, once per test binary.
func build(t *testing.T) (lab, wasm string) {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "badinput-bin")
		if buildErr != nil {
			return
		}
		for _, b := range []struct{ out, goos, goarch string }{{"lab", "", ""}, {"lab.wasm", "js", "wasm"}} {
			cmd := exec.Command("go", "build", "-o", filepath.Join(binDir, b.out), "sentilab/cmd/lab")
			cmd.Env = os.Environ()
			if b.goos != "" {
				cmd.Env = append(cmd.Env, "GOOS="+b.goos, "GOARCH="+b.goarch)
			}
			if out, err := cmd.CombinedOutput(); err != nil {
				buildErr = fmt.Errorf("go build %s: %v\n%s", b.out, err, out)
				return
			}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return filepath.Join(binDir, "lab"), filepath.Join(binDir, "lab.wasm")
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

func catalogue(t *testing.T) []Case {
	t.Helper()
	scale, _ := sizes()
	start := time.Now()
	cases, err := Generate(t.TempDir(), scale)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("catalogue of %d inputs at scale %g written in %v", len(cases), scale, time.Since(start).Round(time.Millisecond))
	return cases
}

// Every input is refused with its clear error, natively, within the
// memory budget, measured as the process's peak RSS (getrusage).
func TestCatalogueNative(t *testing.T) {
	lab, _ := build(t)
	cases := catalogue(t)
	_, long := sizes()
	budget := int64(fullBudget)
	if !long {
		base := Run([]string{lab}, Case{Path: "/nonexistent"}, 1<<30, time.Minute)
		budget = base.MaxRSS + ciBudget
		t.Logf("baseline: lab's peak RSS refusing a missing file is %d MiB; budget %d MiB", base.MaxRSS>>20, budget>>20)
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			r := Run([]string{lab}, c, 4*budget, 2*time.Minute)
			t.Logf("%s: exit %d, peak RSS %d MiB, %v", c.Note, r.Exit, r.MaxRSS>>20, r.Elapsed.Round(time.Millisecond))
			check(t, c, r)
			if r.MaxRSS > budget {
				t.Errorf("peak RSS %d MiB, over the budget of %d MiB", r.MaxRSS>>20, budget>>20)
			}
		})
	}
}

// The same inputs through the js/wasm build under Node: the same errors,
// not "fatal error: out of memory", and Go's WebAssembly.Memory at exit
// within the budget (it only grows, so its final size is its peak).
func TestCatalogueWasm(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node not found")
	}
	_, wasm := build(t)
	cases := catalogue(t)
	budget := int64(ciBudget)
	if _, long := sizes(); long {
		budget = fullBudget
	}
	runner := []string{"node", "--stack-size=8192", filepath.Join("..", "..", "scripts", "wasm_exec_node.cjs"), wasm}
	for _, c := range cases {
		if c.NativeOnly {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			r := Run(runner, c, 4<<30, 2*time.Minute)
			t.Logf("%s: exit %d, wasm memory %d MiB, Node peak RSS %d MiB, %v", c.Note, r.Exit, r.WasmMem>>20, r.MaxRSS>>20, r.Elapsed.Round(time.Millisecond))
			check(t, c, r)
			if r.WasmMem == 0 || r.WasmMem > budget {
				t.Errorf("wasm memory %d MiB, want within the budget of %d MiB", r.WasmMem>>20, budget>>20)
			}
		})
	}
}

func check(t *testing.T, c Case, r Result) {
	t.Helper()
	wantExit := 1
	if c.OK {
		wantExit = 0
	}
	if r.Killed != "" || r.Exit != wantExit || !strings.Contains(r.Stderr, c.Want) {
		t.Errorf("exit %d (want %d) %s\nstderr: %s\nwant it to say %q", r.Exit, wantExit, r.Killed, r.Stderr, c.Want)
	}
	if strings.Contains(r.Stderr, "out of memory") || strings.Contains(r.Stderr, "goroutine ") {
		t.Errorf("crashed:\n%s", r.Stderr)
	}
}

// SIGINT and SIGTERM stop lab while it loads data within 1 s (the aim is
// 200 ms; the measured latency is logged): blocked opening a FIFO, blocked
// reading a FIFO that a writer feeds slowly, and busy reading a big file.
func TestSignals(t *testing.T) {
	lab, _ := build(t)
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.csv")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.csv")
	row := strings.Repeat("a long and thoughtful review ", 35) + ",positive\n" // 1 KB
	if err := os.WriteFile(big, []byte(header+strings.Repeat(row, 200_000)), 0o644); err != nil {
		t.Fatal(err)
	}
	feed := func() func() { // a writer that sends a row every 10 ms
		stop := make(chan struct{})
		go func() {
			w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
			if err != nil {
				return
			}
			defer w.Close()
			w.WriteString(header)
			for {
				select {
				case <-stop:
					return
				case <-time.After(10 * time.Millisecond):
					w.WriteString(row)
				}
			}
		}()
		return func() { close(stop) }
	}
	for _, c := range []struct {
		name string
		sig  syscall.Signal
		args []string
		feed bool
	}{
		{"SIGINT, FIFO without a writer", syscall.SIGINT, []string{"--data", fifo, "--allow-special"}, false},
		{"SIGTERM, FIFO fed slowly", syscall.SIGTERM, []string{"--data", fifo, "--allow-special"}, true},
		{"SIGINT, 200 MB file", syscall.SIGINT, []string{"--data", big}, false},
		{"SIGTERM, 200 MB file", syscall.SIGTERM, []string{"--data", big}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.feed {
				defer feed()()
			}
			cmd := exec.Command(lab, append([]string{"eda"}, c.args...)...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(300 * time.Millisecond)
			sent := time.Now()
			cmd.Process.Signal(c.sig)
			done := make(chan struct{})
			go func() { cmd.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				cmd.Process.Kill()
				<-done
				t.Fatalf("still running 5 s after %v; stderr:\n%s", c.sig, stderr.String())
			}
			lag := time.Since(sent)
			t.Logf("exited %v after %v, status %d", lag.Round(time.Microsecond), c.sig, cmd.ProcessState.ExitCode())
			if lag > time.Second || cmd.ProcessState.ExitCode() != 130 || !strings.Contains(stderr.String(), "lab: cancelled") {
				t.Errorf("exit status %d %v after the signal, want 130 within 1 s; stderr:\n%s", cmd.ProcessState.ExitCode(), lag, stderr.String())
			}
		})
	}
}
