package web

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vugu/vugu"
)

// Root is the whole page. Its fields are the UI state; handlers that wait
// on the engine run on goroutines and change state under Env's lock.
type Root struct {
	Eng Engine
	Br  Browser
	Env vugu.EventEnv

	Store Store   // the saved lab (persist.go); nil: IndexedDB, opened by Init
	P     Persist // saving and restoring the lab (persist.go)

	S       Settings
	Presets []Preset
	Status  string
	Err     string
	Busy    string // the running job's name, "" when idle
	BadURL  []string

	Data     *DataInfo
	DataProg float64 // 0..1 while reading or cleaning
	Limit    int     // load only the first N reviews
	EDA      *EDA
	Charts   map[string]string // chart id → ECharts option JSON

	TrainID   int
	Prog      *TrainProgress
	batchLoss []float64
	batchAcc  []float64
	// Progress between redraws (see trainProgress); only the goroutine
	// reading a request's progress touches these.
	pendLoss, pendAcc []float64
	drawn             time.Time
	dataPhase         string // of the last data progress drawn
	History           []Epoch
	Result            *TrainResult

	Variants   []VariantInfo
	Pretrained []PretrainedModel
	Manifest   string // status of the manifest fetch
	Inspect    string // variant whose weights are shown
	Tensors    []TensorInfo

	// Compress step
	CSource          string
	CInitial, CFinal float64
	CEpochs          int
	CAlpha, CT       float64
	CEmbed, CHidden  int
	CompressID       int
	CompressLog      []string

	Review      string
	Predictions []Prediction

	Log []string
}

// Init asks the engine for its presets, then applies the URL's state.
func (c *Root) Init() {
	c.Charts = map[string]string{}
	c.S = Settings{Step: "data", Preset: "classroom", Seed: 42, Workers: max(1, c.Br.HardwareConcurrency()-1)}
	c.Status = "Starting the engine…"
	c.CSource, c.CInitial, c.CFinal, c.CEpochs, c.CAlpha, c.CT = "base", 0.2, 0.8, 1, 0.85, 1.5
	c.Review = "One of the best films I have seen this year: moving, funny and beautifully acted."
	c.sched()
	go func() {
		res, _, err := c.Eng.Do("presets", nil, nil, nil, nil)
		c.Env.Lock()
		defer c.Env.UnlockRender()
		if err != nil {
			c.Err = "The engine did not start: " + err.Error()
			c.Status = ""
			return
		}
		var p struct {
			Presets []Preset
			Kernel  string
		}
		json.Unmarshal(res, &p)
		c.Presets = p.Presets
		want := Settings{Preset: "classroom"}
		want.ParseQuery(c.Br.Query())
		c.applyPreset(want.Preset)
		c.BadURL = c.S.ParseQuery(c.Br.Query())
		c.Status = "Ready. Load a dataset to begin."
		if p.Kernel == "portable" {
			c.Status = "Ready, without WebAssembly SIMD in this browser: training and scoring run several times slower. Load a dataset to begin."
		}
		c.saveURL()
		go c.restoreLab()
	}()
	go c.loadManifest()
}

func (c *Root) applyPreset(name string) {
	for _, p := range c.Presets {
		if p.Name == name {
			c.S.Apply(p)
			return
		}
	}
}

func (c *Root) saveURL() {
	if c.Br != nil {
		c.Br.SetQuery(c.S.Query())
	}
}

// async runs f on a goroutine; f's state changes must go through c.update.
func (c *Root) async(job string, f func() error) {
	if c.Busy != "" {
		c.Err = fmt.Sprintf("Wait for %s to finish (or cancel it).", c.Busy)
		return
	}
	c.Busy, c.Err = job, ""
	go func() {
		err := f()
		c.Env.Lock()
		defer c.Env.UnlockRender()
		c.Busy = ""
		if err != nil {
			c.Err = job + ": " + err.Error()
			c.Status = ""
		}
	}()
}

// update changes state from a goroutine and re-renders.
func (c *Root) update(f func()) {
	c.Env.Lock()
	defer c.Env.UnlockRender()
	f()
}

