package modelfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

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
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file (%s)", path, fi.Mode().Type())
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
// a good one was (see Target).
func WriteFile(path string, f *File) error {
	t, err := OpenTarget(path)
	if err != nil {
		return err
	}
	defer t.Abort()
	return t.Commit(f)
}

// tempTag marks a temp file: ".NAME" + tempTag + "PID-RANDOM" beside NAME.
// Hidden, recognizable, and carrying the writer's process id, so that a
// later run can tell a crashed writer's leftover from a live writer's file.
const tempTag = ".sentilab-tmp-"

// Target is a model file about to be written. OpenTarget checks the path
// and creates the temp file at once, so a long run learns at its start, not
// at its end, that it would have nowhere to save; Commit then writes and
// renames into place.
type Target struct {
	Path string // where the model goes (a symlink's target, resolved)
	tmp  *os.File
	done bool
}

// OpenTarget checks that path can take a model file and creates its temp
// file beside it: path must not be a directory, its folder must exist and
// take a new file, and a file already there must be writable by its owner:
// a read-only model is refused, never replaced. Leftover temp files of
// writers no longer running are removed first (see CleanTemps).
func OpenTarget(path string) (*Target, error) {
	if path == "" {
		return nil, errors.New("no output path")
	}
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		if real, err := filepath.EvalSymlinks(path); err == nil {
			path = real
		}
	}
	if err := checkReplaceable(path); err != nil {
		return nil, err
	}
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("%s: folder %s: %w", path, dir, unwrapPath(err))
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("%s: %s is not a folder", path, dir)
	}
	CleanTemps(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+tempTag+strconv.Itoa(os.Getpid())+"-*")
	if err != nil {
		return nil, fmt.Errorf("%s: cannot create a file in %s: %w", path, dir, unwrapPath(err))
	}
	track(tmp.Name(), true)
	return &Target{Path: path, tmp: tmp}, nil
}

// checkReplaceable refuses a path that is a folder, not a regular file, or
// a file without its owner's write permission. Permission bits, not
// access(2): root may write anything, and a 0444 model is still meant to
// stay as it is.
func checkReplaceable(path string) error {
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		return nil // nothing to replace; creating the temp file will tell
	case fi.IsDir():
		return fmt.Errorf("%s is a folder; want a file path such as %s", path, filepath.Join(path, "model.safetensors"))
	case !fi.Mode().IsRegular():
		return fmt.Errorf("%s: not a regular file (%s); refusing to replace it", path, fi.Mode().Type())
	case fi.Mode().Perm()&0o200 == 0:
		return fmt.Errorf("%s is read-only (mode %04o); refusing to replace it: make it writable or choose another path", path, fi.Mode().Perm())
	}
	return nil
}

// unwrapPath drops the *PathError's own operation and path, which the
// callers' messages already say better.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// TempName is the path of the temp file the model is written to.
func (t *Target) TempName() string { return t.tmp.Name() }

// Commit writes f into the temp file, syncs it and renames it over Path.
// The new file keeps the permissions of the one it replaces (0644 when
// there is none). On any error the temp file is removed and whatever was at
// Path is untouched.
func (t *Target) Commit(f *File) error {
	if t.done {
		return fmt.Errorf("%s: already written or aborted", t.Path)
	}
	mode := fs.FileMode(0o644)
	err := checkReplaceable(t.Path) // it may have changed during the run
	if fi, serr := os.Stat(t.Path); err == nil && serr == nil {
		mode = fi.Mode().Perm()
	}
	if err == nil {
		err = t.tmp.Chmod(mode)
	}
	if err == nil {
		err = Write(t.tmp, f)
	}
	if err == nil {
		err = t.tmp.Sync()
	}
	if cerr := t.tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(t.tmp.Name(), t.Path)
	}
	t.done = true
	if err != nil {
		os.Remove(t.tmp.Name())
		track(t.tmp.Name(), false)
		if strings.HasPrefix(err.Error(), t.Path) {
			return err
		}
		return fmt.Errorf("%s: %w", t.Path, err)
	}
	track(t.tmp.Name(), false)
	return nil
}

// Abort removes the temp file unless Commit has run; for a defer.
func (t *Target) Abort() {
	if t == nil || t.done {
		return
	}
	t.done = true
	t.tmp.Close()
	os.Remove(t.tmp.Name())
	track(t.tmp.Name(), false)
}

// Recover writes f where a failed Commit could not: beside path as
// NAME.recovered-YYYYMMDD-HHMMSS.safetensors, else in the temp folder, else
// in the working folder. It returns where the model now is, so a finished
// run is never lost to a full disk or a folder deleted during training.
func Recover(path string, f *File) (string, error) {
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	name := base + ".recovered-" + time.Now().UTC().Format("20060102-150405") + ".safetensors"
	var errs []error
	for _, dir := range []string{filepath.Dir(path), os.TempDir(), "."} {
		p := filepath.Join(dir, name)
		if err := WriteFile(p, f); err != nil {
			errs = append(errs, err)
			continue
		}
		return p, nil
	}
	return "", errors.Join(errs...)
}

// CleanTemps removes the temp files beside path that writers no longer
// running left behind (a kill -9 or a power cut during a write), and
// returns their names. A temp file whose writer is alive is kept.
func CleanTemps(path string) []string {
	dir, prefix := filepath.Dir(path), "."+filepath.Base(path)+tempTag
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var removed []string
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok || !e.Type().IsRegular() {
			continue
		}
		pidText, _, _ := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if err != nil || pid == os.Getpid() || processAlive(pid) {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if os.Remove(p) == nil {
			removed = append(removed, p)
		}
	}
	return removed
}

// The temp files this process has open, for RemoveTemps.
var temps = struct {
	sync.Mutex
	names map[string]bool
}{names: map[string]bool{}}

func track(name string, open bool) {
	temps.Lock()
	defer temps.Unlock()
	if open {
		temps.names[name] = true
	} else {
		delete(temps.names, name)
	}
}

// RemoveTemps removes every temp file this process has open: for a signal
// handler about to exit without running deferred Aborts. The files at the
// targets' paths are untouched.
func RemoveTemps() {
	temps.Lock()
	defer temps.Unlock()
	for name := range temps.names {
		os.Remove(name)
		delete(temps.names, name)
	}
}
