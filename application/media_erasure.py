"""Erasing a person's media: their photos and voice notes are personal data like what they typed.

Erasure of the person's data (crypto-shredding their events, forgetting them in
read models) calls this too. Blobs are content-addressed, so a blob another
person also sent (the same sticker) stays; every blob only this person held goes.
Safe to run again after a crash: the blobs go first, the references last.
"""

from __future__ import annotations

from uuid import UUID

from application.media import BlobStore, MediaReferences


def erase_media(conversation_id: UUID, references: MediaReferences, blobs: BlobStore) -> int:
    """Deletes the conversation's blobs that no one else holds; returns how many."""
    unshared = references.only_of(str(conversation_id))
    for sha256 in unshared:
        blobs.delete(sha256)
    references.forget(str(conversation_id))
    return len(unshared)
