package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/vugu/vugu"

	"sentilab/protocol"
)

// The teacher's side of the Class step: the form that makes an
// experiment from the lab's settings, creating the class, and the
// controls (pause, resume, extend, close, rename, remove, discard).

func (c *ClassStep) Set(ev vugu.DOMEvent, field string) {
	defer c.Lab.guard()
	v := ev.PropString("target", "value")
	num := func(dst *int, lo, hi int) {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < lo || n > hi {
			c.Lab.Err = fmt.Sprintf("%s must be a whole number from %d to %d.", field, lo, hi)
			return
		}
		*dst = n
	}
	switch field {
	case "title":
		c.Title = v
	case "kind":
		if d, ok := classKinds[v]; ok {
			c.Kind, c.AVals, c.BVals = v, d[0], d[1]
		}
	case "a":
		c.AVals = v
	case "b":
		c.BVals = v
	case "epochs":
		num(&c.Epochs, 1, 20)
	case "rows":
		num(&c.Rows, 0, 1<<24)
	case "spot":
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || !(f >= 0 && f <= 0.5) {
			c.Lab.Err = "The share of jobs run twice must be a number from 0 to 0.5."
			return
		}
		c.Spot = f
	case "dataset":
		c.Dataset = v
	case "name":
		c.Name = v
	case "code":
		c.Code = strings.ToUpper(strings.TrimSpace(v))
	}
}

// AxisLabels name the form's two value fields for the chosen kind.
func (c *ClassStep) AxisLabels() (string, string) {
	switch c.Kind {
	case "lrunits":
		return "Learning rates", "LSTM units"
	case "prune":
		return "Final sparsities", ""
	}
	return "α values", "T values"
}

// Experiment is the form's experiment from the lab's current settings: the
// Train step's model and schedule (Epochs per job), the Compress step's
// student widths, on the first Rows reviews of the chosen dataset.
func (c *ClassStep) Experiment() (protocol.Experiment, error) {
	if c.Dataset == "" {
		return protocol.Experiment{}, errors.New("the server offers no dataset: start it with --data")
	}
	s := c.Lab.S
	s.Epochs = c.Epochs
	base := protocol.LabRun{Dataset: c.Dataset, Rows: c.Rows, Seed: uint64(max(1, s.Seed)), Workers: 1, Kernel: protocol.KernelPortable,
		Train: trainRequest(s, "")}
	base.Train.Workers = 1
	aName, bName := c.AxisLabels()
	var axes []protocol.SweepAxis
	axis := func(param, what, vals string, lo, hi float64, whole bool) error {
		vs, err := ParseGridValues(what, vals, lo, hi)
		if err != nil {
			return err
		}
		ax := protocol.SweepAxis{Param: param}
		for _, v := range vs {
			if whole && v != math.Trunc(v) {
				return fmt.Errorf("%s: %g is not a whole number", what, v)
			}
			ax.Values = append(ax.Values, json.RawMessage(strconv.FormatFloat(v, 'g', -1, 64)))
		}
		axes = append(axes, ax)
		return nil
	}
	var err error
	switch c.Kind {
	case "distill":
		base.Compress = &protocol.CompressRequest{Method: "distill", Epochs: c.Epochs}
		if cs := c.Compress; cs != nil {
			base.Compress.Embed, base.Compress.Hidden = cs.CEmbed, cs.CHidden
		}
		if err = axis("compress.alpha", aName, c.AVals, 0, 1, false); err == nil {
			err = axis("compress.t", bName, c.BVals, 0.1, 100, false)
		}
	case "lrunits":
		if err = axis("train.lr", aName, c.AVals, 1e-6, 1, false); err == nil {
			err = axis("train.hidden", bName, c.BVals, 1, 1024, true)
		}
	case "prune":
		base.Compress = &protocol.CompressRequest{Method: "prune", Epochs: c.Epochs}
		err = axis("compress.final_sparsity", aName, c.AVals, 0, 0.99, false)
	default:
		err = fmt.Errorf("unknown experiment %q", c.Kind)
	}
	return protocol.Experiment{Base: base, Sweep: axes}, err
}

