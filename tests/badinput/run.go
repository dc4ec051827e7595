//go:build linux

package badinput

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Result is how one run of lab on a Case went.
type Result struct {
	Exit   int    // exit status; -1 if killed
	Stderr string // last 4 KiB
	// MaxRSS is the peak resident memory from getrusage, an upper bound:
	// Go starts children with vfork, and Linux then counts the parent's
	// own peak at the exec into the child's (so a runner that holds
	// little, as Generate's streaming writes keep it, measures closely).
	MaxRSS  int64
	Killed  string        // why the watcher killed it, if it did
	Elapsed time.Duration // wall time
	WasmMem int64         // final WebAssembly.Memory size, bytes (Node runs)
}

// Run runs cmd (lab or Node running lab.wasm, without arguments) as
// "eda --data PATH ARGS..." on c. A watcher kills it if its resident memory
// passes killAt bytes or it runs longer than timeout, so that measuring old
// code on a bomb cannot take the machine down.
func Run(cmd []string, c Case, killAt int64, timeout time.Duration) Result {
	args := append(append(cmd[1:len(cmd):len(cmd)], "eda", "--data", c.Path), c.Args...)
	x := exec.Command(cmd[0], args...)
	x.Env = append(os.Environ(), "SENTILAB_WASM_MEMORY=1")
	var stderr bytes.Buffer
	x.Stderr = &stderr
	start := time.Now()
	if err := x.Start(); err != nil {
		return Result{Exit: -1, Stderr: err.Error()}
	}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	killed := make(chan string, 1)
	go watch(ctx, x.Process, killAt, timeout, killed)
	err := x.Wait()
	stop()
	r := Result{Elapsed: time.Since(start), Exit: x.ProcessState.ExitCode()}
	if ru, ok := x.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.MaxRSS = ru.Maxrss << 10 // KiB on Linux
	}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		r.Stderr = err.Error()
	}
	select {
	case why := <-killed:
		r.Killed = why
	default:
	}
	s := stderr.String()
	if m := wasmMem.FindStringSubmatch(s); m != nil {
		r.WasmMem, _ = strconv.ParseInt(m[1], 10, 64)
	}
	if len(s) > 4096 {
		s = s[len(s)-4096:]
	}
	r.Stderr += s
	return r
}

var wasmMem = regexp.MustCompile(`wasm memory: (\d+) bytes`)

// watch kills p when its resident memory passes killAt or time runs out.
func watch(ctx context.Context, p *os.Process, killAt int64, timeout time.Duration, killed chan<- string) {
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		why := ""
		if rss := residentBytes(p.Pid); rss > killAt {
			why = "resident memory passed " + strconv.FormatInt(killAt>>20, 10) + " MiB"
		} else if time.Now().After(deadline) {
			why = "still running after " + timeout.String()
		}
		if why != "" {
			killed <- why
			p.Kill()
			return
		}
	}
}

// residentBytes reads VmRSS from /proc/PID/status (0 if gone).
func residentBytes(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}
