-- Analytics read models, rebuilt from the log at any time. Each projection
-- writes its rows and its position in projection_tracking in one transaction.

CREATE TABLE projection_tracking (
    name text PRIMARY KEY,
    position bigint NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Owned by the "sessions" projection.
CREATE TABLE conversations (
    conversation_id uuid PRIMARY KEY,
    contact text NOT NULL,
    subcontractor_id text,
    started_at timestamptz NOT NULL
);

CREATE TABLE sessions (
    session_id uuid PRIMARY KEY,
    conversation_id uuid NOT NULL,
    contact text,
    opened_at timestamptz,
    closed_at timestamptz,
    close_reason text,
    last_activity_at timestamptz,
    messages integer NOT NULL DEFAULT 0,
    presses integer NOT NULL DEFAULT 0,
    fallbacks integer NOT NULL DEFAULT 0,
    tool_calls integer NOT NULL DEFAULT 0,
    -- Computed by the database, so it is the same however batches fell.
    duration_seconds double precision GENERATED ALWAYS AS (EXTRACT(EPOCH FROM (closed_at - opened_at))) STORED
);

CREATE INDEX sessions_by_contact ON sessions (contact, opened_at);
CREATE INDEX sessions_by_opened_at ON sessions (opened_at);

-- Owned by the "daily_metrics" projection.
CREATE TABLE daily_active_conversations (
    day date NOT NULL,
    conversation_id uuid NOT NULL,
    PRIMARY KEY (day, conversation_id)
);

CREATE TABLE daily_metrics (
    day date PRIMARY KEY,
    active_conversations integer NOT NULL DEFAULT 0,
    sessions integer NOT NULL DEFAULT 0,
    messages integer NOT NULL DEFAULT 0,
    presses integer NOT NULL DEFAULT 0,
    direct_action_failures integer NOT NULL DEFAULT 0,
    unrecognised integer NOT NULL DEFAULT 0
);

-- Owned by the "tool_usage" projection.
CREATE TABLE tool_usage (
    day date NOT NULL,
    tool text NOT NULL,
    calls integer NOT NULL DEFAULT 0,
    failures integer NOT NULL DEFAULT 0,
    PRIMARY KEY (day, tool)
);
