package main

import (
	"crypto/sha256"
	"encoding/base64"
	"regexp"
	"strings"
)

// inlineScript matches a <script> element and captures its attributes and
// its text, which is what a browser hashes for a CSP 'sha256-…' source.
var inlineScript = regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script>`)

var srcAttr = regexp.MustCompile(`(?i)\bsrc\s*=`)

// reportCSP returns the default Content-Security-Policy with the hash of
// each inline script of page added to script-src, so that exactly those
// scripts run and nothing injected beside them would.
func reportCSP(page []byte) string {
	var hashes []string
	for _, m := range inlineScript.FindAllSubmatch(page, -1) {
		if srcAttr.Match(m[1]) {
			continue // external: already covered by 'self', or blocked
		}
		sum := sha256.Sum256(m[2])
		hashes = append(hashes, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
	}
	csp := securityHeaders["Content-Security-Policy"]
	if len(hashes) == 0 {
		return csp
	}
	return strings.Replace(csp, "script-src 'self'", "script-src 'self' "+strings.Join(hashes, " "), 1)
}
