package modelfile

import (
	"bytes"
	"encoding/binary"
	"strconv"
	"strings"
	"testing"
)

// The exact bytes Write produces for a small file: pins the layout (sorted
// metadata, tensors in order, space padding to 8-byte alignment).
func TestWriteGolden(t *testing.T) {
	f := &File{
		Metadata: map[string]string{"b": "2", "a": "x<y"},
		Tensors: []Tensor{
			F32Tensor("w", []int{2}, []float32{1, -2}),
			I8Tensor("q", []int{3}, []int8{-1, 0, 127}),
			F32Tensor("empty", []int{0, 4}, nil),
		},
	}
	got := encodeBytes(t, f)
	h := `{"__metadata__":{"a":"x<y","b":"2"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},` +
		`"q":{"dtype":"I8","shape":[3],"data_offsets":[8,11]},"empty":{"dtype":"F32","shape":[0,4],"data_offsets":[11,11]}}`
	for (8+len(h))%8 != 0 {
		h += " "
	}
	want := binary.LittleEndian.AppendUint64(nil, uint64(len(h)))
	want = append(want, h...)
	want = append(want, 0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0, 0xff, 0, 0x7f)
	if !bytes.Equal(got, want) {
		t.Fatalf("Write:\n%q\nwant\n%q", got, want)
	}
	back, err := Parse(got)
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Tensors) != 3 || back.Tensors[1].Name != "q" || back.Metadata["a"] != "x<y" {
		t.Fatalf("Parse: %+v", back)
	}
	v, _ := back.Tensors[0].Float32s()
	q, _ := back.Tensors[1].Int8s()
	if v[0] != 1 || v[1] != -2 || q[0] != -1 || q[2] != 127 {
		t.Fatalf("values %v %v", v, q)
	}
}

// A file as Python's safetensors writes it: no metadata, no padding, keys in
// any order (data order differs from header order).
func TestParseForeign(t *testing.T) {
	h := `{"b":{"dtype":"F16","shape":[1],"data_offsets":[4,6]},"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}`
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(h)))
	b = append(b, h...)
	b = append(b, 0, 0, 0x40, 0x40, 0x00, 0x3c) // 3.0 as F32, 1.0 as F16
	f, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if f.Tensors[0].Name != "a" || f.Tensors[1].Name != "b" || len(f.Tensors[0].Shape) != 0 {
		t.Fatalf("tensors %+v, want a then b in data order", f.Tensors)
	}
	a, _ := f.Tensors[0].Float32s()
	c, _ := f.Tensors[1].Float32s()
	if a[0] != 3 || c[0] != 1 {
		t.Fatalf("a=%v b=%v", a, c)
	}
}

func TestTruncationsRefused(t *testing.T) {
	b := smallFile(t)
	for k := 0; k < len(b); k++ {
		if _, err := Parse(b[:k]); err == nil {
			t.Fatalf("Parse of the first %d of %d bytes accepted", k, len(b))
		}
		if _, err := Read(bytes.NewReader(b[:k]), int64(len(b))); err == nil || !strings.Contains(err.Error(), "want the file's size") {
			t.Fatalf("Read of %d bytes claiming %d: %v", k, len(b), err)
		}
		if _, err := Load(bytes.NewReader(b[:k]), int64(k)); err == nil {
			t.Fatalf("Load of the first %d of %d bytes accepted", k, len(b))
		}
	}
	if _, err := Read(bytes.NewReader(append(b, 0)), int64(len(b))); err == nil {
		t.Fatal("Read accepted a file longer than its size")
	}
}

