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

// ClassStep is class mode (issue 14): a teacher creates an experiment, a
// sweep over the lab's settings, from this page; students open its link,
// join with a display name, and their pages run its jobs one after the
// other (class_work.go). Everyone sees the same live view (class_view.go).
type ClassStep struct {
	Lab      *Lab
	Compress *CompressStep // its student widths make a distillation experiment's
	Net      ClassNet      // nil: the browser's (defaultClassNet)

	// The teacher's form.
	Title    string
	Kind     string  // "distill" (α × T), "lrunits" (learning rate × LSTM units), "prune" (final sparsity)
	AVals    string  // the first axis's values, comma-separated
	BVals    string  // the second axis's
	Epochs   int     // of the training and of the fine-tuning, per job
	Rows     int     // the first N reviews of the dataset (0 = all)
	Spot     float64 // the share of jobs run twice, by two students (spot checks)
	Dataset  string  // a name of the server's datasets (datasetName)
	Datasets []protocol.Dataset

	// The class this page belongs to: its code, and the teacher's or the
	// student's token (saved with the lab, so a reload keeps the class).
	Code         string
	URL          string
	TeacherToken string
	StudentToken string
	StudentID    int64
	Name         string // the student's display name as typed, then as joined

	// The student's work (class_work.go).
	Working bool
	JobNow  string
	JobProg float64
	Done    int
	Note    string

	// The live view.
	Status   *protocol.ClassStatus
	Live     string // the connection's state, "" when fine
	Selected int    // the grid point whose curve is shown, -1: none
	Renames  map[int64]string
	FromLink bool // opened by a join link: the teacher's form is hidden
	stop     func()
	leave    bool
}

// classKinds are the experiments a teacher can start, with their default
// values (a 2×2 grid: a class can finish it in minutes).
var classKinds = map[string][2]string{
	"distill": {"0.5, 0.9", "1, 2"},
	"lrunits": {"0.001, 0.003", "16, 32"},
	"prune":   {"0.5, 0.8", ""},
}

func (c *ClassStep) net() ClassNet {
	if c.Net == nil {
		c.Net = defaultClassNet()
	}
	return c.Net
}

func (c *ClassStep) api() classAPI { return classAPI{net: c.net(), code: c.Code} }

// init sets the form's defaults once.
func (c *ClassStep) init() {
	if c.Kind == "" {
		c.Kind, c.Title, c.Epochs, c.Rows, c.Spot, c.Selected = "distill", "Which α and T distill best?", 2, 2000, 0.1, -1
		c.AVals, c.BVals = classKinds["distill"][0], classKinds["distill"][1]
	}
}

// Opened is called when the step is shown: the server's datasets, for the
// teacher's form.
func (c *ClassStep) Opened() {
	c.init()
	if c.Datasets == nil {
		c.Lab.goSafe(c.loadDatasets)
	}
}

func (c *ClassStep) loadDatasets() {
	ds, err := serverDatasets(c.Lab.Br)
	c.Lab.update(func() {
		if err != nil {
			c.Note = "The server's datasets: " + err.Error()
			return
		}
		c.Datasets = ds
		if c.Dataset == "" && len(ds) > 0 {
			c.Dataset = datasetName(ds[0].Name)
		}
	})
}

// serverDatasets are the datasets the server offers (GET api/datasets).
func serverDatasets(br Browser) ([]protocol.Dataset, error) {
	body, err := br.FetchText("api/datasets")
	if err != nil {
		return nil, err
	}
	var d protocol.Datasets
	if err := protocol.Decode("api/datasets", []byte(body), &d); err != nil {
		return nil, err
	}
	return d.Datasets, nil
}

// datasetName is a dataset file's name as a class job names it: without
// its extensions ("imdb-50k.csv.gz" → "imdb-50k"), lowercase.
func datasetName(file string) string {
	n := strings.ToLower(file)
	for _, ext := range []string{".gz", ".tar", ".csv", ".zip"} {
		n = strings.TrimSuffix(n, ext)
	}
	return n
}

// IsTeacher and IsStudent say which side of a class this page is on.
func (c *ClassStep) IsTeacher() bool { return c.TeacherToken != "" }
func (c *ClassStep) IsStudent() bool { return c.StudentToken != "" }

// ---- the teacher's form

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

// ---- the live view

// listen opens the class's live view (under the lock).
func (c *ClassStep) listen() {
	c.close()
	code := c.Code
	c.stop = c.net().Listen("api/class/"+code+"/events", func(data string) {
		var st protocol.ClassStatus
		err := protocol.Decode("class status", []byte(data), &st)
		c.Lab.update(func() {
			if c.Code != code {
				return
			}
			if err != nil {
				c.Live = Clip("The live view: "+err.Error(), 300)
				return
			}
			c.Live = ""
			c.show(&st)
		})
	}, func() {
		c.Lab.update(func() {
			if c.Code == code {
				c.Live = "The live view lost the server: reconnecting…"
			}
		})
	})
}

func (c *ClassStep) close() {
	if c.stop != nil {
		c.stop()
		c.stop = nil
	}
}

// show draws status st (under the lock).
func (c *ClassStep) show(st *protocol.ClassStatus) {
	c.Status = st
	for _, s := range st.Students {
		if c.IsStudent() && s.ID == c.StudentID {
			c.Name = s.Name // the teacher may have renamed us
		}
	}
	if h := ClassHeatmap(st); h != "" {
		c.Lab.Charts["class"] = h
	} else {
		delete(c.Lab.Charts, "class")
	}
	c.drawCurve()
}