// ---- navigation

func (c *Root) Steps() []string { return Steps }

func (c *Root) StepTitle(s string) string {
	return fmt.Sprintf("%d. %s", indexOf(Steps, s)+1, StepTitles[s])
}

func indexOf(xs []string, x string) int {
	for i, y := range xs {
		if y == x {
			return i
		}
	}
	return -1
}

// Current is aria-current for a step tab (nil: attribute absent).
func (c *Root) Current(s string) any {
	if c.S.Step == s {
		return "step"
	}
	return nil
}

func (c *Root) Go(step string) {
	c.S.Step = step
	c.saveURL()
	if step == "compare" || step == "export" || step == "try" || step == "compress" {
		c.refreshVariants()
	}
	if step == "compress" {
		c.sched()
	}
}

// ---- data

func (c *Root) SetLimit(ev vugu.DOMEvent) {
	n, err := strconv.Atoi(ev.PropString("target", "value"))
	if err != nil || n < 0 {
		c.Err = "The number of reviews must be a whole number ≥ 0."
		return
	}
	c.Limit = n
}

func (c *Root) LoadFile() {
	c.async("loading the file", func() error {
		name, buf, size, err := c.Br.ReadFile("data-file")
		if err != nil {
			return err
		}
		c.update(func() { c.Status = fmt.Sprintf("Reading %s (%s)…", name, kb(float64(size))) })
		c.keepFile(name, buf, size)
		return c.load(map[string]any{"name": name, "limit": c.Limit}, buf)
	})
}

func (c *Root) LoadServer() {
	c.async("loading the server's dataset", func() error {
		c.update(func() { c.Status = "Downloading the server's dataset…" })
		return c.load(map[string]any{"url": "api/data", "name": "server dataset", "limit": c.Limit}, nil)
	})
}

func (c *Root) load(req map[string]any, buf any) error {
	res, _, err := c.Eng.Do("loadData", req, buf, nil, c.dataProgress)
	if err != nil {
		return err
	}
	var d DataInfo
	json.Unmarshal(res, &d)
	c.update(func() {
		c.Data, c.EDA = &d, nil
		c.dataLoaded(req)
		c.Status = fmt.Sprintf("Loaded %d reviews. Computing the EDA…", d.Rows)
	})
	res, _, err = c.Eng.Do("eda", nil, nil, nil, c.dataProgress)
	if err != nil {
		return err
	}
	var e EDA
	if err := json.Unmarshal(res, &e); err != nil {
		return err
	}
	c.update(func() {
		c.EDA, c.DataProg = &e, 1
		c.edaCharts()
		c.Status = fmt.Sprintf("EDA of %d reviews ready.", e.Rows)
	})
	return nil
}

func (c *Root) dataProgress(p json.RawMessage) {
	var pr struct {
		Phase string  `json:"phase"`
		Done  float64 `json:"done"`
		Bytes float64 `json:"bytes"`
		Total float64 `json:"total"`
	}
	json.Unmarshal(p, &pr)
	// As trainProgress: redraw at most every redrawEvery, and on a new phase.
	if pr.Phase == c.dataPhase && time.Since(c.drawn) < redrawEvery {
		return
	}
	c.dataPhase, c.drawn = pr.Phase, time.Now()
	c.update(func() {
		if pr.Total > 0 {
			c.DataProg = math.Max(pr.Done, pr.Bytes) / pr.Total
		}
		switch pr.Phase {
		case "read":
			c.Status = fmt.Sprintf("Reading: %.0f%%", 100*c.DataProg)
		case "clean":
			c.Status = fmt.Sprintf("Cleaning the texts (the thesis's preprocessing): %.0f%%", 100*c.DataProg)
		case "eda":
			c.Status = fmt.Sprintf("Computing statistics and TF-IDF: %.0f%%", 100*c.DataProg)
		case "fetch":
			c.Status = "Downloading…"
		}
	})
}

