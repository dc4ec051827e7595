//go:build !js || !wasm

package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"sentilab/core/baseline"
	"sentilab/core/modelfile"
	"sentilab/core/nn"
	"sentilab/protocol"
)

// tinyCfg is a model small enough to save three of in a test.
var tinyCfg = nn.Config{Vocab: 12, Embed: 4, Hidden: 3, MaxLen: 6, Padding: "post", Masking: true, Dropout: 0.2}

type tinyModel struct {
	name, variant string
	acc, loss     float64
	history       bool
	confusion     *[2][2]int
	thesis        map[string]string
}

// reportFixture saves real model files with modelfile.SaveFile and writes
// the manifest lab manifest would write for them (same field names), with
// the report's extras: history, confusion, thesis numbers, α×T grid.
func reportFixture(t *testing.T, models []tinyModel, grid bool) (dir string, manifest []byte) {
	t.Helper()
	dir = t.TempDir()
	vocab := make([]string, tinyCfg.Vocab)
	for i := range vocab {
		vocab[i] = fmt.Sprintf("w%d", i)
	}
	vocab[0], vocab[1] = "", "[UNK]"
	var entries []map[string]any
	baseAcc := models[0].acc
	for i, tm := range models {
		m, err := nn.NewModel(tinyCfg)
		if err != nil {
			t.Fatal(err)
		}
		nn.Init(m, uint64(i+1))
		file := tm.name + ".safetensors"
		if strings.ContainsAny(file, "<>/ ") {
			file = fmt.Sprintf("model%d.safetensors", i)
		}
		path := filepath.Join(dir, file)
		meta := modelfile.Meta{Variant: tm.variant, Metrics: map[string]float64{"test_accuracy": tm.acc, "test_loss": tm.loss}}
		if err := modelfile.SaveFile(path, m, vocab, meta); err != nil {
			t.Fatal(err)
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(raw)
		e := map[string]any{
			"name": tm.name, "file": file, "bytes": len(raw), "sha256": hex.EncodeToString(sum[:]),
			"variant": tm.variant, "runtime": "float32", "params": m.NumParams(), "nonzero": m.NumParams() - i,
			"metrics": map[string]float64{"test_accuracy": tm.acc, "test_loss": tm.loss, "accuracy_change": tm.acc - baseAcc,
				"gzip_bytes": float64(len(raw)) * 0.9, "reviews_per_second": 12345.4, "wasm_reviews_per_second": 2345.6},
		}
		if tm.history {
			e["history"] = []map[string]float64{
				{"epoch": 1, "loss": 0.6, "accuracy": 0.7, "val_loss": 0.5, "val_accuracy": 0.75},
				{"epoch": 2, "loss": 0.4, "accuracy": 0.82, "val_loss": 0.45, "val_accuracy": 0.8},
				{"epoch": 3, "loss": 0.3, "accuracy": 0.88, "val_loss": 0.47, "val_accuracy": 0.79},
			}
			e["best_epoch"] = 2
		}
		if tm.confusion != nil {
			e["confusion"] = tm.confusion
		}
		if tm.thesis != nil {
			e["thesis"] = tm.thesis
		}
		entries = append(entries, e)
	}
	doc := map[string]any{"models": entries}
	if grid {
		doc["distill_grid"] = map[string]any{"source": "distill-grid.jsonl",
			"teacher": map[string]any{"file": "base.safetensors", "preset": "fast", "params": 2691713, "test_accuracy": 0.8835},
			"alphas":  []float64{0.5, 0.85}, "temperatures": []float64{1, 1.5},
			"cells": []map[string]float64{
				{"alpha": 0.5, "temperature": 1, "test_accuracy": 0.8612, "test_loss": 0.33},
				{"alpha": 0.85, "temperature": 1.5, "test_accuracy": 0.8791, "test_loss": 0.31},
				{"alpha": 0.5, "temperature": 1.5, "test_accuracy": 0.8702, "test_loss": 0.32},
			}}
	}
	manifest, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, manifestName), manifest)
	return dir, manifest
}

var threeModels = []tinyModel{
	{name: "base", variant: "base", acc: 0.8643, loss: 0.3311, history: true, confusion: &[2][2]int{{4300, 700}, {657, 4343}},
		thesis: map[string]string{"test_accuracy": "86.43%", "size": "31,578 KB", "params": "2,691,713"}},
	{name: "base.int8", variant: "int8", acc: 0.8657, loss: 0.3298, confusion: &[2][2]int{{4310, 690}, {653, 4347}},
		thesis: map[string]string{"test_accuracy": "86.57%", "size": "2,644 KB", "params": "2,691,713"}},
	{name: "base.prune", variant: "prune", acc: 0.8590, loss: 0.3402,
		thesis: map[string]string{"test_accuracy": "86.4–86.8%", "size": "10,535 KB", "params": "543,847 non-zero"}},
}

