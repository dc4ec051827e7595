package web

// Browser is what the page needs from its host besides the engine: the URL,
// files and downloads. browser_js.go implements it; tests use a fake.
type Browser interface {
	Query() string                                                       // location.search
	SetQuery(q string)                                                   // history.replaceState, no reload
	ReadFile(inputID string) (name string, buf any, size int, err error) // first file of <input type=file id=inputID>
	Download(name, mime string, data any)                                // data: string or ArrayBuffer
	Now() float64                                                        // ms, performance.now()
	HardwareConcurrency() int
	FetchText(url string) (string, error) // GET, same origin
}
