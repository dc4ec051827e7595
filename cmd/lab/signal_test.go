//go:build linux

package main

// Subprocess tests of signals, kill -9 and a save that fails at the end.

import (
	"bufio"
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

	"sentilab/core/modelfile"
	"sentilab/core/nn"
)

// wideModel is a zero model as wide as the budget lets one review be (1
// GFLOP): each review of it takes tens of milliseconds, so evaluating a
// few hundred is long enough to interrupt.
func wideModel(t *testing.T, path string) {
	t.Helper()
	c := nn.Config{Vocab: 400, Embed: 1024, Hidden: 1024, MaxLen: 59, Padding: "post"}
	vocab := make([]string, c.Vocab)
	vocab[1] = "<OOV>"
	for i := 2; i < c.Vocab; i++ {
		vocab[i] = fmt.Sprint("w", i)
	}
	f, err := modelfile.NewFile(c, vocab, modelfile.Meta{Variant: "base"}, sparseModel(c))
	if err != nil {
		t.Fatal(err)
	}
	if err := modelfile.WriteFile(path, f); err != nil {
		t.Fatal(err)
	}
}

// startLab starts lab and returns once a line of its stderr contains
// ready; the rest of stderr is collected.
func startLab(t *testing.T, ready string, args ...string) (*exec.Cmd, *bytes.Buffer, <-chan error) {
	t.Helper()
	cmd := exec.Command(labBinary(t), args...)
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	var mu sync.Mutex
	seen := make(chan struct{})
	if ready == "" {
		close(seen) // nothing to wait for
	}
	done := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(pipe)
		sc.Split(scanLinesOrCR)
		once := sync.Once{}
		for sc.Scan() {
			mu.Lock()
			buf.WriteString(sc.Text() + "\n")
			mu.Unlock()
			if ready != "" && strings.Contains(sc.Text(), ready) {
				once.Do(func() { close(seen) })
			}
		}
		done <- cmd.Wait()
	}()
	select {
	case <-seen:
	case err := <-done:
		t.Fatalf("lab %v ended (%v) before %q:\n%s", args, err, ready, buf.String())
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("lab %v: no %q within 60 s:\n%s", args, ready, buf.String())
	}
	return cmd, &buf, done
}

// scanLinesOrCR splits on \n and on the progress bar's \r.
func scanLinesOrCR(data []byte, atEOF bool) (int, []byte, error) {
	if i := bytes.IndexAny(data, "\r\n"); i >= 0 {
		return i + 1, data[:i], nil
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}

// SIGINT and SIGTERM during training, evaluation and prediction end lab
// within 1 s (the target is 200 ms) with status 130, and leave no temp
// file and the old model at --out as it was.
func TestSignals(t *testing.T) {
	dir := t.TempDir()
	wide := filepath.Join(dir, "wide.safetensors")
	wideModel(t, wide)
	csvTrain := smallCSV(t, dir, 6000)
	csvEval := smallCSV(t, dir, 400)
	texts := make([]string, 300)
	for i := range texts {
		texts[i] = "w5 w6 w7"
	}
	out := filepath.Join(dir, "out.safetensors")
	old := []byte("the old model")
	for _, c := range []struct {
		name, ready string
		args        []string
	}{
		{"train", "epoch 1/", []string{"train", "--preset", "fast", "--data", csvTrain, "--out", out, "--workers", "1"}},
		{"eval", "evaluating", []string{"eval", "--model", wide, "--data", csvEval, "--workers", "1"}},
		{"predict", "", []string{"predict", "--model", wide}},
		{"compress", "parameters;", []string{"compress", "--model", wide, "--method", "int8", "--data", csvEval, "--out", out, "--workers", "1"}},
	} {
		for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
			os.WriteFile(out, old, 0o644)
			args := c.args
			if c.name == "predict" {
				args = append(args, texts...)
			}
			cmd, stderr, done := startLab(t, c.ready, args...)
			if c.name != "train" {
				time.Sleep(300 * time.Millisecond) // well into the work
			}
			t0 := time.Now()
			cmd.Process.Signal(sig)
			var err error
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("%s: still running 10 s after %v", c.name, sig)
			}
			lat := time.Since(t0)
			t.Logf("%s, %v: exited in %v", c.name, sig, lat)
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
				t.Errorf("%s, %v: %v, want exit status 130\n%s", c.name, sig, err, stderr)
			}
			if lat > time.Second {
				t.Errorf("%s, %v: exit took %v, want ≤ 1 s", c.name, sig, lat)
			}
			if b, _ := os.ReadFile(out); !bytes.Equal(b, old) {
				t.Errorf("%s, %v: --out changed", c.name, sig)
			}
			assertNoTemps(t, dir)
		}
	}
}

// kill -9 while the model is being written (the temp file exists from the
// start of the run) leaves the old model intact; the next run removes the
// leftover.
func TestKill9KeepsOldModel(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.safetensors")
	old := []byte("the old model")
	os.WriteFile(out, old, 0o644)
	csv := smallCSV(t, dir, 3000)
	cmd, _, done := startLab(t, "epoch 1/", "train", "--preset", "classroom", "--data", csv, "--out", out, "--workers", "1")
	tmps, _ := filepath.Glob(filepath.Join(dir, ".out.safetensors.sentilab-tmp-*"))
	cmd.Process.Signal(syscall.SIGKILL)
	<-done
	if len(tmps) != 1 {
		t.Fatalf("temp files during the run: %v, want one", tmps)
	}
	if b, _ := os.ReadFile(out); !bytes.Equal(b, old) {
		t.Fatal("kill -9 changed the old model")
	}
	if _, err := os.Stat(tmps[0]); err != nil {
		t.Fatalf("the killed run's temp file is already gone: %v", err)
	}
	r := runLab(t, nil, "train", "--preset", "classroom", "--data", "/nonexistent", "--out", out)
	if !strings.Contains(r.stderr, "removed "+tmps[0]+", left by an interrupted run") {
		t.Errorf("next run: %q, want it to remove %s", r.stderr, tmps[0])
	}
	assertNoTemps(t, dir)
	if b, _ := os.ReadFile(out); !bytes.Equal(b, old) {
		t.Fatal("the next run changed the old model")
	}
}

