//go:build linux

package main

// Subprocess tests of issue 11's model part: the real lab binary, built
// once, on edited model files, bad --out paths, signals and kill -9.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
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

var (
	labOnce sync.Once
	labBin  string
	labErr  error
)

// labBinary builds cmd/lab once per test run.
func labBinary(t *testing.T) string {
	t.Helper()
	labOnce.Do(func() {
		dir, err := os.MkdirTemp("", "labtest")
		if err != nil {
			labErr = err
			return
		}
		labBin = filepath.Join(dir, "lab")
		out, err := exec.Command("go", "build", "-o", labBin, ".").CombinedOutput()
		if err != nil {
			labErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if labErr != nil {
		t.Fatal(labErr)
	}
	return labBin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if labBin != "" {
		os.RemoveAll(filepath.Dir(labBin))
	}
	os.Exit(code)
}

type result struct {
	code    int
	stderr  string
	elapsed time.Duration
	maxRSS  int64 // KiB
}

func runLab(t *testing.T, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(labBinary(t), args...)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	t0 := time.Now()
	err := cmd.Run()
	r := result{stderr: stderr.String(), elapsed: time.Since(t0)}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	r.maxRSS = cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss
	return r
}

// editedModel writes the repository's base model with its config edited.
func editedModel(t *testing.T, path string, edit func(cfg map[string]any, f *modelfile.File)) {
	t.Helper()
	b, err := os.ReadFile("../../assets/models/base.safetensors")
	if err != nil {
		t.Skip("no assets/models/base.safetensors:", err)
	}
	f, err := modelfile.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	json.Unmarshal([]byte(f.Metadata[modelfile.KeyConfig]), &cfg)
	edit(cfg, f)
	js, _ := json.Marshal(cfg)
	f.Metadata[modelfile.KeyConfig] = string(js)
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if err := modelfile.Write(out, f); err != nil {
		t.Fatal(err)
	}
}

// sparseZero is weight name of n elements stored as an all-zero mask.
func sparseZero(name string, n int) []modelfile.Tensor {
	return []modelfile.Tensor{modelfile.U8Tensor(name+".mask", []int{modelfile.MaskBytes(n)}, make([]byte, modelfile.MaskBytes(n))),
		modelfile.F32Tensor(name+".values", []int{0}, nil)}
}

func sparseModel(c nn.Config) []modelfile.Tensor {
	V, E, H := c.Vocab, c.Embed, c.Hidden
	var ts []modelfile.Tensor
	ts = append(ts, sparseZero("embedding.weight", V*E)...)
	ts = append(ts, sparseZero("lstm.kernel", E*4*H)...)
	ts = append(ts, sparseZero("lstm.recurrent", H*4*H)...)
	ts = append(ts, modelfile.F32Tensor("lstm.bias", []int{4 * H}, make([]float32, 4*H)))
	ts = append(ts, sparseZero("dense.weight", H)...)
	return append(ts, modelfile.F32Tensor("dense.bias", []int{1}, []float32{0}))
}

// The header-only edits: refused at once, in bounded memory (main
// died with fatal OOM under a 4 GB cap on both).
func TestEditedModelRefused(t *testing.T) {
	dir := t.TempDir()
	maxLen := filepath.Join(dir, "maxlen.safetensors")
	editedModel(t, maxLen, func(c map[string]any, _ *modelfile.File) { c["max_len"], c["masking"] = 100000, false })
	wide := filepath.Join(dir, "wide.safetensors")
	editedModel(t, wide, func(c map[string]any, f *modelfile.File) {
		c["embed"], c["hidden"] = 4096, 4096
		f.Tensors = sparseModel(nn.Config{Vocab: 20000, Embed: 4096, Hidden: 4096})
	})
	csv := smallCSV(t, dir, 50)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"eval", "--model", maxLen, "--data", csv}, "max_len 100000 over the budget's 4096"},
		{[]string{"predict", "--model", maxLen, "A wonderful film."}, "max_len 100000 over the budget's 4096"},
		{[]string{"eval", "--model", wide, "--data", csv}, "embed 4096 over the budget's 2048"},
		{[]string{"predict", "--model", wide, "A wonderful film."}, "embed 4096 over the budget's 2048"},
	} {
		r := runLab(t, nil, c.args...)
		t.Logf("%s %s: exit %d in %v, peak RSS %d MiB", c.args[0], filepath.Base(c.args[2]), r.code, r.elapsed, r.maxRSS>>10)
		if r.code != 1 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("lab %v: exit %d, stderr %q; want 1 and %q", c.args, r.code, r.stderr, c.want)
		}
		if r.maxRSS > 256<<10 || r.elapsed > 5*time.Second {
			t.Errorf("lab %v: peak RSS %d MiB in %v; want ≤ 256 MiB, ≤ 5 s", c.args, r.maxRSS>>10, r.elapsed)
		}
	}
	// And at training time, before any data is read.
	r := runLab(t, nil, "train", "--preset", "classroom", "--maxlen", "100000", "--masking=false", "--data", "/nonexistent")
	if r.code != 1 || !strings.Contains(r.stderr, "max_len 100000 over the budget's 4096") {
		t.Errorf("train --maxlen 100000: exit %d, %q", r.code, r.stderr)
	}
}

