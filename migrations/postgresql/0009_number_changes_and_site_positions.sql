-- A person who changed their WhatsApp number: the turn that got the provider's
-- note decides the change, and the directory follows it once per change id.
-- `followed` is false when the new number already belongs to someone: the row
-- is then a flag for an operator, and nobody's number is overwritten.
CREATE TABLE phone_number_changes (
    change_id text PRIMARY KEY,
    subcontractor_id text NOT NULL REFERENCES subcontractors (id),
    old_phone text NOT NULL,
    new_phone text NOT NULL,
    followed boolean NOT NULL,
    changed_at timestamptz NOT NULL
);

-- Where each site is, so a location a person shares can put the nearest one in focus.
CREATE TABLE project_positions (
    project_id text PRIMARY KEY REFERENCES projects (id),
    latitude double precision NOT NULL CHECK (latitude BETWEEN -90 AND 90),
    longitude double precision NOT NULL CHECK (longitude BETWEEN -180 AND 180)
);
