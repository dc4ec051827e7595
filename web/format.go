package web

import (
	"fmt"
	"math"
	"strconv"
)

// Formatting helpers for the templates.

func F(x float64, digits int) string { return strconv.FormatFloat(x, 'f', digits, 64) }
func Pct(x float64) string           { return F(100*x, 2) + "%" }
func I(n int) string                 { return strconv.Itoa(n) }

// Thousands writes n with thousands separators (1,000).
func Thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// Clip shortens s to at most n runes (with an ellipsis). Text shown
// through Vugu must stay far below its 16 KB render buffer: a review quoted
// in a table or an error message can be any length.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func kb(b float64) string {
	if b >= 1<<20 {
		return F(b/(1<<20), 1) + " MB"
	}
	return F(b/1024, 1) + " KB"
}

func KB(b int64) string { return kb(float64(b)) }

func duration(sec float64) string {
	if math.IsInf(sec, 0) || math.IsNaN(sec) || sec < 0 {
		return "…"
	}
	s := int(sec + 0.5)
	if s >= 60 {
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	}
	return fmt.Sprintf("%ds", s)
}