func TestTamperedHeader(t *testing.T) {
	b := smallFile(t)
	h := header(b)
	emb := `"embedding.weight":{"dtype":"F32","shape":[12,3],"data_offsets":[0,144]}`
	if !strings.Contains(h, emb) {
		t.Fatalf("header lacks %s:\n%s", emb, h)
	}
	sub := func(old, new string) []byte { return reframe(b, strings.Replace(h, old, new, 1)) }
	cases := []struct {
		name string
		file []byte
		want string
	}{
		{"unknown dtype", sub(`"dtype":"F32","shape":[12,3]`, `"dtype":"F33","shape":[12,3]`), `tensor "embedding.weight": unknown dtype "F33"`},
		{"wrong dtype", sub(`"dtype":"F32","shape":[12,3]`, `"dtype":"F16","shape":[12,3]`), `tensor "embedding.weight": data_offsets [0, 144] hold 144 bytes, want 72 (shape [12 3] × F16 2 bytes)`},
		{"wrong shape", sub(`"shape":[12,3]`, `"shape":[12,4]`), `hold 144 bytes, want 192`},
		{"negative dim", sub(`"shape":[12,3]`, `"shape":[-12,3]`), `tensor "embedding.weight": shape[0]: -12 is negative`},
		{"float dim", sub(`"shape":[12,3]`, `"shape":[12.0,3]`), `shape[0]: 12.0 is not an integer`},
		{"huge dims", sub(`"shape":[12,3]`, `"shape":[4294967296,4294967296]`), `more than 2^53 elements`},
		{"string dim", sub(`"shape":[12,3]`, `"shape":["12",3]`), `tensor "embedding.weight": shape[0]: "12" is not an integer`},
		{"offsets overlap", sub(`"data_offsets":[0,144]`, `"data_offsets":[4,148]`), `data_offsets start at 4, want 0 (a gap`},
		{"offsets past end", sub(`"data_offsets":[0,144]`, `"data_offsets":[0,99999999]`), `data_offsets end: 99999999 is over`},
		{"one offset", sub(`"data_offsets":[0,144]`, `"data_offsets":[144]`), `data_offsets has 1 numbers, want 2`},
		{"missing dtype", sub(`"dtype":"F32","shape":[12,3]`, `"shape":[12,3]`), `tensor "embedding.weight": missing dtype`},
		{"unknown field", sub(`"shape":[12,3]`, `"shape":[12,3],"x":1`), `unknown field "x"`},
		{"duplicate name", sub(`"lstm.kernel"`, `"embedding.weight"`), `duplicate key "embedding.weight"`},
		{"metadata number", sub(`"variant":"base"`, `"variant":1`), `__metadata__: "variant": want a string value`},
		{"not json", reframe(b, "{nope}   "), `header: malformed JSON`},
		{"not an object", reframe(b, "[1,2]"), `want a JSON object`},
		{"trailing junk", reframe(b, h+"x"), `after the JSON object, want only padding spaces`},
		{"bad utf8", reframe(b, h[:len(h)-1]+"\xff"), `header: not valid UTF-8`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(c.file)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v\nwant an error containing %s", err, c.want)
			}
		})
	}
}

func TestHeaderLength(t *testing.T) {
	b := smallFile(t)
	n := binary.LittleEndian.Uint64(b)
	for _, c := range []struct {
		v    uint64
		want string
	}{
		{n - 1, "header: tensors cover 348 data bytes, but the file holds 349 after the header"},
		{n + 8, "header: not valid UTF-8"}, // swallows 8 bytes of float data
		{uint64(len(b)), "header length " + strconv.Itoa(len(b)) + ", but only " + strconv.Itoa(len(b)-8) + " bytes follow the length"},
		{1 << 62, "header length 4611686018427387904 over the 100000000 limit"},
	} {
		c2 := append([]byte(nil), b...)
		binary.LittleEndian.PutUint64(c2, c.v)
		if _, err := Parse(c2); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("header length %d: %v, want %q", c.v, err, c.want)
		}
	}
}

func TestWriteRefuses(t *testing.T) {
	for _, c := range []struct {
		f    File
		want string
	}{
		{File{Tensors: []Tensor{{Name: "a", DType: "F32", Shape: []int{2}, Data: make([]byte, 7)}}}, `tensor "a": 7 data bytes, want 8`},
		{File{Tensors: []Tensor{{Name: "a", DType: "Q4", Shape: []int{2}}}}, `unknown dtype "Q4"`},
		{File{Tensors: []Tensor{F32Tensor("a", []int{1}, []float32{1}), F32Tensor("a", []int{1}, []float32{1})}}, `duplicate tensor "a"`},
		{File{Tensors: []Tensor{F32Tensor("__metadata__", []int{1}, []float32{1})}}, `invalid name`},
		{File{Metadata: map[string]string{"k": "\xff"}}, `not valid UTF-8`},
	} {
		if err := Write(&bytes.Buffer{}, &c.f); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Write: %v, want %q", err, c.want)
		}
		if b, err := Bytes(&c.f); err == nil || b != nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Bytes: %d bytes, %v, want %q", len(b), err, c.want)
		}
		if _, err := Size(&c.f); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Size: %v, want %q", err, c.want)
		}
	}
}
