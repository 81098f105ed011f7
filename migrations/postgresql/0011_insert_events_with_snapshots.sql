-- A turn that crosses a snapshot interval stores the snapshot in the same call as its
-- events: one round trip and one commit instead of a transaction of its own, and never
-- a snapshot of a version whose events were not committed. The snapshot goes in before
-- the table lock is taken, so writers do not wait for it. The four-array function of
-- 0004 stays for turns without a snapshot (and for workers not yet upgraded).

CREATE FUNCTION convo_insert_events(
    originator_ids uuid[],
    originator_versions bigint[],
    topics text[],
    states bytea[],
    snapshot_ids uuid[],
    snapshot_versions bigint[],
    snapshot_topics text[],
    snapshot_states bytea[]
) RETURNS SETOF bigint
LANGUAGE plpgsql
AS $$
BEGIN
    -- A snapshot is a cache of the state at its version: one already there is as good.
    INSERT INTO convo_snapshots (originator_id, originator_version, topic, state)
        SELECT * FROM unnest(snapshot_ids, snapshot_versions, snapshot_topics, snapshot_states)
        ON CONFLICT DO NOTHING;
    -- The events as 0004's function writes them: its lock, its notification.
    RETURN QUERY SELECT * FROM convo_insert_events(originator_ids, originator_versions, topics, states);
END;
$$;
