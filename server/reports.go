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

// inlineStyle matches a <style> element and captures its text, hashed for a
// style-src 'sha256-…' source the same way.
var inlineStyle = regexp.MustCompile(`(?is)<style\b[^>]*>(.*?)</style>`)

// reportCSP returns the default Content-Security-Policy with the hash of
// each inline script of page added to script-src, and of each inline
// <style> element to style-src, so that exactly those run or apply and
// nothing injected beside them would.
func reportCSP(page []byte) string {
	var scripts, styles []string
	for _, m := range inlineScript.FindAllSubmatch(page, -1) {
		if srcAttr.Match(m[1]) {
			continue // external: already covered by 'self', or blocked
		}
		scripts = append(scripts, cspHash(m[2]))
	}
	for _, m := range inlineStyle.FindAllSubmatch(page, -1) {
		styles = append(styles, cspHash(m[1]))
	}
	csp := securityHeaders["Content-Security-Policy"]
	if len(scripts) > 0 {
		csp = strings.Replace(csp, "script-src 'self' ", "script-src 'self' "+strings.Join(scripts, " ")+" ", 1)
	}
	if len(styles) > 0 {
		csp = strings.Replace(csp, "style-src 'self';", "style-src 'self' "+strings.Join(styles, " ")+";", 1)
	}
	return csp
}

func cspHash(text []byte) string {
	sum := sha256.Sum256(text)
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}
