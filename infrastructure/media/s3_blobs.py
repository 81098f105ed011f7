"""Blobs in an S3-compatible bucket (AWS S3, MinIO, Ceph, Garage...), through boto3.

boto3 is the production option's only extra dependency (`pip install convo[s3]`),
so it is imported when this store is configured, not before.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from infrastructure.media.disk_blobs import checked_hash

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


class S3BlobStore:
    def __init__(self, client: S3Client, bucket: str, prefix: str = "") -> None:
        self._client = client
        self.bucket = bucket
        self._prefix = prefix

    @classmethod
    def connect(
        cls,
        bucket: str,
        *,
        endpoint_url: str | None,
        region: str | None,
        access_key_id: str | None,
        secret_access_key: str | None,
        prefix: str = "",
        timeout_seconds: float = 30.0,
    ) -> S3BlobStore:
        """Without keys, boto3's own chain applies (an instance role, a web identity...)."""
        import boto3
        from botocore.config import Config

        config = Config(
            connect_timeout=timeout_seconds,
            read_timeout=timeout_seconds,
            retries={"max_attempts": 5, "mode": "standard"},
        )
        options: dict[str, Any] = {"config": config}
        if endpoint_url:
            options["endpoint_url"] = endpoint_url
        if region:
            options["region_name"] = region
        if access_key_id and secret_access_key:
            options["aws_access_key_id"] = access_key_id
            options["aws_secret_access_key"] = secret_access_key
        return cls(boto3.client("s3", **options), bucket, prefix)

    def key_of(self, sha256: str) -> str:
        return f"{self._prefix}{checked_hash(sha256)}"

    def put(self, sha256: str, source: Path, mime_type: str) -> None:
        if self.exists(sha256):
            return  # same name, same bytes
        # upload_file switches to a multipart upload for large files, and retries parts.
        self._client.upload_file(
            str(source),
            self.bucket,
            self.key_of(sha256),
            ExtraArgs={"ContentType": mime_type or "application/octet-stream"},
        )

    def exists(self, sha256: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self._client.head_object(Bucket=self.bucket, Key=self.key_of(sha256))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def read(self, sha256: str) -> bytes:
        answer = self._client.get_object(Bucket=self.bucket, Key=self.key_of(sha256))
        return answer["Body"].read()

    def delete(self, sha256: str) -> None:
        self._client.delete_object(Bucket=self.bucket, Key=self.key_of(sha256))
