package web

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"sentilab/protocol"
)

// Store keeps the lab between visits: IndexedDB in the browser
// (persist_js.go), which also works on a plain-http LAN address where OPFS
// and service workers do not. Values are strings (the JSON record) or bulk
// bytes as the engine hands them over (an ArrayBuffer in the browser).
type Store interface {
	Get(key string) (any, error) // nil, nil when absent
	Put(key string, value any) error
	Delete(key string) error
	Keys() ([]string, error)
	Clear() error
}

// maxKeptFile caps a dataset file kept for a reload; a bigger file is only
// named, and the user is asked to choose it again.
const maxKeptFile = 100 << 20

// Persist is the saving state of the page (Root.P).
type Persist struct {
	Note     string // what the page says about saving: restored, failed, unavailable
	HasSaved bool   // a saved lab exists: offer "Start over"

	// mu serializes saves (StartOver waits for one to end). It is never
	// taken under Env's lock; srcMu guards what hooks change under it.
	mu      sync.Mutex
	stopped bool
	models  map[string]SavedModel // by variant name: what the store holds
	last    string                // the record last written (without its time); before a write, the fresh page's without its step
	retryAt time.Time
	failing bool
	wrote   bool        // a record exists in the store
	warn    atomic.Bool // beforeunload asks before leaving

	srcMu    sync.Mutex
	restored map[string]VariantInfo // saved infos of re-imported variants
	data     *DataSource            // of the loaded dataset
	pending  *DataSource            // a chosen file, kept before it loads
	// owned are the keys this page wrote or restored: the only ones it
	// deletes when unused, so two tabs do not delete each other's models.
	owned map[string]bool
}

func (p *Persist) own(key string) {
	p.srcMu.Lock()
	defer p.srcMu.Unlock()
	if p.owned == nil {
		p.owned = map[string]bool{}
	}
	p.owned[key] = true
}

// restoreLab opens the store and, if a lab was saved, puts it back: models
// first (seconds), then the dataset (re-read and its EDA recomputed). Then
// it saves every change. It runs once, after the engine's presets arrived.
// Hook: Init.
func (c *Root) restoreLab() {
	if c.Store == nil {
		st, err := openStore()
		if err != nil {
			c.update(func() {
				c.P.Note = "This browser does not let the lab keep your work (" + err.Error() + "): everything works, but a reload loses it."
			})
			c.P.failing = true
			watchLeave(&c.P.warn)
			c.goSafe(c.saveLoop)
			return
		}
		c.Store = st
	}
	watchLeave(&c.P.warn)
	var rec *LabRecord
	var problems []string
	raw, err := c.Store.Get(keyLab)
	if err == nil && raw != nil {
		s, ok := raw.(string)
		if !ok {
			err = fmt.Errorf("saved lab: a %T, not a JSON text", raw)
		} else {
			rec, problems, err = DecodeLab([]byte(s))
		}
	}
	if err != nil {
		c.update(func() {
			c.P.Note = "Ignored the saved lab, which could not be read: " + clip(err.Error(), 300)
			c.P.HasSaved = true // Start over clears it
		})
	} else if rec != nil {
		c.restore(rec, problems)
	}
	c.goSafe(c.saveLoop)
}

// restore puts rec back into the page and the engine.
func (c *Root) restore(rec *LabRecord, problems []string) {
	when := "your last visit"
	if saved, err := time.Parse(time.RFC3339, rec.Saved); err == nil {
		when = saved.Local().Format("2 Jan 2006, 15:04:05")
	}
	c.update(func() {
		c.Busy = "restoring your lab"
		problems = append(problems, c.applyRecord(rec)...)
		c.Status = "Restoring your lab from " + when + "…"
		c.P.HasSaved = true
	})
	c.P.mu.Lock()
	c.P.models, c.P.wrote = map[string]SavedModel{}, true
	c.P.mu.Unlock()
	c.P.srcMu.Lock()
	c.P.restored = map[string]VariantInfo{}
	c.P.srcMu.Unlock()
	got := 0
	for _, m := range rec.Models {
		c.P.own(m.Key)
		if err := c.restoreModel(m); err != nil {
			problems = append(problems, err.Error())
			continue
		}
		got++
	}
	if got > 0 {
		c.refreshVariants()
	}
	if d := rec.Data; d != nil {
		if err := c.restoreData(d); err != nil {
			problems = append(problems, err.Error())
		}
	}
	c.update(func() {
		c.Busy = ""
		rows := ""
		if c.Data != nil {
			rows = fmt.Sprintf(", %d reviews", c.Data.Rows)
		}
		c.Status = fmt.Sprintf("Ready. Restored your lab from %s (%d model(s)%s).", when, got, rows)
		c.P.Note = "Restored your lab from " + when + "."
		if len(problems) > 0 {
			c.P.Note += " Not restored: " + clip(strings.Join(problems, "; "), 600) + "."
		}
	})
}

