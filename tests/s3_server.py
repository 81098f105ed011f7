"""A local S3-compatible server on loopback: moto's, in a thread of the test process.

Skipped with the reason when moto is not installed (it is a dev dependency, so only
outside `make test`); the store under test talks to it over real HTTP through boto3.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest


@dataclass(frozen=True)
class S3Server:
    endpoint_url: str
    access_key_id: str = "test-access-key"
    secret_access_key: str = "test-secret-key"  # moto takes any; real servers check them
    region: str = "eu-west-3"

    def new_bucket(self) -> str:
        import boto3

        name = f"convo-media-{uuid.uuid4().hex[:12]}"
        client = boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=self.region,
            aws_access_key_id=self.access_key_id,
            aws_secret_access_key=self.secret_access_key,
        )
        client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": self.region})
        return name


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    server_module = pytest.importorskip(
        "moto.server", reason="moto[server] (a dev dependency) is not installed"
    )
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield S3Server(f"http://{host}:{port}")
    finally:
        server.stop()
