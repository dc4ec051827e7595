// Command server serves the Sentilab page, its two WebAssembly programs, the
// pre-trained models and their manifest, natively (go run ./server) and, from
// the same handler, on Cloudflare Workers (main_workers.go).
//
// URL space:
//
//	/             index.html of the asset root
//	/<file>       a file of the asset root (ui.wasm, engine.wasm, wasm_exec.js, ...)
//	/models/<f>   a model file the manifest lists, or manifest.json itself;
//	              nothing else of the model folder (no README, no temp files
//	              a killed writer left, no precompressed siblings)
//	/api/models   the model manifest (an empty list if there is none)
//	/api/data     the optional dataset file offered to a class (--data)
//	/api/data-ood an optional second dataset, for out-of-domain accuracy (--data-ood)
//	/api/datasets the dataset files offered, as JSON (protocol.Datasets)
//	/healthz      "ok"
//	/report       go-echarts page comparing the pre-trained variants (reports.go, report_*.go)
//	/api/class/…  class mode (server/class documents its API): the only POST routes
//
// Natively:
//
//	go run ./server [--addr 127.0.0.1:8080] [--root assets] [--models assets/models] [--data FILE] [--data-ood FILE]
//	go run ./server --check ...   # check folders and manifest (sizes, SHA-256), then exit
//	go run ./server --log FILE [--log-max-bytes 10485760] ...   # log to FILE, rotated to FILE.1
//	go run ./server --db FILE ...   # class mode's SQLite database (default class.db in --models; off: none)
//	server/loadtest.sh            # wrk, loopback, bounded: req/s, p99, errors, RSS
//	server/workers.sh             # Workers build in build/workers, run in workerd, checked
//	node server/cspcheck.mjs      # which inline styles the CSP must allow, in Chromium
//
// Only GET and HEAD are served, request paths are whitelisted (paths.go)
// and opened through os.Root (static.go), and every answer carries the
// security headers of middleware.go.
package main

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"sentilab/protocol"
)

// Config says where the handler finds what it serves. Any folder may be
// empty, which turns its routes off: on Cloudflare Workers there is no file
// system and the static-assets binding serves files before the Worker runs,
// so the Worker's handler has only ManifestJSON and the API routes.
type Config struct {
	AssetRoot string       // built lab: index.html, *.wasm, wasm_exec.js, worker.js, css, echarts.min.js
	ModelDir  string       // manifest.json and the model files it lists
	DataFile  string       // optional dataset to offer at /api/data
	OODFile   string       // optional second dataset to offer at /api/data-ood
	Logger    *slog.Logger // start-up, warnings, one line per request (sampled: accesslog.go); nil discards

	// LogRate and LogBurst are the budget of lines that requests may log
	// (accesslog.go): LogRate a second, LogBurst at once. Zero: 50 and 500.
	LogRate  float64
	LogBurst int

	// ChunkTimeout and MaxWrite bound slow readers (pace.go): each 32 KB
	// of a body must be taken within ChunkTimeout, a whole answer within
	// MaxWrite. Zero means the defaults, 16 s and 30 minutes.
	ChunkTimeout, MaxWrite time.Duration

	// ManifestJSON, if not nil, is served at /api/models instead of
	// ModelDir/manifest.json. Its shape is checked; its files are checked
	// only when ModelDir is set too.
	ManifestJSON []byte

	// Class, if not nil, serves /api/class and below (class mode,
	// server/class): the only routes that take POST and a body.
	Class http.Handler
}

type server struct {
	log      *slog.Logger
	reqLog   *lineBudget // every line a request causes goes through it
	assets   *fileRoot   // nil: no static files
	models   *fileRoot   // nil: no /models/
	data     *dataFile   // nil: /api/data is 404
	dataOOD  *dataFile   // nil: /api/data-ood is 404
	datasets *blob       // /api/datasets
	manifest *blob
	// modelFiles are the file names the manifest lists: the only files of
	// the model folder we serve.
	modelFiles map[string]bool
	routes     map[string]http.HandlerFunc // exact paths with their own handler
	// chunkTimeout and maxWrite pace every answer (pace.go).
	chunkTimeout, maxWrite time.Duration
	etags                  *memo
	gzips                  *memo
}

