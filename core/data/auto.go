package data

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"time"
)

var gzipMagic = []byte{0x1f, 0x8b}

// ReadAuto reads a dataset whose kind is told by its bytes, not its name:
// a zip (Kaggle's download: one CSV inside, or an aclImdb tree) by its magic
// number; gzip by its magic number, decompressed, then a tar (an aclImdb
// archive) by its header block; anything else is read as a Kaggle CSV. It
// is what the browser calls on a dropped file.
func ReadAuto(r io.Reader, name string, opt Options) ([]Review, error) {
	return ReadAutoContext(context.Background(), r, name, opt)
}

// ReadAutoContext is ReadAuto stopped by ctx: it returns ctx's error within
// one 64 KiB read of the cancellation. A zip is read in place when r is an
// io.ReaderAt with a Size method (a *bytes.Reader, an *os.File: read from
// offset 0); otherwise
// it must be read into memory first, within MaxTextBytes.
func ReadAutoContext(ctx context.Context, r io.Reader, name string, opt Options) ([]Review, error) {
	raw := &meter{ctx: ctx, r: r, limit: opt.maxInputBytes(), what: "input longer than", flag: "--max-input-bytes", progress: opt.Progress}
	defer raw.done()
	// Small reads of the compressed input keep the ratio check close to
	// what gzip has consumed: with 16 KiB, a bomb stops by 1.6 MB at 100:1.
	br := bufio.NewReaderSize(raw, 16<<10)
	var stream io.Reader = br
	ratio, what := -1.0, "input longer than"
	if b, _ := br.Peek(4); bytes.Equal(b, zipMagic) {
		if ra, size, ok := readerAt(r); ok {
			if lim := opt.maxInputBytes(); lim > 0 && size > lim {
				return nil, &Error{File: name, Msg: limitError("zip longer than", lim, "--max-input-bytes").Error(), Err: ErrTooLarge}
			}
			raw.n = size // the whole file is read, in place
			return readZip(ctx, ra, size, name, opt)
		}
		return readZipStream(ctx, br, name, opt)
	}
	if b, _ := br.Peek(2); bytes.Equal(b, gzipMagic) {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, &Error{File: name, Msg: "bad gzip header: " + err.Error(), Err: err}
		}
		defer gz.Close()
		stream, ratio, what = gz, opt.maxRatio(), "decompressed input longer than"
	}
	// The byte limit applies to the decompressed stream, and the ratio to
	// it against the compressed bytes: it is the expansion that fills memory.
	dec := &meter{ctx: ctx, r: stream, limit: opt.maxBytes(), what: what, flag: "--max-bytes",
		ratio: ratio, source: func() int64 { return raw.n }}
	sr := bufio.NewReaderSize(dec, 64<<10)
	if b, _ := sr.Peek(tarBlock); isTarHeader(b) {
		return readTar(sr, name, opt)
	}
	return readCSV(sr, name, opt)
}

// readerAt returns r as an io.ReaderAt and its size, if it is one.
func readerAt(r io.Reader) (io.ReaderAt, int64, bool) {
	ra, ok := r.(io.ReaderAt)
	if !ok {
		return nil, 0, false
	}
	switch s := r.(type) {
	case interface{ Size() int64 }:
		return ra, s.Size(), true
	case *os.File:
		if fi, err := s.Stat(); err == nil && fi.Mode().IsRegular() {
			return ra, fi.Size(), true
		}
	}
	return nil, 0, false
}

// Open reads a dataset from path: a file of any kind ReadAuto knows, or an
// aclImdb folder (the folder itself or one that contains it).
func Open(path string, opt Options) ([]Review, error) {
	return OpenContext(context.Background(), path, opt)
}

// OpenContext is Open stopped by ctx, within one 64 KiB read or one review
// file of the cancellation. A path that is neither a regular file nor a
// folder is refused unless opt.AllowSpecial is set.
func OpenContext(ctx context.Context, path string, opt Options) ([]Review, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		return readDir(ctx, path, opt)
	}
	if !fi.Mode().IsRegular() {
		if !opt.AllowSpecial {
			return nil, &Error{File: path, Msg: fmt.Sprintf("not a regular file but %s: "+
				"pass --allow-special to read it as a stream", describeMode(fi.Mode()))}
		}
		return openSpecial(ctx, path, opt)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadAutoContext(ctx, f, path, opt)
}

// describeMode names a file type that is not a regular file or a folder.
func describeMode(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO), which blocks until something writes to it"
	case m&fs.ModeCharDevice != 0:
		return "a character device (such as /dev/zero, which never ends)"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "a special file (" + m.Type().String() + ")"
}

// openSpecial reads a FIFO or device. Opening a FIFO blocks until a writer
// comes, and reading it until data does, neither of which a context can
// interrupt: the open runs aside (abandoned, still blocked, if ctx ends
// first), and a cancellation sets a read deadline, which wakes a read
// blocked on a pipe.
func openSpecial(ctx context.Context, path string, opt Options) ([]Review, error) {
	type opened struct {
		f   *os.File
		err error
	}
	ch := make(chan opened, 1)
	go func() {
		f, err := os.Open(path)
		ch <- opened{f, err}
	}()
	var f *os.File
	select {
	case <-ctx.Done():
		go func() { // close the file if the open ever completes
			if o := <-ch; o.f != nil {
				o.f.Close()
			}
		}()
		return nil, ctx.Err()
	case o := <-ch:
		if o.err != nil {
			return nil, o.err
		}
		f = o.f
	}
	defer f.Close()
	stop := context.AfterFunc(ctx, func() { f.SetReadDeadline(time.Now()) })
	defer stop()
	revs, err := ReadAutoContext(ctx, f, path, opt)
	if err != nil && ctx.Err() != nil {
		return nil, ctx.Err() // the deadline's error, as what it means
	}
	return revs, err
}

const tarBlock = 512

// isTarHeader tells whether b starts with a tar header block: one whose
// checksum field (octal, at offset 148) equals the sum of its bytes, which
// also admits old V7 archives without the "ustar" magic. The magic alone is
// not enough, since a CSV review mentioning "mustard" can put those letters
// at offset 257; but the magic in a block holding NUL bytes, which CSV text
// never has, is a tar with a damaged header, so that the tar reader can say
// so.
func isTarHeader(b []byte) bool {
	if len(b) < tarBlock {
		return false
	}
	if bytes.HasPrefix(b[257:], []byte("ustar")) && bytes.IndexByte(b[:tarBlock], 0) >= 0 {
		return true
	}
	field := bytes.TrimRight(bytes.TrimLeft(b[148:156], " "), " \x00")
	want, err := strconv.ParseUint(string(field), 8, 32)
	if err != nil || len(field) == 0 {
		return false
	}
	var sum uint64
	for i, c := range b[:tarBlock] {
		if i >= 148 && i < 156 {
			c = ' ' // the checksum field counts as spaces
		}
		sum += uint64(c)
	}
	return sum == want
}
