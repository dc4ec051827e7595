package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"

	"sentilab/protocol"
)

// dataFile is a dataset file offered to browsers at a route of its own:
// --data at /api/data, --data-ood (a second dataset, for out-of-domain
// accuracy) at /api/data-ood. Both are served alike (serveFile: the same
// headers, ranges, gzip and pacing) and listed at /api/datasets.
type dataFile struct {
	root *fileRoot
	name string
	info protocol.Dataset
}

// openDataFile resolves path first: a file that is itself a symlink (to the
// shared data set, say) is the operator's choice, not an escape.
func openDataFile(path, url, role string) (*dataFile, error) {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return nil, fmt.Errorf("data file: %w", err)
	}
	d := &dataFile{name: filepath.Base(real)}
	if d.root, err = openFileRoot("data", filepath.Dir(real)); err != nil {
		return nil, err
	}
	f, fi, err := d.root.open(d.name)
	if err != nil {
		return nil, fmt.Errorf("data file %s: not a regular file", real)
	}
	f.Close()
	d.info = protocol.Dataset{Name: d.name, URL: url, Role: role, Bytes: fi.Size()}
	return d, nil
}

// dataRoute serves d, or 404s when the server was started without it.
func (s *server) dataRoute(d *dataFile) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if d == nil {
			s.notFound(w)
			return
		}
		s.serveFile(w, r, d.root, d.name)
	}
}

// datasetsBlob is /api/datasets: the dataset files offered, so the page
// can offer the out-of-domain set beside the lab's own.
func datasetsBlob(files ...*dataFile) (*blob, error) {
	doc := protocol.Datasets{Datasets: []protocol.Dataset{}}
	for _, d := range files {
		if d != nil {
			doc.Datasets = append(doc.Datasets, d.info)
		}
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	return newBlob(append(b, '\n'), "application/json"), nil
}
