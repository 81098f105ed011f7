-- One holder at a time for work that must not run twice at once (the delivery
-- worker): a holder renews its lease while it works; a crashed holder's lease
-- runs out and another worker takes over.

CREATE TABLE worker_leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL DEFAULT '',
    expires_at REAL NOT NULL DEFAULT 0  -- seconds since the epoch
);
