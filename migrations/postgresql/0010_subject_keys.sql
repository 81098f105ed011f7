-- Crypto-shredding: the data keys that seal each person's values in the event log,
-- wrapped by the master key (which is never stored here). Destroying a key (wrapped
-- set to NULL) makes everything it sealed unreadable, without touching an event.
CREATE TABLE subject_keys (
    key_id uuid PRIMARY KEY,
    conversation_id uuid NOT NULL,
    scope text NOT NULL,            -- a session id, or 'subject' for who the person is
    wrapped bytea,                  -- NULL once destroyed
    created_at timestamptz NOT NULL,
    shredded_at timestamptz,
    shred_reason text               -- erasure, retention
);

-- One live key per subject and scope; destroyed ones stay, as the record of what went.
CREATE UNIQUE INDEX subject_keys_live ON subject_keys (conversation_id, scope) WHERE wrapped IS NOT NULL;
CREATE INDEX subject_keys_by_conversation ON subject_keys (conversation_id);

-- Secrets of the service itself, wrapped by the master key: the key ids are derived with.
CREATE TABLE service_secrets (
    name text PRIMARY KEY,
    wrapped bytea NOT NULL
);

-- What was erased, when and at whose request: no personal data.
CREATE TABLE erasures (
    erasure_id uuid PRIMARY KEY,
    conversation_id uuid NOT NULL,
    requested_by text NOT NULL,
    requested_at timestamptz NOT NULL,
    keys_destroyed integer NOT NULL,
    events_kept integer NOT NULL,
    rows_erased text NOT NULL       -- JSON: table -> rows deleted or anonymised
);

-- Retention's progress: the cut-off of its last complete pass.
CREATE TABLE retention_runs (
    run_id uuid PRIMARY KEY,
    cutoff timestamptz NOT NULL,
    started_at timestamptz NOT NULL,
    finished_at timestamptz,
    sessions_shredded integer NOT NULL DEFAULT 0
);