// --out is checked before the data is even read (here it does not exist).
func TestOutRefusedBeforeWork(t *testing.T) {
	dir := t.TempDir()
	ro := filepath.Join(dir, "ro.safetensors")
	os.WriteFile(ro, []byte("a model"), 0o444)
	for _, c := range []struct{ out, want string }{
		{filepath.Join(dir, "missing", "m.safetensors"), "--out: " + filepath.Join(dir, "missing", "m.safetensors") + ": folder " + filepath.Join(dir, "missing") + ": no such file or directory"},
		{dir, "--out: " + dir + " is a folder"},
		{ro, "--out: " + ro + " is read-only (mode 0444); refusing to replace it"},
		{"/proc/m.safetensors", "--out: /proc/m.safetensors: cannot create a file in /proc"},
	} {
		for _, cmd := range [][]string{
			{"train", "--preset", "classroom", "--data", "/nonexistent", "--out", c.out},
			{"compress", "--model", ro, "--method", "int8", "--data", "/nonexistent", "--out", c.out},
		} {
			r := runLab(t, nil, cmd...)
			if r.code != 1 || !strings.Contains(r.stderr, c.want) {
				t.Errorf("lab %s --out %s: exit %d, stderr %q; want 1 and %q", cmd[0], c.out, r.code, r.stderr, c.want)
			}
		}
	}
	if b, _ := os.ReadFile(ro); string(b) != "a model" {
		t.Error("the read-only file changed")
	}
	if fi, _ := os.Stat(ro); fi.Mode().Perm() != 0o444 {
		t.Errorf("the read-only file's mode is now %04o", fi.Mode().Perm())
	}
	assertNoTemps(t, dir)
}

func assertNoTemps(t *testing.T, dir string) {
	t.Helper()
	es, _ := os.ReadDir(dir)
	for _, e := range es {
		if strings.Contains(e.Name(), "sentilab-tmp") || strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temp file left: %s", e.Name())
		}
	}
}

// smallCSV writes n reviews in the Kaggle schema, words drawn from a small
// list, the label following a few of them, so training has something to
// learn and a test needs no real data.
func smallCSV(t *testing.T, dir string, n int) string {
	t.Helper()
	good := []string{"wonderful", "moving", "brilliant", "superb", "charming"}
	bad := []string{"dull", "awful", "boring", "clumsy", "tedious"}
	filler := []string{"film", "plot", "actor", "scene", "story", "director", "music", "ending", "camera", "script"}
	rng := rand.New(rand.NewPCG(uint64(n), 1))
	var b strings.Builder
	b.WriteString("review,sentiment\n")
	for i := 0; i < n; i++ {
		label, words := "positive", good
		if i%2 == 1 {
			label, words = "negative", bad
		}
		var r []string
		for w := 20 + rng.IntN(150); w > 0; w-- {
			if rng.IntN(6) == 0 {
				r = append(r, words[rng.IntN(len(words))])
			} else {
				r = append(r, filler[rng.IntN(len(filler))]+fmt.Sprint(rng.IntN(40)))
			}
		}
		fmt.Fprintf(&b, "%s,%s\n", strings.Join(r, " "), label)
	}
	p := filepath.Join(dir, fmt.Sprintf("reviews-%d.csv", n))
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

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
	tmps, _ := filepath.Glob(filepath.Join(dir, ".out.safetensors.sentilab-tmp-*"))
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