func (c *Root) edaCharts() {
	e := c.EDA
	if len(e.Classes) < 2 {
		return
	}
	names := []string{e.Classes[0].Sentiment, e.Classes[1].Sentiment}
	c.Charts["wc"] = HistogramChart("Words per review (cleaned)", "words", "reviews", names, []Histogram{e.Classes[0].WordCountHist, e.Classes[1].WordCountHist})
	c.Charts["cl"] = HistogramChart("Characters per review (cleaned)", "characters", "reviews", names, []Histogram{e.Classes[0].CharLengthHist, e.Classes[1].CharLengthHist})
	var x []string
	var y []float64
	for _, p := range e.Percentiles {
		x = append(x, fmt.Sprintf("%d%%", p.P))
		y = append(y, p.Value)
	}
	c.Charts["pct"] = LineChart("Word-count percentiles", "percentile", "words", x, []string{"words"}, [][]float64{y})
	var terms []string
	var scores []float64
	for _, t := range e.TFIDF.Top {
		terms = append(terms, t.Term)
		scores = append(scores, t.Score)
	}
	c.Charts["tfidf"] = BarChart("TF-IDF top terms (mean over reviews)", "mean TF-IDF", terms, scores)
}

func (c *Root) DataSummary() string {
	if c.Data == nil {
		return "No data loaded yet."
	}
	d := c.Data
	return fmt.Sprintf("%s: %d reviews (%d positive, %d negative).", d.Name, d.Rows, d.Positive, d.Negative)
}

// CloudWord is a word of a word cloud, sized by frequency.
type CloudWord struct {
	Word  string
	Style string
	Title string
}

// Cloud returns the 60 most frequent words of class k, sized 12-40 px by
// the square root of their count.
func (c *Root) Cloud(k int) []CloudWord {
	if c.EDA == nil || k >= len(c.EDA.Classes) {
		return nil
	}
	ws := c.EDA.Classes[k].TopWords
	if len(ws) > 60 {
		ws = ws[:60]
	}
	if len(ws) == 0 {
		return nil
	}
	top := math.Sqrt(float64(ws[0].Count))
	out := make([]CloudWord, len(ws))
	for i, w := range ws {
		px := 12 + 28*math.Sqrt(float64(w.Count))/top
		out[i] = CloudWord{w.Word, fmt.Sprintf("font-size:%.0fpx", px), fmt.Sprintf("%s: %d", w.Word, w.Count)}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Word < out[j].Word })
	return out
}

// ---- train

// Field is a numeric hyperparameter input.
type Field struct {
	Key, Label, Value, Step, Min, Max string
}

func (c *Root) TrainFields() []Field {
	s := c.S
	i := strconv.Itoa
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	return []Field{
		{"epochs", "Epochs", i(s.Epochs), "1", "1", "1000"},
		{"batch", "Batch size", i(s.BatchSize), "1", "1", "65536"},
		{"lr", "Learning rate (Adam)", f(s.LR), "any", "0.000001", "1"},
		{"seed", "Seed", i(s.Seed), "1", "0", ""},
		{"limit", "Training subset (reviews, 0 = all)", i(s.TrainLimit), "1", "0", ""},
		{"test", "Test fraction", f(s.TestFrac), "0.05", "0.01", "0.99"},
		{"val", "Validation split", f(s.ValSplit), "0.05", "0", "0.9"},
		{"vocab", "Vocabulary (num_words)", i(s.Vocab), "1", "2", ""},
		{"embed", "Embedding width", i(s.Embed), "1", "1", "4096"},
		{"hidden", "LSTM units", i(s.Hidden), "1", "1", "4096"},
		{"maxlen", "Max length (tokens)", i(s.MaxLen), "1", "1", "100000"},
		{"dropout", "Dropout", f(s.Dropout), "0.05", "0", "0.99"},
		{"workers", "Web Workers (data-parallel)", i(s.Workers), "1", "1", "64"},
	}
}

func (c *Root) SetField(ev vugu.DOMEvent, key string) {
	val := ev.PropString("target", "value")
	if bad := c.S.ParseQuery(url.Values{key: {val}}.Encode()); bad != nil {
		c.Err = fmt.Sprintf("Not a valid value: %s", strings.Join(bad, ", "))
		return
	}
	c.Err = ""
	c.saveURL()
}

