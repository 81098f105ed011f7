-- Analytics read models, rebuilt from the log at any time. Each projection
-- writes its rows and its position in projection_tracking in one transaction.

CREATE TABLE projection_tracking (
    name text PRIMARY KEY,
    position INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- Owned by the "sessions" projection.
CREATE TABLE conversations (
    conversation_id TEXT PRIMARY KEY,
    contact text NOT NULL,
    subcontractor_id text,
    started_at TEXT NOT NULL
);

CREATE TABLE sessions (
    session_id TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    contact text,
    opened_at TEXT,
    closed_at TEXT,
    close_reason text,
    last_activity_at TEXT,
    messages integer NOT NULL DEFAULT 0,
    presses integer NOT NULL DEFAULT 0,
    fallbacks integer NOT NULL DEFAULT 0,
    tool_calls integer NOT NULL DEFAULT 0,
    -- Computed by the database, so it is the same however batches fell.
    duration_seconds REAL GENERATED ALWAYS AS ((julianday(closed_at) - julianday(opened_at)) * 86400.0) VIRTUAL
);

CREATE INDEX sessions_by_contact ON sessions (contact, opened_at);
CREATE INDEX sessions_by_opened_at ON sessions (opened_at);

-- Owned by the "daily_metrics" projection.
CREATE TABLE daily_active_conversations (
    day TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    PRIMARY KEY (day, conversation_id)
);

CREATE TABLE daily_metrics (
    day TEXT PRIMARY KEY,
    active_conversations integer NOT NULL DEFAULT 0,
    sessions integer NOT NULL DEFAULT 0,
    messages integer NOT NULL DEFAULT 0,
    presses integer NOT NULL DEFAULT 0,
    direct_action_failures integer NOT NULL DEFAULT 0,
    unrecognised integer NOT NULL DEFAULT 0
);

-- Owned by the "tool_usage" projection.
CREATE TABLE tool_usage (
    day TEXT NOT NULL,
    tool text NOT NULL,
    calls integer NOT NULL DEFAULT 0,
    failures integer NOT NULL DEFAULT 0,
    PRIMARY KEY (day, tool)
);
