package web

import (
	"fmt"
	"strconv"
	"strings"

	"sentilab/protocol"
)

// CompareStep is step 4: every model side by side with the thesis's and
// the server's pre-trained ones, their confusion matrices and weights.
type CompareStep struct {
	Lab      *Lab         // what the steps share
	Manifest string       // status of the manifest fetch
	Inspect  string       // variant whose weights are shown
	Tensors  []TensorInfo // its tensors
	Deleting []string     // models a second click deletes (compare_delete.go)
}

// loadManifest lists the server's pre-trained models.
func (c *CompareStep) loadManifest() {
	txt, err := c.Lab.Br.FetchText("api/models")
	var m protocol.Manifest
	if err == nil {
		err = protocol.Decode("api/models", []byte(txt), &m)
	}
	c.Lab.update(func() {
		switch {
		case err != nil:
			c.Manifest = Clip("Pre-trained models unavailable: "+err.Error(), 500)
		case len(m.Models) == 0:
			c.Manifest = "This server offers no pre-trained models."
		default:
			c.Manifest = fmt.Sprintf("%d pre-trained model(s) on this server.", len(m.Models))
		}
		c.Lab.Pretrained = m.Models
	})
}

// LoadPretrained fetches a pre-trained model into the engine (checking its
// SHA-256 against the manifest).
func (c *CompareStep) LoadPretrained(m PretrainedModel) {
	defer c.Lab.guard()
	c.Lab.async("loading "+m.Name, func() error {
		var v VariantInfo
		req := protocol.ImportRequest{Name: m.Name, URL: "models/" + m.File, SHA256: m.SHA256}
		if _, err := ask(c.Lab.Eng, protocol.TypeImportModel, req, nil, &v, nil, nil); err != nil {
			return err
		}
		c.Lab.listVariants() // before the status: "Loaded" means it is listed
		c.Lab.update(func() {
			c.Lab.Status = fmt.Sprintf("Loaded the pre-trained %s as %q (%s).", m.Name, v.Name, KB(v.FileBytes))
		})
		return nil
	})
}

// Evaluate scores a variant on the test split of the loaded data.
func (c *CompareStep) Evaluate(name string) {
	defer c.Lab.guard()
	c.Lab.async("evaluating "+name, func() error {
		var ev protocol.Evaluation
		// A large test split is scored in as many Web Workers as training
		// runs in (the same logits as one).
		req := protocol.EvaluateRequest{Variant: name, Workers: c.Lab.S.Workers}
		if _, err := ask(c.Lab.Eng, protocol.TypeEvaluate, req, nil, &ev, nil, nil); err != nil {
			return err
		}
		if ev.Metrics == nil {
			return fmt.Errorf("the engine's evaluation of %s has no metrics", name)
		}
		// The model's own figure stays as it is: this score is shown beside
		// it, with how many of these reviews the model trained on.
		c.Lab.update(func() {
			c.Lab.Status = Clip(fmt.Sprintf("%s: accuracy %s on %d test reviews of the loaded data. %s", name, Pct(ev.Accuracy), ev.N, ev.Note), 600)
		})
		c.Lab.listVariants()
		return nil
	})
}

// ManifestAcc is a pre-trained model's test accuracy as its manifest says.
func ManifestAcc(m PretrainedModel) string {
	if a, ok := m.Metrics["test_accuracy"]; ok {
		return Pct(a)
	}
	return "—"
}

func (c *CompareStep) ShowWeights(name string) {
	defer c.Lab.guard()
	c.Lab.goSafe(func() {
		var r protocol.InspectResult
		_, err := ask(c.Lab.Eng, protocol.TypeInspect, protocol.VariantRequest{Variant: name}, nil, &r, nil, nil)
		c.Lab.update(func() {
			if err != nil {
				c.Lab.Err = Clip(err.Error(), 300)
				return
			}
			c.Inspect, c.Tensors = name, r.Tensors // together: the caption names what the table shows
			for _, t := range r.Tensors {
				if len(t.Counts) == 0 || t.Count < 2 {
					continue
				}
				c.Lab.Charts["w-"+t.Name] = HistogramChart(name+": "+t.Name, "weight", "weights", []string{"weights"}, []Histogram{{Edges: t.Edges, Counts: t.Counts}})
			}
		})
	})
}

// WeightCharts are the chart ids of the inspected tensors with a histogram.
func (c *CompareStep) WeightCharts() []string {
	var ids []string
	for _, t := range c.Tensors {
		if t.Count >= 2 {
			ids = append(ids, "w-"+t.Name)
		}
	}
	return ids
}

