//go:build linux

// Command badinput writes the bad-input catalogue (tests/badinput) and runs
// a lab binary on each input, printing the error, the peak RSS and the time
// as a Markdown table. It measures old and new code alike, with a watcher
// that kills a run past --kill-at of resident memory.
//
//	go build -o build/lab ./cmd/lab
//	go run ./scripts/badinput --scale 1 --lab build/lab            # the full-size bombs
//	go run ./scripts/badinput --scale 1 --wasm build/lab.wasm      # the same through js/wasm under Node
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"sentilab/tests/badinput"
)

func main() {
	scale := flag.Float64("scale", 0.1, "bomb size: 1 = the issue's 2.5 GiB decompressed")
	dir := flag.String("dir", "", "where to write the inputs (default: a temporary folder, removed at the end)")
	lab := flag.String("lab", "build/lab", "the lab binary to run")
	wasm := flag.String("wasm", "", "run this lab.wasm under Node instead of --lab")
	killAt := flag.Int64("kill-at", 2048, "kill a run whose resident memory passes this many MiB")
	timeout := flag.Duration("timeout", 2*time.Minute, "kill a run that takes longer")
	only := flag.String("only", "", "run only the cases whose name contains this")
	generate := flag.Bool("generate", true, "write the inputs; -generate=false reuses those in --dir "+
		"(the runner's own peak RSS counts in its children's, so a run that did not generate measures closer)")
	flag.Parse()

	if *dir == "" {
		d, err := os.MkdirTemp("", "badinput")
		if err != nil {
			fail(err)
		}
		defer os.RemoveAll(d)
		*dir = d
	}
	t0 := time.Now()
	cases := badinput.Describe(*dir, *scale)
	if *generate {
		var err error
		if cases, err = badinput.Generate(*dir, *scale); err != nil {
			fail(err)
		}
		fmt.Fprintf(os.Stderr, "generated %d inputs in %s in %.1fs\n", len(cases), *dir, time.Since(t0).Seconds())
	}
	cmd := []string{*lab}
	if *wasm != "" {
		root, _ := os.Getwd()
		cmd = []string{"node", "--stack-size=8192", filepath.Join(root, "scripts", "wasm_exec_node.cjs"), *wasm}
	}
	fmt.Println("| input | size on disk | exit | peak RSS | wasm memory | time | message |")
	fmt.Println("|---|---|---|---|---|---|---|")
	for _, c := range cases {
		if *only != "" && !strings.Contains(c.Name, *only) {
			continue
		}
		if *wasm != "" && c.NativeOnly {
			continue
		}
		r := badinput.Run(cmd, c, *killAt<<20, *timeout)
		msg := lastLine(r.Stderr)
		if r.Killed != "" {
			msg = "KILLED: " + r.Killed
		}
		ok := "ok"
		if !strings.Contains(r.Stderr, c.Want) {
			ok = "UNEXPECTED"
		}
		fmt.Printf("| %s (%s) | %s | %d | %d MiB | %s | %.2fs | %s: %s |\n", c.Name, c.Note, size(c.Path), r.Exit,
			r.MaxRSS>>20, wasmMB(r.WasmMem), r.Elapsed.Seconds(), ok, strings.ReplaceAll(msg, "|", `\|`))
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" && !strings.HasPrefix(l, "wasm memory:") {
			if len(l) > 300 {
				l = l[:300] + "…"
			}
			return l
		}
	}
	return ""
}

func size(p string) string {
	fi, err := os.Stat(p)
	if err != nil || !fi.Mode().IsRegular() {
		return "—"
	}
	return fmt.Sprintf("%.1f MB", float64(fi.Size())/1e6)
}

func wasmMB(n int64) string {
	if n == 0 {
		return "—"
	}
	return fmt.Sprintf("%d MiB", n>>20)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "badinput:", err)
	os.Exit(1)
}
