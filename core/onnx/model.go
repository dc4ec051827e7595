package onnx

import (
	"encoding/binary"
	"math"
)

// The subset of onnx.proto an exported classifier needs. Marshal writes
// each as the protobuf message of the same name.

// Element types (TensorProto.DataType).
const (
	Float = 1
	Int8  = 3
	Int32 = 6
	Int64 = 7
	Bool  = 9
)

// ModelProto field numbers.
const (
	modelIRVersion     = 1
	modelProducerName  = 2
	modelProducerVer   = 3
	modelDocString     = 6
	modelGraph         = 7
	modelOpsetImport   = 8
	modelMetadataProps = 14
)

// Model is an ONNX ModelProto.
type Model struct {
	IRVersion       int64
	Opsets          []Opset
	ProducerName    string
	ProducerVersion string
	Doc             string
	Graph           Graph
	Metadata        []KV // metadata_props, in order
}

// Opset is an OperatorSetIdProto: domain "" is the standard ai.onnx set.
type Opset struct {
	Domain  string
	Version int64
}

// KV is a StringStringEntryProto.
type KV struct{ Key, Value string }

// Graph is a GraphProto. Nodes must be in topological order.
type Graph struct {
	Name         string
	Nodes        []Node
	Initializers []Tensor
	Inputs       []ValueInfo
	Outputs      []ValueInfo
}

// Node is a NodeProto. An empty input name is an omitted optional input.
type Node struct {
	Op     string
	Domain string
	Name   string
	In     []string
	Out    []string
	Attrs  []Attr
}

// Attr is an AttributeProto holding one int, float, string, list of ints or
// a tensor (Type says which).
type Attr struct {
	Name   string
	Type   int // attrInt, attrFloat, ...
	I      int64
	F      float32
	S      string
	Ints   []int64
	T      *Tensor
	Floats []float32
}

// AttributeProto.AttributeType values.
const (
	attrFloat  = 1
	attrInt    = 2
	attrString = 3
	attrTensor = 4
	attrFloats = 6
	attrInts   = 7
)

// Tensor is a TensorProto stored as raw little-endian bytes.
type Tensor struct {
	Name  string
	DType int
	Dims  []int64
	Raw   []byte
}

// ValueInfo is a ValueInfoProto of a tensor type. A dimension is fixed
// (Dim.Value) or symbolic (Dim.Param, e.g. "batch").
type ValueInfo struct {
	Name  string
	DType int
	Dims  []Dim
}

// Dim is a TensorShapeProto.Dimension.
type Dim struct {
	Value int64
	Param string
}

// Marshal encodes m as an ONNX file (a serialized ModelProto).
func (m *Model) Marshal() []byte {
	var b pb
	b.int64(modelIRVersion, m.IRVersion)
	if m.ProducerName != "" {
		b.string(modelProducerName, m.ProducerName)
	}
	if m.ProducerVersion != "" {
		b.string(modelProducerVer, m.ProducerVersion)
	}
	if m.Doc != "" {
		b.string(modelDocString, m.Doc)
	}
	b.message(modelGraph, m.Graph.encode())
	for _, o := range m.Opsets {
		var p pb
		if o.Domain != "" {
			p.string(1, o.Domain)
		}
		p.int64(2, o.Version)
		b.message(modelOpsetImport, p)
	}
	for _, kv := range m.Metadata {
		var p pb
		p.string(1, kv.Key)
		p.string(2, kv.Value)
		b.message(modelMetadataProps, p)
	}
	return b
}

// GraphProto: node 1, name 2, initializer 5, input 11, output 12.
func (g *Graph) encode() pb {
	var b pb
	for i := range g.Nodes {
		b.message(1, g.Nodes[i].encode())
	}
	b.string(2, g.Name)
	for i := range g.Initializers {
		b.message(5, g.Initializers[i].encode())
	}
	for i := range g.Inputs {
		b.message(11, g.Inputs[i].encode())
	}
	for i := range g.Outputs {
		b.message(12, g.Outputs[i].encode())
	}
	return b
}

