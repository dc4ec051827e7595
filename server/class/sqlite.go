//go:build !(js && wasm)

package class

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"

	_ "modernc.org/sqlite" // database/sql driver "sqlite", pure Go
)

// OpenSQLite opens (creating if needed) the SQLite database at path and
// migrates it. WAL lets the live view read while students write;
// synchronous=FULL makes every answered claim and result survive a crash
// of the machine, not only of the server; busy_timeout makes writers wait
// for each other instead of failing.
func OpenSQLite(ctx context.Context, path string) (*sql.DB, error) {
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "synchronous(FULL)", "busy_timeout(10000)", "foreign_keys(1)"} {
		q.Add("_pragma", p)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	// SQLite writes one at a time anyway; a few connections let reads
	// (the live view) proceed beside a write.
	db.SetMaxOpenConns(4)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := Migrate(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return db, nil
}
