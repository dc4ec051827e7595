// Package web is the lab's user interface: Vugu components and the page
// state they render. It computes nothing: every request goes to the engine
// worker (wasm/engine) as a typed sentilab/protocol message (ask, in
// client.go; replies decode strictly), and charts are go-echarts options
// (JSON) that assets/main.js hands to echarts.min.js.
//
// Root (root.vugu, root.go) is the page: the step tabs, the status line and
// the step shown. Each step is its own component with its own state
// (data-step.vugu and data_step.go, train-, compress-, compare-, try- and
// export-step); the step list is defined once (steps.go). What the steps
// share is Lab (lab.go): the engine, the browser, the settings, the status
// line, the loaded data, the engine's models, the charts and the progress
// of a training run (run.go). Chart and ProgressBar are shared widgets.
//
// Vugu's renderer passes each instruction through a fixed 16 KB buffer and
// ends the program on a longer one, so nothing that grows with the data or
// a run goes through the template: charts and the review text reach the
// page through Root.AfterRender, shown texts are clipped (Clip), logs and
// the per-batch curve are bounded (appendLog, Series). Handlers and
// goroutines turn a panic into a visible error and the crash banner
// (Root.guard, goSafe) instead of a page that looks alive but is dead.
//
// The state a teacher may share (step, preset, hyperparameters, seed, chosen
// variants) is kept in the URL's query string (state.go).
//
// The whole lab survives a reload (persist.go): models as their model files,
// the dataset's source (or the chosen file's bytes), settings, results and
// the typed review are kept in IndexedDB (persist_js.go) and put back on
// start, with a "Start over" button that forgets them.
//
// Class mode (issue 14) is the Class step. A teacher creates an
// experiment from the lab's settings (class_step.go: α × T, learning rate
// × LSTM units, prune sparsity, on the first rows of a server dataset)
// on server/class and gets a join code and link; the teacher's token is
// kept in the LabRecord. A student's page joins by the link and runs jobs
// one after the other (class_work.go): claim, load the job's data slice,
// run it in the engine (protocol.TypeClassJob: pinned seed, one worker,
// the portable kernel), renew the lease meanwhile, post the weights' hash
// and scores. Both see the live view over Server-Sent Events
// (class_view.go; class_net_js.go for fetch and EventSource).
package web

//go:generate go tool vugugen -s -skip-go-mod -skip-main .
//go:generate gofmt -w 0_components_gen.go