// applyRecord sets the page's fields from rec (under Env's lock). The
// link's settings, if any, win over the saved ones.
func (c *Root) applyRecord(rec *LabRecord) (problems []string) {
	if rec.Settings != nil {
		s, bad := checkSettings(*rec.Settings, c.S)
		if len(bad) > 0 {
			problems = append(problems, "settings "+strings.Join(bad, ", "))
		}
		c.S = s
	}
	ls := c.currentLesson()
	ls.Rows = rec.Limit
	if cs := rec.Compress; cs != nil {
		g := ls.Compress // a lab saved before the grid keeps the defaults
		ls.Compress = *cs
		if cs.GridAlphas == "" && cs.GridTs == "" {
			ls.Compress.GridAlphas, ls.Compress.GridTs = g.GridAlphas, g.GridTs
		}
	}
	if rec.Review != nil {
		ls.Review = *rec.Review
	}
	// The link the page was opened with wins over the saved lab (its bad
	// values were reported when it was first read).
	ParseLesson(c.link, &c.S, &ls)
	c.setLesson(ls)
	c.saveURL()
	if cs := rec.Compress; cs != nil {
		// The units structured pruning keeps: kept with the lab, not in
		// the link (the grid's values are in both).
		c.CompressStep.CKeep = cs.Keep
	}
	c.Run.History, c.TrainStep.Result = rec.History, rec.Result
	if len(c.Run.History) > 0 {
		c.Charts["epoch"] = c.Run.epochChart()
	}
	if rec.Batches != nil {
		c.Run.batches = rec.Batches
		c.Charts["batch"] = c.Run.batchChart()
	}
	c.CompressStep.CompressLog, c.ExportStep.Log, c.TryStep.Predictions = rec.CompressLog, rec.Log, rec.Predictions
	c.Base.Result = rec.Baseline
	if rec.Grid != nil {
		c.CompressStep.Grid = rec.Grid
		c.Charts["grid"] = HeatmapChart(rec.Grid)
	}
	if rec.Class != nil {
		c.ClassStep.restore(rec.Class)
	}
	if c.ClassStep.FromLink { // a join link wins over the saved step
		c.S.Step = "class"
	}
	return problems
}

func (c *Root) restoreModel(m SavedModel) error {
	buf, err := c.Store.Get(m.Key)
	if err != nil {
		return fmt.Errorf("model %s: %v", m.Info.Name, err)
	}
	if buf == nil {
		return fmt.Errorf("model %s: its file is missing from the browser's storage", m.Info.Name)
	}
	var v VariantInfo
	if _, err := ask(c.Eng, protocol.TypeImportModel, protocol.ImportRequest{Name: m.Info.Name}, buf, &v, nil, nil); err != nil {
		return fmt.Errorf("model %s: %v", m.Info.Name, err)
	}
	if v.Name != m.Info.Name {
		return fmt.Errorf("model %s came back as %s", m.Info.Name, v.Name)
	}
	c.P.mu.Lock()
	c.P.models[v.Name] = m
	c.P.mu.Unlock()
	c.P.srcMu.Lock()
	c.P.restored[v.Name] = m.Info
	c.P.srcMu.Unlock()
	return nil
}

func (c *Root) restoreData(d *DataSource) error {
	// The source stays saved even if it cannot be read now (offline).
	if d.FileKey != "" {
		c.P.own(d.FileKey)
	}
	c.P.srcMu.Lock()
	c.P.pending, c.P.data = d, d
	c.P.srcMu.Unlock()
	req := protocol.LoadDataRequest{Name: d.Name, Limit: d.Limit}
	if d.URL != "" {
		req.URL = d.URL
		c.update(func() { c.Status = "Restoring your lab: downloading " + d.Name + " again…" })
		return c.DataStep.load(req, nil)
	}
	if d.FileKey == "" {
		return fmt.Errorf("the dataset %s (%s) was too big to keep in this browser: choose it again in step 1", d.Name, kb(float64(d.FileSize)))
	}
	buf, err := c.Store.Get(d.FileKey)
	if err == nil && buf == nil {
		err = errors.New("missing from the browser's storage")
	}
	if err != nil {
		return fmt.Errorf("the dataset %s: %v: choose it again in step 1", d.Name, err)
	}
	c.update(func() { c.Status = "Restoring your lab: reading " + d.Name + " again…" })
	return c.DataStep.load(req, buf)
}

