package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"sentilab/core/compress"
	"sentilab/core/lab"
	"sentilab/core/modelfile"
	"sentilab/protocol"
)

// manifestName is the file lab manifest writes into the model folder; the
// server serves it at /api/models and checks every bytes and sha256 in it
// against the files at start (server/manifest.go).
const manifestName = protocol.ManifestFile

// gridName is the distillation grid's results file lab manifest picks up
// from the model folder when --grid is not given.
const gridName = "distill-grid.jsonl"

// Metadata keys lab train stores the learning curve (a JSON array of
// train.Epoch) and the test confusion matrix ([[TN, FP], [FN, TP]]) under.
// Files trained before it did have them only in the `lab train --json`
// output, which --train-json reads.
const (
	keyHistory   = "history"
	keyConfusion = "confusion"
)

func runManifest(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("manifest", flag.ContinueOnError)
	dir := fs.String("models", "", "model folder: every *.safetensors in it is listed, and manifest.json is written there")
	reportPath := fs.String("report", "", "`lab report --json` output to merge (reviews/s native and wasm, out-of-domain accuracy; its accuracy is checked against ours)")
	trainJSON := fs.String("train-json", "", "comma-separated `lab train --json` outputs: training histories and test confusion of the base models;\n"+
		"each matched to the model file it wrote by name, or given as NAME=FILE when the file was renamed since")
	gridPath := fs.String("grid", "", "distillation grid results (lab compress --grid FILE); default: "+gridName+" in --models if present")
	gridTeacherPath := fs.String("grid-teacher", "", "the model file the grid distilled (recorded with the grid; default: none recorded)")
	dataPath := fs.String("data", "", "dataset: if set, every model is evaluated on its own test split for its confusion matrix")
	workers := workersFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if *dir == "" {
		return errors.New("no model folder: pass --models DIR")
	}
	paths, err := filepath.Glob(filepath.Join(*dir, "*.safetensors"))
	if err != nil || len(paths) == 0 {
		return fmt.Errorf("--models %q: no *.safetensors files", *dir)
	}
	var corpus *lab.Corpus
	if *dataPath != "" {
		reviews, err := loadData(*dataPath)
		if err != nil {
			return err
		}
		c := lab.NewCorpus(reviews, nil)
		corpus = &c
	}
	doc := protocol.Manifest{Models: []protocol.ManifestModel{}}
	for _, p := range paths {
		m, err := describeModel(ctx, p, corpus, *workers)
		if err != nil {
			return err
		}
		doc.Models = append(doc.Models, m)
	}
	sortManifest(doc.Models)
	base := manifestBase(doc.Models)
	for i := range doc.Models {
		m := &doc.Models[i]
		if base != nil {
			m.Metrics["accuracy_change"] = m.Metrics["test_accuracy"] - base.Metrics["test_accuracy"]
		}
	}
	for _, f := range splitList(*trainJSON) {
		name, path, renamed := strings.Cut(f, "=")
		if !renamed {
			name, path = "", f
		}
		if err := mergeTrainJSON(path, name, doc.Models); err != nil {
			return err
		}
	}
	if *reportPath != "" {
		if err := mergeReport(*reportPath, doc.Models); err != nil {
			return err
		}
	}
	if *gridPath == "" {
		if _, err := os.Stat(filepath.Join(*dir, gridName)); err == nil {
			*gridPath = filepath.Join(*dir, gridName)
		}
	}
	if *gridPath != "" {
		if doc.DistillGrid, err = readManifestGrid(*gridPath); err != nil {
			return err
		}
		if *gridTeacherPath != "" {
			ld, err := modelfile.LoadFile(*gridTeacherPath)
			if err != nil {
				return err
			}
			doc.DistillGrid.Teacher = &protocol.GridTeacher{File: filepath.Base(*gridTeacherPath), Preset: ld.Meta.Extra["preset"],
				Config: lab.ConfigJSON(ld.Model.Cfg), Params: ld.Model.NumParams(), TestAccuracy: ld.Meta.Metrics["test_accuracy"]}
		}
	} else if *gridTeacherPath != "" {
		return errors.New("--grid-teacher without a grid (--grid FILE)")
	}
	out := filepath.Join(*dir, manifestName)
	if err := writeJSONFile(out, doc); err != nil {
		return err
	}
	printManifestSummary(doc)
	fmt.Fprintf(os.Stderr, "wrote %s: %d models\n", out, len(doc.Models))
	return nil
}

