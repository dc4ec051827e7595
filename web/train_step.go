package web

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/vugu/vugu"

	"sentilab/protocol"
)

// TrainStep is step 2: the hyperparameters (kept in the URL), a training
// run's progress (Lab.Run) and its result on the test set.
type TrainStep struct {
	Lab     *Lab // what the steps share
	TrainID int  // the running train request, 0 when none
	Result  *TrainResult
}

// Field is a numeric hyperparameter input.
type Field struct {
	Key, Label, Value, Step, Min, Max string
}

// trainFields are the inputs of settings s; Key is the URL's key.
func trainFields(s Settings) []Field {
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

func (c *TrainStep) TrainFields() []Field { return trainFields(c.Lab.S) }

func (c *TrainStep) SetField(ev vugu.DOMEvent, key string) {
	defer c.Lab.guard()
	val := ev.PropString("target", "value")
	if bad := c.Lab.S.ParseQuery(url.Values{key: {val}}.Encode()); bad != nil {
		c.Lab.Err = fmt.Sprintf("Not a valid value: %s", strings.Join(bad, ", "))
		return
	}
	c.Lab.Err = ""
	c.Lab.saveURL()
}

func (c *TrainStep) SetMasking(ev vugu.DOMEvent) {
	defer c.Lab.guard()
	c.Lab.S.Masking = ev.PropBool("target", "checked")
	c.Lab.saveURL()
}

func (c *TrainStep) SetPreset(ev vugu.DOMEvent) {
	defer c.Lab.guard()
	c.Lab.applyPreset(ev.PropString("target", "value"))
	c.Lab.saveURL()
}

func (c *TrainStep) PresetAbout() string {
	for _, p := range c.Lab.Presets {
		if p.Name == c.Lab.S.Preset {
			return p.About
		}
	}
	return ""
}

// trainRequest is the engine's train request for settings s. Every field
// is sent, so the preset's value never overrides the form's.
func trainRequest(s Settings, name string) protocol.TrainRequest {
	return protocol.TrainRequest{
		Preset: s.Preset, Name: name, Epochs: s.Epochs, BatchSize: s.BatchSize, LR: s.LR,
		ValSplit: &s.ValSplit, Seed: uint64(s.Seed), TrainLimit: &s.TrainLimit, TestFrac: s.TestFrac,
		Vocab: s.Vocab, Embed: s.Embed, Hidden: s.Hidden, MaxLen: s.MaxLen, Padding: s.Padding,
		Masking: &s.Masking, Dropout: &s.Dropout, Workers: s.Workers,
	}
}

func (c *TrainStep) Train() {
	defer c.Lab.guard()
	c.train("base", trainRequest(c.Lab.S, "base"))
}

// TrainUnmasked is the thesis's first mistake as an experiment (a button
// of the Compress step): the same settings without masking and with the
// thesis's 'post' padding and max length 170, so the LSTM reads up to 170
// pad tokens after the review before it answers and learning stalls. (With
// the classroom preset's 'pre' padding the pads come first and the review
// last: no stall to see; at its max length 100 the stall is only 8–13
// points, at 170 it is 31–35: core/lab's TestLessonsWithDefaults.)
func (c *TrainStep) TrainUnmasked() {
	defer c.Lab.guard()
	req := trainRequest(c.Lab.S, "no-masking")
	unmasked := false
	req.Masking, req.Padding, req.MaxLen = &unmasked, "post", thesisMaxLen
	c.train("no-masking", req)
}

// thesisMaxLen is the thesis's pad-and-truncate length.
const thesisMaxLen = 170

func (c *TrainStep) train(name string, req protocol.TrainRequest) {
	if c.Lab.Data == nil {
		c.Lab.Err = "Load a dataset first (" + StepHeading("data") + ")."
		return
	}
	c.Result = nil
	c.Lab.Run.start(false)
	c.Lab.Charts["batch"], c.Lab.Charts["epoch"] = "", ""
	c.Lab.async("training "+name, func() error {
		var r TrainResult
		_, err := ask(c.Lab.Eng, protocol.TypeTrain, req, nil, &r, func(id int) { c.TrainID = id }, c.Lab.onProgress)
		c.Lab.update(func() {
			c.TrainID = 0
			c.Lab.Run.ended()
		})
		if err != nil {
			if err.Error() == protocol.Canceled {
				c.Lab.update(func() { c.Lab.Status = "Training canceled." })
				return nil
			}
			return err
		}
		c.Lab.update(func() {
			c.Result, c.Lab.Run.History = &r, r.History
			c.Lab.Charts["epoch"] = c.Lab.Run.epochChart()
			if r.Test != nil {
				c.Lab.Status = fmt.Sprintf("Trained %s: test accuracy %.2f%% in %.1f s (%.0f examples/s).", r.Variant, 100*r.Test.Accuracy, r.Seconds, r.EPS)
			}
		})
		c.Lab.listVariants()
		return nil
	})
}

func (c *TrainStep) CancelTrain() {
	defer c.Lab.guard()
	if c.TrainID != 0 {
		c.Lab.Eng.Cancel(c.TrainID)
		c.Lab.Status = "Canceling…"
	}
}

func (c *TrainStep) Training() bool { return c.TrainID != 0 }

// ReportRow is a row of the classification report.
type ReportRow struct {
	Name string
	protocol.ClassReport
}

// Report is the test set's classification report: each class, then the
// macro and weighted averages.
func (c *TrainStep) Report() []ReportRow {
	t := c.Result.Test
	return []ReportRow{{"negative", t.Classes["negative"]}, {"positive", t.Classes["positive"]},
		{"macro avg", t.Macro}, {"weighted avg", t.Weighted}}
}

// SetPadding sets the padding and truncation side (kept in the link).
func (c *TrainStep) SetPadding(ev vugu.DOMEvent) {
	defer c.Lab.guard()
	if bad := c.Lab.S.ParseQuery(url.Values{"padding": {ev.PropString("target", "value")}}.Encode()); bad != nil {
		c.Lab.Err = fmt.Sprintf("Not a valid value: %s", strings.Join(bad, ", "))
		return
	}
	c.Lab.saveURL()
}

// Padding is the side the next training pads and truncates on: the form's,
// or its preset's.
func (c *TrainStep) Padding() string {
	if p := c.Lab.S.Padding; p != "" {
		return p
	}
	for _, p := range c.Lab.Presets {
		if p.Name == c.Lab.S.Preset {
			return p.Padding
		}
	}
	return "pre"
}

// OtherSide is the padding side opposite the form's.
func (c *TrainStep) OtherSide() string { return otherSide(c.Padding()) }

func otherSide(p string) string {
	if p == "pre" {
		return "post"
	}
	return "pre"
}

// OtherSideName is the variant the truncation lesson trains.
func (c *TrainStep) OtherSideName() string { return "base-" + c.OtherSide() }

// OtherSideNote is the truncation lesson in two sentences.
func (c *TrainStep) OtherSideNote() string {
	return fmt.Sprintf("A review longer than max_len (%d tokens) is cut: 'pre' keeps its last words (and pads before them), "+
		"'post' its first (and pads after). This trains the same preset, seed and settings with %s padding as %q, "+
		"so Compare shows both readings of the reviews side by side, in domain and, after loading a second dataset, out of domain.",
		c.Lab.S.MaxLen, c.OtherSide(), c.OtherSideName())
}

// TrainOtherSide is the truncation lesson: the form's model, trained
// with the other padding side under its own name.
func (c *TrainStep) TrainOtherSide() {
	defer c.Lab.guard()
	name := c.OtherSideName()
	req := trainRequest(c.Lab.S, name)
	req.Padding = c.OtherSide()
	c.train(name, req)
}
