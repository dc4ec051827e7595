package web

import (
	"fmt"
	"runtime/debug"

	"github.com/vugu/vugu"
)

// Lab is the state every step shares, passed to each step's component: the
// engine and the browser, the settings in the URL, the status line, the
// loaded data and the engine's models, the charts, and the saving state.
// Handlers run under Env's lock; jobs that wait on the engine run on
// goroutines (async, goSafe) and change state through update.
type Lab struct {
	Eng Engine
	Br  Browser
	Env vugu.EventEnv

	Store Store   // the saved lab (persist.go); nil: IndexedDB, opened by Init
	P     Persist // saving and restoring the lab (persist.go)

	S       Settings
	Presets []Preset
	// Relaxed: the engine runs relaxed SIMD, the int8 models' 7-bit hidden
	// state's fast path (Settings.Act7).
	Relaxed bool
	Status  string
	Err     string
	Busy    string   // the running job's name, "" when idle
	BadURL  []string // link settings that were ignored

	Data       *DataInfo         // the loaded dataset, nil before
	Variants   []VariantInfo     // the engine's models
	Pretrained []PretrainedModel // the server's manifest
	Charts     map[string]string // chart id → ECharts option JSON (drawn by Root.AfterRender)

	// Run is the progress of the running training or fine-tuning (run.go):
	// Train and Compress both show it.
	Run Run

	// Layers is the layer-by-layer views' state (layers_view.go).
	Layers LayersState
	// The baseline lesson (baseline.go) and the second dataset (ood.go).
	Base BaselineLab
	OOD  OODLab

	// The link (state.go): lesson gives what the steps hold beyond S (set
	// by Root), link is the URL the page was opened with, linkRead says
	// it has been applied (before that the URL is not rewritten), query
	// is the query last written.
	lesson   func() Lesson
	link     string
	linkRead bool
	query    string
	inited   bool // Root.Init ran
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

// guard ends every event handler: a panic in one becomes a visible error
// and the crash banner (reload and restore) instead of ending the page's
// program, which left a page that looked alive but answered nothing.
// Handlers run under Vugu's lock, so guard changes state without locking.
func (l *Lab) guard() {
	if r := recover(); r != nil {
		l.crashed(r)
	}
}

func (l *Lab) crashed(r any) {
	msg := fmt.Sprintf("Internal error: %v", r)
	l.Err, l.Busy = Clip(msg, 300), ""
	l.Br.Crash(msg + "\n" + Clip(string(debug.Stack()), 4000))
}

// goSafe runs f on a goroutine with the same protection as guard; f's
// state changes go through l.update, which releases the lock on a panic.
func (l *Lab) goSafe(f func()) {
	go func() {
		defer func() {
			if r := recover(); r != nil {
				l.update(func() { l.crashed(r) })
			}
		}()
		f()
	}()
}

// async runs job f on a goroutine, one job at a time; f's state changes
// must go through l.update. Its error is shown.
func (l *Lab) async(job string, f func() error) {
	if l.Busy != "" {
		l.Err = fmt.Sprintf("Wait for %s to finish (or cancel it).", l.Busy)
		return
	}
	l.Busy, l.Err = job, ""
	l.goSafe(func() {
		err := f()
		l.Env.Lock()
		defer l.Env.UnlockRender()
		l.Busy = ""
		if err != nil {
			l.Err = Clip(job+": "+err.Error(), 600)
			l.Status = ""
		}
	})
}

// update changes state from a goroutine and re-renders.
func (l *Lab) update(f func()) {
	l.Env.Lock()
	defer l.Env.UnlockRender()
	f()
}

// Idle reports whether no job runs (buttons that start one are enabled).
func (l *Lab) Idle() bool { return l.Busy == "" }

// saveURL writes the lesson to the URL, when it changed.
func (l *Lab) saveURL() {
	if l.Br == nil {
		return
	}
	q := l.S.Query()
	if l.lesson != nil {
		q = LessonQuery(l.S, l.lesson())
	}
	if q != l.query {
		l.Br.SetQuery(q)
		l.query = q
	}
}

func (l *Lab) applyPreset(name string) {
	for _, p := range l.Presets {
		if p.Name == name {
			l.S.Apply(p)
			return
		}
	}
}

// variant is the engine's model called name, as last listed.
func (l *Lab) variant(name string) (VariantInfo, bool) {
	for _, v := range l.Variants {
		if v.Name == name {
			return v, true
		}
	}
	return VariantInfo{}, false
}
