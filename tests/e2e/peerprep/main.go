// Command peerprep writes what the peer benchmark (tests/e2e/peer.mjs) feeds
// to ONNX Runtime Web and to Sentilab's engine: the same real test reviews,
// tokenized by our code and sorted by length, two ONNX graphs of the same
// model (float, and ORT's own int8 form with com.microsoft
// DynamicQuantizeLSTM) and a CSV the engine loads.
//
//	go run ./tests/e2e/peerprep --data IMDB.csv.gz --out DIR \
//	    [--float assets/models/base.safetensors] [--int8 assets/models/base.int8.safetensors] [--n 1000]
//
// DIR gets:
//
//	peer.fp32.onnx  tokens int64 [batch, len] (post-padded) + lens int32 [batch]
//	                → Gather → LSTM(sequence_lens) → Gemm → Sigmoid → probability [batch]
//	peer.int8.onnx  the same with the int8 file's weights: the embedding rows
//	                gathered as int8 and scaled per row, the LSTM as
//	                DynamicQuantizeLSTM (W [1, in, 4H], R [1, H, 4H] int8, per
//	                channel scales [1, 4H], zero points 0), which is the node
//	                ORT's quantize_dynamic makes of an LSTM; ORT quantizes the
//	                activations to uint8 per tensor at every step inside it
//	export.fp32.onnx  the float model as `lab export` writes it (tokens
//	                [batch, max_len] only), for comparison
//	reviews.json    the first --n reviews of the seeded test split (seed 42, 20%,
//	                as lab export --reference), longest first: token ids
//	                (unpadded), lengths, labels, raw texts, and Sentilab's native
//	                probabilities (float runtime; int8 runtime)
//	engine.csv      those reviews plus one filler row, placed so that the
//	                engine's evaluate (seed 42, test_frac just under 1) sees exactly
//	                them, in the same longest-first order
//
// Unlike `lab export` (tokens [batch, max_len] only; the graph finds the
// lengths itself with TopK), these graphs take the lengths as an input and
// any length up to max_len, so ORT gets length-sorted batches cut to their
// longest review, as our engine runs them.
package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"sentilab/core/compress"
	"sentilab/core/data"
	"sentilab/core/kernels"
	"sentilab/core/modelfile"
	"sentilab/core/onnx"
	"sentilab/core/text"
	"sentilab/core/train"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "peerprep:", err)
		os.Exit(1)
	}
}

type reviewsFile struct {
	Model   string      `json:"model"`
	Int8    string      `json:"int8_model"`
	MaxLen  int         `json:"max_len"`
	N       int         `json:"n"`
	Seed    uint64      `json:"seed"`
	Split   float64     `json:"test_frac"`
	IDs     [][]int32   `json:"ids"`     // longest first, unpadded
	Lens    []int       `json:"lengths"` // len(IDs[i])
	Labels  []float32   `json:"labels"`
	Texts   []string    `json:"texts"`
	PFloat  []float32   `json:"p_float"` // Sentilab float runtime, native
	PInt8   []float32   `json:"p_int8"`  // Sentilab int8 runtime, native
	Engine  engineSplit `json:"engine"`
	Correct int         `json:"float_correct"` // reviews the float runtime gets right
	QRight  int         `json:"int8_correct"`  // reviews the int8 runtime gets right
	// Q7Right: the int8 runtime with its 7-bit hidden state (Act7, the
	// relaxed SIMD opt-in) gets right.
	Q7Right int `json:"int8_act7_correct"`
}

// engineSplit is how to make the engine evaluate exactly these reviews.
type engineSplit struct {
	Rows     int     `json:"rows"`
	TestFrac float64 `json:"test_frac"`
	Seed     uint64  `json:"seed"`
}

