package data

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// wantLimit checks that err is an *Error for file at line (0: any) that
// wraps ErrTooLarge and whose message holds every piece of want.
func wantLimit(t *testing.T, err error, file string, line int, want ...string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrTooLarge) {
		t.Fatalf("error %v (%T), want an *Error wrapping ErrTooLarge", err, err)
	}
	if e.File != file || (line > 0 && e.Line != line) {
		t.Fatalf("error %q at file %q line %d, want %q line %d", err, e.File, e.Line, file, line)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Fatalf("error %q does not say %q", err, w)
		}
	}
}

func TestLimitDefaults(t *testing.T) {
	var o Options
	if o.maxInputBytes() != 1<<30 || o.maxBytes() != 1<<30 || o.maxTextBytes() != 256<<20 ||
		o.maxRows() != 1e6 || o.maxReviewBytes() != 1<<20 || o.maxRatio() != 100 {
		t.Fatalf("defaults %d %d %d %d %d %g", o.maxInputBytes(), o.maxBytes(), o.maxTextBytes(), o.maxRows(), o.maxReviewBytes(), o.maxRatio())
	}
	o = Options{MaxBytes: -1, MaxRows: -5, MaxRatio: -1, MaxReviewBytes: 7}
	if o.maxBytes() != -1 || o.maxRows() != -1 || o.maxRatio() != -1 || o.maxReviewBytes() != 7 {
		t.Fatal("negative limits must mean none, positive ones themselves")
	}
	for n, want := range map[int64]string{1 << 30: "1 GiB", 256 << 20: "256 MiB", 3 << 10: "3 KiB", 1500: "1500 bytes"} {
		if got := humanBytes(n); got != want {
			t.Errorf("humanBytes(%d) = %q, want %q", n, got, want)
		}
	}
}

// A record longer than MaxReviewBytes is refused at the line it starts on,
// before it is buffered whole; one of exactly the limit is accepted.
func TestRecordLimit(t *testing.T) {
	head := "review,sentiment\nshort,positive\n"
	rec := strings.Repeat("x", 91) + ",positive\n" // 100 bytes with its newline
	if revs, err := ReadCSV(strings.NewReader(head+rec), "r.csv", Options{MaxReviewBytes: 100}); err != nil || len(revs) != 2 {
		t.Fatalf("record of exactly the limit: %d reviews, %v", len(revs), err)
	}
	_, err := ReadCSV(strings.NewReader(head+"x"+rec), "r.csv", Options{MaxReviewBytes: 100})
	wantLimit(t, err, "r.csv", 3, "record longer than 100 bytes", "--max-review-bytes")

	// A quoted field may hold newlines: the record still counts as one.
	quoted := "\"" + strings.Repeat("a\n", 60) + "\",negative\n"
	_, err = ReadCSV(strings.NewReader(head+quoted), "r.csv", Options{MaxReviewBytes: 100})
	wantLimit(t, err, "r.csv", 3, "record longer than", "quote left open")

	// An unclosed quote makes the rest of the file one field: refused at
	// 1 MiB, not after buffering 64 MiB.
	var heap runtimeHeap // allocated in all, an upper bound of the peak
	heap.start()
	big := io.MultiReader(strings.NewReader(head+"\"never closed,positive\n"), neverEnding('y'))
	_, err = ReadCSV(io.LimitReader(big, 64<<20), "r.csv", Options{})
	wantLimit(t, err, "r.csv", 3, "record longer than 1 MiB", "quote left open")
	if grown := heap.grown(); grown > 16<<20 {
		t.Errorf("allocated %d bytes reading a 64 MiB field, want < 16 MiB", grown)
	}
}

func TestRowAndTextLimits(t *testing.T) {
	in := "review,sentiment\naaaa,positive\nbbbb,negative\ncccc,positive\n"
	_, err := ReadCSV(strings.NewReader(in), "n.csv", Options{MaxRows: 2})
	wantLimit(t, err, "n.csv", 4, "more than 2 reviews", "--max-rows=N")
	_, err = ReadCSV(strings.NewReader(in), "n.csv", Options{MaxTextBytes: 10})
	wantLimit(t, err, "n.csv", 4, "review text longer than 10 bytes", "--max-text-bytes")
	if revs, err := ReadCSV(strings.NewReader(in), "n.csv", Options{MaxRows: 3, MaxTextBytes: 12}); err != nil || len(revs) != 3 {
		t.Fatalf("at the limits: %d reviews, %v", len(revs), err)
	}
	tr := makeTar(t, "aclImdb/", tree)
	_, err = ReadAuto(bytes.NewReader(tr), "a.tar", Options{MaxRows: 4})
	wantLimit(t, err, "a.tar", 0, "more than 4 reviews")
}

