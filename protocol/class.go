package protocol

import "encoding/json"

// Class mode (issue 14): the messages between the page and the server's
// /api/class routes (server/class documents the routes). A teacher creates
// a class from an Experiment; the server expands its sweep into Jobs, and
// students claim them one at a time and post a ClassResult for each.

// Class states.
const (
	ClassOpen   = "open"   // jobs are handed out
	ClassPaused = "paused" // no new claims; results for held jobs are still taken
	ClassClosed = "closed" // nothing is taken any more; the results stay readable
)

// KernelPortable is the only kernel a class job may pin: the plain Go
// loops every build has, bit-identical on every machine, so two students
// running the same job get the same result hash.
const KernelPortable = "portable"

// LabRun is everything that changes the bits of one lab run: the data, the
// seed, the worker count and the matmul kernel, the training settings and
// an optional compression chain applied to the trained model. A page that
// runs the same LabRun gets the same weights on any machine.
type LabRun struct {
	Dataset string `json:"dataset"` // a dataset name the page knows ("imdb-50k", "rt-polarity-10k")
	// DataHash, if set, is the dataset's fingerprint as the engine reports
	// it (LoadDataResult.Hash, core/data.Hash): a page whose loaded data
	// has another hash must refuse the job rather than run it on other data.
	DataHash string `json:"data_hash,omitempty"`
	// Rows, if set, keeps the dataset's first Rows reviews (LoadDataRequest's
	// Limit): a small job loads a slice, the same slice in every browser.
	Rows     int              `json:"rows,omitempty"`
	Seed     uint64           `json:"seed"`
	Workers  int              `json:"workers"` // Web Workers per batch (1 = the engine alone)
	Kernel   string           `json:"kernel"`  // KernelPortable
	Train    TrainRequest     `json:"train"`
	Compress *CompressRequest `json:"compress,omitempty"` // nil: the trained model itself
}

// SweepAxis is one dimension of an experiment's grid: a setting of LabRun
// named by its JSON path ("train.lr", "train.hidden", "compress.alpha",
// "compress.t", "compress.final_sparsity", ...) and the values it takes.
type SweepAxis struct {
	Param  string            `json:"param"`
	Values []json.RawMessage `json:"values"`
}

// Experiment is what a teacher sweeps: Base with every combination of the
// axes' values (their Cartesian product, the first axis slowest).
type Experiment struct {
	Base  LabRun      `json:"base"`
	Sweep []SweepAxis `json:"sweep"`
}

// ClassCreateRequest is the body of POST /api/class.
type ClassCreateRequest struct {
	Title      string     `json:"title"`
	Experiment Experiment `json:"experiment"`
	// SpotCheck is the share of jobs assigned a second time, to another
	// student, whose result hashes must agree (0 to 0.5; default 0.1).
	SpotCheck *float64 `json:"spot_check,omitempty"`
	// LeaseSeconds is how long a student holds a job before it goes back
	// to the pool (default 600).
	LeaseSeconds int `json:"lease_seconds,omitempty"`
	// Minutes is how long the class takes claims (default 120); the
	// teacher may extend it.
	Minutes int `json:"minutes,omitempty"`
}

// ClassCreated answers POST /api/class. TeacherToken is shown only here:
// the server keeps its hash.
type ClassCreated struct {
	Code         string `json:"code"` // the join code students type
	URL          string `json:"url"`  // the page's address with the code
	TeacherToken string `json:"teacher_token"`
	Jobs         int    `json:"jobs"`        // grid points
	Assignments  int    `json:"assignments"` // jobs plus spot checks
}

// JoinRequest is the body of POST /api/class/{code}/join.
type JoinRequest struct {
	Name string `json:"name"` // display name, 1 to 40 characters, no control characters
}

// Joined answers a join. StudentToken is shown only here.
type Joined struct {
	StudentID    int64  `json:"student_id"`
	Name         string `json:"name"`
	StudentToken string `json:"student_token"`
}

// ClassJob answers POST /api/class/{code}/claim: one job held by the
// student until LeaseUntil (Unix milliseconds).
type ClassJob struct {
	JobID int64 `json:"job_id"`
	// Index is the grid point, 0-based. Whether this is the point's first
	// run or its spot check is not said: a student who knew could cheat
	// exactly where nobody checks.
	Index      int    `json:"index"`
	Run        LabRun `json:"run"`
	LeaseUntil int64  `json:"lease_until"`
}