func run() error {
	dataPath := flag.String("data", os.Getenv("SENTILAB_DATA"), "the IMDB dataset")
	floatPath := flag.String("float", "assets/models/base.safetensors", "float model file")
	int8Path := flag.String("int8", "assets/models/base.int8.safetensors", "int8 model file (of the same model)")
	out := flag.String("out", "", "output directory")
	n := flag.Int("n", 1000, "test reviews")
	flag.Parse()
	if *out == "" || *dataPath == "" {
		return errors.New("need --out and --data (or $SENTILAB_DATA)")
	}
	const seed, testFrac = 42, 0.2

	ld, err := modelfile.LoadFile(*floatPath)
	if err != nil {
		return err
	}
	ldq, err := modelfile.LoadFile(*int8Path)
	if err != nil {
		return err
	}
	c := ld.Model.Cfg
	// The peer graphs take post-padded rows and their lengths. A masked
	// model skips padding wherever it is, so a 'pre' model's rows (its
	// truncation keeps a long review's end) are moved to the front below:
	// the same tokens, the same logits.
	if !c.Masking {
		return fmt.Errorf("%s: masking off: the peer graphs take masked models", *floatPath)
	}
	if ldq.Model.Cfg != c {
		return fmt.Errorf("%s and %s have different configs", *floatPath, *int8Path)
	}
	if !onnx.StoresInt8(ldq.File) {
		return fmt.Errorf("%s stores no int8 weights", *int8Path)
	}
	q, err := compress.NewQModel(ldq)
	if err != nil {
		return err
	}
	tok, err := text.NewTokenizerFromVocab(ld.Vocab)
	if err != nil {
		return err
	}

	reviews, err := data.Open(*dataPath, data.Options{})
	if err != nil {
		return err
	}
	_, test, err := data.Split(reviews, testFrac, seed)
	if err != nil {
		return err
	}
	if *n < 1 || *n > len(test) {
		return fmt.Errorf("--n %d: want 1..%d", *n, len(test))
	}
	test = test[:*n]

	// Longest first (stable), as ORT's batches and the engine get them.
	T := c.MaxLen
	raw := make([]string, *n)
	for i, r := range test {
		raw[i] = r.Text
	}
	set0, err := train.EncodeRaw(tok, raw, make([]float32, *n), c)
	if err != nil {
		return err
	}
	lens := make([]int, *n)
	for i := range lens {
		row := set0.Tokens[i*T : (i+1)*T]
		if c.Padding == "pre" {
			k := 0
			for _, tok := range row {
				if tok != 0 {
					row[k] = tok
					k++
				}
			}
			clear(row[k:])
		}
		for lens[i] < T && row[lens[i]] != 0 {
			lens[i]++
		}
		for t := lens[i]; t < T; t++ {
			if row[t] != 0 {
				return fmt.Errorf("test review %d: token %d after padding at %d", i, row[t], lens[i])
			}
		}
		if lens[i] == 0 {
			// ORT's LSTM refuses sequence_lens 0; no review of the seeded
			// test split's head is empty after cleaning.
			return fmt.Errorf("test review %d has no known word", i)
		}
	}
	order := make([]int, *n)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return lens[order[a]] > lens[order[b]] })

	rf := reviewsFile{Model: filepath.Base(*floatPath), Int8: filepath.Base(*int8Path), MaxLen: T, N: *n, Seed: seed, Split: testFrac}
	set := train.Set{Tokens: make([]int32, 0, *n*T), Labels: make([]float32, 0, *n), N: *n}
	for _, i := range order {
		row := set0.Tokens[i*T : (i+1)*T]
		set.Tokens = append(set.Tokens, row...)
		set.Labels = append(set.Labels, float32(test[i].Label))
		rf.IDs = append(rf.IDs, append([]int32(nil), row[:lens[i]]...))
		rf.Lens = append(rf.Lens, lens[i])
		rf.Labels = append(rf.Labels, float32(test[i].Label))
		rf.Texts = append(rf.Texts, test[i].Text)
	}
	ctx := context.Background()
	zf, err := train.Logits(ctx, ld.Model, set, train.EvalOptions{BatchSize: 32, Workers: 1, Kernels: kernels.Default()})
	if err != nil {
		return err
	}
	zq, err := compress.QLogits(ctx, q, set, 32, 1)
	if err != nil {
		return err
	}
	zq7, err := compress.QLogitsAct7(ctx, q, set, 32, 1)
	if err != nil {
		return err
	}
	for i := range zf {
		rf.PFloat = append(rf.PFloat, kernels.Sigmoid(zf[i]))
		rf.PInt8 = append(rf.PInt8, kernels.Sigmoid(zq[i]))
		if (zf[i] >= 0) == (rf.Labels[i] >= 0.5) {
			rf.Correct++
		}
		if (zq[i] >= 0) == (rf.Labels[i] >= 0.5) {
			rf.QRight++
		}
		if (zq7[i] >= 0) == (rf.Labels[i] >= 0.5) {
			rf.Q7Right++
		}
	}

	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	sorted := make([]data.Review, *n)
	for i, j := range order {
		sorted[i] = test[j]
	}
	layout, engineFrac, err := engineLayout(sorted, seed)
	if err != nil {
		return err
	}
	rf.Engine = engineSplit{Rows: len(layout), TestFrac: engineFrac, Seed: seed}
	csvRows := make([][]string, len(layout))
	for i, r := range layout {
		csvRows[i] = []string{r.Text, map[int]string{0: "negative", 1: "positive"}[r.Label]}
	}
	if err := writeCSV(filepath.Join(*out, "engine.csv"), csvRows); err != nil {
		return err
	}
	if err := writeJSON(filepath.Join(*out, "reviews.json"), rf); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(*out, "peer.fp32.onnx"), floatGraph(ld.Model).Marshal(), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(*out, "peer.int8.onnx"), int8Graph(q).Marshal(), 0o644); err != nil {
		return err
	}
	exported, err := onnx.FromLoaded(ld) // what `lab export` writes
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(*out, "export.fp32.onnx"), exported.Marshal(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "peerprep: %d reviews (lengths %d..%d), float model right on %d, in %s\n",
		*n, rf.Lens[*n-1], rf.Lens[0], rf.Correct, *out)
	return nil
}

// engineLayout returns the rows of a dataset whose seeded split (data.Split:
// the engine's evaluate shuffles the loaded rows with data.Permutation and
// tests on the last ceil(testFrac·rows)) is exactly want, in order, and that
// test fraction. One filler row goes to training: with n+1 rows and
// testFrac (n − ½)/(n+1) the split keeps all rows but the one at perm[0]
// (a fixed 0.999 kept n−1 of 2,501), and want[i] must sit at perm[i+1].
func engineLayout(want []data.Review, seed uint64) ([]data.Review, float64, error) {
	rows := len(want) + 1
	testFrac := (float64(len(want)) - 0.5) / float64(rows)
	if got := int(ceilF(testFrac * float64(rows))); got != len(want) {
		return nil, 0, fmt.Errorf("test_frac %v of %d rows keeps %d, want %d", testFrac, rows, got, len(want))
	}
	perm := data.Permutation(rows, seed)
	out := make([]data.Review, rows)
	out[perm[0]] = data.Review{Text: "A filler row the engine trains on, never tests.", Label: 1}
	for i, r := range want {
		out[perm[i+1]] = r
	}
	return out, testFrac, nil
}

func ceilF(x float64) float64 {
	i := float64(int64(x))
	if i < x {
		return i + 1
	}
	return i
}

func writeCSV(path string, rows [][]string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	w.Write([]string{"review", "sentiment"})
	w.WriteAll(rows) // flushes
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func writeJSON(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}