// inlineScripts returns the text of each <script> without a src.
func inlineScripts(page []byte) [][]byte {
	var out [][]byte
	for _, m := range inlineScript.FindAllSubmatch(page, -1) {
		if !srcAttr.Match(m[1]) {
			out = append(out, m[2])
		}
	}
	return out
}

func TestReportPage(t *testing.T) {
	dir, _ := reportFixture(t, threeModels, true)
	ts := start(t, Config{ModelDir: dir})
	r := do(t, "GET", ts.URL+"/report")
	if r.status != 200 || r.header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("GET /report: %d %q\n%s", r.status, r.header.Get("Content-Type"), r.body)
	}
	page := string(r.body)

	// The results table: one row per model, numbers formatted as the thesis
	// prints them, its numbers beside ours.
	if strings.Contains(page, "out of domain") || strings.Contains(page, "The baseline is") {
		t.Error("a manifest without out-of-domain accuracies or a baseline: the page has their column or note")
	}
	for _, want := range []string{
		"<td>base</td><td class=\"text\">base</td><td class=\"text\">float32</td><td>86.43%</td>\n<td>&#43;0.00</td><td>0.3311</td>",
		"<td>base.int8</td><td class=\"text\">int8</td><td class=\"text\">float32</td><td>86.57%</td>\n<td>&#43;0.14</td><td>0.3298</td>",
		"<td>base.prune</td><td class=\"text\">prune</td><td class=\"text\">float32</td><td>85.90%</td>\n<td class=\"neg\">-0.53</td><td>0.3402</td>",
		"<td>12,345</td><td>2,346</td><td class=\"thesis\">86.43%</td>\n<td class=\"thesis\">31,578 KB</td><td class=\"thesis\">2,691,713</td>",
		"<td class=\"thesis\">86.4–86.8%</td>\n<td class=\"thesis\">10,535 KB</td><td class=\"thesis\">543,847 non-zero</td>",
		"base keeps epoch 2 (early stopping)",
		"teacher base.safetensors, fast preset, 2,691,713 parameters, test accuracy 88.35%",
		"Best cells: α 0.85, T 1.5: 87.91% (loss 0.3100); α 0.5, T 1.5: 87.02% (loss 0.3200); α 0.5, T 1: 86.12% (loss 0.3300).",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if n := strings.Count(page, "<tr><td>"); n != 3 {
		t.Errorf("%d table rows, want 3", n)
	}

	// Charts: scatter, sizes, loss, accuracy, two confusion matrices (the
	// pruned model has none), the grid; each an element and an inline script.
	ids := []string{"c_accuracy_size", "c_sizes", "c_history_loss", "c_history_accuracy", "c_confusion_0", "c_confusion_1", "c_distill_grid"}
	scripts := inlineScripts(r.body)
	if len(scripts) != len(ids) {
		t.Errorf("%d inline scripts, want %d", len(scripts), len(ids))
	}
	for _, id := range ids {
		if !strings.Contains(page, `id="`+id+`"`) {
			t.Errorf("no chart element %s", id)
		}
	}
	if strings.Contains(page, "c_confusion_2") {
		t.Error("a confusion chart for the model without a confusion matrix")
	}
	// The grid heatmap holds [T index, α index, accuracy %] per cell run.
	if !strings.Contains(page, "[1,1,87.91]") || !strings.Contains(page, "[0,0,86.12]") {
		t.Error("grid cells missing from the heatmap options")
	}

	// Nothing from a remote host: the only external script is echarts from
	// our own asset root.
	if strings.Contains(page, "://") {
		t.Errorf("page has a URL with a scheme: %q", regexp.MustCompile(`\S*://\S*`).FindString(page))
	}
	srcs := regexp.MustCompile(`<script[^>]*\bsrc="([^"]*)"`).FindAllStringSubmatch(page, -1)
	if len(srcs) != 1 || srcs[0][1] != "/echarts.min.js" {
		t.Errorf("script sources %v, want exactly /echarts.min.js", srcs)
	}

	// The CSP lets exactly these inline scripts run.
	csp := r.header.Get("Content-Security-Policy")
	scriptSrc := regexp.MustCompile(`script-src ([^;]*)`).FindStringSubmatch(csp)
	if scriptSrc == nil {
		t.Fatalf("no script-src in %q", csp)
	}
	for i, s := range scripts {
		sum := sha256.Sum256(s)
		if h := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(scriptSrc[1], h) {
			t.Errorf("inline script %d (%.40q...) not allowed by %s", i, s, scriptSrc[1])
		}
	}
	if got := strings.Count(scriptSrc[1], "'sha256-"); got != len(scripts) {
		t.Errorf("script-src allows %d hashes, the page has %d inline scripts", got, len(scripts))
	}
	if strings.Contains(scriptSrc[1], "'unsafe-inline'") || strings.Contains(scriptSrc[1], "'unsafe-eval'") {
		t.Errorf("script-src gave in: %s", scriptSrc[1])
	}
	// Everywhere else the default policy, without those hashes.
	if h := do(t, "GET", ts.URL+"/api/models").header.Get("Content-Security-Policy"); h != securityHeaders["Content-Security-Policy"] {
		t.Errorf("/api/models CSP changed: %s", h)
	}

	// Rendered once, with fixed chart ids: the same bytes again, so a 304.
	r2 := do(t, "GET", ts.URL+"/report", "If-None-Match", r.header.Get("ETag"))
	if r2.status != 304 {
		t.Errorf("If-None-Match: %d, want 304", r2.status)
	}
	again, err := renderReport(mustRead(t, filepath.Join(dir, manifestName)))
	if err != nil || !bytes.Equal(again, r.body) {
		t.Errorf("second render differs (err %v)", err)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The page depends on the manifest alone: a handler given only the manifest
// (no model folder) and reportHTML (the static page for Workers) give the
// same bytes as the server with its model folder.
func TestReportFromManifestOnly(t *testing.T) {
	dir, manifest := reportFixture(t, threeModels, false)
	native := do(t, "GET", start(t, Config{ModelDir: dir}).URL+"/report")
	worker := do(t, "GET", start(t, Config{ManifestJSON: manifest}).URL+"/report")
	if native.status != 200 || !bytes.Equal(native.body, worker.body) {
		t.Errorf("native %d and manifest-only %d pages differ", native.status, worker.status)
	}
	if !strings.Contains(string(worker.body), "No grid search in the manifest") {
		t.Error("a manifest without a grid should say so")
	}
	page, csp, err := reportHTML(dir)
	if err != nil || !bytes.Equal(page, native.body) || csp != native.header.Get("Content-Security-Policy") {
		t.Errorf("reportHTML differs from the served page (err %v)", err)
	}
	// A manifest that no longer matches its files is refused, as at start.
	write(t, filepath.Join(dir, "base.safetensors"), []byte("not the model"))
	if _, _, err := reportHTML(dir); err == nil || !strings.Contains(err.Error(), "base.safetensors") {
		t.Errorf("stale manifest: err %v, want one naming base.safetensors", err)
	}
}

// A model name is free text in the manifest; go-echarts puts it into an
// inline script unescaped, so it must not be able to end that script.
func TestReportHostileName(t *testing.T) {
	models := append([]tinyModel(nil), threeModels...)
	models[1].name = `x</script><script>alert(1)</script>`
	dir, _ := reportFixture(t, models, false)
	r := do(t, "GET", start(t, Config{ModelDir: dir}).URL+"/report")
	if r.status != 200 {
		t.Fatalf("status %d", r.status)
	}
	scripts := inlineScripts(r.body)
	if len(scripts) != 6 { // scatter, sizes, loss, accuracy, 2 confusion
		t.Errorf("%d inline scripts, want 6", len(scripts))
	}
	for _, s := range scripts {
		if bytes.Contains(s, []byte("alert(1)")) && !bytes.Contains(s, []byte("x_/script__script_alert(1)_/script_")) {
			t.Errorf("name reached a script unsanitised: %s", s)
		}
	}
	if !strings.Contains(string(r.body), "<td>x&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;</td>") {
		t.Error("the table should show the name HTML-escaped")
	}
}

func TestReportEmptyAndBroken(t *testing.T) {
	// No manifest yet: a page that says so, no charts, no inline script.
	ts := start(t, Config{ModelDir: t.TempDir()})
	r := do(t, "GET", ts.URL+"/report")
	if r.status != 200 || !strings.Contains(string(r.body), "No pre-trained models yet") || len(inlineScripts(r.body)) != 0 {
		t.Errorf("empty: %d\n%s", r.status, r.body)
	}
	// Its CSP is the default with the hash of its one <style> element only.
	styles := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindAllSubmatch(r.body, -1)
	if len(styles) != 1 {
		t.Fatalf("%d <style> elements, want 1", len(styles))
	}
	want := strings.Replace(securityHeaders["Content-Security-Policy"], "style-src 'self';", "style-src 'self' "+cspHash(styles[0][1])+";", 1)
	if got := r.header.Get("Content-Security-Policy"); got != want {
		t.Errorf("a page without inline scripts: CSP\n %s\nwant\n %s", got, want)
	}

	// A metric that is not a number: the manifest is not in protocol's
	// schema, so the server refuses to start, naming the model and the
	// metric, and the report page the same.
	dir, manifest := reportFixture(t, threeModels[:1], false)
	bad := bytes.Replace(manifest, []byte(`"test_loss": 0.3311`), []byte(`"test_loss": "low"`), 1)
	if bytes.Equal(bad, manifest) {
		t.Fatal("fixture changed: no test_loss to break")
	}
	write(t, filepath.Join(dir, manifestName), bad)
	if _, err := NewHandler(Config{ModelDir: dir}); err == nil || !strings.Contains(err.Error(), `models[0] ("base"): metrics.test_loss: want a number, got "low"`) {
		t.Errorf("start with a broken metric: err %v", err)
	}
	if _, err := renderReport(bad); err == nil || !strings.Contains(err.Error(), `models[0] ("base"): metrics.test_loss: want a number`) {
		t.Errorf("error %v should name the model and the field", err)
	}
}

func TestThesisNumber(t *testing.T) {
	for _, c := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"86.43%", 86.43, true}, {"86.4–86.8%", 86.6, true}, {"10,535 KB", 10535, true},
		{"543,847 non-zero", 543847, true}, {"87.6–88.4%", 88, true}, {"—", 0, false}, {"", 0, false},
	} {
		got, ok := thesisNumber(c.in)
		if ok != c.ok || (ok && (got-c.want > 1e-9 || c.want-got > 1e-9)) {
			t.Errorf("thesisNumber(%q) = %v, %v; want %v, %v", c.in, got, ok, c.want, c.ok)
		}
	}
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 2691713: "2,691,713", -1234: "-1,234"} {
		if got := commas(n); got != want {
			t.Errorf("commas(%d) = %q, want %q", n, got, want)
		}
	}
	if got := kib(32335000); got != "31,577 KB" {
		t.Errorf("kib = %q", got)
	}
}