// The tiny-row gzip bomb of issue 11 (a,positive × 244 M in 5.2 MB), small:
// refused by the ratio, not after filling memory with rows.
func TestGzipRatio(t *testing.T) {
	in := gz(t, []byte("review,sentiment\n"+strings.Repeat("a,positive\n", 2<<20)))
	_, err := ReadAuto(bytes.NewReader(in), "rows.csv.gz", Options{})
	wantLimit(t, err, "rows.csv.gz", 0, "expands more than 100 times", "--max-ratio=N")
	revs, err := ReadAuto(bytes.NewReader(in), "rows.csv.gz", Options{MaxRatio: 1000, MaxRows: 3 << 20})
	if err != nil || len(revs) != 2<<20 {
		t.Fatalf("with --max-ratio 1000: %d reviews, %v", len(revs), err)
	}
	_, err = ReadAuto(bytes.NewReader(in), "rows.csv.gz", Options{MaxRatio: -1, MaxInputBytes: 1000})
	wantLimit(t, err, "rows.csv.gz", 0, "input longer than 1000 bytes", "--max-input-bytes")
	_, err = ReadAuto(bytes.NewReader(in), "rows.csv.gz", Options{MaxRatio: -1, MaxBytes: 1 << 20})
	wantLimit(t, err, "rows.csv.gz", 0, "decompressed input longer than 1 MiB", "--max-bytes")
}

func TestZipLimits(t *testing.T) {
	rows := "review,sentiment\n" + strings.Repeat("a,positive\n", 1<<20)
	z := makeZip(t, [][2]string{{"IMDB Dataset.csv", rows}})
	_, err := ReadAuto(bytes.NewReader(z), "bomb.zip", Options{})
	wantLimit(t, err, "bomb.zip", 0, "expands more than 100 times")
	if err.(*Error).Member != "IMDB Dataset.csv" {
		t.Errorf("member %q, want IMDB Dataset.csv", err.(*Error).Member)
	}
	// A member that holds more than it declares is cut at what it declares.
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.CreateRaw(&zip.FileHeader{Name: "IMDB Dataset.csv", Method: zip.Store, CompressedSize64: 40, UncompressedSize64: 20})
	w.Write([]byte("review,sentiment\nok,positive\nno,negative\n")[:40])
	zw.Close()
	_, err = ReadAuto(bytes.NewReader(b.Bytes()), "liar.zip", Options{})
	if err == nil || !strings.Contains(err.Error(), "liar.zip: IMDB Dataset.csv: read error: member holds more bytes than its header declares") {
		t.Errorf("forged size: got %v", err)
	}
	// The size a member declares is checked before it is inflated.
	_, err = ReadAuto(bytes.NewReader(z), "bomb.zip", Options{MaxBytes: 1 << 20})
	wantLimit(t, err, "bomb.zip", 0, "member says it holds 11534353 bytes", "--max-bytes")
	// So is an aclImdb member's, against MaxReviewBytes.
	z = makeZip(t, [][2]string{{"aclImdb/train/pos/0_9.txt", strings.Repeat("good ", 100)}})
	_, err = ReadAuto(bytes.NewReader(z), "acl.zip", Options{MaxReviewBytes: 499})
	wantLimit(t, err, "acl.zip", 0, "review file of 500 bytes, longer than 499 bytes", "--max-review-bytes")
	_, err = ReadAuto(bytes.NewReader(z), "acl.zip", Options{MaxInputBytes: 100})
	wantLimit(t, err, "acl.zip", 0, "zip longer than 100 bytes", "--max-input-bytes")
	// A zip that is not a file is held in memory: within MaxTextBytes.
	_, err = ReadAuto(io.MultiReader(bytes.NewReader(z)), "acl.zip", Options{MaxTextBytes: 100})
	wantLimit(t, err, "acl.zip", 0, "zip read from a stream (held in memory) longer than 100 bytes", "--max-text-bytes")
	if revs, err := ReadAuto(io.MultiReader(bytes.NewReader(z)), "acl.zip", Options{}); err != nil || len(revs) != 1 {
		t.Fatalf("zip from a stream: %d reviews, %v", len(revs), err)
	}
}