// describeModel reads one model file: its bytes, hash and gzip size, what
// its metadata says, and, with reviews, its confusion on its test split.
func describeModel(ctx context.Context, path string, corpus *lab.Corpus, workers int) (protocol.ManifestModel, error) {
	file := filepath.Base(path)
	if !plainFileName(file) {
		return protocol.ManifestModel{}, fmt.Errorf("%s: the server serves only plain names (letters, digits and . _ - ~, not starting with a dot): rename it", path)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return protocol.ManifestModel{}, err
	}
	mf, err := decodeModelFile(path, raw)
	if err != nil {
		return protocol.ManifestModel{}, err
	}
	meta := mf.meta()
	sum := sha256.Sum256(raw)
	m := protocol.ManifestModel{
		Name: strings.TrimSuffix(file, ".safetensors"), File: file, Bytes: int64(len(raw)), SHA256: hex.EncodeToString(sum[:]),
		Variant: meta.Variant, Runtime: lab.Runtime(meta.Variant), Metrics: map[string]float64{},
		Provenance: protocol.Provenance(meta.Provenance), Preset: meta.Extra[lab.KeyPreset], Preprocessing: meta.Preprocessing,
		Kind: mf.kind(), OODData: meta.Extra["ood_data"],
	}
	m.Params, m.NonZero = mf.params()
	if mf.ld != nil {
		m.Config = lab.ConfigJSON(mf.ld.Model.Cfg)
	}
	for k, v := range meta.Metrics {
		m.Metrics[k] = v
	}
	m.Metrics["gzip_bytes"] = float64(gzipSize(raw))
	for _, t := range mf.file().Tensors {
		m.Tensors = append(m.Tensors, protocol.ManifestTensor{Name: t.Name, DType: t.DType, Shape: t.Shape, Bytes: len(t.Data)})
	}
	if s := meta.Extra[compress.KeyPipeline]; s != "" {
		if err := protocol.Decode(fmt.Sprintf("%s: metadata %q", path, compress.KeyPipeline), []byte(s), &m.Pipeline); err != nil {
			return m, err
		}
	}
	if s := meta.Extra[keyHistory]; s != "" {
		if err := protocol.Decode(fmt.Sprintf("%s: metadata %q (a JSON array of epochs)", path, keyHistory), []byte(s), &m.History); err != nil {
			return m, err
		}
	}
	if s := meta.Extra[keyConfusion]; s != "" {
		var c [2][2]int
		if err := json.Unmarshal([]byte(s), &c); err != nil {
			return m, fmt.Errorf("%s: metadata %q: want [[TN, FP], [FN, TP]]: %v", path, keyConfusion, err)
		}
		m.Confusion = &c
	}
	if t, ok := thesisRows[meta.Variant]; ok && mf.ld != nil {
		m.Thesis = &t
	}
	if corpus != nil {
		mt, ev, err := mf.testMetrics(ctx, *corpus, workers)
		if err != nil {
			return m, err
		}
		if ev != nil {
			// How many of its test reviews the model trained on (the thesis
			// split: 133), and its score on the rest.
			m.Metrics["test_seen_in_training"] = float64(ev.Seen)
			if ev.UnseenMetrics != nil && ev.Seen > 0 {
				m.Metrics["test_unseen_accuracy"] = ev.UnseenMetrics.Accuracy
			}
		}
		if a, ok := m.Metrics["test_accuracy"]; ok && math.Abs(a-mt.Accuracy) > 1e-9 {
			fmt.Fprintf(os.Stderr, "%s: test accuracy %.6f now, %.6f in its metadata: keeping the new one\n", file, mt.Accuracy, a)
		}
		m.Metrics["test_accuracy"], m.Metrics["test_loss"], m.Metrics["test_n"] = mt.Accuracy, mt.Loss, float64(mt.N)
		c := mt.Confusion
		m.Confusion = &c
		fmt.Fprintf(os.Stderr, "%s: test accuracy %.4f on %d reviews, confusion %v\n", file, mt.Accuracy, mt.N, c)
	}
	return m, nil
}

// sortManifest puts the model named base first, then the rest by name.
func sortManifest(ms []protocol.ManifestModel) {
	sort.SliceStable(ms, func(i, j int) bool {
		if bi, bj := ms[i].Name == "base", ms[j].Name == "base"; bi != bj {
			return bi
		}
		return ms[i].Name < ms[j].Name
	})
}

// manifestBase is what accuracy_change is measured against: the model
// named base, else the first base variant, else none.
func manifestBase(ms []protocol.ManifestModel) *protocol.ManifestModel {
	for i := range ms {
		if ms[i].Name == "base" {
			return &ms[i]
		}
	}
	for i := range ms {
		if ms[i].Variant == "base" {
			return &ms[i]
		}
	}
	return nil
}

func findModel(ms []protocol.ManifestModel, file string) *protocol.ManifestModel {
	for i := range ms {
		if ms[i].File == file {
			return &ms[i]
		}
	}
	return nil
}

