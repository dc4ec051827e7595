package modelfile

import (
	"fmt"
	"os"
	"path/filepath"

	"sentilab/core/nn"
)

// LoadFile reads and decodes the model file at path.
func LoadFile(path string) (*Loaded, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	l, err := Load(f, fi.Size())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return l, nil
}

// SaveFile writes m as a dense F32 model file at path (see WriteFile).
func SaveFile(path string, m *nn.Model, vocab []string, meta Meta) error {
	f, err := Encode(m, vocab, meta)
	if err != nil {
		return err
	}
	return WriteFile(path, f)
}

// WriteFile writes f to a temporary file beside path and renames it into
// place, so a failed or interrupted write never leaves a corrupt file where
// a good one was.
func WriteFile(path string, f *File) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	// CreateTemp makes the file 0600; a model file is meant to be shared
	// (served, copied to a class), so give it the usual 0644.
	err = tmp.Chmod(0o644)
	if err == nil {
		err = Write(tmp, f)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