// Scored are the variants with test metrics (their confusion matrices); a
// variant without test counts of its own (an imported file records only
// its accuracy) is shown with its latest evaluation on the loaded data.
func (c *CompareStep) Scored() []VariantInfo {
	var out []VariantInfo
	for _, v := range c.Lab.Variants {
		if v.Metrics != nil && v.Metrics.N > 0 {
			out = append(out, v)
		} else if ev := v.Evaluation; ev != nil && ev.Metrics != nil && ev.N > 0 {
			v.Name, v.Metrics = v.Name+" (on the loaded data)", ev.Metrics
			out = append(out, v)
		}
	}
	return out
}

// DistinctText is a tensor's count of distinct values; the engine stops
// counting at 1,000, so that count means "1,000 or more".
func DistinctText(n int) string {
	if n >= 1000 {
		return "≥ 1,000"
	}
	return I(n)
}

// Sparsity is a tensor's share of zeros.
func Sparsity(t TensorInfo) string { return Pct(float64(t.Zeros) / float64(max(t.Count, 1))) }

// scatterChart is the accuracy-against-size chart: the thesis's results,
// the server's pre-trained models and this class's models.
func scatterChart(pretrained []PretrainedModel, variants []VariantInfo) string {
	var pts []Point
	for _, r := range ThesisResults {
		pts = append(pts, Point{Name: strings.SplitN(r.Variant, " ", 2)[0], SizeKB: r.SizeKB, Accuracy: r.AccPct, Group: "thesis"})
	}
	server := map[string]bool{}
	for _, m := range pretrained {
		if a, ok := m.Metrics["test_accuracy"]; ok && m.Bytes > 0 {
			pts = append(pts, Point{Name: m.Name, SizeKB: float64(m.Bytes) / 1024, Accuracy: 100 * a, Group: "server's pre-trained"})
			server[m.Name] = true
		}
	}
	for _, v := range variants {
		// A server model loaded here is already on the chart with the
		// manifest's numbers.
		if v.Metrics != nil && v.Metrics.N > 0 && v.FileBytes > 0 && !server[v.Name] {
			pts = append(pts, Point{Name: v.Name, SizeKB: float64(v.FileBytes) / 1024, Accuracy: 100 * v.Metrics.Accuracy, Group: "this class"})
		}
	}
	return withParetoFront(ScatterChart(pts), pts) // layers_charts.go
}

// comparisonRows is the comparison table as rows of strings (header
// first): the thesis's results, the server's models, then this lab's. The
// Compare step shows it; the Export step downloads it as JSON and CSV.
func comparisonRows(pretrained []PretrainedModel, variants []VariantInfo) [][]string {
	rows := [][]string{append([]string{"source", "variant", "test_accuracy", "size_kb", "parameters", "nonzero", "scored_on", "on_loaded_data"}, oodHeader...)}
	for _, r := range ThesisResults {
		rows = append(rows, append([]string{"thesis", r.Variant, r.Accuracy, fmt.Sprintf("%.0f", r.SizeKB), r.Params, "", "the thesis's test split", ""}, "", "", ""))
	}
	for _, m := range pretrained {
		acc := ""
		if a, ok := m.Metrics["test_accuracy"]; ok {
			acc = Pct(a)
		}
		rows = append(rows, append([]string{"pre-trained (manifest)", m.Name, acc, fmt.Sprintf("%.1f", float64(m.Bytes)/1024), "", "", "its own test split (manifest)", ""},
			manifestOODCells(m)...))
	}
	for _, v := range variants {
		acc := ""
		if v.Metrics != nil {
			acc = fmt.Sprintf("%.2f%%", 100*v.Metrics.Accuracy)
		}
		rows = append(rows, append([]string{"lab", v.Name, acc, fmt.Sprintf("%.1f", float64(v.FileBytes)/1024), strconv.Itoa(v.Params), strconv.Itoa(v.NonZero),
			v.MetricsData, loadedDataCell(v.Evaluation)}, oodCells(v)...))
	}
	return rows
}

// loadedDataCell is a variant's latest score on the loaded data, never
// mixed with its own figure: the accuracy, and how many of those reviews
// the model trained on with the score on the rest ("802 of 1,000 seen in
// training; unseen 86.36%"), since a model scored on its own training
// reviews looks better than it is.
func loadedDataCell(ev *protocol.Evaluation) string {
	if ev == nil || ev.Metrics == nil {
		return ""
	}
	s := Pct(ev.Accuracy) + " on " + strconv.Itoa(ev.N)
	switch {
	case ev.Training == protocol.TrainingUnknown:
		return s + "; its training reviews are unknown"
	case ev.Seen == 0:
		return s + ", none seen in training"
	case ev.UnseenMetrics == nil:
		return s + ", all seen in training"
	}
	return fmt.Sprintf("%s, %d seen in training; unseen %s", s, ev.Seen, Pct(ev.UnseenMetrics.Accuracy))
}

// ComparisonRows are the comparison table's rows, without the header.
func (c *CompareStep) ComparisonRows() [][]string {
	return comparisonRows(c.Lab.Pretrained, c.Lab.Variants)[1:]
}
