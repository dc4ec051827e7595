package class

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"sentilab/protocol"
)

// datasetName is what a LabRun may name: the page maps it to a file.
var datasetName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// pinned are the settings a job copies from the LabRun's top level into
// its train request; sweeping them inside train would be overwritten.
var pinned = map[string]string{"train.seed": "seed", "train.workers": "workers", "train.kernels": "kernel"}

// expand checks an experiment and returns its grid: Base with every
// combination of the sweep's values, the first axis slowest. Each run has
// its seed, workers and kernel pinned into the train request, so the run
// alone says everything that changes its bits.
func expand(e protocol.Experiment, maxJobs int) ([]protocol.LabRun, error) {
	base := e.Base
	if base.Kernel == "" {
		base.Kernel = protocol.KernelPortable
	}
	if base.Workers == 0 {
		base.Workers = 1
	}
	if base.Seed == 0 {
		base.Seed = 42
	}
	switch {
	case !datasetName.MatchString(base.Dataset):
		return nil, fmt.Errorf("experiment.base.dataset %q: want a dataset name (lowercase letters, digits, . _ -)", base.Dataset)
	case base.DataHash != "" && !isSHA256(base.DataHash):
		return nil, fmt.Errorf("experiment.base.data_hash %q: want 64 lowercase hex digits (SHA-256)", base.DataHash)
	case base.Kernel != protocol.KernelPortable:
		return nil, fmt.Errorf("experiment.base.kernel %q: want %q, the kernel that gives the same bits on every machine", base.Kernel, protocol.KernelPortable)
	case base.Workers < 1 || base.Workers > 16:
		return nil, fmt.Errorf("experiment.base.workers %d: want 1 to 16", base.Workers)
	}
	total := 1
	seen := map[string]bool{}
	for i, ax := range e.Sweep {
		where := fmt.Sprintf("experiment.sweep[%d]", i)
		switch {
		case ax.Param == "":
			return nil, fmt.Errorf("%s.param: missing", where)
		case seen[ax.Param]:
			return nil, fmt.Errorf("%s.param %q: swept twice", where, ax.Param)
		case pinned[ax.Param] != "":
			return nil, fmt.Errorf("%s.param %q: sweep %q instead (it is pinned into every job)", where, ax.Param, pinned[ax.Param])
		case len(ax.Values) == 0:
			return nil, fmt.Errorf("%s.values: empty", where)
		}
		seen[ax.Param] = true
		total *= len(ax.Values)
		if total > maxJobs {
			return nil, fmt.Errorf("experiment.sweep: more than %d jobs", maxJobs)
		}
	}
	runs := make([]protocol.LabRun, 0, total)
	pick := make([]int, len(e.Sweep)) // the current value of each axis
	for range total {
		run, err := apply(base, e.Sweep, pick)
		if err != nil {
			return nil, err
		}
		runs = append(runs, run)
		for a := len(pick) - 1; a >= 0; a-- { // odometer: the last axis fastest
			if pick[a]++; pick[a] < len(e.Sweep[a].Values) {
				break
			}
			pick[a] = 0
		}
	}
	return runs, nil
}

// apply sets each axis's picked value into base through its JSON form, so
// any setting of LabRun can be swept by its JSON path, and decodes the
// result strictly: a misspelled path or a value of the wrong type is an
// error naming the axis.
func apply(base protocol.LabRun, sweep []protocol.SweepAxis, pick []int) (protocol.LabRun, error) {
	data, err := json.Marshal(base)
	if err != nil {
		return base, err
	}
	var tree map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // seeds are uint64: keep every digit
	if err := dec.Decode(&tree); err != nil {
		return base, err
	}
	for a, ax := range sweep {
		var v any
		dec := json.NewDecoder(bytes.NewReader(ax.Values[pick[a]]))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			return base, fmt.Errorf("experiment.sweep[%d].values[%d]: %v", a, pick[a], err)
		}
		if err := setPath(tree, ax.Param, v); err != nil {
			return base, fmt.Errorf("experiment.sweep[%d].param %q: %v", a, ax.Param, err)
		}
	}
	data, err = json.Marshal(tree)
	if err != nil {
		return base, err
	}
	var run protocol.LabRun
	if err := protocol.Decode("experiment.sweep", data, &run); err != nil {
		return base, err
	}
	if !datasetName.MatchString(run.Dataset) || run.Kernel != protocol.KernelPortable || run.Workers < 1 || run.Workers > 16 {
		return base, fmt.Errorf("experiment.sweep: a swept dataset, kernel or worker count is out of range")
	}
	if run.DataHash != base.DataHash {
		return base, fmt.Errorf("experiment.sweep: data_hash cannot be swept (it names one dataset's contents)")
	}
	run.Train.Seed, run.Train.Workers, run.Train.Kernels = run.Seed, run.Workers, run.Kernel
	return run, nil
}

// setPath sets tree's dotted path to v. The path's parents must exist
// (base.compress must be given to sweep compress.alpha); its last key may
// be new, for settings whose zero value the JSON form omits.
func setPath(tree map[string]any, path string, v any) error {
	keys := strings.Split(path, ".")
	for _, k := range keys[:len(keys)-1] {
		next, ok := tree[k].(map[string]any)
		if !ok {
			return fmt.Errorf("no object %q in experiment.base", k)
		}
		tree = next
	}
	tree[keys[len(keys)-1]] = v
	return nil
}
