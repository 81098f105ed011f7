"""Downloading one media into a staging file: limits first, resumable, checked by SHA-256.

A download killed midway leaves its staging file; the next try asks only for
the missing bytes (`Range`), and starts over when the server sends it all.
The hash is always computed over the whole file on disk, whichever way it
was assembled.
"""

from __future__ import annotations

import base64
import binascii
import fnmatch
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from application.media import Downloaded, MediaExpiredError, MediaRefusedError, MediaUnavailableError

_CHUNK = 1 << 16
# Statuses a short-lived URL answers once it expired or was never ours: ask for a new one.
_EXPIRED = (401, 403, 404, 410)


@dataclass(frozen=True)
class MediaLimits:
    max_bytes: int
    accepted_types: tuple[str, ...]  # MIME patterns: "image/*", "application/pdf"

    def check_type(self, mime_type: str) -> None:
        bare = mime_type.split(";", 1)[0].strip().lower()
        if not any(fnmatch.fnmatchcase(bare, pattern.strip().lower()) for pattern in self.accepted_types):
            raise MediaRefusedError("type_not_accepted", bare or "no type given")

    def check_size(self, size: int | None) -> None:
        if size is not None and size > self.max_bytes:
            raise MediaRefusedError(
                "too_large", f"{size} bytes, the limit is {self.max_bytes}", size=size, limit=self.max_bytes
            )


class Downloader:
    def __init__(self, client: httpx.Client, staging: Path, limits: MediaLimits) -> None:
        self._client = client
        self._staging = staging
        self.limits = limits

    def staging_file(self, media_id: str) -> Path:
        return self._staging / media_id

    def discard(self, media_id: str) -> None:
        self.staging_file(media_id).unlink(missing_ok=True)

    def fetch(
        self,
        media_id: str,
        url: str,
        headers: Mapping[str, str],
        *,
        mime_type: str,
        provider_sha256: str | None = None,
    ) -> Downloaded:
        path = self.staging_file(media_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        have = path.stat().st_size if path.exists() else 0
        request_headers = dict(headers)
        if have:
            request_headers["Range"] = f"bytes={have}-"
        try:
            with self._client.stream("GET", url, headers=request_headers, follow_redirects=True) as answer:
                mime_type = self._receive(answer, path, have, media_id, mime_type)
        except httpx.TransportError as error:  # timeouts and dropped connections: what arrived is kept
            raise MediaUnavailableError(f"{type(error).__name__}: {error}") from error
        sha256, size = _hash_of(path)
        if provider_sha256 and not same_hash(sha256, provider_sha256):
            self.discard(media_id)  # corrupt, or assembled from two different files: start over
            raise MediaUnavailableError(f"sha256 mismatch: got {sha256}, the provider says {provider_sha256}")
        return Downloaded(
            path=path, size=size, sha256=sha256, mime_type=mime_type, provider_sha256=provider_sha256
        )

    def _receive(self, answer: httpx.Response, path: Path, have: int, media_id: str, mime_type: str) -> str:
        status = answer.status_code
        if status in _EXPIRED:
            raise MediaExpiredError(f"the download URL answered {status}")
        if status == 416:
            if have and answer.headers.get("content-range", "").strip() == f"bytes */{have}":
                return mime_type  # killed after the last byte arrived: the file is whole
            self.discard(media_id)  # what we have is not a prefix of this file
            raise MediaUnavailableError("range not satisfiable; starting over")
        if status == 429 or status >= 500:
            raise MediaUnavailableError(f"the download URL answered {status}")
        if status not in (200, 206):
            self.discard(media_id)
            raise MediaRefusedError("refused_by_provider", f"the download URL answered {status}")
        resumed = status == 206 and have > 0
        offset = have if resumed else 0
        length = answer.headers.get("content-length")
        if length is not None and length.isdigit():
            self._refuse_if_too_large(offset + int(length), media_id)
        received_type = answer.headers.get("content-type", "")
        mime_type = mime_type or received_type.split(";", 1)[0].strip()
        if mime_type:
            self._refuse_if_not_accepted(mime_type, media_id)
        with path.open("ab" if resumed else "wb") as file:
            written = offset
            for chunk in answer.iter_bytes(_CHUNK):
                written += len(chunk)
                self._refuse_if_too_large(written, media_id)  # a server that did not say, or lied
                file.write(chunk)
        return mime_type

    def _refuse_if_too_large(self, size: int, media_id: str) -> None:
        try:
            self.limits.check_size(size)
        except MediaRefusedError:
            self.discard(media_id)
            raise

    def _refuse_if_not_accepted(self, mime_type: str, media_id: str) -> None:
        try:
            self.limits.check_type(mime_type)
        except MediaRefusedError:
            self.discard(media_id)
            raise


def same_hash(hex_digest: str, given: str) -> bool:
    """Whether a provider's hash names these bytes; WhatsApp gives it in hex or in base64."""
    given = given.strip()
    if len(given) == 64:
        return given.lower() == hex_digest
    try:
        return base64.b64decode(given, validate=True).hex() == hex_digest
    except (binascii.Error, ValueError):
        return False


def _hash_of(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size
