package data

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A small aclImdb tree: relative path → contents. Listed out of order on
// purpose; readers must sort.
var tree = map[string]string{
	"train/pos/10_9.txt":    "Loved it.<br /><br />Twice.",
	"train/pos/2_8.txt":     "Good.",
	"train/neg/0_1.txt":     "Awful, \"truly\".",
	"test/pos/0_10.txt":     "Café crème, très bien.",
	"test/neg/3_2.txt":      "Meh",
	"train/unsup/0_0.txt":   "unlabelled, ignored",
	"train/pos/._2_8.txt":   "\x00\x05\x16\x07 AppleDouble junk \xff",
	"README":                "not a review",
	"train/labeledBow.feat": "1 0:9",
}

// Sorted by path below the top folder.
var treeWant = []Review{
	{"Meh", 0},
	{"Café crème, très bien.", 1},
	{"Awful, \"truly\".", 0},
	{"Loved it.<br /><br />Twice.", 1},
	{"Good.", 1},
}

func checkReviews(t *testing.T, got []Review, want []Review) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d reviews %+v, want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("review %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func makeTar(t testing.TB, top string, files map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for p, s := range files {
		if err := tw.WriteHeader(&tar.Header{Name: top + p, Mode: 0o644, Size: int64(len(s)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(s))
	}
	// A directory entry, which readers must skip.
	tw.WriteHeader(&tar.Header{Name: top + "train/", Mode: 0o755, Typeflag: tar.TypeDir})
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func gz(t testing.TB, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	w := gzip.NewWriter(&out)
	w.Write(b)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestReadAutoTar(t *testing.T) {
	for _, top := range []string{"aclImdb/", "", "./aclImdb/"} {
		tr := makeTar(t, top, tree)
		for _, in := range [][]byte{tr, gz(t, tr)} {
			got, err := ReadAuto(bytes.NewReader(in), "imdb.tgz", Options{})
			if err != nil {
				t.Fatalf("top %q: %v", top, err)
			}
			checkReviews(t, got, treeWant)
		}
	}
}

func TestOpenFolderAndFiles(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "aclImdb")
	for p, s := range tree {
		f := filepath.Join(root, filepath.FromSlash(p))
		os.MkdirAll(filepath.Dir(f), 0o755)
		if err := os.WriteFile(f, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The folder itself and its parent.
	for _, p := range []string{root, dir} {
		got, err := Open(p, Options{})
		if err != nil {
			t.Fatalf("Open(%s): %v", p, err)
		}
		checkReviews(t, got, treeWant)
	}
	// A .tar.gz, a .tgz and a misnamed gzip CSV are told apart by content.
	tgz := filepath.Join(dir, "aclImdb_v1.tar.gz")
	os.WriteFile(tgz, gz(t, makeTar(t, "aclImdb/", tree)), 0o644)
	got, err := Open(tgz, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkReviews(t, got, treeWant)

	csvgz := filepath.Join(dir, "reviews.txt")
	os.WriteFile(csvgz, gz(t, []byte("review,sentiment\n\"a, b\",positive\nc,negative\n")), 0o644)
	got, err = Open(csvgz, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkReviews(t, got, []Review{{"a, b", 1}, {"c", 0}})

	if _, err := Open(filepath.Join(dir, "missing.csv"), Options{}); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
	empty := t.TempDir()
	if _, err := Open(empty, Options{}); err == nil || !strings.Contains(err.Error(), "no reviews found") {
		t.Fatalf("empty folder: %v", err)
	}
}

func TestReadAutoErrors(t *testing.T) {
	good := makeTar(t, "aclImdb/", map[string]string{"train/pos/1_7.txt": strings.Repeat("fine ", 400)})
	cases := []struct {
		name   string
		in     []byte
		member string
		want   string
	}{
		{"no reviews", makeTar(t, "aclImdb/", map[string]string{"README": "x", "train/unsup/1_0.txt": "y"}), "", "no reviews found"},
		{"bad utf8", makeTar(t, "aclImdb/", map[string]string{"train/pos/1_7.txt": "ok\nbad \xc3\x28"}), "aclImdb/train/pos/1_7.txt", "invalid UTF-8: byte 0xC3 on line 2"},
		{"two tops", makeTar(t, "", map[string]string{"a/train/pos/1_7.txt": "x", "b/train/pos/2_7.txt": "y"}), "", "two top folders"},
		{"truncated tar", good[:1000], "aclImdb/train/pos/1_7.txt", "unexpected end of input"},
		{"corrupt tar header", append([]byte("X"), good[1:]...), "", "bad tar archive: archive/tar: invalid tar header"},
		{"bad gzip header", []byte{0x1f, 0x8b, 0x01, 0x02, 0x03}, "", "bad gzip header"},
		{"truncated gzip", gz(t, good)[:40], "", "unexpected end of input"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadAuto(bytes.NewReader(c.in), "x.tgz", Options{})
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T), want *Error", err, err)
			}
			if e.File != "x.tgz" || (c.member != "" && e.Member != c.member) || !strings.Contains(e.Msg, c.want) {
				t.Fatalf("got %q (member %q), want x.tgz member %q containing %q", err, e.Member, c.member, c.want)
			}
		})
	}
}

// A gzip bomb stops at MaxBytes of decompressed data.
func TestReadAutoTooLarge(t *testing.T) {
	body := strings.Repeat("a", 1<<20)
	in := gz(t, makeTar(t, "aclImdb/", map[string]string{"train/pos/1_7.txt": body}))
	_, err := ReadAuto(bytes.NewReader(in), "bomb.tgz", Options{MaxBytes: 64 << 10})
	if !errors.Is(err, ErrTooLarge) || !strings.HasPrefix(err.Error(), "bomb.tgz") {
		t.Fatalf("got %v, want bomb.tgz: ... too large", err)
	}
	// 1 MiB of "a" gzips 1000:1, over the default MaxRatio.
	_, err = ReadAuto(bytes.NewReader(in), "bomb.tgz", Options{})
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "expands more than 100 times") ||
		!strings.Contains(err.Error(), "--max-ratio") {
		t.Fatalf("got %v, want bomb.tgz: ... expands more than 100 times ... --max-ratio", err)
	}
	var last int64
	got, err := ReadAuto(bytes.NewReader(in), "bomb.tgz", Options{MaxRatio: -1, Progress: func(n int64) { last = n }})
	if err != nil || len(got) != 1 || len(got[0].Text) != 1<<20 {
		t.Fatalf("without the limit: %d reviews, %v", len(got), err)
	}
	if last != int64(len(in)) {
		t.Fatalf("progress ended at %d, want the compressed size %d", last, len(in))
	}
}

func TestIsTarHeaderCSV(t *testing.T) {
	csv := []byte("review,sentiment\n" + strings.Repeat("x", 600))
	copy(csv[256:], "mustard") // "ustar" at offset 257, the tar magic
	if isTarHeader(csv) {
		t.Fatal("CSV taken for a tar")
	}
	csv = append(csv, ",positive\n"...)
	if revs, err := ReadAuto(bytes.NewReader(csv), "m.csv", Options{}); err != nil || len(revs) != 1 {
		t.Fatalf("CSV with ustar at 257: %v", err)
	}
	// An old V7 tar (no ustar magic) is still recognised by its checksum.
	tr := makeTar(t, "", map[string]string{"train/pos/1_7.txt": "x"})
	v7 := append([]byte(nil), tr[:512]...)
	copy(v7[257:265], make([]byte, 8))
	var sum int
	for i, c := range v7 {
		if i >= 148 && i < 156 {
			c = ' '
		}
		sum += int(c)
	}
	copy(v7[148:156], []byte(strings.Repeat("0", 0)+octal6(sum)+"\x00 "))
	if !isTarHeader(v7) {
		t.Fatalf("V7 header with checksum %o not recognised", sum)
	}
}

func octal6(n int) string {
	s := []byte("000000")
	for i := 5; i >= 0; i-- {
		s[i] = byte('0' + n%8)
		n /= 8
	}
	return string(s)
}
