package class

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// rateLimit is a token bucket per key: allow takes a token for key and
// reports whether there was one.
type rateLimit interface {
	allow(ctx context.Context, key string) bool
}

// limiter is a token bucket per key (a student, an address): rate tokens a
// second, at most burst at once. State is in memory: a restart forgives
// everyone, which is harmless.
type limiter struct {
	rate  float64
	burst float64
	now   func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter(rate float64, burst int, now func() time.Time) *limiter {
	return &limiter{rate: rate, burst: float64(burst), now: now, buckets: map[string]*bucket{}}
}

// allow takes a token for key and reports whether there was one.
func (l *limiter) allow(_ context.Context, key string) bool {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= 100_000 {
			l.prune(now)
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// prune forgets the buckets that have filled up again: they are the same
// as new ones.
func (l *limiter) prune(now time.Time) {
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.last).Seconds()*l.rate >= l.burst {
			delete(l.buckets, k)
		}
	}
}

// dbLimiter is the same token bucket kept in the rate_buckets table, for a
// handler that lives for one request (Config.Stateless: on Workers each
// request gets a fresh Go instance, so buckets in memory would always be
// full). Each take is one statement, atomic on its own in SQLite and D1.
type dbLimiter struct {
	db    *sql.DB
	name  string // the key's prefix: which limit
	rate  float64
	burst float64
	now   func() time.Time
	log   *slog.Logger
}

// bucketSQL refills the bucket for the time since last_ms (at most to
// burst, ?2) and takes a token, only if there is one: a refused take
// changes nothing and returns no row. A new key starts full.
const bucketSQL = `INSERT INTO rate_buckets (key, tokens, last_ms) VALUES (?1, ?2 - 1, ?3)
ON CONFLICT (key) DO UPDATE SET
	tokens = MIN(?2, tokens + MAX(0, ?3 - last_ms) * ?4 / 1000.0) - 1,
	last_ms = MAX(last_ms, ?3)
WHERE MIN(?2, tokens + MAX(0, ?3 - last_ms) * ?4 / 1000.0) >= 1
RETURNING tokens`

func (l *dbLimiter) allow(ctx context.Context, key string) bool {
	now := l.now().UnixMilli()
	var left float64
	err := l.db.QueryRowContext(ctx, bucketSQL, l.name+":"+key, l.burst, now, l.rate).Scan(&left)
	if errors.Is(err, sql.ErrNoRows) {
		return false
	}
	if err != nil {
		// A limiter that cannot reach its table lets the request through:
		// the request's own statements will fail and say why.
		l.log.Error("class: rate limit", "key", l.name+":"+key, "err", err)
		return true
	}
	// Now and then (one take in 64, by the clock), forget the buckets that
	// have long filled up again.
	if now%64 == 0 {
		if err := pruneBuckets(ctx, l.db, now-3_600_000); err != nil {
			l.log.Error("class: rate limit prune", "err", err)
		}
	}
	return true
}

// pruneBuckets deletes the buckets untouched since before (Unix ms): every
// limit refills within an hour, so they are the same as new ones.
func pruneBuckets(ctx context.Context, db *sql.DB, before int64) error {
	_, err := db.ExecContext(ctx, `DELETE FROM rate_buckets WHERE last_ms < ?1`, before)
	return err
}