func (c *Root) SetMasking(ev vugu.DOMEvent) {
	c.S.Masking = ev.PropBool("target", "checked")
	c.saveURL()
}

func (c *Root) SetPreset(ev vugu.DOMEvent) {
	c.applyPreset(ev.PropString("target", "value"))
	c.saveURL()
}

func (c *Root) PresetAbout() string {
	for _, p := range c.Presets {
		if p.Name == c.S.Preset {
			return p.About
		}
	}
	return ""
}

func (c *Root) trainRequest(name string) map[string]any {
	s := c.S
	return map[string]any{
		"preset": s.Preset, "name": name, "epochs": s.Epochs, "batch_size": s.BatchSize, "lr": s.LR,
		"val_split": s.ValSplit, "seed": s.Seed, "train_limit": s.TrainLimit, "test_frac": s.TestFrac,
		"vocab": s.Vocab, "embed": s.Embed, "hidden": s.Hidden, "max_len": s.MaxLen,
		"masking": s.Masking, "dropout": s.Dropout, "workers": s.Workers,
	}
}

func (c *Root) Train() { c.train("base", c.trainRequest("base")) }

// TrainUnmasked is the thesis's first mistake as an experiment: the same
// settings without masking, so the LSTM reads the padding.
func (c *Root) TrainUnmasked() {
	req := c.trainRequest("no-masking")
	req["masking"] = false
	c.train("no-masking", req)
}

func (c *Root) train(name string, req map[string]any) {
	if c.Data == nil {
		c.Err = "Load a dataset first (step 1)."
		return
	}
	c.Prog, c.Result, c.History, c.batchLoss, c.batchAcc = nil, nil, nil, nil, nil
	c.pendLoss, c.pendAcc = nil, nil
	c.Charts["batch"], c.Charts["epoch"] = "", ""
	c.async("training "+name, func() error {
		res, _, err := c.Eng.Do("train", req, nil, func(id int) { c.TrainID = id }, c.trainProgress)
		c.update(func() { c.TrainID = 0 })
		if err != nil {
			if err.Error() == "canceled" {
				c.update(func() { c.Status = "Training canceled." })
				return nil
			}
			return err
		}
		var r TrainResult
		json.Unmarshal(res, &r)
		c.update(func() {
			c.Result, c.History = &r, r.History
			c.epochChart()
			if r.Test != nil {
				c.Status = fmt.Sprintf("Trained %s: test accuracy %.2f%% in %.1f s (%.0f examples/s).", r.Variant, 100*r.Test.Accuracy, r.Seconds, r.EPS)
			}
		})
		c.refreshVariants()
		return nil
	})
}

func (c *Root) CancelTrain() {
	if c.TrainID != 0 {
		c.Eng.Cancel(c.TrainID)
		c.Status = "Canceling…"
	}
}

func (c *Root) Training() bool { return c.TrainID != 0 }

// redrawEvery limits how often training progress redraws the page: with
// the SIMD engine the classroom preset reports ~50 batches a second, and
// rebuilding the per-batch chart and the page for each kept the main thread
// so busy that a click on Cancel waited seconds (7 s once in the e2e test).
const redrawEvery = 100 * time.Millisecond

