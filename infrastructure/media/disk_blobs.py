"""The embedded default blob store: a directory, one file per SHA-256."""

from __future__ import annotations

import os
import re
import shutil
import uuid
from pathlib import Path

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def checked_hash(sha256: str) -> str:
    """A blob's name is its hash: anything else could name a path outside the store."""
    if not _SHA256.match(sha256):
        raise ValueError(f"not a SHA-256 in hex: {sha256!r}")
    return sha256


class DiskBlobStore:
    """`<root>/ab/cd/abcd…`: two levels of fan-out keep directories small with millions of blobs."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, sha256: str) -> Path:
        sha256 = checked_hash(sha256)
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, sha256: str, source: Path, mime_type: str) -> None:  # noqa: ARG002 (in the event)
        target = self.path_of(sha256)
        if target.exists():
            return  # same name, same bytes
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written aside, then renamed: a reader never sees half a blob, and a crash leaves none.
        partial = target.with_name(f".{sha256}.{uuid.uuid4().hex}")
        try:
            with source.open("rb") as src, partial.open("wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
                dst.flush()
                os.fsync(dst.fileno())
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)

    def exists(self, sha256: str) -> bool:
        return self.path_of(sha256).is_file()

    def read(self, sha256: str) -> bytes:
        return self.path_of(sha256).read_bytes()

    def delete(self, sha256: str) -> None:
        self.path_of(sha256).unlink(missing_ok=True)
