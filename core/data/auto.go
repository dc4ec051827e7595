package data

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"strconv"
)

var gzipMagic = []byte{0x1f, 0x8b}

// ReadAuto reads a dataset whose kind is told by its bytes, not its name:
// a zip (Kaggle's download: one CSV inside, or an aclImdb tree) by its magic
// number; gzip by its magic number, decompressed, then a tar (an aclImdb
// archive) by its header block; anything else is read as a Kaggle CSV. It
// is what the browser calls on a dropped file.
func ReadAuto(r io.Reader, name string, opt Options) ([]Review, error) {
	raw := &meter{r: r, progress: opt.Progress}
	defer raw.done()
	br := bufio.NewReaderSize(raw, 64<<10)
	var stream io.Reader = br
	if b, _ := br.Peek(4); bytes.Equal(b, zipMagic) {
		return readZip(br, name, opt.maxBytes())
	}
	if b, _ := br.Peek(2); bytes.Equal(b, gzipMagic) {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, &Error{File: name, Msg: "bad gzip header: " + err.Error(), Err: err}
		}
		defer gz.Close()
		stream = gz
	}
	// The limit applies to the decompressed bytes: that is what fills memory.
	sr := bufio.NewReaderSize(&meter{r: stream, limit: opt.maxBytes()}, 64<<10)
	if b, _ := sr.Peek(tarBlock); isTarHeader(b) {
		return readTar(sr, name)
	}
	return readCSV(sr, name)
}

// Open reads a dataset from path: a file of any kind ReadAuto knows, or an
// aclImdb folder (the folder itself or one that contains it).
func Open(path string, opt Options) ([]Review, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		return readDir(path, opt)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadAuto(f, path, opt)
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
