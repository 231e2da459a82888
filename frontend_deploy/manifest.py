"""The release manifest: what the publisher remembers between runs, kept in the bucket.

One small JSON object, `.frontend-deploy/releases.json`, in the site bucket itself,
so that any machine (a fresh CI checkout, a laptop) sees the same history and no
other store is needed. It records, per object the publisher wrote:

- the sha256 of its content and the headers it was written with;
- the ETag S3 answered, used only as an opaque "untouched since" token: while the
  listed ETag still equals it, the object is ours and unchanged, so no per-object
  request is needed. This holds for any ETag, multipart or KMS-encrypted alike;
- the last release that contained it, which drives the grace period.

A release is a distinct build (its fingerprint: every key with its sha256);
republishing the same build is not a new release.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from botocore.exceptions import ClientError
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from frontend_deploy.errors import PublishError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

    from frontend_deploy.build import LocalFile

MANIFEST_KEY = ".frontend-deploy/releases.json"
HISTORY_LENGTH = 20


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PublishedObject(_Model):
    """An object of the bucket; content and headers are None for objects found, not written."""

    etag: str
    last_release: int = Field(ge=0)
    sha256: str | None = None
    content_type: str | None = None
    cache_control: str | None = None


class Release(_Model):
    number: int = Field(ge=1)
    fingerprint: str
    published_at: datetime
    files: int
    uploaded: int
    deleted: int


class ReleaseManifest(_Model):
    format: Literal[1] = 1
    releases: list[Release] = Field(default_factory=list)
    objects: dict[str, PublishedObject] = Field(default_factory=dict)

    @property
    def current(self) -> Release | None:
        return self.releases[-1] if self.releases else None

    def next_release_number(self, fingerprint: str) -> int:
        """The same build keeps its number; a different one gets the next."""
        current = self.current
        if current is None:
            return 1
        return current.number if current.fingerprint == fingerprint else current.number + 1

    def with_release(
        self, release: Release, objects: dict[str, PublishedObject]
    ) -> ReleaseManifest:
        history = [r for r in self.releases if r.number != release.number]
        return ReleaseManifest(
            releases=[*history, release][-HISTORY_LENGTH:], objects=dict(sorted(objects.items()))
        )


def build_fingerprint(files: Iterable[LocalFile]) -> str:
    digest = hashlib.sha256()
    for file in sorted(files, key=lambda f: f.key):
        digest.update(f"{file.key}\0{file.sha256}\n".encode())
    return digest.hexdigest()


def load_manifest(s3: S3Client, bucket: str) -> ReleaseManifest:
    try:
        body = s3.get_object(Bucket=bucket, Key=MANIFEST_KEY)["Body"].read()
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
            return ReleaseManifest()
        raise
    try:
        return ReleaseManifest.model_validate_json(body)
    except ValidationError as exc:
        raise PublishError(
            f"s3://{bucket}/{MANIFEST_KEY} is not a valid release manifest ({exc.error_count()} "
            "problem(s)). Delete it to start a fresh history: files then in the bucket but "
            "not in the build are kept for the grace period (grace_releases) and deleted after."
        ) from None


def save_manifest(s3: S3Client, bucket: str, manifest: ReleaseManifest) -> None:
    s3.put_object(
        Bucket=bucket,
        Key=MANIFEST_KEY,
        Body=json.dumps(manifest.model_dump(mode="json"), indent=1).encode(),
        ContentType="application/json; charset=utf-8",
        CacheControl="no-store",
    )
