//go:build unix

package modelfile

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func smallEncoded(t *testing.T) *File {
	t.Helper()
	f, err := Encode(randomModel(t, smallCfg, 5), vocabOf(smallCfg.Vocab), testMeta)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

func TestOpenTargetRefuses(t *testing.T) {
	dir := t.TempDir()
	ro := filepath.Join(dir, "ro.safetensors")
	os.WriteFile(ro, []byte("old"), 0o444)
	for _, c := range []struct{ path, want string }{
		{ro, "ro.safetensors is read-only (mode 0444); refusing to replace it"},
		{dir, "is a folder; want a file path such as " + filepath.Join(dir, "model.safetensors")},
		{filepath.Join(dir, "missing", "m.safetensors"), "folder " + filepath.Join(dir, "missing") + ": no such file or directory"},
		{filepath.Join(ro, "m.safetensors"), ro + " is not a folder"},
		{"/dev/null", "/dev/null: not a regular file"},
	} {
		tg, err := OpenTarget(c.path)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			tg.Abort()
			t.Errorf("OpenTarget(%s): %v, want an error containing %q", c.path, err, c.want)
		}
	}
	if b, _ := os.ReadFile(ro); string(b) != "old" {
		t.Error("the read-only file changed")
	}
	if got := names(t, dir); len(got) != 1 {
		t.Errorf("folder holds %v, want only ro.safetensors", got)
	}
	// WriteFile refuses it the same way.
	if err := WriteFile(ro, smallEncoded(t)); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("WriteFile over a read-only file: %v", err)
	}
}

func TestTargetCommit(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.safetensors")
	f := smallEncoded(t)
	tg, err := OpenTarget(path)
	if err != nil {
		t.Fatal(err)
	}
	tmp := tg.TempName()
	if !strings.HasPrefix(filepath.Base(tmp), ".m.safetensors.sentilab-tmp-"+strconv.Itoa(os.Getpid())+"-") {
		t.Errorf("temp file %s: want .m.safetensors.sentilab-tmp-PID-*", tmp)
	}
	if err := tg.Commit(f); err != nil {
		t.Fatal(err)
	}
	tg.Abort() // after Commit: nothing
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o644 {
		t.Fatalf("new file: %v, mode %v; want 0644", err, fi.Mode().Perm())
	}
	if got := names(t, dir); len(got) != 1 {
		t.Errorf("folder holds %v after commit", got)
	}
	// Replacing keeps the old file's permissions.
	os.Chmod(path, 0o600)
	if err := WriteFile(path, f); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("replaced file has mode %04o, want the old 0600", fi.Mode().Perm())
	}
	// Abort leaves nothing and the old file as it was.
	before, _ := os.ReadFile(path)
	tg, _ = OpenTarget(path)
	tg.Abort()
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) || len(names(t, dir)) != 1 {
		t.Error("Abort changed the folder")
	}
	// A symlink's target is replaced, not the link.
	link := filepath.Join(dir, "link.safetensors")
	os.Symlink(path, link)
	if err := WriteFile(link, f); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
		t.Error("WriteFile replaced the symlink itself")
	}
}

// A temp file whose writer is gone is removed when the next writer opens
// the same target; one of a live writer is kept.
func TestCleanTemps(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.safetensors")
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip("no true(1):", err)
	}
	dead := filepath.Join(dir, ".m.safetensors"+tempTag+strconv.Itoa(cmd.Process.Pid)+"-123")
	live := filepath.Join(dir, ".m.safetensors"+tempTag+"1-456") // init is always alive
	other := filepath.Join(dir, ".other.safetensors"+tempTag+strconv.Itoa(cmd.Process.Pid)+"-1")
	for _, p := range []string{dead, live, other} {
		os.WriteFile(p, []byte("half a model"), 0o600)
	}
	tg, err := OpenTarget(path)
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Abort()
	for p, want := range map[string]bool{dead: false, live: true, other: true} {
		if _, err := os.Stat(p); (err == nil) != want {
			t.Errorf("%s: exists %v, want %v", filepath.Base(p), err == nil, want)
		}
	}
}

func TestRemoveTemps(t *testing.T) {
	dir := t.TempDir()
	tg, err := OpenTarget(filepath.Join(dir, "m.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	RemoveTemps()
	if got := names(t, dir); len(got) != 0 {
		t.Errorf("after RemoveTemps the folder holds %v", got)
	}
	if err := tg.Commit(smallEncoded(t)); err == nil {
		t.Error("Commit after RemoveTemps succeeded")
	}
	if got := names(t, dir); len(got) != 0 {
		t.Errorf("after a failed Commit the folder holds %v", got)
	}
}

// A model that cannot go where it was meant to is written under a recovery
// name beside it, or in the temp folder when its own folder is gone.
func TestRecover(t *testing.T) {
	dir := t.TempDir()
	f := smallEncoded(t)
	p, err := Recover(filepath.Join(dir, "m.safetensors"), f)
	if err != nil || filepath.Dir(p) != dir || !strings.HasPrefix(filepath.Base(p), "m.recovered-") {
		t.Fatalf("Recover beside: %s, %v", p, err)
	}
	if _, err := LoadFile(p); err != nil {
		t.Fatal(err)
	}
	gone := filepath.Join(dir, "gone")
	p, err = Recover(filepath.Join(gone, "m.safetensors"), f)
	if err != nil || filepath.Dir(p) != filepath.Clean(os.TempDir()) {
		t.Fatalf("Recover with the folder gone: %s, %v", p, err)
	}
	os.Remove(p)
}
