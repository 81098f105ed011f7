-- Owned by the "attention" projection: what an operator should look at. Unrecognised
-- messages, direct actions that failed, replies a provider refused. It keeps ids and
-- reasons only; what a person typed stays in the event log.

CREATE TABLE attention (
    source_id uuid NOT NULL,        -- the aggregate whose event this is (conversation or delivery)
    version integer NOT NULL,       -- and the event's version: one row per event
    kind text NOT NULL,             -- unrecognised, direct_action_failed, delivery_failed
    conversation_id uuid,           -- unknown for a provider's later failure report
    message_id text,
    channel text,
    at timestamptz NOT NULL,
    detail text NOT NULL DEFAULT '',
    PRIMARY KEY (source_id, version)
);

CREATE INDEX attention_by_kind ON attention (kind, at);
CREATE INDEX attention_by_conversation ON attention (conversation_id, kind);