// mergeTrainJSON adds the history (and test confusion, unless --data
// measured it) of one `lab train --json` output to the model it wrote, or to
// the model called name if name is not empty.
func mergeTrainJSON(path, name string, ms []protocol.ManifestModel) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var o protocol.TrainOutput
	if err := protocol.Decode(path+" (a `lab train --json` output)", raw, &o); err != nil {
		return err
	}
	if o.Model == "" {
		return fmt.Errorf("%s: field \"model\" is empty: that training wrote no model file (--out)", path)
	}
	file := filepath.Base(o.Model)
	if name != "" {
		file = name + ".safetensors"
	}
	m := findModel(ms, file)
	switch {
	case m == nil && name != "":
		return fmt.Errorf("--train-json %s=%s: no model %s in the folder", name, path, file)
	case m == nil:
		return fmt.Errorf("%s: it trained %s, which is not in the model folder (renamed? pass NAME=%s)", path, o.Model, path)
	case m.Params != o.Params || m.Config != o.Config:
		return fmt.Errorf("%s: a model of %d parameters (%+v), %s has %d (%+v): not its training run", path, o.Params, o.Config, m.File, m.Params, m.Config)
	}
	if a := m.Metrics["test_accuracy"]; o.Test != nil && m.Confusion == nil && math.Abs(a-o.TestAccuracy) < 1e-9 && o.Test.Accuracy == o.TestAccuracy {
		c := o.Test.Confusion
		m.Confusion = &c
	} else if m.Confusion == nil {
		fmt.Fprintf(os.Stderr, "%s: test accuracy %.6f, %s says %.6f: not its training run? confusion not taken\n", m.File, a, path, o.TestAccuracy)
	}
	if len(o.History) > 0 {
		m.History, m.BestEpoch = o.History, o.BestEpoch
	}
	return nil
}

// mergeReport adds the reviews/s of a `lab report --json` output. The
// report must describe these very files: same size, same test accuracy.
func mergeReport(path string, ms []protocol.ManifestModel) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var rows []protocol.ResultRow
	if err := protocol.Decode(path+" (a `lab report --json` output)", raw, &rows); err != nil {
		return err
	}
	for i, r := range rows {
		m := findModel(ms, r.Name+".safetensors")
		if m == nil {
			fmt.Fprintf(os.Stderr, "%s: row %d (%s): no such model in the folder; ignored\n", path, i, r.Name)
			continue
		}
		if r.FileBytes != 0 && r.FileBytes != m.Bytes {
			return fmt.Errorf("%s: row %d (%s): file_bytes %d, the file has %d now: run lab report again", path, i, r.Name, r.FileBytes, m.Bytes)
		}
		if a, ok := m.Metrics["test_accuracy"]; ok && r.TestAccuracy != 0 && math.Abs(a-r.TestAccuracy) > 1e-9 {
			return fmt.Errorf("%s: row %d (%s): test_accuracy %.6f, the file's is %.6f: run lab report again", path, i, r.Name, r.TestAccuracy, a)
		}
		if r.ReviewsPerSec > 0 {
			m.Metrics["reviews_per_second"] = r.ReviewsPerSec
		}
		if r.WasmPerSec > 0 {
			m.Metrics["wasm_reviews_per_second"] = r.WasmPerSec
		}
		if r.OODN > 0 {
			m.Metrics["ood_accuracy"], m.Metrics["ood_loss"], m.Metrics["ood_n"] = r.OODAccuracy, r.OODLoss, float64(r.OODN)
			m.OODData = r.OODData
		}
	}
	return nil
}

// readManifestGrid reads a grid search's JSONL results; the axes are the
// distinct α and T values it holds, ascending.
func readManifestGrid(path string) (*protocol.DistillGrid, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cells, err := compress.ReadGrid(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if len(cells) == 0 {
		return nil, fmt.Errorf("%s: no finished grid cells", path)
	}
	g := &protocol.DistillGrid{Source: filepath.Base(path)}
	for _, c := range cells {
		g.Cells = append(g.Cells, protocol.GridCell(c))
	}
	as, ts := map[float64]bool{}, map[float64]bool{}
	for i, c := range cells {
		if !(c.TestAccuracy >= 0 && c.TestAccuracy <= 1) {
			return nil, fmt.Errorf("%s: cell %d (α %g, T %g): test_accuracy %v outside [0, 1]", path, i+1, c.Alpha, c.T, c.TestAccuracy)
		}
		if !as[c.Alpha] {
			as[c.Alpha] = true
			g.Alphas = append(g.Alphas, c.Alpha)
		}
		if !ts[c.T] {
			ts[c.T] = true
			g.Temperatures = append(g.Temperatures, c.T)
		}
	}
	sort.Float64s(g.Alphas)
	sort.Float64s(g.Temperatures)
	return g, nil
}

// plainFileName is the server's rule for a name it serves (server/paths.go).
func plainFileName(s string) bool {
	if s == "" || s[0] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("._~-", c) >= 0) {
			return false
		}
	}
	return true
}

// writeJSONFile writes v indented to a temp file beside path and renames
// it, so the server never reads half a manifest.
func writeJSONFile(path string, v any) error {
	var b bytes.Buffer
	if err := printJSONTo(&b, v); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(b.Bytes())
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), fs.FileMode(0o644))
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func printManifestSummary(doc protocol.Manifest) {
	fmt.Fprintf(os.Stderr, "%-28s %-20s %9s %9s %12s %10s %10s\n", "model", "variant", "accuracy", "vs base", "bytes", "params", "non-zero")
	for _, m := range doc.Models {
		fmt.Fprintf(os.Stderr, "%-28s %-20s %8.2f%% %+8.2f %12d %10d %10d\n", m.Name, m.Variant,
			100*m.Metrics["test_accuracy"], 100*m.Metrics["accuracy_change"], m.Bytes, m.Params, m.NonZero)
	}
}
