//go:build linux

package main

// Subprocess tests of issue 11's model part: the real lab binary, built
// once, on edited model files, bad --out paths, signals and kill -9.

import (
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
