package web

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/vugu/vugu"

	"sentilab/protocol"
)

// CompressStep is step 3: a new variant of a model by quantization,
// pruning or distillation, and the thesis's two mistakes as experiments
// (one of them a training run: Train).
type CompressStep struct {
	Lab   *Lab       // what the steps share
	Train *TrainStep // trains the unmasked model

	CSource          string
	CInitial, CFinal float64
	CEpochs          int
	CAlpha, CT       float64
	CEmbed, CHidden  int
	CKeep            int // prune-units: LSTM units kept (0 = half)
	CompressID       int // the running compress request, 0 when none
	CompressLog      []string
	UnitsResult      string      // the last structured pruning's result line
	Pipeline         []PipeStage // the one-click pipeline's stages (compress_pipeline.go)
	// The α×T grid (compress_grid.go): the values as typed, the grid and
	// its finished cells, the running cell.
	GridAlphas, GridTs string
	Grid               *DistillGrid
	GridNow            string
}

// reset sets the thesis's parameters: fine-tuning runs 3 epochs, as the
// thesis did (its label says so).
func (c *CompressStep) reset() {
	c.CSource, c.CInitial, c.CFinal, c.CEpochs, c.CAlpha, c.CT = "base", 0.2, 0.8, 3, 0.85, 1.5
	c.GridAlphas, c.GridTs = "0.5, 0.85", "1.5, 3"
}

// SetC sets a compression parameter from an input.
func (c *CompressStep) SetC(ev vugu.DOMEvent, key string) {
	defer c.Lab.guard()
	v := ev.PropString("target", "value")
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		c.Lab.Err = fmt.Sprintf("%s: %q is not a number", key, v)
		return
	}
	c.Lab.Err = ""
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
	case "keep":
		c.CKeep = int(f)
	}
}

// SetGrid sets the grid's α or T values (key "alphas" or "ts") as typed;
// they are checked when the grid runs.
func (c *CompressStep) SetGrid(ev vugu.DOMEvent, key string) {
	defer c.Lab.guard()
	v := ev.PropString("target", "value")
	if key == "alphas" {
		c.GridAlphas = v
	} else {
		c.GridTs = v
	}
}

func (c *CompressStep) SetSource(ev vugu.DOMEvent) {
	defer c.Lab.guard()
	c.CSource = ev.PropString("target", "value")
}

// source is the model to compress: CSource, or, once that model is gone
// (deleted in Compare), the first LSTM left, which is also what the
// select then shows.
func (c *CompressStep) source() string {
	if _, ok := c.Lab.variant(c.CSource); ok {
		return c.CSource
	}
	for _, v := range c.Lab.Variants {
		if !IsBaseline(v) {
			c.CSource = v.Name
			break
		}
	}
	return c.CSource
}

// Compress makes a new variant of CSource with one technique.
func (c *CompressStep) Compress(method string, thesis bool) {
	defer c.Lab.guard()
	req := c.request(c.source(), method, thesis)
	src, _ := c.Lab.variant(c.CSource)
	c.Lab.Run.clear()
	c.Lab.async("compress ("+method+")", func() error {
		v, err := c.run(req)
		if err != nil {
			return err
		}
		if method == "prune-units" {
			c.Lab.update(func() { c.UnitsResult = unitsResult(src, v) })
		}
		return nil
	})
}

// request is the compress request of method (one or a chain) on source
// with the step's parameters.
func (c *CompressStep) request(source, method string, thesis bool) protocol.CompressRequest {
	return protocol.CompressRequest{Variant: source, Method: method, Epochs: c.CEpochs,
		InitialSparsity: c.CInitial, FinalSparsity: c.CFinal, Alpha: c.CAlpha, T: c.CT,
		Embed: c.CEmbed, Hidden: c.CHidden, KeepUnits: c.CKeep, Thesis: thesis}
}

