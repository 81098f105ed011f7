-- Changes to the directory are decided by committed turns and applied after
-- them, once each: they are keyed by the change id the turn recorded in its
-- event (one per handled message, scoped to the sender where the channel's
-- message ids are not unique), no longer by the bare provider message id.
-- Earlier rows keep their message ids as keys; no change id can equal one.

ALTER TABLE task_status_changes RENAME COLUMN message_id TO change_id;
ALTER TABLE problem_reports RENAME COLUMN message_id TO change_id;

-- Which decision a status change applies (the conversation and the version of
-- its event), so changes applied out of order never let an older decision
-- overwrite a newer one.
ALTER TABLE task_status_changes ADD COLUMN conversation_id text;
ALTER TABLE task_status_changes ADD COLUMN decided_version integer;
CREATE INDEX task_status_changes_by_task ON task_status_changes (task_id, conversation_id, decided_version);

-- What the reporter was told ("K7QM-2XDA"), to quote to the site manager.
ALTER TABLE problem_reports ADD COLUMN reference text;
UPDATE problem_reports SET reference = id::text;
ALTER TABLE problem_reports ALTER COLUMN reference SET NOT NULL;
