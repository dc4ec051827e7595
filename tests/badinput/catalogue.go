// Package badinput is the bad-input catalogue of issue 11: it writes
// decompression bombs, endless and malformed datasets into a folder, runs
// the real lab (native, or the js/wasm build under Node) on each, and
// measures the peak memory it took to refuse it.
//
// Nothing here is committed as data: Generate writes the files at the size
// asked for. Scale 1 is the full size (bombs of 2.5–2.7 GB
// decompressed from 2.6–5.2 MB); the tests use a small scale by default and
// the full one under SENTILAB_LONG=1 (see badinput_test.go and
// scripts/badinput).
//go:build linux

package badinput

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// Case is one input of the catalogue and what lab must say about it.
type Case struct {
	Name string
	Path string   // the input: a file, a folder, /dev/zero
	Args []string // extra lab flags
	// Want is a piece of the error lab must print (exit status 1), or,
	// when OK is set, of what it prints on success (exit status 0).
	Want string
	OK   bool
	Note string // what the input is, for the report
	// Native is set for inputs the js/wasm build cannot be given (a FIFO).
	NativeOnly bool
}

const fullBomb = 2_684_354_560 // 2.5 GiB: the bombs

// Generate writes the catalogue into dir. scale multiplies the bombs' full
// decompressed size (1 = 2.5 GiB; 0.1 = 256 MiB); the other inputs are
// small whatever the scale. Below scale 1, the too-many-rows case runs
// with --max-rows 100000 rather than the default million.
func Generate(dir string, scale float64) ([]Case, error) {
	return cases(&gen{dir: dir, write: true}, scale)
}

// Describe returns the cases Generate(dir, scale) wrote, without writing.
func Describe(dir string, scale float64) []Case {
	cs, _ := cases(&gen{dir: dir}, scale)
	return cs
}

func cases(g *gen, scale float64) ([]Case, error) {
	bomb := int64(float64(fullBomb) * scale)
	rows := bomb / int64(len(tinyRow))
	// The row limit: lab's default at full size, a tenth (by flag) below.
	maxRows, rowArgs := int64(1_000_000), []string(nil)
	if scale < 1 {
		maxRows, rowArgs = 100_000, []string{"--max-rows", "100000"}
	}
	cs := []Case{
		{Name: "rows.csv.gz", Want: "expands more than 100 times",
			Note: fmt.Sprintf("gzip of %d rows \"a,positive\" (%s)", rows, mb(rows*int64(len(tinyRow)))),
			Path: g.gzip("rows.csv.gz", header, repeat(tinyRow, rows))},
		{Name: "field.csv.gz", Want: "record longer than 1 MiB",
			Note: fmt.Sprintf("gzip of one quoted field of %s", mb(bomb)),
			Path: g.gzip("field.csv.gz", header+`"`, repeat("a", bomb))},
		{Name: "zeros.csv.gz", Want: "record longer than 1 MiB",
			Note: fmt.Sprintf("gzip of %s of NUL bytes", mb(bomb)),
			Path: g.gzip("zeros.csv.gz", "", repeat("\x00", bomb))},
		{Name: "bomb.zip", Want: zipWant(rows),
			Note: fmt.Sprintf("zip of a CSV of %d tiny rows (%s), its size declared", rows, mb(rows*int64(len(tinyRow)))),
			Path: g.zip("bomb.zip", rows, false)},
		{Name: "liar.zip", Want: "member holds more bytes than its header declares",
			Note: "the same zip, declaring 1000 bytes",
			Path: g.zip("liar.zip", rows, true)},
		{Name: "review.tar.gz", Want: "review file of",
			Note: fmt.Sprintf("aclImdb tar.gz with one review file of %s", mb(bomb)),
			Path: g.tar("review.tar.gz", "aclImdb/train/pos/0_9.txt", bomb)},
		{Name: "unsup.tar.gz", Want: "expands more than 100 times",
			Note: fmt.Sprintf("aclImdb tar.gz with a skipped unsup file of %s", mb(bomb)),
			Path: g.tar("unsup.tar.gz", "aclImdb/train/unsup/0_0.txt", bomb)},
		{Name: "sparse.csv", Want: "record longer than 1 MiB",
			Note: "a sparse 5 GiB file of NUL bytes", Path: g.sparse("sparse.csv", 5<<30)},
		{Name: "aclImdb-sparse", Want: "review file of 5368709120 bytes",
			Note: "an aclImdb folder whose one review is a sparse 5 GiB file", Path: g.aclSparse("aclImdb-sparse", 5<<30)},
		{Name: "/dev/zero", Path: "/dev/zero", Want: "not a regular file but a character device",
			Note: "/dev/zero as --data"},
		{Name: "/dev/zero allowed", Path: "/dev/zero", Args: []string{"--allow-special"}, Want: "record longer than 1 MiB",
			Note: "/dev/zero with --allow-special"},
		{Name: "fifo", Want: "not a regular file but a named pipe", Note: "a FIFO as --data",
			Path: g.fifo("fifo.csv"), NativeOnly: true},
		{Name: "rows.csv", Want: fmt.Sprintf("more than %d reviews", maxRows), Args: rowArgs,
			Note: fmt.Sprintf("a plain CSV of %d tiny rows", maxRows+1), Path: g.stream("rows.csv", header, repeat(tinyRow, maxRows+1))},
		{Name: "unclosed.csv", Want: "quote left open",
			Note: "a quote never closed, then 4 MiB of lines", Path: g.stream("unclosed.csv",
				header+"fine,positive\n\"never closed,positive\n", repeat("more text, more lines\n", 4<<20/22))},
		{Name: "rows-limit", Args: []string{"--max-rows", "100"}, Want: "more than 100 reviews, the --max-rows limit",
			Note: "a small limit set by flag", Path: g.plain("rows100.csv", header+repeat(tinyRow, 101).String())},
		{Name: "label.csv", Want: `label.csv:3: unknown label "neutral"`, Note: "a bad label",
			Path: g.plain("label.csv", header+"good,positive\nmeh,neutral\n")},
		{Name: "truncated.csv.gz", Want: "unexpected end of input", Note: "a gzip cut short",
			Path: g.truncatedGzip("truncated.csv.gz")},
		{Name: "binary", Want: "binary.csv:1: bare quote", Note: "random bytes", Path: g.binary("binary.csv")},
		{Name: "empty.csv", Want: "empty file: no header", Note: "an empty file", Path: g.plain("empty.csv", "")},
	}
	if scale >= 1 {
		// The most a refusal can cost: 250 MiB of reviews held (just under
		// --max-text-bytes) before a bad label on the last line.
		cs = append(cs, Case{Name: "late.csv", Want: `late.csv:256002: unknown label "neutral"`,
			Note: "256,000 reviews of 1 KiB, then a bad label",
			Path: g.stream("late.csv", header, repeat(strings.Repeat("review text ", 84)+"good,positive\n", 256_000), "x,neutral\n")})
	}
	return cs, g.err
}