// NewHandler checks the configuration (folders exist, the manifest is well
// formed and matches its files) and returns the handler, or an error that
// says which file or field is wrong.
func NewHandler(cfg Config) (http.Handler, error) {
	s := &server{
		log:   cfg.Logger,
		etags: newMemo(1 << 20),  // about 20,000 ETags
		gzips: newMemo(96 << 20), // all compressible lab files, gzipped, several times over
	}
	s.chunkTimeout, s.maxWrite = cmp.Or(cfg.ChunkTimeout, defaultChunkTimeout), cmp.Or(cfg.MaxWrite, defaultMaxWrite)
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.reqLog = newLineBudget(s.log, cmp.Or(cfg.LogRate, defaultLogRate), cmp.Or(cfg.LogBurst, defaultLogBurst))
	var err error
	if cfg.AssetRoot != "" {
		if s.assets, err = openFileRoot("assets", cfg.AssetRoot); err != nil {
			return nil, err
		}
		if _, err := os.Stat(filepath.Join(s.assets.dir, "index.html")); err != nil {
			s.log.Warn("no index.html in the asset root: run ./build.sh first", "root", s.assets.dir)
		}
	}
	if cfg.ModelDir != "" {
		s.models, err = openFileRoot("models", cfg.ModelDir)
		switch {
		case errors.Is(err, os.ErrNotExist) && cfg.ManifestJSON == nil:
			s.log.Warn("no model folder: /api/models lists nothing", "models", cfg.ModelDir)
			s.models = nil
		case err != nil:
			return nil, err
		default:
			s.models.noSiblings = true
		}
	}
	switch {
	case cfg.ManifestJSON != nil:
		doc, err := parseManifest(cfg.ManifestJSON)
		if err == nil && s.models != nil {
			err = checkManifestFiles(doc.Models, s.models)
		}
		if err != nil {
			return nil, fmt.Errorf("manifest: %w", err)
		}
		s.manifest = newBlob(cfg.ManifestJSON, "application/json")
	case s.models != nil:
		data, err := loadManifest(s.models)
		if err != nil {
			return nil, err
		}
		s.manifest = newBlob(data, "application/json")
	default:
		s.manifest = newBlob(emptyManifest, "application/json")
	}
	// The manifest was checked above; parsing it again cannot fail.
	listed, err := parseManifest(s.manifest.data)
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	s.modelFiles = make(map[string]bool, len(listed.Models))
	for _, m := range listed.Models {
		s.modelFiles[m.File] = true
	}
	if cfg.DataFile != "" {
		if s.data, err = openDataFile(cfg.DataFile, "api/data", protocol.RoleTrain); err != nil {
			return nil, err
		}
	}
	if cfg.OODFile != "" {
		if s.dataOOD, err = openDataFile(cfg.OODFile, "api/data-ood", protocol.RoleOOD); err != nil {
			return nil, fmt.Errorf("out-of-domain %w", err)
		}
	}
	if s.datasets, err = datasetsBlob(s.data, s.dataOOD); err != nil {
		return nil, err
	}
	s.routes = map[string]http.HandlerFunc{
		"/healthz":      s.healthz,
		"/api/models":   s.apiModels,
		"/api/data":     s.dataRoute(s.data),
		"/api/data-ood": s.dataRoute(s.dataOOD),
		"/api/datasets": func(w http.ResponseWriter, r *http.Request) { s.serveBlob(w, r, s.datasets) },
	}
	s.addReportRoutes(s.routes)
	if cfg.Class != nil {
		return s.withClass(s.middleware(s.dispatch), cfg.Class), nil
	}
	return s.middleware(s.dispatch), nil
}

// dispatch routes a request whose path cleanPath has already accepted.
func (s *server) dispatch(w http.ResponseWriter, r *http.Request, rel string, isDir bool) {
	if h, ok := s.routes["/"+rel]; ok && !isDir {
		h(w, r)
		return
	}
	switch {
	case rel == "" && s.assets != nil:
		s.serveFile(w, r, s.assets, "index.html")
	case isDir:
		s.notFound(w) // no directory listings, ever
	case strings.HasPrefix(rel, "models/"):
		s.serveModel(w, r, strings.TrimPrefix(rel, "models/"))
	case s.assets != nil:
		s.serveFile(w, r, s.assets, rel)
	default:
		s.notFound(w)
	}
}

// serveModel serves the manifest and the files it lists, and 404s the rest
// of the model folder: a model writer killed mid-write leaves out.tmpNNN
// beside its output, and a README or a stale model may sit there too. The
// manifest is the in-memory copy checked at start, so /models/manifest.json
// and /api/models are always the same bytes.
func (s *server) serveModel(w http.ResponseWriter, r *http.Request, name string) {
	switch {
	case name == manifestName:
		s.serveBlob(w, r, s.manifest)
	case s.models != nil && s.modelFiles[name]:
		s.serveFile(w, r, s.models, name)
	default:
		s.notFound(w)
	}
}

func (s *server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	io.WriteString(w, "ok\n")
}

func (s *server) apiModels(w http.ResponseWriter, r *http.Request) {
	s.serveBlob(w, r, s.manifest)
}

func (s *server) notFound(w http.ResponseWriter) {
	plainError(w, http.StatusNotFound, "404 not found")
}

func (s *server) serverError(w http.ResponseWriter, what string, err error) {
	s.reqLog.logf(slog.LevelError, 0, "serve", "file", what, "err", err)
	plainError(w, http.StatusInternalServerError, "500 internal server error")
}

// plainError answers with a fixed text: never the request path or a file
// name, so an error page can neither leak nor reflect anything.
func plainError(w http.ResponseWriter, code int, msg string) {
	h := w.Header()
	for _, k := range []string{"ETag", "Content-Encoding", "Last-Modified", "Vary"} {
		h.Del(k)
	}
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	io.WriteString(w, msg+"\n")
}