// A TF-IDF baseline file in the manifest gets its row beside the LSTMs,
// and a model with an out-of-domain accuracy adds that column; a manifest
// without one has no such column (TestReportPage).
func TestReportBaselineAndOOD(t *testing.T) {
	dir, manifest := reportFixture(t, threeModels[:1], false)
	m, err := baseline.New(baseline.DefaultConfig(), []string{"good", "bad", "not good"}, []float32{1.2, 1.3, 2}, []float32{2, -2, -3}, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	f, err := modelfile.EncodeBaseline(m, modelfile.Meta{Variant: "baseline", Metrics: map[string]float64{"test_accuracy": 0.916}})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "baseline.safetensors")
	if err := modelfile.WriteFile(path, f); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc protocol.Manifest
	if err := json.Unmarshal(manifest, &doc); err != nil {
		t.Fatal(err)
	}
	doc.Models[0].Metrics["ood_accuracy"] = 0.726
	doc.Models[0].OODData = "rt-polarity-10k.csv.gz"
	sum := sha256.Sum256(raw)
	doc.Models = append(doc.Models, protocol.ManifestModel{Name: "baseline", File: "baseline.safetensors", Bytes: int64(len(raw)), SHA256: hex.EncodeToString(sum[:]),
		Variant: "baseline", Runtime: "float32", Kind: modelfile.KindTFIDFLogReg, Params: 4, NonZero: 4, OODData: "rt-polarity-10k.csv.gz",
		Metrics: map[string]float64{"test_accuracy": 0.916, "ood_accuracy": 0.752, "accuracy_change": 0.0517, "reviews_per_second": 20000}})
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, manifestName), b)
	ts := start(t, Config{ModelDir: dir})
	r := do(t, "GET", ts.URL+"/report")
	page := string(r.body)
	if r.status != 200 {
		t.Fatalf("GET /report: %d\n%s", r.status, page)
	}
	for _, want := range []string{
		"<th>test accuracy</th><th>out of domain</th><th>vs base</th>",
		"<td>base</td><td class=\"text\">base</td><td class=\"text\">float32</td><td>86.43%</td><td>72.60%</td>",
		"<td>baseline</td><td class=\"text\">baseline</td><td class=\"text\">float32</td><td>91.60%</td><td>75.20%</td>",
		"<td>&#43;5.17</td><td>—</td>", "<td>20,000</td>",
		"every review of a second dataset (rt-polarity-10k.csv.gz)", "The baseline is TF-IDF",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}