// zipWant is what lab says of a zip of rows tiny rows that declares its
// size: over 1 GiB, it is refused from its header.
func zipWant(rows int64) string {
	if int64(len(header))+rows*int64(len(tinyRow)) > 1<<30 {
		return "member says it holds"
	}
	return "expands more than 100 times"
}

const (
	header  = "review,sentiment\n"
	tinyRow = "a,positive\n"
)

func mb(n int64) string { return fmt.Sprintf("%.0f MB", float64(n)/1e6) }

// stream is content produced on the fly: a prefix, then a repeated unit.
type stream struct {
	unit string
	n    int64 // repetitions
}

func repeat(unit string, n int64) stream { return stream{unit, n} }

func (s stream) writeTo(w io.Writer) error {
	if s.n == 0 {
		return nil
	}
	block := strings.Repeat(s.unit, max(1, (1<<20)/len(s.unit)))
	per := int64(len(block) / len(s.unit))
	for left := s.n; left > 0; {
		k := min(left, per)
		if _, err := io.WriteString(w, block[:k*int64(len(s.unit))]); err != nil {
			return err
		}
		left -= k
	}
	return nil
}

func (s stream) String() string { // for small plain files
	var b strings.Builder
	s.writeTo(&b)
	return b.String()
}

// gen writes the files, keeping the first error.
type gen struct {
	dir   string
	write bool // false: only name the files (Describe)
	err   error
}

