"""Decide what a publish does, from the build, the bucket listing and the release manifest.

Pure: no AWS calls here, so every rule (what is unchanged, what is stale, what
is due for deletion, what to invalidate) is tested directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from frontend_deploy.build import LocalFile
from frontend_deploy.errors import PublishError
from frontend_deploy.invalidation import collapse, paths_for_keys
from frontend_deploy.manifest import (
    MANIFEST_KEY,
    PublishedObject,
    ReleaseManifest,
    build_fingerprint,
)
from frontend_deploy.rules import Rules

RESERVED_PREFIX = MANIFEST_KEY.split("/", 1)[0] + "/"


@dataclass(frozen=True)
class ObjectState:
    """What a HEAD request tells about an object the manifest cannot vouch for."""

    etag: str
    sha256: str | None
    content_type: str | None
    cache_control: str | None


@dataclass(frozen=True)
class Plan:
    release: int
    fingerprint: str
    uploads: list[LocalFile]  # in upload order: see LocalFile.upload_phase
    unchanged: list[LocalFile]
    deletes: list[str]  # stale past the grace period, oldest first, within the cap
    deferred: list[str]  # due too, but over the deletion cap
    kept: list[str]  # stale, still within the grace period
    invalidation_paths: list[str]
    # Manifest records of everything that stays in the bucket and is not uploaded.
    carried: dict[str, PublishedObject] = field(default_factory=dict)

    @property
    def upload_bytes(self) -> int:
        return sum(f.size for f in self.uploads)


def keys_to_inspect(
    files: list[LocalFile], listing: Mapping[str, str], manifest: ReleaseManifest
) -> list[str]:
    """Keys of the build present in the bucket whose state the manifest cannot vouch for.

    `listing` maps each key to its ETag. The manifest vouches for an object it
    recorded with content and headers while its ETag is unchanged since.
    """
    return [
        f.key for f in files if f.key in listing and not _vouched(manifest, f.key, listing[f.key])
    ]


def make_plan(
    files: list[LocalFile],
    listing: Mapping[str, str],
    inspected: Mapping[str, ObjectState],
    manifest: ReleaseManifest,
    rules: Rules,
    *,
    force_delete: bool = False,
) -> Plan:
    reserved = [f.key for f in files if f.key.startswith(RESERVED_PREFIX)]
    if reserved:
        raise PublishError(
            f"the build contains {reserved[0]!r}: {RESERVED_PREFIX} is reserved for the "
            "publisher's release manifest; rename that folder"
        )
    fingerprint = build_fingerprint(files)
    release = manifest.next_release_number(fingerprint)
    carried: dict[str, PublishedObject] = {}
    uploads: list[LocalFile] = []
    unchanged: list[LocalFile] = []
    for file in files:
        etag = listing.get(file.key)
        if etag is None:
            uploads.append(file)
            continue
        if _vouched(manifest, file.key, etag):
            record = manifest.objects[file.key]
            remote = (record.sha256, record.content_type, record.cache_control)
        else:
            state = inspected[file.key]
            remote = (state.sha256, state.content_type, state.cache_control)
        if remote == (file.sha256, file.content_type, file.cache_control):
            unchanged.append(file)
            carried[file.key] = PublishedObject(
                etag=etag,
                last_release=release,
                sha256=file.sha256,
                content_type=file.content_type,
                cache_control=file.cache_control,
            )
        else:
            uploads.append(file)

    in_build = {f.key for f in files}
    live = manifest.current.number if manifest.current else 0
    stale: dict[str, PublishedObject] = {}
    for key, etag in listing.items():
        if key not in in_build and not key.startswith(RESERVED_PREFIX):
            # Objects the manifest does not know (first publish with this tool, or a
            # hand upload) count as part of the live release, so they get the grace too.
            stale[key] = manifest.objects.get(key) or PublishedObject(etag=etag, last_release=live)
    due = sorted(
        (record.last_release, key)
        for key, record in stale.items()
        if release - record.last_release > rules.grace_releases
    )
    due_keys = [key for _, key in due]
    cap = len(due_keys) if force_delete else rules.max_deletes
    deletes, deferred = due_keys[:cap], due_keys[cap:]
    kept = sorted(set(stale) - set(due_keys))
    carried.update({key: stale[key] for key in [*kept, *deferred]})

    changed_unhashed = [f.key for f in uploads if not f.hashed] + [
        key for key in deletes if not rules.cache_rule(key).hashed
    ]
    return Plan(
        release=release,
        fingerprint=fingerprint,
        uploads=sorted(uploads, key=lambda f: (f.upload_phase, f.key)),
        unchanged=unchanged,
        deletes=deletes,
        deferred=deferred,
        kept=kept,
        invalidation_paths=collapse(paths_for_keys(changed_unhashed), rules.max_invalidation_paths),
        carried=carried,
    )


def _vouched(manifest: ReleaseManifest, key: str, etag: str) -> bool:
    record = manifest.objects.get(key)
    return record is not None and record.etag == etag and record.sha256 is not None
