package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vugu/vugu"

	"sentilab/protocol"
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

	TrainID int
	Prog    *TrainProgress
	// batches is the per-batch curve, bounded (series.go); rate is the
	// recent throughput the ETA is computed from.
	batches *Series
	rate    Rate
	// Progress between redraws (see trainProgress); only the goroutine
	// reading a request's progress touches these.
	pend      []TrainProgress
	drawn     time.Time
	dataPhase string // of the last data progress drawn
	History   []Epoch
	Result    *TrainResult

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

	sent map[string]string // chart options as last handed to the page
}

// logCap bounds every log list on the page: a lesson long enough must not
// grow the page without end.
const logCap = 50

// appendLog appends line to a log, dropping the oldest beyond logCap.
func appendLog(log []string, line string) []string {
	log = append(log, line)
	if len(log) > logCap {
		log = append(log[:0], log[len(log)-logCap:]...)
	}
	return log
}

// AfterRender hands the page what must not pass through Vugu's fixed 16 KB
// render buffer (a longer string panics it and ends the program): chart
// options and the review text. The render loop (wasm/ui) calls it after
// each render, so a chart's element exists when its option arrives.
func (c *Root) AfterRender() {
	defer c.guard()
	if c.sent == nil {
		c.sent = map[string]string{}
	}
	for k, v := range c.Charts {
		if c.sent[k] != v {
			c.Br.DrawChart("chart-"+k, v)
			c.sent[k] = v
		}
	}
	for k := range c.sent {
		if _, ok := c.Charts[k]; !ok {
			c.Br.DrawChart("chart-"+k, "")
			delete(c.sent, k)
		}
	}
	if c.S.Step == "try" {
		c.Br.SyncValue("review", c.Review)
	}
}

// guard ends every event handler: a panic in one becomes a visible error
// and the crash banner (reload and restore) instead of ending the page's
// program, which left a page that looked alive but answered nothing.
// Handlers run under Vugu's lock, so guard changes state without locking.
func (c *Root) guard() {
	if r := recover(); r != nil {
		c.crashed(r)
	}
}

func (c *Root) crashed(r any) {
	msg := fmt.Sprintf("Internal error: %v", r)
	c.Err, c.Busy = Clip(msg, 300), ""
	c.Br.Crash(msg + "\n" + Clip(string(debug.Stack()), 4000))
}

// goSafe runs f on a goroutine with the same protection as guard; f's
// state changes go through c.update, which releases the lock on a panic.
func (c *Root) goSafe(f func()) {
	go func() {
		defer func() {
			if r := recover(); r != nil {
				c.update(func() { c.crashed(r) })
			}
		}()
		f()
	}()
}

// Init asks the engine for its presets, then applies the URL's state.
func (c *Root) Init() {
	c.Charts = map[string]string{}
	c.S = Settings{Step: "data", Preset: "classroom", Seed: 42, Workers: max(1, c.Br.HardwareConcurrency()-1)}
	c.Status = "Starting the engine…"
	// Fine-tuning runs 3 epochs, as the thesis did (its label says so).
	c.CSource, c.CInitial, c.CFinal, c.CEpochs, c.CAlpha, c.CT = "base", 0.2, 0.8, 3, 0.85, 1.5
	c.Review = "One of the best films I have seen this year: moving, funny and beautifully acted."
	c.sched()
	c.goSafe(func() {
		var p protocol.PresetsResult
		_, err := ask(c.Eng, protocol.TypePresets, nil, nil, &p, nil, nil)
		c.Env.Lock()
		defer c.Env.UnlockRender()
		if err != nil {
			c.Err = "The engine did not start: " + err.Error()
			c.Status = ""
			return
		}
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
		c.goSafe(c.restoreLab)
	})
	c.goSafe(c.loadManifest)
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
	c.goSafe(func() {
		err := f()
		c.Env.Lock()
		defer c.Env.UnlockRender()
		c.Busy = ""
		if err != nil {
			c.Err = Clip(job+": "+err.Error(), 600)
			c.Status = ""
		}
	})
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
	defer c.guard()
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
	defer c.guard()
	n, err := strconv.Atoi(ev.PropString("target", "value"))
	if err != nil || n < 0 {
		c.Err = "The number of reviews must be a whole number ≥ 0."
		return
	}
	c.Limit = n
}

