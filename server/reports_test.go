package main

import (
	"strings"
	"testing"
)

func TestReportCSP(t *testing.T) {
	page := []byte(`<html><head><script src="/echarts.min.js"></script></head><body>
<div id="a"></div><script type="text/javascript">let a = 1;</script>
<SCRIPT>
x()
</SCRIPT></body></html>`)
	got := reportCSP(page)
	// Hashes computed independently:
	//   printf 'let a = 1;' | openssl dgst -sha256 -binary | base64
	//   printf '\nx()\n'    | openssl dgst -sha256 -binary | base64
	want := "script-src 'self' 'sha256-xY6QKfH9PRsQnLz56nj6MBwiK5oHg+im1Jkpdp1x/Ck=' 'sha256-F4wm3/HuV6MrPWziU0ZEzTNInvfl5dk7Nc+6nvtdZFo=' 'wasm-unsafe-eval';"
	if !strings.Contains(got, want) {
		t.Errorf("reportCSP:\n got %s\nwant it to contain %s", got, want)
	}
	if plain := reportCSP([]byte("<p>no scripts</p>")); plain != securityHeaders["Content-Security-Policy"] {
		t.Errorf("page without inline scripts changed the policy: %s", plain)
	}
	// Inline <style> elements: their hashes go to style-src, not the
	// 'unsafe-inline' that only style attributes keep.
	//   printf 'p{color:red}' | openssl dgst -sha256 -binary | base64
	got = reportCSP([]byte(`<head><style>p{color:red}</style></head><p style="x">`))
	want = "style-src 'self' 'sha256-p0bF+un5yUb9MBO6xRb8kPHlY2BdpHVtLiFkDrZPF64='; style-src-attr 'unsafe-inline';"
	if !strings.Contains(got, want) || strings.Count(got, "'sha256-") != 1 {
		t.Errorf("reportCSP with a <style>:\n got %s\nwant it to contain %s", got, want)
	}
}
