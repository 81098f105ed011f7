-- One holder at a time for work that must not run twice at once (the delivery
-- worker): a holder renews its lease while it works; a crashed holder's lease
-- runs out and another worker takes over.

CREATE TABLE worker_leases (
    name text PRIMARY KEY,
    holder text NOT NULL DEFAULT '',
    expires_at double precision NOT NULL DEFAULT 0  -- seconds since the epoch
);
