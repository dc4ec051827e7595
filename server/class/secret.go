package class

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// codeAlphabet is Crockford's base 32: no I, L, O or U, so a code read
// aloud or copied from a projector is not misread (normalizeCode maps the
// look-alikes back).
const codeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// codeLen symbols of 5 bits: 40 bits, about 10¹² codes. Unknown codes are
// limited server-wide (FailRate, 5 a second by default, from all addresses
// together), so a lesson's hour tries at most 18,000: a chance of 1 in 60
// million per live class.
const codeLen = 8

// newCode returns a random join code.
func newCode() string {
	var b [codeLen]byte
	rand.Read(b[:]) // never fails (crypto/rand panics instead)
	for i := range b {
		b[i] = codeAlphabet[b[i]&31] // 256 is a multiple of 32: uniform
	}
	return string(b[:])
}

// normalizeCode reads a typed code: case, spaces and dashes do not matter,
// and O, I and L read as 0, 1 and 1. It reports false for anything that
// cannot be a code.
func normalizeCode(s string) (string, bool) {
	s = strings.ToUpper(s)
	var b strings.Builder
	for _, r := range s {
		switch r {
		case ' ', '-':
			continue
		case 'O':
			r = '0'
		case 'I', 'L':
			r = '1'
		}
		if !strings.ContainsRune(codeAlphabet, r) {
			return "", false
		}
		b.WriteRune(r)
	}
	return b.String(), b.Len() == codeLen
}

// newToken returns a random bearer token (256 bits) and the hash the
// database keeps: a stolen database gives no working token.
func newToken() (token, hash string) {
	var b [32]byte
	rand.Read(b[:])
	token = base64.RawURLEncoding.EncodeToString(b[:])
	return token, hashToken(token)
}

// hashToken is SHA-256, unsalted: a token is 256 random bits, so there is
// nothing to guess that a salt would protect.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func sameHash(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// isSHA256 reports whether s is a SHA-256 in lowercase hex.
func isSHA256(s string) bool {
	b, err := hex.DecodeString(s)
	return err == nil && len(b) == sha256.Size && strings.ToLower(s) == s
}
