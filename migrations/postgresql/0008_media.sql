-- Photos (and videos, documents) attached to problem reports, and which
-- conversation holds which stored blob.

-- A report's photos, decided with the report by the turn that filed it and
-- written in the same transaction as the report, once (by the report's change id).
-- media_id names the media in the conversation's log (`MediaReceived`,
-- then `MediaStored` with the blob's SHA-256 once it is fetched).
CREATE TABLE problem_report_photos (
    report_change_id text NOT NULL REFERENCES problem_reports (change_id),
    position integer NOT NULL,
    media_id text NOT NULL,
    kind text NOT NULL,
    mime_type text NOT NULL DEFAULT '',
    PRIMARY KEY (report_change_id, position)
);

CREATE INDEX problem_report_photos_by_media ON problem_report_photos (media_id);

-- Blobs are named by their SHA-256, so two people sending the same sticker share one:
-- erasing one person's media deletes only the blobs nobody else holds.
CREATE TABLE media_blobs (
    media_id text PRIMARY KEY,
    sha256 text NOT NULL,
    conversation_id text NOT NULL,
    stored_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX media_blobs_by_conversation ON media_blobs (conversation_id);
CREATE INDEX media_blobs_by_sha256 ON media_blobs (sha256);