func (c *Root) trainProgress(p json.RawMessage) {
	var pr TrainProgress
	json.Unmarshal(p, &pr)
	if pr.Phase == "train" {
		c.pendLoss, c.pendAcc = append(c.pendLoss, pr.BatchLoss), append(c.pendAcc, pr.Accuracy)
	}
	last := (pr.Phase == "train" && pr.Batch == pr.Batches) || ((pr.Phase == "evaluate" || pr.Phase == "clean") && pr.Done == pr.Total)
	if pr.Phase != "epoch" && pr.Phase != "tokenize" && !last && time.Since(c.drawn) < redrawEvery {
		return
	}
	c.drawn = time.Now()
	c.update(func() {
		switch pr.Phase {
		case "train":
			c.Prog = &pr
			c.batchLoss = append(c.batchLoss, c.pendLoss...)
			c.batchAcc = append(c.batchAcc, c.pendAcc...)
			c.pendLoss, c.pendAcc = c.pendLoss[:0], c.pendAcc[:0]
			c.batchChart()
			c.Status = fmt.Sprintf("Epoch %d/%d, batch %d/%d — loss %.4f, accuracy %.2f%% — %.0f examples/s — ETA %s",
				pr.Epoch, pr.Epochs, pr.Batch, pr.Batches, pr.Loss, 100*pr.Accuracy, pr.EPS, duration(pr.ETA))
		case "epoch":
			c.History = pr.History
			c.epochChart()
		case "clean":
			c.Status = fmt.Sprintf("Cleaning the texts: %d of %d", pr.Done, pr.Total)
		case "tokenize":
			c.Status = fmt.Sprintf("Fitting the tokenizer on %d training reviews (%d for test)…", pr.TrainRows, pr.TestRows)
		case "evaluate":
			c.Status = fmt.Sprintf("Evaluating: %d of %d", pr.Done, pr.Total)
		}
	})
}

func (c *Root) batchChart() {
	n := len(c.batchLoss)
	x := make([]string, n)
	for i := range x {
		x[i] = strconv.Itoa(i + 1)
	}
	c.Charts["batch"] = LineChart("Per batch: loss and running accuracy", "batch", "", x, []string{"batch loss", "accuracy (epoch so far)"}, [][]float64{c.batchLoss, c.batchAcc})
}

func (c *Root) epochChart() {
	var x []string
	var l, a, vl, va []float64
	for _, e := range c.History {
		x = append(x, strconv.Itoa(e.Epoch))
		l, a, vl, va = append(l, e.Loss), append(a, e.Accuracy), append(vl, e.ValLoss), append(va, e.ValAccuracy)
	}
	c.Charts["epoch"] = LineChart("Per epoch: train and validation", "epoch", "", x,
		[]string{"loss", "accuracy", "val loss", "val accuracy"}, [][]float64{l, a, vl, va})
}

func (c *Root) ProgValue() float64 {
	if c.Prog == nil || c.Prog.Total == 0 {
		return 0
	}
	return float64(c.Prog.Done) / float64(c.Prog.Total)
}

// ---- compress

// SetC sets a compression parameter from an input.
func (c *Root) SetC(ev vugu.DOMEvent, key string) {
	v := ev.PropString("target", "value")
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		c.Err = fmt.Sprintf("%s: %q is not a number", key, v)
		return
	}
	c.Err = ""
	switch key {
	case "initial":
		c.CInitial = f
		c.sched()
	case "final":
		c.CFinal = f
		c.sched()
	case "epochs":
		c.CEpochs = int(f)
	case "alpha":
		c.CAlpha = f
	case "t":
		c.CT = f
	case "embed":
		c.CEmbed = int(f)
	case "hidden":
		c.CHidden = int(f)
	}
}

func (c *Root) SetSource(ev vugu.DOMEvent) { c.CSource = ev.PropString("target", "value") }

// Compress makes a new variant of CSource with one technique.
func (c *Root) Compress(method string, thesis bool) {
	req := map[string]any{"variant": c.CSource, "method": method, "epochs": c.CEpochs,
		"initial_sparsity": c.CInitial, "final_sparsity": c.CFinal, "alpha": c.CAlpha, "t": c.CT,
		"embed": c.CEmbed, "hidden": c.CHidden, "thesis": thesis}
	c.Prog = nil
	c.async("compress ("+method+")", func() error {
		res, _, err := c.Eng.Do("compress", req, nil, func(id int) { c.CompressID = id }, c.trainProgress)
		c.update(func() { c.CompressID = 0 })
		if err != nil {
			return err
		}
		var r struct{ Info VariantInfo }
		json.Unmarshal(res, &r)
		c.update(func() {
			v := r.Info
			acc := 0.0
			if v.Metrics != nil {
				acc = v.Metrics.Accuracy
			}
			c.Status = fmt.Sprintf("Made %s: test accuracy %s, file %s, %d of %d weights non-zero.", v.Name, Pct(acc), KB(v.FileBytes), v.NonZero, v.Params)
			c.CompressLog = append(c.CompressLog, c.Status)
		})
		c.refreshVariants()
		return nil
	})
}

