-- Rate-limit buckets kept in the database, for a server whose memory does
-- not outlive a request (Cloudflare Workers: Config.Stateless). key is the
-- limit and what it counts ("student:17", "join:203.0.113.5", "fail:");
-- tokens are what was left at last_ms (Unix milliseconds). The native
-- server keeps its buckets in memory and leaves this table empty.

CREATE TABLE rate_buckets (
  key     TEXT    PRIMARY KEY,
  tokens  REAL    NOT NULL,
  last_ms INTEGER NOT NULL
);
CREATE INDEX rate_buckets_last ON rate_buckets (last_ms);
