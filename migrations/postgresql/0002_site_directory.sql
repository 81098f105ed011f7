-- The site directory: who works where, on what. The company's system of record
-- feeds these tables; the bot reads them and records status changes and problems.

CREATE TABLE subcontractors (
    id text PRIMARY KEY,
    phone text NOT NULL UNIQUE,
    name text NOT NULL,
    company text NOT NULL,
    language text NOT NULL CHECK (language IN ('fr', 'en')),
    telegram_user_id text UNIQUE
);

CREATE TABLE projects (
    id text PRIMARY KEY,
    name text NOT NULL,
    city text NOT NULL,
    address text NOT NULL
);

CREATE TABLE assignments (
    subcontractor_id text NOT NULL REFERENCES subcontractors (id),
    project_id text NOT NULL REFERENCES projects (id),
    PRIMARY KEY (subcontractor_id, project_id)
);

CREATE TABLE tasks (
    id text PRIMARY KEY,
    project_id text NOT NULL REFERENCES projects (id),
    subcontractor_id text NOT NULL REFERENCES subcontractors (id),
    title text NOT NULL,
    status text NOT NULL CHECK (status IN ('todo', 'in_progress', 'done', 'blocked')),
    due_on date,
    notes text NOT NULL DEFAULT '',
    position integer NOT NULL DEFAULT 0,
    updated_at timestamptz
);

CREATE INDEX tasks_by_assignee ON tasks (subcontractor_id, project_id, position);

-- One row per message that changed a task: the idempotency key of the change.
CREATE TABLE task_status_changes (
    message_id text PRIMARY KEY,
    task_id text NOT NULL REFERENCES tasks (id),
    subcontractor_id text NOT NULL REFERENCES subcontractors (id),
    status text NOT NULL,
    changed_at timestamptz NOT NULL
);

CREATE TABLE problem_reports (
    id bigserial PRIMARY KEY,
    message_id text NOT NULL UNIQUE,
    project_id text NOT NULL REFERENCES projects (id),
    subcontractor_id text NOT NULL REFERENCES subcontractors (id),
    description text NOT NULL,
    reported_at timestamptz NOT NULL
);
