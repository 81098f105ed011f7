-- A person who changed their WhatsApp number, and where each site is (see the PostgreSQL twin).
CREATE TABLE phone_number_changes (
    change_id TEXT PRIMARY KEY,
    subcontractor_id TEXT NOT NULL REFERENCES subcontractors (id),
    old_phone TEXT NOT NULL,
    new_phone TEXT NOT NULL,
    followed INTEGER NOT NULL,
    changed_at TEXT NOT NULL
);

CREATE TABLE project_positions (
    project_id TEXT PRIMARY KEY REFERENCES projects (id),
    latitude REAL NOT NULL CHECK (latitude BETWEEN -90 AND 90),
    longitude REAL NOT NULL CHECK (longitude BETWEEN -180 AND 180)
);