// ClassResult is the body of POST /api/class/{code}/result.
type ClassResult struct {
	JobID int64 `json:"job_id"`
	// Hash is the lowercase hex SHA-256 of the run's output weights, the
	// value spot checks compare.
	Hash    string          `json:"hash"`
	Metrics json.RawMessage `json:"metrics,omitempty"` // a JSON object (accuracy, size, ...), at most 2 KiB
}

// ResultAccepted answers a result post. Repeat is true when the same
// student had already posted this very result: nothing changed.
type ResultAccepted struct {
	JobID  int64 `json:"job_id"`
	Repeat bool  `json:"repeat"`
}

// ModelStored answers POST /api/class/{code}/model/{job_id}, the optional
// upload of the model file of a job the student finished (the body is the
// file, application/octet-stream). Repeat is true when this very file was
// already stored for the job.
type ModelStored struct {
	JobID  int64  `json:"job_id"`
	SHA256 string `json:"sha256"` // of the file
	Bytes  int    `json:"bytes"`
	Repeat bool   `json:"repeat"`
}

// RenewRequest is the body of POST /api/class/{code}/renew: the student
// still runs the job and asks for a fresh lease.
type RenewRequest struct {
	JobID int64 `json:"job_id"`
}

// Renewed answers a renewal.
type Renewed struct {
	JobID      int64 `json:"job_id"`
	LeaseUntil int64 `json:"lease_until"` // Unix ms
}

// TeacherAction is the body of POST /api/class/{code}/teacher/{action}.
// Which fields count depends on the action: extend takes Minutes, rename
// takes StudentID and Name, remove takes StudentID, discard takes JobID;
// pause, resume and close take nothing.
type TeacherAction struct {
	Minutes   int    `json:"minutes,omitempty"`
	StudentID int64  `json:"student_id,omitempty"`
	Name      string `json:"name,omitempty"`
	JobID     int64  `json:"job_id,omitempty"`
}

// ClassStatus is the live view: GET /api/class/{code}/status and each
// event of GET /api/class/{code}/events.
type ClassStatus struct {
	Code       string         `json:"code"`
	Title      string         `json:"title"`
	State      string         `json:"state"`
	EndsAt     int64          `json:"ends_at"` // Unix ms: no claims after it
	Experiment Experiment     `json:"experiment"`
	Jobs       int            `json:"jobs"`
	Done       int            `json:"done"`   // assignments with a result
	Leased     int            `json:"leased"` // assignments held now
	Todo       int            `json:"todo"`
	Students   []ClassStudent `json:"students"`
	Results    []GridResult   `json:"results"` // one per grid point with a result, by index
}

// ClassStudent is one student of the live view.
type ClassStudent struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Done    int    `json:"done"`
	Removed bool   `json:"removed,omitempty"`
}

// GridResult is a grid point's accepted result. Mismatch flags a spot
// check whose hash differs from the first run's: the teacher decides
// which one to discard.
type GridResult struct {
	Index     int             `json:"index"`
	JobID     int64           `json:"job_id"`
	Hash      string          `json:"hash"`
	Metrics   json.RawMessage `json:"metrics,omitempty"`
	StudentID int64           `json:"student_id"`
	Model     bool            `json:"model,omitempty"`    // its model file was uploaded: GET /api/class/{code}/model/{job_id}
	Checked   bool            `json:"checked,omitempty"`  // a spot check agreed
	Mismatch  bool            `json:"mismatch,omitempty"` // a spot check disagreed
}

// TypeClassJob is the engine request that runs one class job: a LabRun
// (payload) on the loaded data → ClassJobResult + buffer (the job's model
// file); progress as train. The page loads the run's dataset (Dataset,
// Rows) first.
const TypeClassJob = "classJob"

// ClassJobResult is what a class job computed: the SHA-256 of its output
// weights (ClassResult.Hash) and the metrics the page posts with it.
type ClassJobResult struct {
	Hash     string  `json:"hash"`
	Accuracy float64 `json:"accuracy"` // on the run's test split
	Loss     float64 `json:"loss"`
	TestN    int     `json:"test_n"`
	Params   int     `json:"params"`
	NonZero  int     `json:"nonzero"`
	History  []Epoch `json:"history,omitempty"` // the last fit's (training, or the compression's fine-tuning)
	Seconds  float64 `json:"seconds"`
}