// A finished run whose folder vanished is saved under a recovery name in
// the temp folder; a --vocab over the training words is fitted with a note.
func TestFinishedRunNeverLost(t *testing.T) {
	dir := t.TempDir()
	gone := filepath.Join(dir, "gone")
	os.Mkdir(gone, 0o755)
	tmpdir := filepath.Join(dir, "tmp")
	os.Mkdir(tmpdir, 0o755)
	csv := smallCSV(t, dir, 1500)
	cmd := exec.Command(labBinary(t), "train", "--preset", "classroom", "--epochs", "1", "--vocab", "5000", "--data", csv, "--out", filepath.Join(gone, "m.safetensors"))
	cmd.Env = append(os.Environ(), "TMPDIR="+tmpdir)
	pipe, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	sc := bufio.NewScanner(pipe)
	sc.Split(scanLinesOrCR)
	for sc.Scan() {
		stderr.WriteString(sc.Text() + "\n")
		if strings.HasPrefix(sc.Text(), "preset classroom") {
			os.RemoveAll(gone) // during training
		}
	}
	err := cmd.Wait()
	got := stderr.String()
	if err == nil || !strings.Contains(got, "the finished model is saved as "+tmpdir+"/m.recovered-") {
		t.Fatalf("exit %v, stderr:\n%s", err, got)
	}
	if !strings.Contains(got, "note: the training texts have 410 distinct words, so the vocabulary is 412 (padding and OOV included), not the 5000 asked for") {
		t.Errorf("no vocabulary note in:\n%s", got)
	}
	saved, _ := filepath.Glob(filepath.Join(tmpdir, "m.recovered-*.safetensors"))
	if len(saved) != 1 {
		t.Fatalf("recovered files %v", saved)
	}
	ld, err := modelfile.LoadFile(saved[0])
	if err != nil {
		t.Fatal(err)
	}
	if ld.Model.Cfg.Vocab != 412 || len(ld.Vocab) != 412 {
		t.Errorf("recovered model: config vocab %d, %d words", ld.Model.Cfg.Vocab, len(ld.Vocab))
	}
}

// kill -9 in the middle of saving the model: the temp file is watched from
// the moment the run prints its test accuracy (the save comes next) and the
// process is killed as soon as it holds any bytes: in four runs it died
// with 8 of 6,512 and 8,192 of 8,192–49,152 bytes written. The old model is
// intact (or, if the rename won the race, the new one is whole), and the
// next run removes the leftover.
func TestKill9MidWrite(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.safetensors")
	old := []byte("the old model")
	os.WriteFile(out, old, 0o644)
	csv := smallCSV(t, dir, 1500)
	cmd, _, done := startLab(t, "test accuracy", "train", "--preset", "classroom", "--epochs", "1", "--workers", "1", "--data", csv, "--out", out)
	// The temp file appears when the write begins, just after "test
	// accuracy" is printed: look until it does, or until the run has ended
	// (the write then finished before the test could see it).
	var tmps []string
	for deadline := time.Now().Add(30 * time.Second); len(tmps) == 0; {
		tmps, _ = filepath.Glob(filepath.Join(dir, ".out.safetensors.sentilab-tmp-*"))
		select {
		case <-done:
			t.Logf("the write finished before the test saw its temp file")
			if _, err := modelfile.LoadFile(out); err != nil {
				t.Fatalf("the new model does not load: %v", err)
			}
			assertNoTemps(t, dir)
			return
		default:
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("no temp file within 30 s of the test accuracy")
		}
	}
	if len(tmps) != 1 {
		cmd.Process.Kill()
		t.Fatalf("temp files %v, want one", tmps)
	}
	var size int64 = -1
	for {
		fi, err := os.Stat(tmps[0])
		if err != nil {
			break // renamed: the write finished first
		}
		if fi.Size() > 0 {
			size = fi.Size()
			cmd.Process.Signal(syscall.SIGKILL)
			break
		}
	}
	<-done
	b, _ := os.ReadFile(out)
	if size < 0 {
		t.Logf("the write finished before the kill")
		if _, err := modelfile.LoadFile(out); err != nil {
			t.Fatalf("the new model does not load: %v", err)
		}
		return
	}
	fi, _ := os.Stat(tmps[0])
	t.Logf("killed with %d bytes in the temp file (%d when it stopped)", size, fi.Size())
	if !bytes.Equal(b, old) {
		t.Fatal("kill -9 during the write changed the old model")
	}
	r := runLab(t, nil, "train", "--preset", "classroom", "--data", "/nonexistent", "--out", out)
	if !strings.Contains(r.stderr, "removed "+tmps[0]) {
		t.Errorf("next run: %q, want it to remove %s", r.stderr, tmps[0])
	}
	assertNoTemps(t, dir)
}
