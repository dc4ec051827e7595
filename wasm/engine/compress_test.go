package main

import (
	"os"
	"testing"

	"sentilab/core/compress"
	"sentilab/core/kernels"
	"sentilab/core/nn"
	"sentilab/core/text"
	"sentilab/core/train"
	"sentilab/internal/testenv"
	"sentilab/protocol"
)

// TestCompressVariants makes every variant of a small trained model and
// checks what each must show: smaller files, pruning's zeros, the int8 and
// float16 files loading back to the same predictions.
func TestCompressVariants(t *testing.T) {
	raw, err := os.ReadFile(testenv.DataPath(t))
	if err != nil {
		t.Fatal(err)
	}
	e := NewEngine()
	call(t, e, "loadData", map[string]any{"name": "imdb.csv.gz", "limit": 1000}, raw)
	res, _ := call(t, e, "train", map[string]any{"preset": "classroom", "epochs": 1}, nil)
	base := res.(*protocol.TrainResult).Info
	info := func(method string, extra map[string]any) *protocol.VariantInfo {
		req := map[string]any{"variant": "base", "method": method, "epochs": 1}
		for k, v := range extra {
			req[k] = v
		}
		res, _ := call(t, e, "compress", req, nil)
		return res.(*protocol.CompressResult).Info
	}
	i8 := info("int8", nil)
	f16 := info("f16", nil)
	pr := info("prune", map[string]any{"final_sparsity": 0.8})
	st := info("distill", map[string]any{"embed": 16, "hidden": 16})
	th := info("distill", map[string]any{"embed": 16, "hidden": 16, "thesis": true})
	ratio := func(v *protocol.VariantInfo) float64 { return float64(v.FileBytes) / float64(base.FileBytes) }
	if r := ratio(i8); r > 0.4 || i8.Storage != "int8" { // weights ¼, plus the vocabulary and scales
		t.Errorf("int8 file is %.2f of the base (%d of %d bytes), storage %q", r, i8.FileBytes, base.FileBytes, i8.Storage)
	}
	// The int8 variant runs on the int8 runtime: its probability is
	// QModel's, which differs from the dequantized float model's.
	if i8.Runtime != "int8" || f16.Runtime != "float32" {
		t.Errorf("runtimes: int8 variant %q, f16 %q", i8.Runtime, f16.Runtime)
	}
	v8, _ := e.variant(i8.Name)
	review := "a slow, dull film with one great scene"
	set, err := train.Encode(v8.Tok, []string{text.Clean(review)}, []float32{0}, v8.Model.Cfg)
	if err != nil {
		t.Fatal(err)
	}
	zq := compress.Quantize(v8.Model).Logits(set.Tokens, 1, &compress.QWorkspace{})[0]
	zf := nn.NewWorkspace(v8.Model.Cfg, kernels.Portable).Forward(v8.Model, set.Tokens, 1, nil)[0]
	a, _ := call(t, e, "predict", map[string]any{"text": review, "variants": []string{i8.Name}}, nil)
	if got := a.(*protocol.PredictResult).Results[0].Probability; got != float64(kernels.Sigmoid(zq)) || zq == zf {
		t.Errorf("int8 variant predicts %v; int8 runtime %v, dequantized float %v", got, kernels.Sigmoid(zq), kernels.Sigmoid(zf))
	}
	if r := ratio(f16); r < 0.45 || r > 0.55 {
		t.Errorf("float16 file is %.2f of the base", r)
	}
	if r := float64(pr.NonZero) / float64(pr.Params); r > 0.3 || ratio(pr) > 0.5 {
		t.Errorf("pruned: %d of %d non-zero, file %.2f of the base", pr.NonZero, pr.Params, ratio(pr))
	}
	if st.Config.Hidden != 16 || st.Params >= base.Params || st.Metrics == nil || th.Name != "base-distill-thesis" {
		t.Errorf("students: %+v / %+v", st, th)
	}
	// Every variant inherits the base's training reviews (a student too:
	// it learned from the base on them) and says which data it was scored on.
	// (The base was scored at training, when its training texts were known.)
	for _, v := range []*protocol.VariantInfo{base, i8, f16, pr, st} {
		want := protocol.TrainingFingerprints
		if v == base {
			want = protocol.TrainingSplit
		}
		if ev := v.Evaluation; v.Fingerprints != base.Fingerprints || ev == nil || ev.Training != want ||
			ev.Seen != 0 || ev.Accuracy != v.Metrics.Accuracy || v.MetricsData != base.MetricsData || ev.Data != v.MetricsData {
			t.Errorf("%s: fingerprints %d (base %d), evaluation %+v, metrics data %q", v.Name, v.Fingerprints, base.Fingerprints, ev, v.MetricsData)
		}
	}
	// Inspect counts an int8 matrix's distinct values over the tensor (its
	// codes, ≤ 255), a float32 one's float values (the embedding ≥ 1,000).
	for _, v := range []*protocol.VariantInfo{base, i8} {
		res, _ := call(t, e, "inspect", map[string]any{"variant": v.Name}, nil)
		for _, ti := range res.(*protocol.InspectResult).Tensors {
			big := len(ti.Shape) == 2 && ti.Count >= 1000
			if v == i8 && len(ti.Shape) == 2 && ti.Distinct > 255 || v == base && big && ti.Distinct != 1000 || ti.Distinct < 1 {
				t.Errorf("%s %s %v: %d distinct values", v.Name, ti.Name, ti.Shape, ti.Distinct)
			}
		}
	}
	// int8 and float16 files read back to the variant's own predictions.
	for _, v := range []*protocol.VariantInfo{i8, f16, pr} {
		_, file := call(t, e, "exportModel", map[string]any{"variant": v.Name}, nil)
		if int64(len(file)) != v.FileBytes {
			t.Errorf("%s: exported %d bytes, info says %d", v.Name, len(file), v.FileBytes)
		}
		res, _ := call(t, e, "importModel", map[string]any{"name": v.Name + "-file"}, file)
		back := res.(*protocol.VariantInfo)
		if back.Storage != v.Storage || back.Sparse != v.Sparse {
			t.Errorf("%s: re-imported as %s sparse=%v, was %s sparse=%v", v.Name, back.Storage, back.Sparse, v.Storage, v.Sparse)
		}
		a, _ := call(t, e, "predict", map[string]any{"text": "dull, slow and badly acted", "variants": []string{v.Name, back.Name}}, nil)
		ps := a.(*protocol.PredictResult).Results
		if ps[0].Probability != ps[1].Probability {
			t.Errorf("%s: file gives %v, variant %v", v.Name, ps[1].Probability, ps[0].Probability)
		}
	}
	t.Logf("base %d B, int8 %d, f16 %d, pruned %d (%d/%d non-zero), student %d; acc base %.3f int8 %.3f f16 %.3f pruned %.3f student %.3f thesis-student %.3f",
		base.FileBytes, i8.FileBytes, f16.FileBytes, pr.FileBytes, pr.NonZero, pr.Params, st.FileBytes,
		base.Metrics.Accuracy, i8.Metrics.Accuracy, f16.Metrics.Accuracy, pr.Metrics.Accuracy, st.Metrics.Accuracy, th.Metrics.Accuracy)
}
