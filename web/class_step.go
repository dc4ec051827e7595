package web

import (
	"fmt"
	"strings"

	"sentilab/protocol"
)

// ClassStep is class mode (issue 14): a teacher creates an experiment, a
// sweep over the lab's settings, from this page (class_teacher.go);
// students open its link, join with a display name, and their pages run
// its jobs one after the other (class_work.go). Everyone sees the same
// live view (class_view.go).
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
