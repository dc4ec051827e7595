module sentilab

go 1.26

require (
	github.com/syumai/workers v0.32.0
	golang.org/x/sys v0.38.0
	gonum.org/v1/gonum v0.17.0 // indirect
)
