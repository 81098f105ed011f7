-- The site directory on the embedded default. The event store's own tables are
-- created by the eventsourcing library (a single embedded process owns the file).

CREATE TABLE subcontractors (
    id TEXT PRIMARY KEY,
    phone TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    company TEXT NOT NULL,
    language TEXT NOT NULL CHECK (language IN ('fr', 'en')),
    telegram_user_id TEXT UNIQUE
);

CREATE TABLE projects (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    city TEXT NOT NULL,
    address TEXT NOT NULL
);

CREATE TABLE assignments (
    subcontractor_id TEXT NOT NULL REFERENCES subcontractors (id),
    project_id TEXT NOT NULL REFERENCES projects (id),
    PRIMARY KEY (subcontractor_id, project_id)
);

CREATE TABLE tasks (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects (id),
    subcontractor_id TEXT NOT NULL REFERENCES subcontractors (id),
    title TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('todo', 'in_progress', 'done', 'blocked')),
    due_on TEXT,
    notes TEXT NOT NULL DEFAULT '',
    position INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT
);

CREATE INDEX tasks_by_assignee ON tasks (subcontractor_id, project_id, position);

CREATE TABLE task_status_changes (
    message_id TEXT PRIMARY KEY,
    task_id TEXT NOT NULL REFERENCES tasks (id),
    subcontractor_id TEXT NOT NULL REFERENCES subcontractors (id),
    status TEXT NOT NULL,
    changed_at TEXT NOT NULL
);

CREATE TABLE problem_reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id TEXT NOT NULL UNIQUE,
    project_id TEXT NOT NULL REFERENCES projects (id),
    subcontractor_id TEXT NOT NULL REFERENCES subcontractors (id),
    description TEXT NOT NULL,
    reported_at TEXT NOT NULL
);
