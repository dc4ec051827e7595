// Package fingerprint is a compact, deterministic set of review texts: what
// a model file records of the reviews it was trained on, so that any
// dataset or slice scored later can be split into the reviews the model
// has seen and those it has not (issue 10, honest evaluation).
//
// The set is a Golomb-Rice coded set (the construction of Bitcoin's BIP
// 158 filters). Each distinct text is hashed to 64 bits (the first eight
// bytes of the SHA-256 of its UTF-8 bytes, big endian), the hash is mapped
// uniformly onto [0, n·2^P) by a 128-bit multiply, and the sorted values
// are stored as gaps: each gap's quotient by 2^P in unary (q one bits, then
// a zero), then its low P bits. A text not in the set is reported as a
// member with probability about 2^-P; a member is never missed.
//
// The encoding (the bytes of a U8 tensor in a model file):
//
//	byte 0       version, 1
//	byte 1       P, in [MinBits, MaxBits]
//	uvarint      n, the number of distinct texts
//	bits         n Golomb-Rice codes, most significant bit first,
//	             zero-padded to a whole byte
//
// At P = DefaultBits (20) a set costs about P + 1.5 bits per review:
// 40,000 training reviews take about 108 KB, and a review outside them
// is taken for one of them with probability 2^-20 ≈ 1 in a million (0.01
// expected false "seen" reviews among 10,000 unseen ones).
//
// Decode checks every length before it allocates: a set of n values needs
// at least n·(P+1) bits, so a hostile length is refused, never allocated.
package fingerprint
