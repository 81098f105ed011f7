-- Photos (and videos, documents) attached to problem reports, and which
-- conversation holds which stored blob (see the PostgreSQL twin).

CREATE TABLE problem_report_photos (
    report_change_id TEXT NOT NULL REFERENCES problem_reports (change_id),
    position INTEGER NOT NULL,
    media_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    mime_type TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (report_change_id, position)
);

CREATE INDEX problem_report_photos_by_media ON problem_report_photos (media_id);

CREATE TABLE media_blobs (
    media_id TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    stored_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE INDEX media_blobs_by_conversation ON media_blobs (conversation_id);
CREATE INDEX media_blobs_by_sha256 ON media_blobs (sha256);
