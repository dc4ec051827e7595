package modelfile

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"unicode/utf8"
)

// Tensor is one named array. Data holds its little-endian bytes: exactly
// NumElements(Shape) × DTypeSize(DType) of them.
type Tensor struct {
	Name  string
	DType string
	Shape []int
	Data  []byte
}

// File is a safetensors file: free-form string metadata and tensors in
// data order.
type File struct {
	Metadata map[string]string
	Tensors  []Tensor
}

// Tensor returns the tensor called name, or nil.
func (f *File) Tensor(name string) *Tensor {
	for i := range f.Tensors {
		if f.Tensors[i].Name == name {
			return &f.Tensors[i]
		}
	}
	return nil
}

// MaxHeaderSize is the largest JSON header accepted, the reference
// implementation's limit (100,000,000 bytes).
const MaxHeaderSize = 100_000_000

// dtypeSizes lists the safetensors dtypes this package can size, with their
// byte width. Sub-byte dtypes (F4, F6_*) are refused as unknown.
var dtypeSizes = map[string]int{
	"BOOL": 1, "U8": 1, "I8": 1, "F8_E4M3": 1, "F8_E5M2": 1,
	"I16": 2, "U16": 2, "F16": 2, "BF16": 2,
	"I32": 4, "U32": 4, "F32": 4,
	"I64": 8, "U64": 8, "F64": 8,
}

// DTypeSize returns the byte width of a dtype, or 0 if it is unknown.
func DTypeSize(dtype string) int { return dtypeSizes[dtype] }

// maxElements bounds a shape's product so that byte counts never overflow;
// a real tensor is bounded far lower by the file's size anyway.
const maxElements = 1 << 53

// NumElements returns the product of shape, or an error if a dimension is
// negative or the product exceeds 2^53.
func NumElements(shape []int) (int, error) {
	n := 1
	for i, d := range shape {
		if d < 0 {
			return 0, fmt.Errorf("dimension %d is %d, want >= 0", i, d)
		}
		if d != 0 && n > maxElements/d {
			return 0, fmt.Errorf("shape %v has more than 2^53 elements", shape)
		}
		n *= d
	}
	return n, nil
}

// check validates one tensor for writing.
func (t *Tensor) check() error {
	size := DTypeSize(t.DType)
	if size == 0 {
		return fmt.Errorf("tensor %q: unknown dtype %q", t.Name, t.DType)
	}
	n, err := NumElements(t.Shape)
	if err != nil {
		return fmt.Errorf("tensor %q: shape: %v", t.Name, err)
	}
	if len(t.Data) != n*size {
		return fmt.Errorf("tensor %q: %d data bytes, want %d (shape %v × %s %d bytes)",
			t.Name, len(t.Data), n*size, t.Shape, t.DType, size)
	}
	return nil
}

// Write writes f as a safetensors file: tensors in the order given, packed
// without gaps; metadata keys sorted so the same File gives the same bytes.
// The header is padded with spaces so the data starts 8-byte aligned, as
// the format allows.
func Write(w io.Writer, f *File) error {
	h, err := encodeHeader(f)
	if err != nil {
		return err
	}
	return writeBody(w, h, f)
}

