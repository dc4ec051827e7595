//go:build js && wasm

package class

import (
	"database/sql"
	"fmt"

	"github.com/syumai/workers/cloudflare/d1"
)

// OpenD1 opens the Cloudflare D1 database bound to the Worker as binding
// (d1_databases in wrangler.jsonc), through syumai/workers' database/sql
// driver. It must be called while a request is served (the binding comes
// from the request's environment). It does not migrate: D1's driver has no
// transactions, which Migrate needs, so the same files in migrations/ are
// applied by `wrangler d1 migrations apply` (workers.sh, README).
func OpenD1(binding string) (*sql.DB, error) {
	c, err := d1.OpenConnector(binding)
	if err != nil {
		return nil, fmt.Errorf("D1 binding %q: %w (set d1_databases in wrangler.jsonc)", binding, err)
	}
	return sql.OpenDB(c), nil
}
