package data

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
)

// Kaggle serves its dataset as a zip holding "IMDB Dataset.csv", and that
// zip is what a teacher will drop on the page, so ReadAuto opens zips too:
// one CSV inside, or an aclImdb tree.
var zipMagic = []byte("PK\x03\x04")

// readZip reads a whole zip from r (a zip's directory is at its end, so it
// cannot be streamed) and then its CSV or aclImdb members.
func readZip(r io.Reader, name string, limit int64) ([]Review, error) {
	raw, err := io.ReadAll(&meter{r: r, limit: limit})
	if err != nil {
		return nil, asError(err, name, "", 0)
	}
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		return nil, &Error{File: name, Msg: "bad zip archive: " + err.Error(), Err: err}
	}
	var csvs []*zip.File
	c := &collector{file: name}
	// The decompressed bytes of all members share one limit.
	budget := &meter{limit: limit}
	open := func(f *zip.File) (io.ReadCloser, error) {
		rc, err := f.Open()
		if err != nil {
			return nil, &Error{File: name, Member: f.Name, Msg: "bad zip member: " + err.Error(), Err: err}
		}
		budget.r = rc
		return struct {
			io.Reader
			io.Closer
		}{budget, rc}, nil
	}
	for _, f := range zr.File {
		p := path.Clean(strings.TrimPrefix(f.Name, "./"))
		base := path.Base(p)
		if f.FileInfo().IsDir() || strings.HasPrefix(p, "__MACOSX/") || strings.HasPrefix(base, ".") {
			continue
		}
		if _, _, _, ok := classify(p); ok {
			rc, err := open(f)
			if err != nil {
				return nil, err
			}
			body, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				return nil, zipError(err, name, f.Name)
			}
			if err := c.add(p, body); err != nil {
				return nil, err
			}
			continue
		}
		if strings.HasSuffix(strings.ToLower(base), ".csv") {
			csvs = append(csvs, f)
		}
	}
	if len(c.members) > 0 {
		return c.reviews()
	}
	switch len(csvs) {
	case 0:
		return nil, &Error{File: name, Msg: "zip holds no .csv file and no aclImdb reviews"}
	case 1:
	default:
		names := make([]string, len(csvs))
		for i, f := range csvs {
			names[i] = f.Name
		}
		sort.Strings(names)
		return nil, &Error{File: name, Msg: fmt.Sprintf("zip holds %d CSV files %q; want one", len(csvs), names)}
	}
	rc, err := open(csvs[0])
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	revs, err := readCSV(rc, name)
	if err != nil {
		return nil, zipError(err, name, csvs[0].Name)
	}
	return revs, nil
}

// zipError names the member an error happened in.
func zipError(err error, name, member string) error {
	var e *Error
	if errors.As(err, &e) {
		if e.Member == "" {
			e.Member = member
		}
		return e
	}
	return asError(err, name, member, 0)
}