// Bytes is f's file as Write writes it, in a buffer of its exact size: a
// bytes.Buffer grown by doubling allocates ~3× an 11 MB model, and in the
// browser's engine a wasm memory never gives back what it grew to.
func Bytes(f *File) ([]byte, error) {
	h, err := encodeHeader(f)
	if err != nil {
		return nil, err
	}
	b := bytes.NewBuffer(make([]byte, 0, fileSize(h, f)))
	if err := writeBody(b, h, f); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Size returns the number of bytes Write produces for f.
func Size(f *File) (int64, error) {
	h, err := encodeHeader(f)
	if err != nil {
		return 0, err
	}
	return int64(fileSize(h, f)), nil
}

// fileSize is the size of the file with header h and f's tensors.
func fileSize(h []byte, f *File) int {
	n := 8 + len(h)
	for i := range f.Tensors {
		n += len(f.Tensors[i].Data)
	}
	return n
}

// encodeHeader is f's JSON header, checked and padded, without its length.
func encodeHeader(f *File) ([]byte, error) {
	var h bytes.Buffer
	h.WriteByte('{')
	if len(f.Metadata) > 0 {
		keys := make([]string, 0, len(f.Metadata))
		for k := range f.Metadata {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		h.WriteString(`"__metadata__":{`)
		for i, k := range keys {
			if i > 0 {
				h.WriteByte(',')
			}
			if !utf8.ValidString(k) || !utf8.ValidString(f.Metadata[k]) {
				return nil, fmt.Errorf("modelfile: metadata %q: not valid UTF-8", k)
			}
			writeJSONString(&h, k)
			h.WriteByte(':')
			writeJSONString(&h, f.Metadata[k])
		}
		h.WriteByte('}')
	}
	seen := map[string]bool{}
	var off int
	for i := range f.Tensors {
		t := &f.Tensors[i]
		if err := t.check(); err != nil {
			return nil, fmt.Errorf("modelfile: %v", err)
		}
		if t.Name == "" || t.Name == "__metadata__" || !utf8.ValidString(t.Name) {
			return nil, fmt.Errorf("modelfile: tensor %d: invalid name %q", i, t.Name)
		}
		if seen[t.Name] {
			return nil, fmt.Errorf("modelfile: duplicate tensor %q", t.Name)
		}
		seen[t.Name] = true
		if h.Len() > 1 {
			h.WriteByte(',')
		}
		writeJSONString(&h, t.Name)
		fmt.Fprintf(&h, `:{"dtype":"%s","shape":[`, t.DType)
		for j, d := range t.Shape {
			if j > 0 {
				h.WriteByte(',')
			}
			h.WriteString(strconv.Itoa(d))
		}
		fmt.Fprintf(&h, `],"data_offsets":[%d,%d]}`, off, off+len(t.Data))
		off += len(t.Data)
	}
	h.WriteByte('}')
	for (8+h.Len())%8 != 0 {
		h.WriteByte(' ')
	}
	if h.Len() > MaxHeaderSize {
		return nil, fmt.Errorf("modelfile: header is %d bytes, over the %d limit", h.Len(), MaxHeaderSize)
	}
	return h.Bytes(), nil
}

// writeBody writes the header's length, the header h and f's tensors.
func writeBody(w io.Writer, h []byte, f *File) error {
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(h)))
	if _, err := w.Write(n[:]); err != nil {
		return err
	}
	if _, err := w.Write(h); err != nil {
		return err
	}
	for i := range f.Tensors {
		if _, err := w.Write(f.Tensors[i].Data); err != nil {
			return err
		}
	}
	return nil
}

func writeJSONString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)           // cannot fail for a valid UTF-8 string
	b.Truncate(b.Len() - 1) // Encode's newline
}

// Read reads a safetensors file of size bytes from r and parses it. It
// reads at most size+1 bytes and allocates only as they arrive, so a wrong
// size costs nothing; a file longer or shorter than size is refused.
func Read(r io.Reader, size int64) (*File, error) {
	if size < 0 {
		return nil, fmt.Errorf("modelfile: negative size %d", size)
	}
	b, err := io.ReadAll(io.LimitReader(r, size+1))
	if err != nil {
		return nil, fmt.Errorf("modelfile: %w", err)
	}
	if int64(len(b)) != size {
		return nil, fmt.Errorf("modelfile: read %d bytes, want the file's size %d", len(b), size)
	}
	return Parse(b)
}

// Parse parses a whole safetensors file held in b. The tensors' Data alias
// b. Everything is checked: the header length against the file, the JSON,
// each dtype, shape and data_offsets, duplicate names, and that the tensors
// tile the data section exactly, in order, without gaps or overlaps.
func Parse(b []byte) (*File, error) {
	if len(b) < 8 {
		return nil, fmt.Errorf("modelfile: file is %d bytes, shorter than the 8-byte header length", len(b))
	}
	n := binary.LittleEndian.Uint64(b)
	if n > MaxHeaderSize {
		return nil, fmt.Errorf("modelfile: header length %d over the %d limit (not a safetensors file?)", n, MaxHeaderSize)
	}
	if n > uint64(len(b)-8) {
		return nil, fmt.Errorf("modelfile: header length %d, but only %d bytes follow the length (truncated file?)", n, len(b)-8)
	}
	header, data := b[8:8+n], b[8+n:]
	f, err := parseHeader(header, len(data))
	if err != nil {
		return nil, fmt.Errorf("modelfile: header: %w", err)
	}
	for i := range f.Tensors {
		t := &f.Tensors[i]
		t.Data = data[t.begin:t.end:t.end]
	}
	out := &File{Metadata: f.Metadata, Tensors: make([]Tensor, len(f.Tensors))}
	for i := range f.Tensors {
		out.Tensors[i] = f.Tensors[i].Tensor
	}
	return out, nil
}

type placed struct {
	Tensor
	begin, end int
}

type parsedHeader struct {
	Metadata map[string]string
	Tensors  []placed
}

