package web

import (
	"fmt"
	"strings"

	"sentilab/protocol"
)

// PipelineMethods are the stages of the thesis's combined pipeline: prune
// the teacher, distill it into a smaller student, prune the student,
// quantize it to int8.
var PipelineMethods = []string{"prune", "distill", "prune", "int8"}

// PipeStage is one stage of the one-click pipeline and what became of it.
type PipeStage struct {
	Method string
	Source string // the variant it starts from
	State  string // "waiting", "running", "done", "failed", "canceled"
	Result VariantInfo
}

// Text is the stage's line in the pipeline list.
func (s PipeStage) Text(i int) string {
	head := fmt.Sprintf("Stage %d of %d, %s", i+1, len(PipelineMethods), s.Method)
	switch s.State {
	case "done":
		acc := "not scored"
		if s.Result.Metrics != nil {
			acc = Pct(s.Result.Metrics.Accuracy)
		}
		return fmt.Sprintf("%s: done, %s (from %s): file %s, test accuracy %s, %s of %s weights non-zero.", head, s.Result.Name, s.Source,
			KB(s.Result.FileBytes), acc, Thousands(s.Result.NonZero), Thousands(s.Result.Params))
	case "running":
		return fmt.Sprintf("%s: running on %s…", head, s.Source)
	}
	return head + ": " + s.State + "."
}

// RunPipeline runs prune → distill → prune → int8 from CSource, stage by
// stage: each stage is its own compress request on the previous stage's
// variant, so each becomes a variant with its own row in Compare. Cancel
// stops the running stage and the ones after it.
func (c *CompressStep) RunPipeline() {
	defer c.Lab.guard()
	c.Pipeline = make([]PipeStage, len(PipelineMethods))
	for i, m := range PipelineMethods {
		c.Pipeline[i] = PipeStage{Method: m, State: "waiting"}
	}
	source := c.source()
	c.Lab.async("the pipeline "+strings.Join(PipelineMethods, " → "), func() error {
		for i, m := range PipelineMethods {
			req := c.request(source, m, false)
			c.Lab.update(func() {
				c.Lab.Run.clear()
				c.Pipeline[i].Source, c.Pipeline[i].State = source, "running"
			})
			v, err := c.run(req)
			if err != nil {
				state := "failed"
				if err.Error() == protocol.Canceled {
					state = "canceled"
				}
				c.Lab.update(func() {
					for j := i; j < len(c.Pipeline); j++ {
						c.Pipeline[j].State = state
						state = "not run"
					}
				})
				return fmt.Errorf("stage %d (%s): %w", i+1, m, err)
			}
			c.Lab.update(func() { c.Pipeline[i].State, c.Pipeline[i].Result = "done", v })
			source = v.Name
		}
		return nil
	})
}
