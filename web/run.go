package web

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"

	"sentilab/protocol"
)

// Run is the progress of a training run or a fine-tuning (compress): the
// last progress shown, the epochs so far and the per-batch curve. The
// Train and Compress steps both show it (Lab.Run).
type Run struct {
	Prog    *TrainProgress
	History []Epoch
	// batches is the per-batch curve, bounded (series.go); rate is the
	// recent throughput the ETA is computed from.
	batches *Series
	rate    Rate
	// Progress between redraws (see onProgress); only the goroutine
	// reading a request's progress touches these.
	pend  []TrainProgress
	drawn time.Time
	// charted is when (ms, Lab.Br.Now) the per-batch chart was last
	// rebuilt: see chartEvery.
	charted float64
}

// redrawEvery limits how often training progress redraws the page: with
// the SIMD engine the classroom preset reports ~50 batches a second, and
// rebuilding the per-batch chart and the page for each kept the main thread
// so busy that a click on Cancel waited seconds (7 s once in the e2e test).
const redrawEvery = 100 * time.Millisecond

// chartEvery limits how often the per-batch chart is rebuilt (ms), apart
// from the status line: ECharts rebuilds a chart's whole model at each
// option, and at every 100 ms that garbage grew the page's V8 heap from 13
// to 68 MB over one epoch of the fast preset (V8 enlarges its young
// generation for a thread that allocates fast; issue 11's memory budget).
const chartEvery = 500

// batchPoints bounds the per-batch chart (series.go).
const batchPoints = 300

// start forgets the last run's progress; keepHistory keeps its epochs
// (compress's fine-tuning leaves the training's table).
func (r *Run) start(keepHistory bool) {
	r.Prog, r.batches, r.pend, r.charted = nil, NewSeries(batchPoints), nil, 0
	r.rate = Rate{Window: 5000}
	if !keepHistory {
		r.History = nil
	}
}

// Fraction is the run's progress, 0..1.
func (r *Run) Fraction() float64 {
	if r.Prog == nil || r.Prog.Total == 0 {
		return 0
	}
	return float64(r.Prog.Done) / float64(r.Prog.Total)
}

// ended hides the ETA: it is only shown while a run goes on.
func (r *Run) ended() {
	if r.Prog != nil {
		r.Prog.ETASec = math.NaN()
	}
}

// onProgress is the progress handler of train and compress requests. It
// runs on the request's goroutine and redraws at most every redrawEvery.
func (l *Lab) onProgress(p json.RawMessage) {
	r := &l.Run
	var pr TrainProgress
	if err := protocol.Decode("progress", p, &pr); err != nil {
		l.update(func() { l.Err = Clip(err.Error(), 300) })
		return
	}
	if pr.Phase == protocol.PhaseTrain {
		r.pend = append(r.pend, pr)
	}
	last := (pr.Phase == protocol.PhaseTrain && pr.Batch == pr.Batches) ||
		((pr.Phase == protocol.PhaseEvaluate || pr.Phase == protocol.PhaseClean) && pr.Done == pr.Total)
	if pr.Phase != protocol.PhaseEpoch && pr.Phase != protocol.PhaseTokenize && !last && time.Since(r.drawn) < redrawEvery {
		return
	}
	r.drawn = time.Now()
	l.update(func() { l.showProgress(pr, l.Br.Now()) })
}

// showProgress shows progress pr, received at now (ms), under Env's lock.
func (l *Lab) showProgress(pr TrainProgress, now float64) {
	r := &l.Run
	switch pr.Phase {
	case protocol.PhaseTrain:
		if r.batches == nil { // restored, or a run that did not start
			r.start(true)
		}
		for _, q := range r.pend {
			r.batches.Add((q.Epoch-1)*q.Batches+q.Batch, q.BatchLoss, q.Accuracy)
		}
		r.pend = r.pend[:0]
		// The ETA follows the last seconds' speed, not the run's
		// average (which lags when the speed changes).
		r.rate.Add(now, float64(pr.Done))
		if eps := r.rate.PerSec(); eps > 0 {
			pr.ExamplesPerSec, pr.ETASec = eps, float64(pr.Total-pr.Done)/eps
		}
		r.Prog = &pr
		if now-r.charted >= chartEvery || pr.Batch == pr.Batches {
			r.charted = now
			l.Charts["batch"] = r.batchChart()
		}
		l.Status = fmt.Sprintf("Epoch %d/%d, batch %d/%d — loss %.4f, accuracy %.2f%% — %.0f examples/s — ETA %s",
			pr.Epoch, pr.Epochs, pr.Batch, pr.Batches, pr.Loss, 100*pr.Accuracy, pr.ExamplesPerSec, duration(pr.ETASec))
	case protocol.PhaseEpoch:
		r.History = pr.History
		l.Charts["epoch"] = r.epochChart()
	case protocol.PhaseClean:
		l.Status = fmt.Sprintf("Cleaning the texts: %d of %d", pr.Done, pr.Total)
	case protocol.PhaseTokenize:
		l.Status = fmt.Sprintf("Fitting the tokenizer on %d training reviews (%d for test)…", pr.TrainRows, pr.TestRows)
	case protocol.PhaseEvaluate:
		l.Status = fmt.Sprintf("Evaluating: %d of %d", pr.Done, pr.Total)
	}
}

// batchChart is the per-batch chart's option.
func (r *Run) batchChart() string {
	xs, loss, acc := r.batches.Points()
	x := make([]string, len(xs))
	for i, v := range xs {
		x[i] = strconv.Itoa(v)
	}
	// Short titles: ECharts does not wrap them, and a phone is 390 px wide.
	title := "Per batch: loss, running accuracy"
	if r.batches.Step > 1 {
		title = fmt.Sprintf("Per batch (means of %d): loss, accuracy", r.batches.Step)
	}
	return LineChart(title, "batch", "", x, []string{"batch loss", "accuracy (epoch so far)"}, [][]float64{loss, acc})
}

// epochChart is the per-epoch chart's option.
func (r *Run) epochChart() string {
	var x []string
	var l, a, vl, va []float64
	for _, e := range r.History {
		x = append(x, strconv.Itoa(e.Epoch))
		l, a, vl, va = append(l, e.Loss), append(a, e.Accuracy), append(vl, e.ValLoss), append(va, e.ValAccuracy)
	}
	return LineChart("Per epoch: train and validation", "epoch", "", x,
		[]string{"loss", "accuracy", "val loss", "val accuracy"}, [][]float64{l, a, vl, va})
}

// clear forgets the progress and the per-batch curve, keeping the epochs:
// a fine-tuning (compress) starts its curve with its first batch.
func (r *Run) clear() { r.Prog, r.batches, r.pend, r.charted = nil, nil, nil, 0 }