func parseHeader(h []byte, dataLen int) (*parsedHeader, error) {
	if !utf8.Valid(h) {
		return nil, fmt.Errorf("not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(h))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("want a JSON object, got %.20q", h)
	}
	p := &parsedHeader{}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("malformed JSON: %v", err)
		}
		name, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("malformed JSON: key %v", tok)
		}
		if seen[name] {
			return nil, fmt.Errorf("duplicate key %q", name)
		}
		seen[name] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("%q: malformed JSON: %v", name, err)
		}
		if name == "__metadata__" {
			if p.Metadata, err = parseMetadata(raw); err != nil {
				return nil, fmt.Errorf("__metadata__: %v", err)
			}
			continue
		}
		t, err := parseEntry(name, raw, dataLen)
		if err != nil {
			return nil, fmt.Errorf("tensor %q: %v", name, err)
		}
		p.Tensors = append(p.Tensors, t)
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("malformed JSON: %v", err)
	}
	if rest := h[dec.InputOffset():]; len(bytes.TrimLeft(rest, " \t\r\n")) != 0 {
		return nil, fmt.Errorf("%d bytes after the JSON object, want only padding spaces", len(rest))
	}
	// Tensors must tile [0, dataLen) in offset order.
	sort.SliceStable(p.Tensors, func(i, j int) bool {
		a, b := p.Tensors[i], p.Tensors[j]
		return a.begin < b.begin || a.begin == b.begin && a.end < b.end
	})
	at := 0
	for _, t := range p.Tensors {
		if t.begin != at {
			what := "a gap"
			if t.begin < at {
				what = "an overlap"
			}
			return nil, fmt.Errorf("tensor %q: data_offsets start at %d, want %d (%s in the data section)", t.Name, t.begin, at, what)
		}
		at = t.end
	}
	if at != dataLen {
		return nil, fmt.Errorf("tensors cover %d data bytes, but the file holds %d after the header", at, dataLen)
	}
	return p, nil
}

func parseMetadata(raw json.RawMessage) (map[string]string, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("want an object of strings")
	}
	m := map[string]string{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		k, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("malformed JSON: key %v", tok)
		}
		if _, dup := m[k]; dup {
			return nil, fmt.Errorf("duplicate key %q", k)
		}
		var v string
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("%q: want a string value", k)
		}
		m[k] = v
	}
	return m, nil
}

// entry is a tensor's header entry, before validation.
type entry struct {
	DType   *string           `json:"dtype"`
	Shape   []json.RawMessage `json:"shape"`
	Offsets []json.RawMessage `json:"data_offsets"`
}

func parseEntry(name string, raw json.RawMessage, dataLen int) (placed, error) {
	var e entry
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return placed{}, fmt.Errorf("want {\"dtype\", \"shape\", \"data_offsets\"}: %v", err)
	}
	switch {
	case e.DType == nil:
		return placed{}, fmt.Errorf("missing dtype")
	case e.Shape == nil:
		return placed{}, fmt.Errorf("missing shape")
	case e.Offsets == nil:
		return placed{}, fmt.Errorf("missing data_offsets")
	case len(e.Offsets) != 2:
		return placed{}, fmt.Errorf("data_offsets has %d numbers, want 2 [begin, end]", len(e.Offsets))
	}
	size := DTypeSize(*e.DType)
	if size == 0 {
		return placed{}, fmt.Errorf("unknown dtype %q", *e.DType)
	}
	t := placed{Tensor: Tensor{Name: name, DType: *e.DType, Shape: make([]int, len(e.Shape))}}
	for i, d := range e.Shape {
		v, err := parseCount(d, maxElements)
		if err != nil {
			return placed{}, fmt.Errorf("shape[%d]: %v", i, err)
		}
		t.Shape[i] = v
	}
	n, err := NumElements(t.Shape)
	if err != nil {
		return placed{}, fmt.Errorf("shape: %v", err)
	}
	if t.begin, err = parseCount(e.Offsets[0], dataLen); err != nil {
		return placed{}, fmt.Errorf("data_offsets begin: %v", err)
	}
	if t.end, err = parseCount(e.Offsets[1], dataLen); err != nil {
		return placed{}, fmt.Errorf("data_offsets end: %v", err)
	}
	if t.end < t.begin {
		return placed{}, fmt.Errorf("data_offsets [%d, %d] end before begin", t.begin, t.end)
	}
	if want := uint64(n) * uint64(size); uint64(t.end-t.begin) != want {
		return placed{}, fmt.Errorf("data_offsets [%d, %d] hold %d bytes, want %d (shape %v × %s %d bytes)",
			t.begin, t.end, t.end-t.begin, want, t.Shape, t.DType, size)
	}
	return t, nil
}

// parseCount parses a JSON value as an integer in [0, max]: a bare number,
// not "12" (a string) nor 12.0.
func parseCount(raw json.RawMessage, max int) (int, error) {
	s := string(raw)
	v, err := strconv.ParseInt(s, 10, 64)
	switch {
	case err != nil && len(s) > 0 && s[0] != '-' && isDigits(string(s)):
		return 0, fmt.Errorf("%s is over %d", s, max)
	case err != nil:
		return 0, fmt.Errorf("%.20s is not an integer", s)
	case v < 0:
		return 0, fmt.Errorf("%d is negative", v)
	case v > int64(max) || v > math.MaxInt:
		return 0, fmt.Errorf("%d is over %d", v, max)
	}
	return int(v), nil
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