// run sends one compress request and waits for the new variant (on a job's
// goroutine); the log and the variant list follow.
func (c *CompressStep) run(req protocol.CompressRequest) (VariantInfo, error) {
	var r protocol.CompressResult
	_, err := ask(c.Lab.Eng, protocol.TypeCompress, req, nil, &r, func(id int) { c.CompressID = id }, c.Lab.onProgress)
	c.Lab.update(func() { c.CompressID = 0 })
	if err != nil {
		return VariantInfo{}, err
	}
	if r.Info == nil {
		return VariantInfo{}, errors.New("the engine's compress reply names no model")
	}
	v := *r.Info
	c.Lab.update(func() {
		acc := 0.0
		if v.Metrics != nil {
			acc = v.Metrics.Accuracy
		}
		c.Lab.Status = fmt.Sprintf("Made %s: test accuracy %s, file %s, %d of %d weights non-zero.", v.Name, Pct(acc), KB(v.FileBytes), v.NonZero, v.Params)
		c.CompressLog = appendLog(c.CompressLog, c.Lab.Status)
	})
	c.Lab.listVariants()
	return v, nil
}

// unitsResult is the structured-pruning card's result line: units, file
// and accuracy before and after (src is zero when the source was unknown).
func unitsResult(src, v VariantInfo) string {
	acc := func(m *Metrics) string {
		if m == nil {
			return "not scored"
		}
		return Pct(m.Accuracy)
	}
	return fmt.Sprintf("%s: %d → %d LSTM units, %s → %s parameters, file %s → %s, test accuracy %s → %s.",
		v.Name, src.Config.Hidden, v.Config.Hidden, Thousands(src.Params), Thousands(v.Params),
		KB(src.FileBytes), KB(v.FileBytes), acc(src.Metrics), acc(v.Metrics))
}

func (c *CompressStep) CancelCompress() {
	defer c.Lab.guard()
	if c.CompressID != 0 {
		c.Lab.Eng.Cancel(c.CompressID)
	}
}

// sched draws the pruning schedule of the current parameters, if the
// Compress step is open (Root.Go draws it when the step opens): the page's
// first chart pays the JSON encoder's first use, which the first screen
// need not wait for.
func (c *CompressStep) sched() {
	if c.Lab.S.Step != "compress" {
		return
	}
	si, sf := c.CInitial, c.CFinal
	if si == 0 && sf == 0 {
		si, sf = 0.2, 0.8
	}
	steps, known := fineTuneSteps(c.Lab.Data, c.Lab.S, c.CEpochs)
	x, s := PolynomialSchedule(si, sf, 0, steps)
	xName := fmt.Sprintf("optimizer step (of %s)", Thousands(steps))
	if !known {
		xName = fmt.Sprintf("optimizer step (of %s; load data for the real count)", Thousands(steps))
	}
	c.Lab.Charts["schedule"] = LineChart(fmt.Sprintf("Polynomial sparsity schedule %.0f%% → %.0f%%", 100*si, 100*sf), xName, "sparsity (%)", x, []string{"sparsity"}, [][]float64{s})
}

// fineTuneSteps is the number of optimizer steps pruning will take: the
// fine-tuning epochs times the batches of the loaded data's training split
// under settings s (the source model's own split; core/train's order:
// test fraction off the top, the training limit, then the validation
// split). known is false without data (then 1,000).
func fineTuneSteps(d *DataInfo, s Settings, epochs int) (steps int, known bool) {
	if d == nil || d.Rows == 0 || s.BatchSize <= 0 {
		return 1000, false
	}
	n := d.Rows - int(math.Round(float64(d.Rows)*s.TestFrac))
	if s.TrainLimit > 0 {
		n = min(n, s.TrainLimit)
	}
	n -= int(float64(n) * s.ValSplit)
	batches := (n + s.BatchSize - 1) / s.BatchSize
	return max(1, max(1, epochs)*batches), true
}
