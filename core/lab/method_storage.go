package lab

import "sentilab/core/compress"

// The storage methods: they change how the file stores the weights, so
// they end a chain. int8 and int8-weights store the same file; a variant
// made by int8 computes with int8 products (compress.QModel), one made by
// int8-weights with the dequantized float32 weights.
func init() {
	Register(Method{Name: "int8", Storage: compress.StoreInt8,
		About: "dynamic-range int8 (TFLite's): int8 weights with a scale per row or column, int8 products at inference"})
	Register(Method{Name: "int8-weights", Storage: compress.StoreInt8,
		About: "the int8 file, computed with its dequantized float32 weights"})
	Register(Method{Name: "f16", Storage: compress.StoreF16, About: "IEEE float16 storage, float32 compute"})
}
