"""AWS clients, created once per process on first use.

Clients are expensive to build (botocore loads the service model) and thread-safe
to share, so each one is made once per cold start. `reset()` forgets them and the
settings, for tests and the local runtime after they change the environment or
the emulator behind AWS_ENDPOINT_URL (botocore honours that variable by itself).

botocore's session, not boto3's: the clients are the same, and importing boto3 on
top of botocore (its resource layer, s3transfer) would cost every cold start about
15 ms for nothing we use (functions/README.md, "Cold start").
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Literal

import botocore.session
from botocore.config import Config

from storefront import settings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sqs import SQSClient

Service = Literal["dynamodb", "s3", "sqs"]

# Fail fast inside a Lambda timeout; "standard" retries throttling with backoff.
_CONFIG = Config(connect_timeout=2, read_timeout=5, retries={"mode": "standard", "max_attempts": 4})

_lock = threading.Lock()
_clients: dict[str, Any] = {}
_session: botocore.session.Session | None = None


def _client(service: Service) -> Any:
    global _session
    with _lock:
        if service not in _clients:
            # One session of our own for every client: its endpoint, partition and retry
            # data load once (~150 ms per extra session on a cold start). Not the default
            # session, and clients are only made under this lock: sessions are not
            # thread-safe, the clients they make are.
            if _session is None:
                _session = botocore.session.get_session()
            _clients[service] = _session.create_client(service, config=_CONFIG)
        return _clients[service]


def dynamodb() -> DynamoDBClient:
    client: DynamoDBClient = _client("dynamodb")
    return client


def s3() -> S3Client:
    client: S3Client = _client("s3")
    return client


def sqs() -> SQSClient:
    client: SQSClient = _client("sqs")
    return client


def reset() -> None:
    """Forget every client and the settings; the next call builds them from os.environ."""
    global _session
    with _lock:
        _clients.clear()
        _session = None
    settings.reset()
