-- One turn's events in one statement: take the table lock (so notification ids
-- follow commit order, as the library requires), notify followers, insert.
-- Called in autocommit, the statement is its own transaction: one round trip
-- instead of a client-driven BEGIN / LOCK / NOTIFY / INSERT / COMMIT.
-- (This is not the library's POSTGRES_ENABLE_DB_FUNCTIONS path, which drops
-- tracking records: no tracking ever goes through this insert.)

CREATE FUNCTION convo_insert_events(
    originator_ids uuid[],
    originator_versions bigint[],
    topics text[],
    states bytea[]
) RETURNS SETOF bigint
LANGUAGE plpgsql
AS $$
BEGIN
    LOCK TABLE convo_events IN EXCLUSIVE MODE;
    NOTIFY convo_events;
    RETURN QUERY
        INSERT INTO convo_events (originator_id, originator_version, topic, state)
        SELECT * FROM unnest(originator_ids, originator_versions, topics, states)
        RETURNING notification_id;
END;
$$;