func (g *gen) create(name string, write func(io.Writer) error) string {
	p := filepath.Join(g.dir, name)
	if g.err != nil || !g.write {
		return p
	}
	f, err := os.Create(p)
	if err != nil {
		g.err = err
		return p
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := write(bw); err != nil {
		g.err = err
	}
	if err := bw.Flush(); err != nil && g.err == nil {
		g.err = err
	}
	if err := f.Close(); err != nil && g.err == nil {
		g.err = err
	}
	return p
}

func (g *gen) plain(name string, s string) string {
	return g.stream(name, s, repeat("", 0))
}

// stream writes prefix then body, without holding the body in memory (the
// runner's own peak RSS counts in its children's: see Run).
func (g *gen) stream(name, prefix string, body stream, suffix ...string) string {
	return g.create(name, func(w io.Writer) error {
		if _, err := io.WriteString(w, prefix); err != nil {
			return err
		}
		if err := body.writeTo(w); err != nil {
			return err
		}
		_, err := io.WriteString(w, strings.Join(suffix, ""))
		return err
	})
}

func (g *gen) gzip(name, prefix string, body stream) string {
	return g.create(name, func(w io.Writer) error {
		zw, _ := gzip.NewWriterLevel(w, gzip.BestCompression)
		io.WriteString(zw, prefix)
		if err := body.writeTo(zw); err != nil {
			return err
		}
		return zw.Close()
	})
}

// zip writes a zip holding "IMDB Dataset.csv" of rows tiny rows; a liar
// declares 1000 bytes instead of the true size (a reader that trusts the
// header is fooled; archive/zip finds out only at the member's end).
func (g *gen) zip(name string, rows int64, liar bool) string {
	return g.create(name, func(w io.Writer) error {
		// Deflate the member first to learn its sizes and CRC.
		var comp bytes.Buffer
		fw, _ := flate.NewWriter(&comp, flate.BestCompression)
		crc := crc32.NewIEEE()
		mw := io.MultiWriter(fw, crc)
		io.WriteString(mw, header)
		if err := repeat(tinyRow, rows).writeTo(mw); err != nil {
			return err
		}
		fw.Close()
		size := uint64(len(header)) + uint64(rows)*uint64(len(tinyRow))
		if liar {
			size = 1000
		}
		zw := zip.NewWriter(w)
		h := &zip.FileHeader{Name: "IMDB Dataset.csv", Method: zip.Deflate, CRC32: crc.Sum32(),
			CompressedSize64: uint64(comp.Len()), UncompressedSize64: size}
		raw, err := zw.CreateRaw(h)
		if err != nil {
			return err
		}
		raw.Write(comp.Bytes())
		return zw.Close()
	})
}

// tar writes a gzipped aclImdb tar with one small review and one file of
// n NUL bytes at member.
func (g *gen) tar(name, member string, n int64) string {
	return g.create(name, func(w io.Writer) error {
		zw, _ := gzip.NewWriterLevel(w, gzip.BestCompression)
		tw := tar.NewWriter(zw)
		tw.WriteHeader(&tar.Header{Name: "aclImdb/train/neg/0_1.txt", Mode: 0o644, Size: 5, Typeflag: tar.TypeReg})
		io.WriteString(tw, "Awful")
		tw.WriteHeader(&tar.Header{Name: member, Mode: 0o644, Size: n, Typeflag: tar.TypeReg})
		if err := repeat("\x00", n).writeTo(tw); err != nil {
			return err
		}
		tw.Close()
		return zw.Close()
	})
}

func (g *gen) sparse(name string, n int64) string {
	p := filepath.Join(g.dir, name)
	if g.err == nil && g.write {
		g.err = truncate(p, n)
	}
	return p
}

func truncate(p string, n int64) error {
	f, err := os.Create(p)
	if err != nil {
		return err
	}
	if err := f.Truncate(n); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func (g *gen) aclSparse(name string, n int64) string {
	root := filepath.Join(g.dir, name)
	pos := filepath.Join(root, "aclImdb", "train", "pos")
	if !g.write {
		return root
	}
	if g.err == nil {
		g.err = os.MkdirAll(pos, 0o755)
	}
	if g.err == nil {
		g.err = os.WriteFile(filepath.Join(pos, "1_9.txt"), []byte("Fine."), 0o644)
	}
	if g.err == nil {
		g.err = truncate(filepath.Join(pos, "0_9.txt"), n)
	}
	return root
}

func (g *gen) fifo(name string) string {
	p := filepath.Join(g.dir, name)
	if g.err == nil && g.write {
		os.Remove(p)
		g.err = syscall.Mkfifo(p, 0o600)
	}
	return p
}

func (g *gen) truncatedGzip(name string) string {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	io.WriteString(zw, header+repeat("fine film,positive\n", 10000).String())
	zw.Close()
	return g.plain(name, b.String()[:b.Len()/2])
}

func (g *gen) binary(name string) string {
	b := make([]byte, 1<<20)
	x := uint32(2463534242)
	for i := range b { // xorshift: the same bytes every run
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	b[0] = 'X' // not a gzip or zip magic by chance
	return g.plain(name, string(b))
}