func (c *Root) CancelCompress() {
	if c.CompressID != 0 {
		c.Eng.Cancel(c.CompressID)
	}
}

func (c *Root) sched() {
	si, sf := c.CInitial, c.CFinal
	if si == 0 && sf == 0 {
		si, sf = 0.2, 0.8
	}
	x, s := PolynomialSchedule(si, sf, 0, 1000)
	c.Charts["schedule"] = LineChart(fmt.Sprintf("Polynomial sparsity schedule %.0f%% → %.0f%%", 100*si, 100*sf), "optimizer step (of 1,000)", "sparsity (%)", x, []string{"sparsity"}, [][]float64{s})
}

// ---- compare

func (c *Root) refreshVariants() {
	go func() {
		res, _, err := c.Eng.Do("variants", nil, nil, nil, nil)
		if err != nil {
			return
		}
		var v struct{ Variants []VariantInfo }
		json.Unmarshal(res, &v)
		c.update(func() {
			c.Variants = c.withSavedInfo(v.Variants)
			c.scatter()
		})
	}()
}

func (c *Root) scatter() {
	var pts []Point
	for _, r := range ThesisResults {
		pts = append(pts, Point{Name: strings.SplitN(r.Variant, " ", 2)[0], SizeKB: r.SizeKB, Accuracy: r.AccPct, Reference: true})
	}
	for _, m := range c.Pretrained {
		if a, ok := m.Metrics["test_accuracy"]; ok && m.Bytes > 0 {
			pts = append(pts, Point{Name: m.Name, SizeKB: float64(m.Bytes) / 1024, Accuracy: 100 * a})
		}
	}
	for _, v := range c.Variants {
		if v.Metrics != nil && v.Metrics.N > 0 && v.FileBytes > 0 {
			pts = append(pts, Point{Name: v.Name, SizeKB: float64(v.FileBytes) / 1024, Accuracy: 100 * v.Metrics.Accuracy})
		}
	}
	c.Charts["scatter"] = ScatterChart(pts)
}

// loadManifest lists the server's pre-trained models.
func (c *Root) loadManifest() {
	txt, err := c.Br.FetchText("api/models")
	var m struct{ Models []PretrainedModel }
	if err == nil {
		err = json.Unmarshal([]byte(txt), &m)
	}
	c.update(func() {
		switch {
		case err != nil:
			c.Manifest = "Pre-trained models unavailable: " + err.Error()
		case len(m.Models) == 0:
			c.Manifest = "This server offers no pre-trained models."
		default:
			c.Manifest = fmt.Sprintf("%d pre-trained model(s) on this server.", len(m.Models))
		}
		c.Pretrained = m.Models
	})
}

// LoadPretrained fetches a pre-trained model into the engine (checking its
// SHA-256 against the manifest).
func (c *Root) LoadPretrained(m PretrainedModel) {
	c.async("loading "+m.Name, func() error {
		res, _, err := c.Eng.Do("importModel", map[string]string{"name": m.Name, "url": "models/" + m.File, "sha256": m.SHA256}, nil, nil, nil)
		if err != nil {
			return err
		}
		var v VariantInfo
		json.Unmarshal(res, &v)
		c.update(func() {
			c.Status = fmt.Sprintf("Loaded the pre-trained %s as %q (%s).", m.Name, v.Name, KB(v.FileBytes))
		})
		c.refreshVariants()
		return nil
	})
}

// Evaluate scores a variant on the test split of the loaded data.
func (c *Root) Evaluate(name string) {
	c.async("evaluating "+name, func() error {
		res, _, err := c.Eng.Do("evaluate", map[string]string{"variant": name}, nil, nil, nil)
		if err != nil {
			return err
		}
		var m Metrics
		json.Unmarshal(res, &m)
		c.update(func() {
			c.Status = fmt.Sprintf("%s: accuracy %s on %d test reviews of the loaded data.", name, Pct(m.Accuracy), m.N)
		})
		c.refreshVariants()
		return nil
	})
}