// keepFile stores a chosen dataset file before it goes to the engine (which
// takes the buffer over), so a reload can load it again. Hook: LoadFile.
func (c *Lab) keepFile(name string, buf any, size int) {
	d := &DataSource{Name: name, FileSize: size}
	if size > maxKeptFile {
		c.update(func() {
			c.P.Note = fmt.Sprintf("%s is too big (%s) to keep in this browser: after a reload, choose it again.", name, kb(float64(size)))
		})
	} else if c.Store != nil {
		key := filePrefix + strconv.FormatInt(time.Now().UnixNano(), 36)
		if err := c.Store.Put(key, buf); err != nil {
			c.update(func() {
				c.P.Note = "Could not keep " + name + " for a reload (" + storeError(err) + "): after a reload, choose it again."
			})
		} else {
			d.FileKey = key
			c.P.own(key)
		}
	}
	c.P.srcMu.Lock()
	c.P.pending = d
	c.P.srcMu.Unlock()
}

// dataLoaded records where the data the engine just loaded came from.
// Hook: load, once loadData succeeded.
func (c *Lab) dataLoaded(req protocol.LoadDataRequest) {
	c.P.srcMu.Lock()
	defer c.P.srcMu.Unlock()
	if req.URL != "" {
		c.P.data = &DataSource{URL: req.URL, Name: req.Name, Limit: req.Limit}
		return
	}
	if c.P.pending != nil {
		d := *c.P.pending
		d.Limit = req.Limit
		c.P.data = &d
	}
}

// withSavedInfo gives re-imported variants back what their file does not
// carry: kind, preset, full test metrics, what they were scored on, history
// and the last evaluation on the loaded data. (An evaluation never replaces
// a variant's own metrics, so these are what the page showed before the
// reload.) A variant evaluated again since keeps its new evaluation.
// Hook: refreshVariants.
func (c *Lab) withSavedInfo(vs []VariantInfo) []VariantInfo {
	c.P.srcMu.Lock()
	defer c.P.srcMu.Unlock()
	for i, v := range vs {
		s, ok := c.P.restored[v.Name]
		if !ok || v.Kind != "imported" {
			continue
		}
		vs[i].Kind, vs[i].Preset, vs[i].Metrics, vs[i].MetricsData, vs[i].History = s.Kind, s.Preset, s.Metrics, s.MetricsData, s.History
		if v.Evaluation == nil {
			vs[i].Evaluation = s.Evaluation
		}
		if v.OOD == nil {
			vs[i].OOD = s.OOD
		}
	}
	return vs
}

// forgetSaved drops deleted models from what the store holds: the next
// save writes a record without them and deletes their files (dropUnused).
func (c *Lab) forgetSaved(names []string) {
	c.P.mu.Lock()
	for _, n := range names {
		delete(c.P.models, n)
	}
	c.P.mu.Unlock()
	c.P.srcMu.Lock()
	for _, n := range names {
		delete(c.P.restored, n)
	}
	c.P.srcMu.Unlock()
}

// StartOver forgets the saved lab and reloads the page, fresh.
func (c *Lab) StartOver() {
	c.goSafe(func() {
		p := &c.P
		p.mu.Lock()
		p.stopped = true
		p.warn.Store(false)
		var err error
		if c.Store != nil {
			err = c.Store.Clear()
		}
		p.mu.Unlock()
		if err != nil {
			c.update(func() { c.P.Note = "Could not clear the saved lab: " + storeError(err) })
			return
		}
		reloadFresh()
	})
}

// storeError names the two failures a user can act on.
func storeError(err error) string {
	s := err.Error()
	switch {
	case strings.Contains(s, "QuotaExceeded"):
		return "the browser's storage for this site is full"
	case strings.Contains(s, "InvalidStateError"), strings.Contains(s, "SecurityError"):
		return "storage is not available here, as in a private window"
	}
	return s
}

// clip keeps s short enough for a line of the page.
func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// hidden is the hidden attribute of the saving line and its button: they
// stay in the page and are hidden, not removed. An element that appears
// before <main> changes the page's structure mid-session; the reload test
// once deadlocked there (a DOM event's handler waiting for the lock that
// the render held), so the structure does not change.
func (*Persist) hidden(h bool) any {
	if h {
		return "hidden"
	}
	return nil
}
