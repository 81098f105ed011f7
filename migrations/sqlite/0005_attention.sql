-- Owned by the "attention" projection: what an operator should look at. Unrecognised
-- messages, direct actions that failed, replies a provider refused. It keeps ids and
-- reasons only; what a person typed stays in the event log.

CREATE TABLE attention (
    source_id TEXT NOT NULL,        -- the aggregate whose event this is (conversation or delivery)
    version INTEGER NOT NULL,       -- and the event's version: one row per event
    kind TEXT NOT NULL,             -- unrecognised, direct_action_failed, delivery_failed
    conversation_id TEXT,           -- unknown for a provider's later failure report
    message_id TEXT,
    channel TEXT,
    at TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (source_id, version)
);

CREATE INDEX attention_by_kind ON attention (kind, at);
CREATE INDEX attention_by_conversation ON attention (conversation_id, kind);
