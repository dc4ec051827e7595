package text

import "unicode"

// IsWordRune reports whether r matches Python 3's re `\w` for str patterns:
// str.isalnum() (letters Lu Ll Lt Lm Lo, and numeric characters) or '_'.
// Go's categories L and N give the same set for every character that occurs
// in practice; combining marks (M*) are not word characters in either.
func IsWordRune(r rune) bool {
	if r < 0x80 {
		return asciiClass[r]&classWord != 0
	}
	return unicode.IsLetter(r) || unicode.IsNumber(r)
}

// IsSpaceRune reports whether r is whitespace for Python's str.split() and
// re `\s` (Py_UNICODE_ISSPACE). It is Go's unicode.IsSpace plus the four
// information separators U+001C..U+001F, which Python also treats as space.
func IsSpaceRune(r rune) bool {
	if r < 0x80 {
		return asciiClass[r]&classSpace != 0
	}
	return unicode.IsSpace(r)
}

const (
	classWord  = 1 << iota // [0-9A-Za-z_]
	classSpace             // Python whitespace: \t \n \v \f \r \x1c-\x1f ' '
)

// asciiClass classifies the ASCII bytes once so the hot loops are a table load.
var asciiClass = func() (t [128]uint8) {
	for c := '0'; c <= '9'; c++ {
		t[c] |= classWord
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] |= classWord
		t[c-'a'+'A'] |= classWord
	}
	t['_'] |= classWord
	for _, c := range "\t\n\v\f\r\x1c\x1d\x1e\x1f " {
		t[c] |= classSpace
	}
	return t
}()
