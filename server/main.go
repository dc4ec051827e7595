//go:build !js || !wasm

package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"sentilab/server/class"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address (loopback by default: a class on a LAN must ask for it)")
	root := fs.String("root", "assets", "asset root: the built lab (index.html, ui.wasm, engine.wasm, wasm_exec.js, ...)")
	models := fs.String("models", "assets/models", "model folder: manifest.json and the model files it lists")
	data := fs.String("data", "", "optional dataset file offered to browsers at /api/data")
	dataOOD := fs.String("data-ood", "", "optional second dataset (e.g. rt-polarity-10k.csv.gz) offered at /api/data-ood, for out-of-domain accuracy")
	check := fs.Bool("check", false, "check the folders and the manifest (sizes, SHA-256) and exit")
	cfHeaders := fs.Bool("cf-headers", false, "print the security headers as a Cloudflare _headers file and exit (workers.sh)")
	logFile := fs.String("log", "", "write the log to FILE instead of stderr, moved to FILE.1 when it would pass --log-max-bytes")
	logMax := fs.Int64("log-max-bytes", 10<<20, "with --log: rotate at this size (the disk holds at most twice it)")
	dbPath := fs.String("db", "", "class mode's SQLite database (default: class.db in --models; \"off\": no class mode)")
	reportPage := fs.String("report-page", "", "write the /report page for --models to FILE and exit (workers.sh: Workers serve it as a static asset)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *cfHeaders {
		_, err := os.Stdout.WriteString(cloudflareHeaders())
		return err
	}
	if *reportPage != "" {
		page, _, err := reportHTML(*models)
		if err != nil {
			return err
		}
		return os.WriteFile(*reportPage, page, 0o644)
	}
	var logOut io.Writer = os.Stderr
	if *logFile != "" {
		if *logMax < 4096 {
			return fmt.Errorf("--log-max-bytes %d: want at least 4096", *logMax)
		}
		rf, err := openRotatingFile(*logFile, *logMax)
		if err != nil {
			return fmt.Errorf("--log: %w", err)
		}
		defer rf.Close()
		logOut = rf
	}
	logger := slog.New(slog.NewTextHandler(logOut, nil))
	cfg := Config{AssetRoot: *root, ModelDir: *models, DataFile: *data, OODFile: *dataOOD, Logger: logger}
	var classes *class.Handler
	if !*check {
		db, err := openClassDB(*dbPath, *models, logger)
		if err != nil {
			return err
		}
		if db != nil {
			defer db.Close()
			if classes, err = class.NewHandler(class.Config{DB: db, Logger: logger}); err != nil {
				return err
			}
			cfg.Class = classes
		}
	}
	h, err := NewHandler(cfg)
	if err != nil {
		return err
	}
	if *check {
		logger.Info("configuration ok", "root", *root, "models", *models, "data", *data, "data-ood", *dataOOD)
		return nil
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := newHTTPServer(h, logger)
	if classes != nil {
		srv.RegisterOnShutdown(classes.CloseStreams) // live views would hold Shutdown
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	logger.Info("listening", "url", "http://"+ln.Addr().String()+"/")
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	// Let requests in flight finish (a model download on a slow link may
	// take a while), but not forever.
	logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// newHTTPServer bounds what a client may cost us: headers must arrive within
// 5 s and fit in 16 KB, a connection idles at most 2 minutes, and a response
// is paced (pace.go: 32 KB per 16 s at least, 30 minutes in all), so a
// reader that stalls is dropped in seconds while a slow school link still
// gets a 10 MB model. WriteTimeout is the same 30 minutes, for anything
// written outside the handler's paced writer.
func newHTTPServer(h http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      defaultMaxWrite,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

// openClassDB opens class mode's database: path, or class.db in the model
// folder when path is empty (no class mode, with a warning, if that folder
// does not exist), or nothing for "off". The model folder serves only the
// files its manifest lists, so the database is never served.
func openClassDB(path, models string, logger *slog.Logger) (*sql.DB, error) {
	switch path {
	case "off":
		return nil, nil
	case "":
		if st, err := os.Stat(models); err != nil || !st.IsDir() {
			logger.Warn("no model folder for the class database: class mode is off (give --db FILE)", "models", models)
			return nil, nil
		}
		path = filepath.Join(models, "class.db")
	}
	db, err := class.OpenSQLite(context.Background(), path)
	if err != nil {
		return nil, fmt.Errorf("--db: %w", err)
	}
	logger.Info("class mode", "db", path)
	return db, nil
}
