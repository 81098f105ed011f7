-- Changes to the directory are decided by committed turns and applied after
-- them, once each: they are keyed by the change id the turn recorded in its
-- event, no longer by the bare provider message id (see the PostgreSQL twin).

ALTER TABLE task_status_changes RENAME COLUMN message_id TO change_id;
ALTER TABLE problem_reports RENAME COLUMN message_id TO change_id;

-- Which decision a status change applies (the conversation and the version of
-- its event), so changes applied out of order never let an older decision
-- overwrite a newer one.
ALTER TABLE task_status_changes ADD COLUMN conversation_id TEXT;
ALTER TABLE task_status_changes ADD COLUMN decided_version INTEGER;
CREATE INDEX task_status_changes_by_task ON task_status_changes (task_id, conversation_id, decided_version);

-- What the reporter was told ("K7QM-2XDA"); earlier reports were told their number.
ALTER TABLE problem_reports ADD COLUMN reference TEXT NOT NULL DEFAULT '';
UPDATE problem_reports SET reference = CAST(id AS TEXT);