// Create creates the class on the server and opens its live view.
func (c *ClassStep) Create() {
	defer c.Lab.guard()
	e, err := c.Experiment()
	if err != nil {
		c.Lab.Err = err.Error()
		return
	}
	title := strings.TrimSpace(c.Title)
	if title == "" {
		title = "Class experiment"
	}
	c.Lab.Err = ""
	spot := c.Spot
	c.Lab.goSafe(func() {
		made, err := createClass(c.net(), protocol.ClassCreateRequest{Title: title, Experiment: e, SpotCheck: &spot})
		c.Lab.update(func() {
			if err != nil {
				c.Lab.Err = Clip("Creating the class: "+err.Error(), 400)
				return
			}
			c.Code, c.URL, c.TeacherToken, c.StudentToken = made.Code, made.URL, made.TeacherToken, ""
			c.Status, c.Selected = nil, -1
			c.Lab.Status = fmt.Sprintf("Class %s created: %d grid points. Students open the link and join.", made.Code, made.Jobs)
			c.listen()
		})
	})
}

// JoinURL is the link students open.
func (c *ClassStep) JoinURL() string {
	if c.URL != "" {
		return c.URL
	}
	return "/?class=" + c.Code
}

// ---- the teacher's controls

// Act runs teacher action on the class (pause, resume, close, extend).
func (c *ClassStep) Act(action string) {
	defer c.Lab.guard()
	body := protocol.TeacherAction{}
	if action == "extend" {
		body.Minutes = 15
	}
	c.teacher(action, body)
}

func (c *ClassStep) teacher(action string, body protocol.TeacherAction) {
	token := c.TeacherToken
	c.Lab.goSafe(func() {
		st, err := c.api().teacher(token, action, body)
		c.Lab.update(func() {
			if err != nil {
				c.Lab.Err = Clip(action+": "+err.Error(), 300)
				return
			}
			c.Lab.Err = ""
			c.show(st)
		})
	})
}

func (c *ClassStep) SetRename(ev vugu.DOMEvent, id int64) {
	defer c.Lab.guard()
	if c.Renames == nil {
		c.Renames = map[int64]string{}
	}
	c.Renames[id] = ev.PropString("target", "value")
}

func (c *ClassStep) Rename(id int64) {
	defer c.Lab.guard()
	name := strings.TrimSpace(c.Renames[id])
	if name == "" {
		c.Lab.Err = "Type the new name first."
		return
	}
	c.teacher("rename", protocol.TeacherAction{StudentID: id, Name: name})
}

func (c *ClassStep) Remove(id int64) {
	defer c.Lab.guard()
	c.teacher("remove", protocol.TeacherAction{StudentID: id})
}

func (c *ClassStep) Discard(job int64) {
	defer c.Lab.guard()
	c.teacher("discard", protocol.TeacherAction{JobID: job})
}

// Forget leaves the class on this page (the class goes on on the server).
func (c *ClassStep) Forget() {
	defer c.Lab.guard()
	c.close()
	c.leave = true
	c.Code, c.URL, c.TeacherToken, c.StudentToken, c.StudentID = "", "", "", "", 0
	c.Status, c.Working, c.JobNow, c.Note = nil, false, "", ""
	delete(c.Lab.Charts, "class")
	delete(c.Lab.Charts, "class-cell")
}

// LabelA and LabelB name the form's value fields ("" hides the second).
func (c *ClassStep) LabelA() string {
	a, _ := c.AxisLabels()
	return a + " (comma-separated, up to 7)"
}

func (c *ClassStep) LabelB() string {
	if _, b := c.AxisLabels(); b != "" {
		return b + " (comma-separated, up to 7)"
	}
	return ""
}
