package web

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"sentilab/protocol"
)

// The saver: every saveEvery, what changed is written to the store.

// saveEvery is how often the saver looks for changes: short enough that a
// reload right after a change rarely loses it, and the comparison is a
// few KB of JSON.
const saveEvery = 300 * time.Millisecond

// retryAfter spaces attempts after a failed write (storage full): each
// attempt copies every model again.
const retryAfter = 10 * time.Second

// record is the page's state as a LabRecord, without models (under Env's
// lock).
func (c *Root) record() *LabRecord {
	s := c.S
	review := c.TryStep.Review
	cc := &c.CompressStep
	return &LabRecord{Version: LabVersion, Settings: &s, Limit: c.DataStep.Limit, Review: &review,
		Compress: &CompressSettings{Source: cc.CSource, Initial: cc.CInitial, Final: cc.CFinal, Epochs: cc.CEpochs,
			Alpha: cc.CAlpha, T: cc.CT, Embed: cc.CEmbed, Hidden: cc.CHidden,
			GridAlphas: cc.GridAlphas, GridTs: cc.GridTs, Keep: cc.CKeep},
		Grid:    cc.Grid,
		History: c.Run.History, Result: c.TrainStep.Result, Batches: c.Run.batches,
		CompressLog: cc.CompressLog, Log: c.ExportStep.Log, Predictions: c.TryStep.Predictions, Baseline: c.Base.Result,
		Class: c.ClassStep.record()}
}

func (c *Root) saveLoop() {
	for {
		time.Sleep(saveEvery)
		if !c.saveOnce() {
			return
		}
	}
}

// saveOnce stores what changed since the last save; false once stopped.
// While a job runs it only warns: the job holds the engine (a model export
// would wait for it), and its progress is not worth a write per tick; what
// it changes is saved on the first tick after it ends.
func (c *Root) saveOnce() bool {
	p := &c.P
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		return false
	}
	c.Env.Lock()
	busy := c.Busy != ""
	hasWork := c.Data != nil || len(c.Variants) > 0
	var rec *LabRecord
	var vs []VariantInfo
	if !busy {
		rec = c.record()
		vs = append(vs, c.Variants...)
	}
	c.Env.UnlockOnly()
	if busy || c.Store == nil || time.Now().Before(p.retryAt) {
		p.warn.Store(busy || (p.failing && hasWork))
		return true
	}
	p.srcMu.Lock()
	rec.Data = p.data
	p.srcMu.Unlock()
	// The record goes first: it is small and holds the settings, review
	// and results, and it still fits when a model does not (a failed big
	// write may count against the quota for a while). It names only the
	// stored models, so it goes again once new ones are.
	err := c.saveRecord(rec)
	if err == nil {
		err = c.saveModels(vs)
		if err2 := c.saveRecord(rec); err == nil {
			err = err2
		}
	}
	if err != nil {
		p.failing, p.retryAt = true, time.Now().Add(retryAfter)
		msg := "Your work is no longer saved in this browser (" + storeError(err) + "): the lab keeps working, but a reload would lose the latest changes."
		c.goSafe(func() { c.update(func() { c.P.Note = msg }) })
	} else if p.failing {
		p.failing = false
		c.goSafe(func() { c.update(func() { c.P.Note = "Your work is saved in this browser again." }) })
	}
	p.warn.Store(p.failing && hasWork)
	return true
}

// saveModels stores the file of every variant that is new or changed.
func (c *Root) saveModels(vs []VariantInfo) error {
	p := &c.P
	if p.models == nil {
		p.models = map[string]SavedModel{}
	}
	for _, v := range vs {
		fp := fingerprint(v)
		if p.models[v.Name].Print == fp {
			continue
		}
		var r protocol.ExportResult
		buf, err := ask(c.Eng, protocol.TypeExportModel, protocol.VariantRequest{Variant: v.Name}, nil, &r, nil, nil)
		if err != nil {
			return fmt.Errorf("exporting %s: %v", v.Name, err)
		}
		key := modelPrefix + v.Name
		if err := c.Store.Put(key, buf); err != nil {
			return fmt.Errorf("storing %s: %v", v.Name, err)
		}
		p.own(key)
		p.models[v.Name] = SavedModel{Key: key, Print: fp, Info: v}
	}
	return nil
}

// saveRecord writes rec (with p.models) if it differs from the last one
// written, then drops the files it no longer names.
func (c *Root) saveRecord(rec *LabRecord) error {
	p := &c.P
	rec.Models, rec.Saved = nil, ""
	names := make([]string, 0, len(p.models))
	for n := range p.models {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		rec.Models = append(rec.Models, p.models[n])
	}
	if rec.Data == nil && len(rec.Models) == 0 && len(rec.History) == 0 && !p.wrote {
		// Nothing done yet: keep no record, so a fresh visit stays fresh.
		// Going from step to step is not work (the page's link keeps the
		// step): a fresh page whose tabs were only looked at kept a record
		// and offered "Start over" (the reload test caught it, a tick of
		// the saver after a click on Export).
		fresh := *rec
		if rec.Settings != nil {
			s := *rec.Settings
			s.Step = ""
			fresh.Settings = &s
		}
		b, err := json.Marshal(&fresh)
		if err != nil {
			return err
		}
		if p.last == "" {
			p.last = string(b)
		}
		if string(b) == p.last {
			return nil
		}
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	if string(b) == p.last {
		return nil
	}
	rec.Saved = time.Now().UTC().Format(time.RFC3339)
	full, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	if err := c.Store.Put(keyLab, string(full)); err != nil {
		return err
	}
	if !p.wrote {
		c.goSafe(func() { c.update(func() { c.P.HasSaved = true }) })
	}
	p.last, p.wrote = string(b), true
	published(rec)
	return c.dropUnused(rec)
}

// dropUnused deletes the stored models and files of this page that rec
// does not name (a failed restore, a dataset replaced by another).
func (c *Root) dropUnused(rec *LabRecord) error {
	keys, err := c.Store.Keys()
	if err != nil {
		return err
	}
	used := map[string]bool{}
	for _, m := range rec.Models {
		used[m.Key] = true
	}
	if rec.Data != nil && rec.Data.FileKey != "" {
		used[rec.Data.FileKey] = true
	}
	c.P.srcMu.Lock()
	if d := c.P.pending; d != nil && d.FileKey != "" {
		used[d.FileKey] = true // a file still loading
	}
	var drop []string
	for _, k := range keys {
		if c.P.owned[k] && !used[k] {
			drop = append(drop, k)
		}
	}
	c.P.srcMu.Unlock()
	for _, k := range drop {
		if err := c.Store.Delete(k); err != nil {
			return err
		}
	}
	return nil
}
