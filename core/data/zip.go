package data

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"context"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"path"
	"sort"
	"strings"
)

// Kaggle serves its dataset as a zip holding "IMDB Dataset.csv", and that
// zip is what a teacher will drop on the page, so ReadAuto opens zips too:
// one CSV inside, or an aclImdb tree.
var zipMagic = []byte("PK\x03\x04")

// readZipStream reads a zip that is not a file into memory first (a zip's
// directory is at its end, so it cannot be streamed): it then counts as
// review text held, against MaxTextBytes.
func readZipStream(ctx context.Context, r io.Reader, name string, opt Options) ([]Review, error) {
	raw, err := io.ReadAll(&meter{ctx: ctx, r: r, limit: opt.maxTextBytes(),
		what: "zip read from a stream (held in memory) longer than", flag: "--max-text-bytes"})
	if err != nil {
		return nil, asError(err, name, "", 0)
	}
	return readZip(ctx, bytes.NewReader(raw), int64(len(raw)), name, opt)
}

// readZip reads the CSV or aclImdb members of the zip in ra.
func readZip(ctx context.Context, ra io.ReaderAt, size int64, name string, opt Options) ([]Review, error) {
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return nil, &Error{File: name, Msg: "bad zip archive: " + err.Error(), Err: err}
	}
	var csvs []*zip.File
	c := &collector{file: name, budget: newBudget(opt)}
	// The decompressed bytes of all members share one limit; each member's
	// expansion is checked against its own compressed size.
	var total int64
	maxBytes, maxReview := opt.maxBytes(), opt.maxReviewBytes()
	open := func(f *zip.File) (io.ReadCloser, error) {
		if maxBytes > 0 && f.UncompressedSize64 > uint64(maxBytes-total) {
			return nil, &Error{File: name, Member: f.Name, Msg: limitError(fmt.Sprintf(
				"member says it holds %d bytes, more than the", f.UncompressedSize64), maxBytes, "--max-bytes").Error(), Err: ErrTooLarge}
		}
		rc, compressed, err := openMember(f)
		if err != nil {
			return nil, &Error{File: name, Member: f.Name, Msg: "bad zip member: " + err.Error(), Err: err}
		}
		m := &meter{ctx: ctx, r: rc, n: total, base: total, limit: maxBytes, what: "decompressed input longer than", flag: "--max-bytes"}
		if f.Method != zip.Store {
			m.ratio, m.source = opt.maxRatio(), compressed.count
		}
		return struct {
			io.Reader
			io.Closer
		}{m, closerFunc(func() error { total = m.n; return rc.Close() })}, nil
	}
	for _, f := range zr.File {
		p := path.Clean(strings.TrimPrefix(f.Name, "./"))
		base := path.Base(p)
		if f.FileInfo().IsDir() || strings.HasPrefix(p, "__MACOSX/") || strings.HasPrefix(base, ".") {
			continue
		}
		if _, _, _, ok := classify(p); ok {
			if maxReview > 0 && f.UncompressedSize64 > uint64(maxReview) {
				return nil, &Error{File: name, Member: f.Name, Msg: reviewFileTooLarge(int64(f.UncompressedSize64), maxReview), Err: ErrTooLarge}
			}
			rc, err := open(f)
			if err != nil {
				return nil, err
			}
			body, err := readReview(rc, maxReview)
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
	revs, err := readCSV(rc, name, opt)
	if err != nil {
		return nil, zipError(err, name, csvs[0].Name)
	}
	return revs, nil
}

// openMember opens a zip member the way zip.File.Open does, but inflates
// it itself over a counter of the compressed bytes read, so that the ratio
// is checked as the member streams (a member's total compressed size would
// let a bomb expand 100 times all of it before the check), and checks the
// size and CRC the header declares.
func openMember(f *zip.File) (io.ReadCloser, *counter, error) {
	raw, err := f.OpenRaw()
	if err != nil {
		return nil, nil, err
	}
	c := &counter{r: raw}
	var body io.ReadCloser
	switch f.Method {
	case zip.Store:
		body = io.NopCloser(c)
	case zip.Deflate:
		body = flate.NewReader(bufio.NewReaderSize(c, 4<<10)) // small reads: see ReadAutoContext
	default:
		return nil, nil, fmt.Errorf("compression method %d not supported (want deflate or store)", f.Method)
	}
	return &checked{rc: body, size: f.UncompressedSize64, crc: f.CRC32, hash: crc32.NewIEEE()}, c, nil
}

// counter counts the bytes read through it.
type counter struct {
	r io.Reader
	n int64
}

func (c *counter) Read(p []byte) (int, error) {
	k, err := c.r.Read(p)
	c.n += int64(k)
	return k, err
}

func (c *counter) count() int64 { return c.n }

// checked refuses a member that holds more or fewer bytes than its header
// declares, or whose CRC-32 differs.
type checked struct {
	rc   io.ReadCloser
	size uint64
	n    uint64
	crc  uint32
	hash hash.Hash32
}

var errForged = errors.New("member holds more bytes than its header declares (a corrupt or forged zip)")

func (c *checked) Read(p []byte) (int, error) {
	k, err := c.rc.Read(p)
	c.n += uint64(k)
	c.hash.Write(p[:k])
	if c.n > c.size {
		return 0, errForged
	}
	if err == io.EOF {
		if c.n != c.size {
			return k, io.ErrUnexpectedEOF
		}
		if c.crc != 0 && c.hash.Sum32() != c.crc {
			return k, errors.New("checksum error: the member is corrupt")
		}
	}
	return k, err
}

func (c *checked) Close() error { return c.rc.Close() }

type closerFunc func() error

func (f closerFunc) Close() error { return f() }

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