// NodeProto: input 1, output 2, name 3, op_type 4, attribute 5, domain 7.
func (n *Node) encode() pb {
	var b pb
	for _, s := range n.In {
		b.string(1, s)
	}
	for _, s := range n.Out {
		b.string(2, s)
	}
	if n.Name != "" {
		b.string(3, n.Name)
	}
	b.string(4, n.Op)
	for i := range n.Attrs {
		b.message(5, n.Attrs[i].encode())
	}
	if n.Domain != "" {
		b.string(7, n.Domain)
	}
	return b
}

// AttributeProto: name 1, f 2, i 3, s 4, t 5, floats 7, ints 8, type 20.
func (a *Attr) encode() pb {
	var b pb
	b.string(1, a.Name)
	switch a.Type {
	case attrFloat:
		b.float32(2, a.F)
	case attrInt:
		b.int64(3, a.I)
	case attrString:
		b.string(4, a.S)
	case attrTensor:
		b.message(5, a.T.encode())
	case attrFloats:
		b.packedFloat32s(7, a.Floats)
	case attrInts:
		b.packedInt64s(8, a.Ints)
	default:
		panic("onnx: attribute " + a.Name + " has no type")
	}
	b.int64(20, int64(a.Type))
	return b
}

// TensorProto: dims 1, data_type 2, name 8, raw_data 9.
func (t *Tensor) encode() pb {
	var b pb
	if len(t.Dims) > 0 {
		b.packedInt64s(1, t.Dims)
	}
	b.int64(2, int64(t.DType))
	b.string(8, t.Name)
	b.bytes(9, t.Raw)
	return b
}

// ValueInfoProto{name 1, type 2}; TypeProto{tensor_type 1};
// TypeProto.Tensor{elem_type 1, shape 2}; TensorShapeProto{dim 1};
// Dimension{dim_value 1, dim_param 2}.
func (v *ValueInfo) encode() pb {
	var shape pb
	for _, d := range v.Dims {
		var dim pb
		if d.Param != "" {
			dim.string(2, d.Param)
		} else {
			dim.int64(1, d.Value)
		}
		shape.message(1, dim)
	}
	var tt pb
	tt.int64(1, int64(v.DType))
	tt.message(2, shape)
	var typ pb
	typ.message(1, tt)
	var b pb
	b.string(1, v.Name)
	b.message(2, typ)
	return b
}

// Tensor constructors: raw_data is little-endian, fixed width.

// FloatTensor makes a float32 tensor.
func FloatTensor(name string, dims []int64, v []float32) Tensor {
	raw := make([]byte, 0, 4*len(v))
	for _, x := range v {
		raw = binary.LittleEndian.AppendUint32(raw, math.Float32bits(x))
	}
	return Tensor{Name: name, DType: Float, Dims: dims, Raw: raw}
}

// Int8Tensor makes an int8 tensor.
func Int8Tensor(name string, dims []int64, v []int8) Tensor {
	raw := make([]byte, len(v))
	for i, x := range v {
		raw[i] = byte(x)
	}
	return Tensor{Name: name, DType: Int8, Dims: dims, Raw: raw}
}

// Int64Tensor makes an int64 tensor.
func Int64Tensor(name string, dims []int64, v []int64) Tensor {
	raw := make([]byte, 0, 8*len(v))
	for _, x := range v {
		raw = binary.LittleEndian.AppendUint64(raw, uint64(x))
	}
	return Tensor{Name: name, DType: Int64, Dims: dims, Raw: raw}
}

// Attribute constructors.

func intAttr(name string, v int64) Attr     { return Attr{Name: name, Type: attrInt, I: v} }
func intsAttr(name string, v ...int64) Attr { return Attr{Name: name, Type: attrInts, Ints: v} }
func strAttr(name, v string) Attr           { return Attr{Name: name, Type: attrString, S: v} }
