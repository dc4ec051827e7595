package main

import (
	"strconv"
	"strings"
)

// accepted reports which content codings the client accepts, from its
// Accept-Encoding header (RFC 9110 §12.5.3): "gzip;q=0" refuses gzip, and
// "*" stands for any coding not named.
func accepted(header string) (br, gzip bool) {
	star := -1.0
	brQ, gzQ := -1.0, -1.0
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil || f < 0 || f > 1 {
					f = 0 // a malformed weight is no consent
				}
				q = f
			}
		}
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "br":
			brQ = q
		case "gzip", "x-gzip":
			gzQ = q
		case "*":
			star = q
		}
	}
	if brQ < 0 {
		brQ = star
	}
	if gzQ < 0 {
		gzQ = star
	}
	return brQ > 0, gzQ > 0
}