func (c *Root) ManifestAcc(m PretrainedModel) string {
	if a, ok := m.Metrics["test_accuracy"]; ok {
		return Pct(a)
	}
	return "—"
}

func (c *Root) ShowWeights(name string) {
	go func() {
		res, _, err := c.Eng.Do("inspect", map[string]string{"variant": name}, nil, nil, nil)
		c.update(func() {
			if err != nil {
				c.Err = err.Error()
				return
			}
			var r struct{ Tensors []TensorInfo }
			json.Unmarshal(res, &r)
			c.Inspect, c.Tensors = name, r.Tensors // together: the caption names what the table shows
			for _, t := range r.Tensors {
				if len(t.Counts) == 0 || t.Count < 2 {
					continue
				}
				c.Charts["w-"+t.Name] = HistogramChart(name+": "+t.Name, "weight", "weights", []string{"weights"}, []Histogram{{Edges: t.Edges, Counts: t.Counts}})
			}
		})
	}()
}

// WeightCharts are the chart ids of the inspected tensors with a histogram.
func (c *Root) WeightCharts() []string {
	var ids []string
	for _, t := range c.Tensors {
		if t.Count >= 2 {
			ids = append(ids, "w-"+t.Name)
		}
	}
	return ids
}

// ---- try

func (c *Root) SetReview(ev vugu.DOMEvent) { c.Review = ev.PropString("target", "value") }

// Chosen reports whether variant name is among the chosen ones (none
// chosen = all).
func (c *Root) Chosen(name string) bool {
	return len(c.S.Variants) == 0 || indexOf(c.S.Variants, name) >= 0
}

// ToggleVariant adds or removes a variant from the chosen ones (kept in the
// URL, so a teacher's link names the variants to compare).
func (c *Root) ToggleVariant(name string) {
	if len(c.S.Variants) == 0 {
		for _, v := range c.Variants {
			c.S.Variants = append(c.S.Variants, v.Name)
		}
	}
	if i := indexOf(c.S.Variants, name); i >= 0 {
		c.S.Variants = append(c.S.Variants[:i:i], c.S.Variants[i+1:]...)
	} else {
		c.S.Variants = append(c.S.Variants, name)
	}
	c.saveURL()
}

func (c *Root) chosenVariants() []string {
	var out []string
	for _, v := range c.Variants {
		if c.Chosen(v.Name) {
			out = append(out, v.Name)
		}
	}
	return out
}

func (c *Root) Predict() {
	text := c.Review
	chosen := c.chosenVariants()
	if len(chosen) == 0 && len(c.Variants) > 0 {
		c.Err = "Choose at least one model to score with."
		return
	}
	c.async("predicting", func() error {
		res, _, err := c.Eng.Do("predict", map[string]any{"text": text, "explain": true, "variants": chosen}, nil, nil, nil)
		if err != nil {
			return err
		}
		var r struct{ Results []Prediction }
		json.Unmarshal(res, &r)
		c.update(func() {
			c.Predictions = r.Results
			c.Status = fmt.Sprintf("Scored the review with %d model(s).", len(r.Results))
		})
		return nil
	})
}

func (c *Root) Moved(p Prediction) string {
	var parts []string
	for _, w := range p.Words {
		parts = append(parts, fmt.Sprintf("%s %+.3f", w.Word, w.Delta))
	}
	return strings.Join(parts, ", ")
}

// ---- export / import

func (c *Root) Export(name string) {
	c.async("exporting "+name, func() error {
		res, buf, err := c.Eng.Do("exportModel", map[string]string{"variant": name}, nil, nil, nil)
		if err != nil {
			return err
		}
		var r struct {
			Filename string
			Size     int
		}
		json.Unmarshal(res, &r)
		c.Br.Download(r.Filename, "application/octet-stream", buf)
		c.update(func() {
			c.Status = fmt.Sprintf("Exported %s (%s).", r.Filename, kb(float64(r.Size)))
			c.Log = append(c.Log, c.Status)
		})
		return nil
	})
}