// Open shows grid point index's curve.
func (c *ClassStep) Open(index int) {
	defer c.Lab.guard()
	c.Selected = index
	c.drawCurve()
}

func (c *ClassStep) drawCurve() {
	if c.Status == nil || c.Selected < 0 {
		delete(c.Lab.Charts, "class-cell")
		return
	}
	if opt := CellCurve(c.Status, c.Selected); opt != "" {
		c.Lab.Charts["class-cell"] = opt
	} else {
		delete(c.Lab.Charts, "class-cell")
	}
}

// Table is the live view's table.
func (c *ClassStep) Table() []ClassRow {
	if c.Status == nil {
		return nil
	}
	return ClassRows(c.Status)
}

// Summary is the live view's status line.
func (c *ClassStep) Summary() string {
	if c.Status == nil {
		return "Waiting for the class's status…"
	}
	return ClassSummary(c.Status)
}

// HasHeatmap says whether the experiment is drawn as a heatmap.
func (c *ClassStep) HasHeatmap() bool { return c.Lab.Charts["class"] != "" }

// Students are the live view's students (removed ones last).
func (c *ClassStep) Students() []protocol.ClassStudent {
	if c.Status == nil {
		return nil
	}
	return c.Status.Students
}

// ---- saved with the lab

// ClassRecord is the class a page belongs to, kept in the LabRecord so a
// reload keeps it: the teacher's token (shown only once by the server) or
// the student's.
type ClassRecord struct {
	Code      string `json:"code"`
	URL       string `json:"url,omitempty"`
	Teacher   string `json:"teacher_token,omitempty"`
	Student   string `json:"student_token,omitempty"`
	StudentID int64  `json:"student_id,omitempty"`
	Name      string `json:"name,omitempty"`
}

// record is what to save, nil when the page is in no class.
func (c *ClassStep) record() *ClassRecord {
	if c.Code == "" || (c.TeacherToken == "" && c.StudentToken == "") {
		return nil
	}
	return &ClassRecord{Code: c.Code, URL: c.URL, Teacher: c.TeacherToken, Student: c.StudentToken, StudentID: c.StudentID, Name: c.Name}
}

// check says what is wrong with a saved class, "" if nothing.
func (r *ClassRecord) check() string {
	switch {
	case !classCode(r.Code):
		return fmt.Sprintf("code %q is not a join code", Clip(r.Code, 20))
	case r.Teacher == "" && r.Student == "":
		return "neither a teacher's nor a student's token"
	}
	return ""
}

// restore rejoins the saved class (under the lock): the live view, and a
// student's work.
func (c *ClassStep) restore(r *ClassRecord) {
	c.init()
	if c.FromLink && c.Code != r.Code {
		return // the join link opened another class
	}
	c.Code, c.URL, c.TeacherToken, c.StudentToken, c.StudentID, c.Name = r.Code, r.URL, r.Teacher, r.Student, r.StudentID, r.Name
	c.listen()
	if c.IsStudent() {
		c.startWork()
	}
}

// classCode reports whether s looks like a join code (8 symbols of
// Crockford's base 32).
func classCode(s string) bool {
	if len(s) != 8 {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789ABCDEFGHJKMNPQRSTVWXYZ", r) {
			return false
		}
	}
	return true
}

// takeLink reads a join link's class code (?class=CODE): the page opens
// on this step, ready to join.
func (c *ClassStep) takeLink(query string) bool {
	i := strings.Index(query, "class=")
	if i < 0 || (i > 0 && query[i-1] != '?' && query[i-1] != '&') {
		return false
	}
	code, _, _ := strings.Cut(query[i+len("class="):], "&")
	code = strings.ToUpper(code)
	if !classCode(code) {
		return false
	}
	c.init()
	c.FromLink = true
	if c.Code != code {
		c.Code, c.TeacherToken, c.StudentToken = code, "", ""
	}
	return true
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

// LiveTitle heads the live view.
func (c *ClassStep) LiveTitle() string {
	if c.Status == nil {
		return "Class " + c.Code
	}
	return Clip(c.Status.Title, 100) + " (class " + c.Code + ")"
}

// StudentName is a student's name in the live view's list.
func (c *ClassStep) StudentName(s protocol.ClassStudent) string {
	n := s.Name
	if s.ID == c.StudentID && c.IsStudent() {
		n += " (you)"
	}
	if s.Removed {
		n += " (removed)"
	}
	return n
}

// CheckClass marks a disagreeing spot check.
func (r ClassRow) CheckClass() string {
	if r.Check == "MISMATCH" {
		return "error"
	}
	return ""
}

// Import brings grid point index's model file (uploaded by the student
// who ran it) into this page's lab, as a model to compare, try and export.
func (c *ClassStep) Import(job int64, index int) {
	defer c.Lab.guard()
	name, url := "class-p"+I(index+1), c.api().path(fmt.Sprintf("/model/%d", job))
	c.Lab.async("importing grid point "+I(index+1), func() error {
		var v VariantInfo
		if _, err := ask(c.Lab.Eng, protocol.TypeImportModel, protocol.ImportRequest{Name: name, URL: url}, nil, &v, nil, nil); err != nil {
			return err
		}
		c.Lab.listVariants()
		c.Lab.update(func() {
			c.Lab.Status = fmt.Sprintf("Imported grid point %d as %s: compare it in %s.", index+1, v.Name, StepHeading("compare"))
		})
		return nil
	})
}
