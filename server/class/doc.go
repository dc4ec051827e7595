// Package class is Sentilab's class mode on the server (issue 14): a
// teacher creates an experiment, a sweep over training or compression
// settings, and students' browsers run its jobs and post their results.
//
// State lives in a database through database/sql, with the same SQL on
// both deployments: SQLite embedded in the native server (OpenSQLite:
// modernc.org/sqlite, WAL, synchronous=FULL), and Cloudflare D1 in the
// Workers build (OpenD1: syumai/workers' d1 driver, js/wasm only). The
// schema is versioned in migrations/: natively Migrate applies it (one
// transaction a step, recorded in schema_migrations); on Workers, where
// the driver has no transactions, `wrangler d1 migrations apply` applies
// the same files (recorded in d1_migrations; server/workers.sh). Every
// claim and every result post is a single SQL statement (store.go:
// UPDATE … RETURNING), atomic by itself; creating a class is a few
// statements ordered so a crash between them leaves nothing reachable.
// Nothing is kept only in memory except rate limit buckets and the live
// views' wake-up channels: a server killed mid-write restarts on the same
// database and carries on.
//
// # Workers
//
// A Worker runs a fresh Go instance for every request (syumai/workers), so
// memory outlives nothing. Config.Stateless adapts the two things that
// live in memory: rate-limit buckets go to the rate_buckets table (one
// UPSERT … RETURNING a take, limit.go), and the live view, instead of a
// held Server-Sent Events stream fed by in-memory wake-ups, answers each
// /events request at once in the same event-stream format, with the
// status only if it changed since the browser's Last-Event-ID and a
// "retry" delay after which EventSource reconnects by itself
// (events_poll.go explains why not a held stream). The page's EventSource
// code is the same for both; as each poll ends, EventSource fires its
// error event before reconnecting, so a page should take an error that
// follows an "end" event for a reconnect, not a lost server. Each viewer
// costs one short request every PollEvery (3 s).
// workerd_test.go runs the class flow against the real Worker in workerd
// with a local D1.
//
// # Roles
//
// Creating a class returns a teacher token (256 random bits; the database
// keeps its SHA-256). Only that token can pause, resume, extend or close
// the class and moderate it. Joining returns a student token; a student
// can only claim jobs and post results for the jobs it holds. Tokens go in
// "Authorization: Bearer TOKEN". Join codes are 8 symbols of Crockford's
// base 32 (40 bits), and joins are rate-limited per address and unknown
// codes server-wide.
//
// # Jobs and leases
//
// The experiment's grid (the Cartesian product of its sweep axes) is one
// job per point; a share of the points (spot_check, default 0.1) get a
// second assignment, the spot check. Claim order is random, so a spot
// check looks like any other job, and a spot check is never given to the
// student who ran the point's other copy. A student holds one assignment
// at a time, until its lease runs out (lease_seconds, renewable while it
// still holds the job); then any student may claim it. A result is taken only from the student holding the
// assignment (an expired lease still counts if nobody took it over), once:
// an assignment with a result is never handed out again unless the
// teacher discards the result. Each job's LabRun pins the dataset, seed,
// worker count and the portable kernel, so a spot check reproduces the
// first run bit for bit and the two hashes must agree; a disagreement is
// flagged (mismatch) in the live view.
//
// # HTTP API
//
// Bodies are JSON (Content-Type: application/json, at most 16 KiB, 64 KiB
// for a create), decoded strictly; errors are {"message": "..."}.
//
//	POST /api/class                          ClassCreateRequest → 201 ClassCreated
//	POST /api/class/{code}/join              JoinRequest → 201 Joined
//	POST /api/class/{code}/claim             student → 200 ClassJob (the held one again if it holds one),
//	                                           204 + Retry-After: nothing now, 410: closed
//	POST /api/class/{code}/result            student, ClassResult → 200 ResultAccepted (repeat: true for
//	                                           the same post again), 409 not held, 410 closed
//	POST /api/class/{code}/renew             student, RenewRequest → 200 Renewed (lease from now), 409 not held
//	POST /api/class/{code}/model/{job}       student, the model file (application/octet-stream, at most
//	                                           1,900,000 bytes) of a job whose result it posted → 200
//	                                           ModelStored (once; repeat: true for the same file), 409
//	                                           not its result or another file stored, 410 closed
//	GET  /api/class/{code}/model/{job}       the stored model file (GridResult.Model says there is one)
//	GET  /api/class/{code}/status            → ClassStatus, with an ETag (If-None-Match → 304)
//	GET  /api/class/{code}/events            Server-Sent Events: "status" events (ClassStatus) on each change,
//	                                           ": heartbeat" comments, "end" after an hour (reconnect);
//	                                           Stateless (Workers): "retry: 3000", at most one "status"
//	                                           event (id: its tag), "end", then the answer ends
//	POST /api/class/{code}/teacher/{action}  teacher, TeacherAction → 200 ClassStatus, 409 nothing to change;
//	                                           action: pause, resume, close, extend (minutes),
//	                                           rename (student_id, name), remove (student_id), discard (job_id)
//
// The types are in sentilab/protocol (class.go). The status and the live
// view are readable by anyone with the join code: they are what the class
// sees on the projector. Status codes for refusals: 400 bad body, 401 no
// token, 403 wrong token or a removed student, 404 unknown code, 413 body
// too large, 415 not JSON, 429 over a rate limit (Retry-After), 503 the
// server's class limit.
//
// # Limits
//
// Config sets them: classes not closed per server (200), students per
// class (400), grid points per class (2,000), body size, and token-bucket
// rates: claims and posts per student (2/s, burst 10), joins and creates
// per address (5/s, burst 100: a lecture hall behind one school NAT),
// unknown codes server-wide (5/s). Display names are 1 to 40 characters without
// control or format characters, and the JSON answers escape <, > and &.
package class