func (c *Root) LoadFile() {
	defer c.guard()
	c.async("loading the file", func() error {
		name, buf, size, err := c.Br.ReadFile("data-file")
		if err != nil {
			return err
		}
		c.update(func() { c.Status = fmt.Sprintf("Reading %s (%s)…", name, kb(float64(size))) })
		c.keepFile(name, buf, size)
		return c.load(protocol.LoadDataRequest{Name: name, Limit: c.Limit}, buf)
	})
}

func (c *Root) LoadServer() {
	defer c.guard()
	c.async("loading the server's dataset", func() error {
		c.update(func() { c.Status = "Downloading the server's dataset…" })
		return c.load(protocol.LoadDataRequest{URL: "api/data", Name: "server dataset", Limit: c.Limit}, nil)
	})
}

func (c *Root) load(req protocol.LoadDataRequest, buf any) error {
	var d DataInfo
	if _, err := ask(c.Eng, protocol.TypeLoadData, req, buf, &d, nil, c.dataProgress); err != nil {
		return err
	}
	c.update(func() {
		c.Data, c.EDA = &d, nil
		c.dataLoaded(req)
		c.Status = fmt.Sprintf("Loaded %d reviews. Computing the EDA…", d.Rows)
	})
	var e EDA
	if _, err := ask(c.Eng, protocol.TypeEDA, nil, nil, &e, nil, c.dataProgress); err != nil {
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
	var pr protocol.Progress
	if err := protocol.Decode("progress", p, &pr); err != nil {
		c.update(func() { c.Err = Clip(err.Error(), 300) })
		return
	}
	// As trainProgress: redraw at most every redrawEvery, and on a new phase.
	if pr.Phase == c.dataPhase && time.Since(c.drawn) < redrawEvery {
		return
	}
	c.dataPhase, c.drawn = pr.Phase, time.Now()
	c.update(func() {
		if pr.Total > 0 {
			c.DataProg = math.Max(float64(pr.Done), float64(pr.Bytes)) / float64(pr.Total)
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
	for _, p := range e.WordCountPercentiles {
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
	defer c.guard()
	val := ev.PropString("target", "value")
	if bad := c.S.ParseQuery(url.Values{key: {val}}.Encode()); bad != nil {
		c.Err = fmt.Sprintf("Not a valid value: %s", strings.Join(bad, ", "))
		return
	}
	c.Err = ""
	c.saveURL()
}

func (c *Root) SetMasking(ev vugu.DOMEvent) {
	defer c.guard()
	c.S.Masking = ev.PropBool("target", "checked")
	c.saveURL()
}

func (c *Root) SetPreset(ev vugu.DOMEvent) {
	defer c.guard()
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

// trainRequest is the engine's train request for the current settings.
// Every field is sent, so the preset's value never overrides the form's.
func (c *Root) trainRequest(name string) protocol.TrainRequest {
	s := c.S
	return protocol.TrainRequest{
		Preset: s.Preset, Name: name, Epochs: s.Epochs, BatchSize: s.BatchSize, LR: s.LR,
		ValSplit: &s.ValSplit, Seed: uint64(s.Seed), TrainLimit: &s.TrainLimit, TestFrac: s.TestFrac,
		Vocab: s.Vocab, Embed: s.Embed, Hidden: s.Hidden, MaxLen: s.MaxLen,
		Masking: &s.Masking, Dropout: &s.Dropout, Workers: s.Workers,
	}
}

func (c *Root) Train() {
	defer c.guard()
	c.train("base", c.trainRequest("base"))
}

// TrainUnmasked is the thesis's first mistake as an experiment: the same
// settings without masking and with the thesis's 'post' padding, so the
// LSTM reads up to max-length pad tokens after the review before it answers
// and learning stalls. (With the classroom preset's 'pre' padding the pads
// come first and the review last: no stall to see.)
func (c *Root) TrainUnmasked() {
	defer c.guard()
	req := c.trainRequest("no-masking")
	unmasked := false
	req.Masking, req.Padding = &unmasked, "post"
	c.train("no-masking", req)
}

func (c *Root) train(name string, req protocol.TrainRequest) {
	if c.Data == nil {
		c.Err = "Load a dataset first (step 1)."
		return
	}
	c.Prog, c.Result, c.History = nil, nil, nil
	c.batches, c.pend = NewSeries(batchPoints), nil
	c.rate = Rate{Window: 5000}
	c.Charts["batch"], c.Charts["epoch"] = "", ""
	c.async("training "+name, func() error {
		var r TrainResult
		_, err := ask(c.Eng, protocol.TypeTrain, req, nil, &r, func(id int) { c.TrainID = id }, c.trainProgress)
		c.update(func() {
			c.TrainID = 0
			if c.Prog != nil {
				c.Prog.ETASec = math.NaN() // an ETA is only shown while training
			}
		})
		if err != nil {
			if err.Error() == protocol.Canceled {
				c.update(func() { c.Status = "Training canceled." })
				return nil
			}
			return err
		}
		c.update(func() {
			c.Result, c.History = &r, r.History
			c.epochChart()
			if r.Test != nil {
				c.Status = fmt.Sprintf("Trained %s: test accuracy %.2f%% in %.1f s (%.0f examples/s).", r.Variant, 100*r.Test.Accuracy, r.Seconds, r.EPS)
			}
		})
		c.listVariants()
		return nil
	})
}

func (c *Root) CancelTrain() {
	defer c.guard()
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

// batchPoints bounds the per-batch chart (series.go).
const batchPoints = 300

func (c *Root) trainProgress(p json.RawMessage) {
	var pr TrainProgress
	if err := protocol.Decode("progress", p, &pr); err != nil {
		c.update(func() { c.Err = Clip(err.Error(), 300) })
		return
	}
	if pr.Phase == "train" {
		c.pend = append(c.pend, pr)
	}
	last := (pr.Phase == "train" && pr.Batch == pr.Batches) || ((pr.Phase == "evaluate" || pr.Phase == "clean") && pr.Done == pr.Total)
	if pr.Phase != "epoch" && pr.Phase != "tokenize" && !last && time.Since(c.drawn) < redrawEvery {
		return
	}
	c.drawn = time.Now()
	c.update(func() {
		switch pr.Phase {
		case "train":
			if c.batches == nil { // compress's fine-tuning reports the same way
				c.batches, c.rate = NewSeries(batchPoints), Rate{Window: 5000}
			}
			for _, q := range c.pend {
				c.batches.Add((q.Epoch-1)*q.Batches+q.Batch, q.BatchLoss, q.Accuracy)
			}
			c.pend = c.pend[:0]
			// The ETA follows the last seconds' speed, not the run's
			// average (which lags when the speed changes).
			c.rate.Add(c.Br.Now(), float64(pr.Done))
			if r := c.rate.PerSec(); r > 0 {
				pr.ExamplesPerSec, pr.ETASec = r, float64(pr.Total-pr.Done)/r
			}
			c.Prog = &pr
			c.batchChart()
			c.Status = fmt.Sprintf("Epoch %d/%d, batch %d/%d — loss %.4f, accuracy %.2f%% — %.0f examples/s — ETA %s",
				pr.Epoch, pr.Epochs, pr.Batch, pr.Batches, pr.Loss, 100*pr.Accuracy, pr.ExamplesPerSec, duration(pr.ETASec))
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
	xs, loss, acc := c.batches.Points()
	x := make([]string, len(xs))
	for i, v := range xs {
		x[i] = strconv.Itoa(v)
	}
	// Short titles: ECharts does not wrap them, and a phone is 390 px wide.
	title := "Per batch: loss, running accuracy"
	if c.batches.Step > 1 {
		title = fmt.Sprintf("Per batch (means of %d): loss, accuracy", c.batches.Step)
	}
	c.Charts["batch"] = LineChart(title, "batch", "", x, []string{"batch loss", "accuracy (epoch so far)"}, [][]float64{loss, acc})
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
	defer c.guard()
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
		c.sched()
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

func (c *Root) SetSource(ev vugu.DOMEvent) {
	defer c.guard()
	c.CSource = ev.PropString("target", "value")
}

// Compress makes a new variant of CSource with one technique.
func (c *Root) Compress(method string, thesis bool) {
	defer c.guard()
	req := protocol.CompressRequest{Variant: c.CSource, Method: method, Epochs: c.CEpochs,
		InitialSparsity: c.CInitial, FinalSparsity: c.CFinal, Alpha: c.CAlpha, T: c.CT,
		Embed: c.CEmbed, Hidden: c.CHidden, Thesis: thesis}
	c.Prog, c.batches, c.pend = nil, nil, nil
	c.async("compress ("+method+")", func() error {
		var r protocol.CompressResult
		_, err := ask(c.Eng, protocol.TypeCompress, req, nil, &r, func(id int) { c.CompressID = id }, c.trainProgress)
		c.update(func() { c.CompressID = 0 })
		if err != nil {
			return err
		}
		if r.Info == nil {
			return errors.New("the engine's compress reply names no model")
		}
		c.update(func() {
			v := *r.Info
			acc := 0.0
			if v.Metrics != nil {
				acc = v.Metrics.Accuracy
			}
			c.Status = fmt.Sprintf("Made %s: test accuracy %s, file %s, %d of %d weights non-zero.", v.Name, Pct(acc), KB(v.FileBytes), v.NonZero, v.Params)
			c.CompressLog = appendLog(c.CompressLog, c.Status)
		})
		c.listVariants()
		return nil
	})
}

func (c *Root) CancelCompress() {
	defer c.guard()
	if c.CompressID != 0 {
		c.Eng.Cancel(c.CompressID)
	}
}

func (c *Root) sched() {
	si, sf := c.CInitial, c.CFinal
	if si == 0 && sf == 0 {
		si, sf = 0.2, 0.8
	}
	steps, known := c.fineTuneSteps()
	x, s := PolynomialSchedule(si, sf, 0, steps)
	xName := fmt.Sprintf("optimizer step (of %s)", Thousands(steps))
	if !known {
		xName = fmt.Sprintf("optimizer step (of %s; load data for the real count)", Thousands(steps))
	}
	c.Charts["schedule"] = LineChart(fmt.Sprintf("Polynomial sparsity schedule %.0f%% → %.0f%%", 100*si, 100*sf), xName, "sparsity (%)", x, []string{"sparsity"}, [][]float64{s})
}

// fineTuneSteps is the number of optimizer steps pruning will take: the
// fine-tuning epochs times the batches of the loaded data's training split
// under the current settings (the source model's own split; core/train's
// order: test fraction off the top, the training limit, then the
// validation split). known is false without data (then 1,000).
func (c *Root) fineTuneSteps() (steps int, known bool) {
	if c.Data == nil || c.Data.Rows == 0 || c.S.BatchSize <= 0 {
		return 1000, false
	}
	n := c.Data.Rows - int(math.Round(float64(c.Data.Rows)*c.S.TestFrac))
	if c.S.TrainLimit > 0 {
		n = min(n, c.S.TrainLimit)
	}
	n -= int(float64(n) * c.S.ValSplit)
	batches := (n + c.S.BatchSize - 1) / c.S.BatchSize
	return max(1, max(1, c.CEpochs)*batches), true
}

// ---- compare

// refreshVariants updates the list of the engine's models in the
// background (a step opened).
func (c *Root) refreshVariants() { c.goSafe(c.listVariants) }

// listVariants updates the list of the engine's models and returns when it
// is shown. A job that adds a model calls it before it ends, so the page is
// not idle (Score enabled) while it still lists the models of before: a
// Score right after loading a second pre-trained model scored only the first.
func (c *Root) listVariants() {
	var v protocol.VariantsResult
	if _, err := ask(c.Eng, protocol.TypeVariants, nil, nil, &v, nil, nil); err != nil {
		c.update(func() { c.Err = Clip("Listing the models: "+err.Error(), 300) })
		return
	}
	vs := make([]VariantInfo, 0, len(v.Variants))
	for _, x := range v.Variants {
		if x != nil {
			vs = append(vs, *x)
		}
	}
	c.update(func() {
		c.Variants = c.withSavedInfo(vs)
		c.scatter()
	})
}

func (c *Root) scatter() {
	var pts []Point
	for _, r := range ThesisResults {
		pts = append(pts, Point{Name: strings.SplitN(r.Variant, " ", 2)[0], SizeKB: r.SizeKB, Accuracy: r.AccPct, Group: "thesis"})
	}
	server := map[string]bool{}
	for _, m := range c.Pretrained {
		if a, ok := m.Metrics["test_accuracy"]; ok && m.Bytes > 0 {
			pts = append(pts, Point{Name: m.Name, SizeKB: float64(m.Bytes) / 1024, Accuracy: 100 * a, Group: "server's pre-trained"})
			server[m.Name] = true
		}
	}
	for _, v := range c.Variants {
		// A server model loaded here is already on the chart with the
		// manifest's numbers.
		if v.Metrics != nil && v.Metrics.N > 0 && v.FileBytes > 0 && !server[v.Name] {
			pts = append(pts, Point{Name: v.Name, SizeKB: float64(v.FileBytes) / 1024, Accuracy: 100 * v.Metrics.Accuracy, Group: "this class"})
		}
	}
	c.Charts["scatter"] = ScatterChart(pts)
}

// loadManifest lists the server's pre-trained models.
func (c *Root) loadManifest() {
	txt, err := c.Br.FetchText("api/models")
	var m protocol.Manifest
	if err == nil {
		err = protocol.Decode("api/models", []byte(txt), &m)
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
	defer c.guard()
	c.async("loading "+m.Name, func() error {
		var v VariantInfo
		req := protocol.ImportRequest{Name: m.Name, URL: "models/" + m.File, SHA256: m.SHA256}
		if _, err := ask(c.Eng, protocol.TypeImportModel, req, nil, &v, nil, nil); err != nil {
			return err
		}
		c.listVariants() // before the status: "Loaded" means it is listed
		c.update(func() {
			c.Status = fmt.Sprintf("Loaded the pre-trained %s as %q (%s).", m.Name, v.Name, KB(v.FileBytes))
		})
		return nil
	})
}

// Evaluate scores a variant on the test split of the loaded data.
func (c *Root) Evaluate(name string) {
	defer c.guard()
	c.async("evaluating "+name, func() error {
		var m Metrics
		if _, err := ask(c.Eng, protocol.TypeEvaluate, protocol.EvaluateRequest{Variant: name}, nil, &m, nil, nil); err != nil {
			return err
		}
		c.update(func() {
			c.Status = fmt.Sprintf("%s: accuracy %s on %d test reviews of the loaded data.", name, Pct(m.Accuracy), m.N)
		})
		c.listVariants()
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
	defer c.guard()
	c.goSafe(func() {
		var r protocol.InspectResult
		_, err := ask(c.Eng, protocol.TypeInspect, protocol.VariantRequest{Variant: name}, nil, &r, nil, nil)
		c.update(func() {
			if err != nil {
				c.Err = Clip(err.Error(), 300)
				return
			}
			c.Inspect, c.Tensors = name, r.Tensors // together: the caption names what the table shows
			for _, t := range r.Tensors {
				if len(t.Counts) == 0 || t.Count < 2 {
					continue
				}
				c.Charts["w-"+t.Name] = HistogramChart(name+": "+t.Name, "weight", "weights", []string{"weights"}, []Histogram{{Edges: t.Edges, Counts: t.Counts}})
			}
		})
	})
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

func (c *Root) SetReview(ev vugu.DOMEvent) {
	defer c.guard()
	c.Review = ev.PropString("target", "value")
}

// Chosen reports whether variant name is among the chosen ones (none
// chosen = all).
func (c *Root) Chosen(name string) bool {
	return len(c.S.Variants) == 0 || indexOf(c.S.Variants, name) >= 0
}

// ToggleVariant adds or removes a variant from the chosen ones (kept in the
// URL, so a teacher's link names the variants to compare).
func (c *Root) ToggleVariant(name string) {
	defer c.guard()
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
	defer c.guard()
	text := c.Review
	chosen := c.chosenVariants()
	if len(chosen) == 0 && len(c.Variants) > 0 {
		c.Err = "Choose at least one model to score with."
		return
	}
	if len(c.S.Variants) == 0 {
		chosen = nil // none chosen = all: every model the engine has now
	}
	c.async("predicting", func() error {
		var r protocol.PredictResult
		req := protocol.PredictRequest{Text: text, Explain: true, Variants: chosen}
		if _, err := ask(c.Eng, protocol.TypePredict, req, nil, &r, nil, nil); err != nil {
			return err
		}
		c.update(func() {
			c.Predictions = r.Results
			c.Status = fmt.Sprintf("Scored the review with %d model(s).", len(r.Results))
		})
		return nil
	})
}

// Moved lists the 8 words that moved the score most (a long review has
// up to 40 explained words; the cell stays readable and small).
func (c *Root) Moved(p Prediction) string {
	ws := append([]WordEffect(nil), p.Words...)
	sort.SliceStable(ws, func(i, j int) bool { return math.Abs(ws[i].Delta) > math.Abs(ws[j].Delta) })
	var parts []string
	for _, w := range ws[:min(len(ws), 8)] {
		parts = append(parts, fmt.Sprintf("%s %+.3f", Clip(w.Word, 40), w.Delta))
	}
	return strings.Join(parts, ", ")
}

// Latency shows a scoring time in a unit that does not round it to zero
// (a small model scores a review in a few microseconds).
func Latency(ms float64) string {
	switch {
	case ms <= 0:
		return "< 1 µs"
	case ms < 1:
		return F(ms*1000, 0) + " µs"
	default:
		return F(ms, 1) + " ms"
	}
}

// DistinctText is a tensor's count of distinct values; the engine stops
// counting at 1,000, so that count means "1,000 or more".
func DistinctText(n int) string {
	if n >= 1000 {
		return "≥ 1,000"
	}
	return I(n)
}

// ---- export / import

func (c *Root) Export(name string) {
	defer c.guard()
	c.async("exporting "+name, func() error {
		var r protocol.ExportResult
		buf, err := ask(c.Eng, protocol.TypeExportModel, protocol.VariantRequest{Variant: name}, nil, &r, nil, nil)
		if err != nil {
			return err
		}
		c.Br.Download(r.Filename, "application/octet-stream", buf)
		c.update(func() {
			c.Status = fmt.Sprintf("Exported %s (%s).", r.Filename, kb(float64(r.Size)))
			c.Log = appendLog(c.Log, c.Status)
		})
		return nil
	})
}

func (c *Root) Import() {
	defer c.guard()
	c.async("importing a model", func() error {
		name, buf, _, err := c.Br.ReadFile("import-file")
		if err != nil {
			return err
		}
		var v VariantInfo
		if _, err := ask(c.Eng, protocol.TypeImportModel, protocol.ImportRequest{}, buf, &v, nil, nil); err != nil {
			return fmt.Errorf("%s: %v", name, err)
		}
		c.listVariants()
		c.update(func() {
			c.Status = fmt.Sprintf("Imported %s as %q (%d parameters).", name, v.Name, v.Params)
			c.Log = appendLog(c.Log, c.Status)
		})
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
	defer c.guard()
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
	defer c.guard()
	rows := c.ComparisonRows()
	var out []map[string]string
	for _, r := range rows[1:] {
		m := map[string]string{}
		for i, k := range rows[0] {
			m[k] = r[i]
		}
		out = append(out, m)
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil { // strings only: cannot fail, but never hand out half a file
		c.Err = "Comparison as JSON: " + err.Error()
		return
	}
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

// Thousands writes n with thousands separators (1,000).
func Thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// Clip shortens s to at most n runes (with an ellipsis). Text shown
// through Vugu must stay far below its 16 KB render buffer: a review quoted
// in a table or an error message can be any length.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

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