func (c *Root) Import() {
	c.async("importing a model", func() error {
		name, buf, _, err := c.Br.ReadFile("import-file")
		if err != nil {
			return err
		}
		res, _, err := c.Eng.Do("importModel", map[string]string{}, buf, nil, nil)
		if err != nil {
			return fmt.Errorf("%s: %v", name, err)
		}
		var v VariantInfo
		json.Unmarshal(res, &v)
		c.update(func() {
			c.Status = fmt.Sprintf("Imported %s as %q (%d parameters).", name, v.Name, v.Params)
			c.Log = append(c.Log, c.Status)
		})
		c.refreshVariants()
		return nil
	})
}

// ComparisonRows is the comparison table as rows of strings (header first),
// shared by the JSON and CSV downloads.
func (c *Root) ComparisonRows() [][]string {
	rows := [][]string{{"source", "variant", "test_accuracy", "size_kb", "parameters", "nonzero"}}
	for _, r := range ThesisResults {
		rows = append(rows, []string{"thesis", r.Variant, r.Accuracy, fmt.Sprintf("%.0f", r.SizeKB), r.Params, ""})
	}
	// Lab variants by name (a compressed variant sorts after its source).
	for _, m := range c.Pretrained {
		acc := ""
		if a, ok := m.Metrics["test_accuracy"]; ok {
			acc = Pct(a)
		}
		rows = append(rows, []string{"pre-trained (manifest)", m.Name, acc, fmt.Sprintf("%.1f", float64(m.Bytes)/1024), "", ""})
	}
	for _, v := range c.Variants {
		acc := ""
		if v.Metrics != nil {
			acc = fmt.Sprintf("%.2f%%", 100*v.Metrics.Accuracy)
		}
		rows = append(rows, []string{"lab", v.Name, acc, fmt.Sprintf("%.1f", float64(v.FileBytes)/1024), strconv.Itoa(v.Params), strconv.Itoa(v.NonZero)})
	}
	return rows
}

func (c *Root) DownloadCSV() {
	var b strings.Builder
	for _, r := range c.ComparisonRows() {
		for i, f := range r {
			if i > 0 {
				b.WriteByte(',')
			}
			if strings.ContainsAny(f, ",\"\n") {
				f = `"` + strings.ReplaceAll(f, `"`, `""`) + `"`
			}
			b.WriteString(f)
		}
		b.WriteByte('\n')
	}
	c.Br.Download("sentilab-comparison.csv", "text/csv", b.String())
}

func (c *Root) DownloadJSON() {
	rows := c.ComparisonRows()
	var out []map[string]string
	for _, r := range rows[1:] {
		m := map[string]string{}
		for i, k := range rows[0] {
			m[k] = r[i]
		}
		out = append(out, m)
	}
	b, _ := json.MarshalIndent(out, "", "  ")
	c.Br.Download("sentilab-comparison.json", "application/json", string(b))
}

// StorageOf describes how a variant's file stores its weights, and says
// when it computes with int8 products rather than float32.
func (c *Root) StorageOf(v VariantInfo) string {
	s := v.Storage
	if v.Sparse {
		s += " + sparse mask"
	}
	if v.Runtime == "int8" {
		s += ", int8 runtime"
	}
	return s
}

// ---- formatting helpers for the template

func F(x float64, digits int) string { return strconv.FormatFloat(x, 'f', digits, 64) }
func Pct(x float64) string           { return F(100*x, 2) + "%" }
func I(n int) string                 { return strconv.Itoa(n) }

func kb(b float64) string {
	if b >= 1<<20 {
		return F(b/(1<<20), 1) + " MB"
	}
	return F(b/1024, 1) + " KB"
}

func KB(b int64) string { return kb(float64(b)) }

func duration(sec float64) string {
	if math.IsInf(sec, 0) || math.IsNaN(sec) || sec < 0 {
		return "…"
	}
	s := int(sec + 0.5)
	if s >= 60 {
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	}
	return fmt.Sprintf("%ds", s)
}
