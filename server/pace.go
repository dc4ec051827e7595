package main

import (
	"io"
	"net/http"
	"time"
)

// Slow readers. A client that stops reading a 10 MB model used to hold its
// connection, a goroutine and a file for the whole 10-minute WriteTimeout
// (500 such clients: 1,012 descriptors). A hard per-IP cap would not do:
// a class of 300 browsers behind one school NAT is one IP. So the limit is
// on pace instead: every paceChunk bytes of a body must be taken by the
// client within ChunkTimeout (16 s by default, a floor of 2 KB/s), or the
// connection is closed; a whole answer gets at most MaxWrite (30 minutes:
// an 11 MB model at 6 KB/s). A stalled reader is dropped within about
// ChunkTimeout once the kernel buffers fill, while any number of clients
// reading at 2 KB/s or more are served: 300 browsers with two big
// downloads each need 1.2 MB/s (10 Mbit/s) in all.
const (
	paceChunk           = 32 << 10
	defaultChunkTimeout = 16 * time.Second
	defaultMaxWrite     = 30 * time.Minute
)

// paceWriter gives each paceChunk of a body its own write deadline, never
// later than end. It passes ReadFrom through one chunk at a time, so
// http.ServeContent still sends model files with sendfile.
type paceWriter struct {
	http.ResponseWriter
	rc      *http.ResponseController
	timeout time.Duration
	end     time.Time
}

func newPaceWriter(w http.ResponseWriter, timeout, maxWrite time.Duration) *paceWriter {
	p := &paceWriter{ResponseWriter: w, rc: http.NewResponseController(w), timeout: timeout, end: time.Now().Add(maxWrite)}
	p.extend() // covers the headers and a body written after the handler returns
	return p
}

// extend moves the connection's write deadline to timeout from now. The
// error is ignored: a writer without deadlines (syumai/workers on
// Cloudflare, where the platform paces clients) simply has none.
func (p *paceWriter) extend() {
	d := time.Now().Add(p.timeout)
	if d.After(p.end) {
		d = p.end
	}
	p.rc.SetWriteDeadline(d)
}

func (p *paceWriter) Write(b []byte) (int, error) {
	n := 0
	for len(b) > 0 {
		k := min(len(b), paceChunk)
		p.extend()
		m, err := p.ResponseWriter.Write(b[:k])
		n += m
		if err != nil {
			return n, err
		}
		b = b[k:]
	}
	return n, nil
}

// ReadFrom unwraps the *io.LimitedReader that ServeContent hands over, so
// the underlying ReadFrom sees the *os.File itself (sendfile) in each chunk.
func (p *paceWriter) ReadFrom(src io.Reader) (int64, error) {
	rf, ok := p.ResponseWriter.(io.ReaderFrom)
	if !ok {
		return io.Copy(struct{ io.Writer }{p}, src)
	}
	inner, left := src, int64(-1) // -1: no limit
	lr, limited := src.(*io.LimitedReader)
	if limited {
		inner, left = lr.R, lr.N
	}
	var total int64
	for left != 0 {
		want := int64(paceChunk)
		if left > 0 && left < want {
			want = left
		}
		p.extend()
		n, err := rf.ReadFrom(&io.LimitedReader{R: inner, N: want})
		total += n
		if left > 0 {
			left -= n
		}
		if err != nil || n < want { // an error, or the end of src
			if limited {
				lr.N = left
			}
			return total, err
		}
	}
	if limited {
		lr.N = 0
	}
	return total, nil
}

func (p *paceWriter) Unwrap() http.ResponseWriter { return p.ResponseWriter }
