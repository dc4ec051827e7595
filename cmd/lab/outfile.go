package main

// The save path of train and compress, checked before the work: a run of
// minutes or hours must not end with nowhere to write its model.

import (
	"fmt"
	"os"
	"sync"

	"sentilab/core/modelfile"
)

// outs are the output files opened by openOut, by path.
var outs = struct {
	sync.Mutex
	m map[string]*modelfile.Target
}{m: map[string]*modelfile.Target{}}

// openOut checks --out and creates its temp file now (a folder, a missing
// folder, a read-only file or a folder that takes no file are refused
// before any data is read), removing the temp files crashed runs left
// beside it. "" (no --out) is fine. Pair it with `defer closeOuts()`.
func openOut(path string) error {
	if path == "" {
		return nil
	}
	for _, p := range modelfile.CleanTemps(path) {
		fmt.Fprintf(os.Stderr, "removed %s, left by an interrupted run\n", p)
	}
	t, err := modelfile.OpenTarget(path)
	if err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	outs.Lock()
	defer outs.Unlock()
	outs.m[path] = t
	return nil
}

// closeOuts removes the temp files of outputs never written (an error or a
// cancel before the save).
func closeOuts() {
	outs.Lock()
	defer outs.Unlock()
	for p, t := range outs.m {
		t.Abort()
		delete(outs.m, p)
	}
}

// writeOut writes f to path through the target openOut prepared (or a new
// one). If that fails, the finished model is written under a recovery name
// (see modelfile.Recover) and the error says where.
func writeOut(path string, f *modelfile.File) error {
	outs.Lock()
	t := outs.m[path]
	delete(outs.m, path)
	outs.Unlock()
	var err error
	if t == nil {
		t, err = modelfile.OpenTarget(path)
	}
	if err == nil {
		defer t.Abort()
		err = t.Commit(f)
	}
	if err == nil {
		return nil
	}
	saved, rerr := modelfile.Recover(path, f)
	if rerr != nil {
		return fmt.Errorf("%v; writing it under a recovery name failed too: %v", err, rerr)
	}
	fmt.Fprintf(os.Stderr, "lab: could not write %s (%v); the finished model is saved as %s\n", path, err, saved)
	return fmt.Errorf("%v; the finished model is saved as %s", err, saved)
}
