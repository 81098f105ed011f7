"""Content-addressed blob stores: a directory on disk (the default) and an S3-compatible bucket."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from uuid import uuid4

import pytest

from application.media import BlobStore
from application.media_erasure import erase_media
from infrastructure.bootstrap import migrate
from infrastructure.media.disk_blobs import DiskBlobStore
from infrastructure.media.references import SqlMediaReferences
from infrastructure.media.s3_blobs import S3BlobStore
from infrastructure.persistence import open_database
from tests.conftest import sqlite_settings
from tests.s3_server import S3Server, s3_server  # noqa: F401 (a fixture)

CONTENT = os.urandom(50_000)
SHA = hashlib.sha256(CONTENT).hexdigest()


@pytest.fixture(params=["disk", "s3"])
def blobs(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    if request.param == "disk":
        return DiskBlobStore(tmp_path / "media")
    server: S3Server = request.getfixturevalue("s3_server")
    return S3BlobStore.connect(
        server.new_bucket(),
        endpoint_url=server.endpoint_url,
        region=server.region,
        access_key_id=server.access_key_id,
        secret_access_key=server.secret_access_key,
    )


def staged(tmp_path: Path, content: bytes = CONTENT) -> Path:
    path = tmp_path / f"staged-{uuid4().hex}"
    path.write_bytes(content)
    return path


def test_a_blob_is_stored_under_its_hash_once(blobs: BlobStore, tmp_path: Path) -> None:
    assert not blobs.exists(SHA)
    blobs.put(SHA, staged(tmp_path), "image/jpeg")
    blobs.put(SHA, staged(tmp_path), "image/jpeg")  # a crash between storing and recording: harmless
    assert blobs.exists(SHA)
    assert blobs.read(SHA) == CONTENT
    blobs.delete(SHA)
    blobs.delete(SHA)  # deleting what is gone is not an error
    assert not blobs.exists(SHA)


def test_a_name_that_is_not_a_hash_is_refused(blobs: BlobStore, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="SHA-256"):
        blobs.put("../../etc/passwd", staged(tmp_path), "text/plain")


def test_the_disk_store_fans_out_and_leaves_no_partial_file(tmp_path: Path) -> None:
    store = DiskBlobStore(tmp_path / "media")
    store.put(SHA, staged(tmp_path), "image/jpeg")
    assert store.path_of(SHA) == tmp_path / "media" / SHA[:2] / SHA[2:4] / SHA
    assert [p.name for p in store.path_of(SHA).parent.iterdir()] == [SHA]


def test_erasing_a_person_deletes_their_blobs_but_not_one_someone_else_sent(
    blobs: BlobStore, tmp_path: Path
) -> None:
    settings = sqlite_settings(tmp_path)
    migrate(settings)
    database = open_database(settings)
    references = SqlMediaReferences(database)
    karim, lucie = uuid4(), uuid4()
    sticker = os.urandom(1000)
    sticker_sha = hashlib.sha256(sticker).hexdigest()
    for sha, content, media_id, owner in (
        (SHA, CONTENT, "m-photo", karim),
        (sticker_sha, sticker, "m-sticker-k", karim),
        (sticker_sha, sticker, "m-sticker-l", lucie),
    ):
        blobs.put(sha, staged(tmp_path, content), "image/jpeg")
        references.add(sha, media_id, str(owner))
    try:
        assert erase_media(karim, references, blobs) == 1
        assert not blobs.exists(SHA)
        assert blobs.exists(sticker_sha)  # Lucie sent it too
        assert references.of(str(karim)) == []
        assert erase_media(karim, references, blobs) == 0  # again: nothing left, no error
        assert erase_media(lucie, references, blobs) == 1
        assert not blobs.exists(sticker_sha)
    finally:
        database.close()
