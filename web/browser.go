package web

// Browser is what the page needs from its host besides the engine: the URL,
// files and downloads. browser_js.go implements it; tests use a fake.
type Browser interface {
	Query() string                                                       // location.search
	SetQuery(q string)                                                   // history.replaceState, no reload
	ReadFile(inputID string) (name string, buf any, size int, err error) // first file of <input type=file id=inputID>
	Download(name, mime string, data any)                                // data: string or ArrayBuffer
	Now() float64                                                        // ms, performance.now()
	FetchText(url string) (string, error)                                // GET, same origin
	// DrawChart hands chart element id its ECharts option ("" clears it),
	// outside Vugu's 16 KB render buffer (assets/main.js draws it).
	DrawChart(id, option string)
	// SyncValue sets the value of form field id if it differs (a long
	// review must not go through the render buffer either).
	SyncValue(id, value string)
	// Crash shows the page's "something broke, reload and restore" banner.
	Crash(message string)
}