// A tar member's size is checked from its header: the body, here cut off,
// is never read.
func TestTarReviewSize(t *testing.T) {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	tw.WriteHeader(&tar.Header{Name: "aclImdb/train/pos/0_9.txt", Mode: 0o644, Size: 5 << 30, Typeflag: tar.TypeReg})
	tw.Write([]byte("only the start"))
	_, err := ReadAuto(bytes.NewReader(b.Bytes()), "huge.tar", Options{})
	wantLimit(t, err, "huge.tar", 0, "review file of 5368709120 bytes, longer than 1 MiB", "--max-review-bytes")
}

// An aclImdb folder with a sparse 8 GiB review is refused from its size,
// without reading it.
func TestDirReviewSize(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "aclImdb", "train", "pos", "0_9.txt")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "aclImdb", "train", "pos", "1_9.txt"), []byte("fine"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(8 << 30); err != nil {
		f.Close()
		t.Skipf("no sparse file here: %v", err)
	}
	f.Close()
	start := time.Now()
	_, err = Open(dir, Options{})
	wantLimit(t, err, dir, 0, "review file of 8589934592 bytes, longer than 1 MiB")
	if err.(*Error).Member != "aclImdb/train/pos/0_9.txt" {
		t.Errorf("member %q", err.(*Error).Member)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v: the file was read", d)
	}
}

// A cancelled context stops an endless read within a read or two: the
// source cancels after 8 MiB (a timer would never fire in js/wasm, where a
// busy goroutine is not preempted) and may be read little further.
func TestReadCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	rows := &cancelAt{r: repeatReader("a fine film,positive\n"), at: 8 << 20, cancel: cancel}
	no := Options{MaxInputBytes: -1, MaxBytes: -1, MaxRows: -1, MaxTextBytes: -1}
	_, err := ReadAutoContext(ctx, io.MultiReader(strings.NewReader("review,sentiment\n"), rows), "endless.csv", no)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	lag := time.Since(rows.when)
	t.Logf("returned %v and %d bytes after the cancel", lag, rows.n-rows.at)
	if rows.n-rows.at > 256<<10 {
		t.Errorf("read %d bytes after the cancel, want ≤ 256 KiB", rows.n-rows.at)
	}
	if lag > 200*time.Millisecond {
		t.Errorf("returned %v after the cancel, want ≤ 200 ms", lag)
	}
}

// cancelAt reads r and calls cancel once at bytes have been read.
type cancelAt struct {
	r      io.Reader
	n, at  int64
	cancel func()
	when   time.Time
}

func (c *cancelAt) Read(p []byte) (int, error) {
	k, err := c.r.Read(p)
	c.n += int64(k)
	if c.n >= c.at && c.when.IsZero() {
		c.when = time.Now()
		c.cancel()
	}
	return k, err
}

// neverEnding is an endless stream of one byte.
type neverEnding byte

func (b neverEnding) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(b)
	}
	return len(p), nil
}

// repeater is s repeated forever.
type repeater struct {
	s   string
	off int
}

func repeatReader(s string) *repeater { return &repeater{s: s} }

func (r *repeater) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		k := copy(p[n:], r.s[r.off:])
		n += k
		r.off = (r.off + k) % len(r.s)
	}
	return n, nil
}

// runtimeHeap measures the bytes allocated between start and grown.
type runtimeHeap struct{ at uint64 }

func (h *runtimeHeap) start() {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	h.at = m.TotalAlloc
}

func (h *runtimeHeap) grown() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.TotalAlloc - h.at
}

// The record guard jumps between quotes and newlines; whatever the chunks
// it is given, it must reach the same verdict at the same line.
func TestRecordGuardChunking(t *testing.T) {
	x := uint32(1)
	next := func() uint32 { x ^= x << 13; x ^= x >> 17; x ^= x << 5; return x }
	alphabet := []byte("ab,\"\n\n xy")
	long := 0
	for trial := range 300 {
		b := []byte("review,sentiment\n")
		for range 20 + next()%200 {
			b = append(b, alphabet[next()%uint32(len(alphabet))])
		}
		opt := Options{MaxReviewBytes: int64(5 + trial%30)}
		_, whole := ReadCSV(bytes.NewReader(b), "g.csv", opt)
		_, bytewise := ReadCSV(iotest.OneByteReader(bytes.NewReader(b)), "g.csv", opt)
		if fmt.Sprint(whole) != fmt.Sprint(bytewise) {
			t.Fatalf("%q, max %d:\nwhole:     %v\nbyte-wise: %v", b, opt.MaxReviewBytes, whole, bytewise)
		}
		if errors.Is(whole, ErrTooLarge) {
			long++
		}
	}
	if long < 30 {
		t.Fatalf("only %d of 300 inputs had a record over the limit: the test does not test the guard", long)
	}
}
