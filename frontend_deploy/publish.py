"""Publish a built frontend to the site bucket and invalidate CloudFront.

Order of a run: check everything that can fail before the first write (build
dir, index.html, credentials, bucket), read the bucket listing and the release
manifest, plan, then upload hashed assets, other files, HTML and index.html last,
delete what outlived its grace period, record the release, invalidate.
"""

from __future__ import annotations

import json
import shlex
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from hashlib import sha256
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError

from frontend_deploy.build import LocalFile, file_sha256, scan
from frontend_deploy.errors import PublishError
from frontend_deploy.manifest import (
    PublishedObject,
    Release,
    ReleaseManifest,
    load_manifest,
    save_manifest,
)
from frontend_deploy.plan import ObjectState, Plan, keys_to_inspect, make_plan
from frontend_deploy.progress import Progress, format_bytes
from frontend_deploy.rules import Rules
from frontend_deploy.runtime_config import CONFIG_KEY, runtime_config
from woocom.emulated import DUMMY_CREDENTIALS, REGION
from woocom.outputs import OutputsMissingError, read_outputs

if TYPE_CHECKING:
    from mypy_boto3_cloudfront import CloudFrontClient
    from mypy_boto3_s3 import S3Client

DELETE_BATCH = 1000  # the most keys DeleteObjects accepts
T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Target:
    """Where a build goes: read from the stack outputs of an environment."""

    environment: str
    bucket: str
    distribution_id: str | None = None
    region: str = REGION
    endpoint_url: str | None = None  # set for emulators only
    # The content of config.json, published beside index.html (None: none is written).
    runtime_config: dict[str, Any] | None = None

    @classmethod
    def from_outputs(cls, environment: str, path: Path | None = None) -> Target:
        try:
            outputs = read_outputs(environment, path)
        except OutputsMissingError as exc:
            raise PublishError(str(exc)) from None
        bucket = outputs.get("site_bucket")
        if not bucket:
            raise PublishError(
                f"the outputs of {environment!r} name no site_bucket: "
                "is the site part of that stack? (`nox -s deploy` writes it)"
            )
        return cls(
            environment=environment,
            bucket=bucket,
            distribution_id=outputs.get("distribution_id"),
            region=outputs.get("region") or REGION,
            endpoint_url=outputs.get("aws_endpoint_url"),
            runtime_config=runtime_config(environment, outputs),
        )

    def session(self) -> boto3.Session:
        if self.endpoint_url:
            # An emulator: fixed dummy credentials, so real ones never leave the machine.
            return boto3.Session(
                aws_access_key_id=DUMMY_CREDENTIALS["aws_access_key_id"],
                aws_secret_access_key=DUMMY_CREDENTIALS["aws_secret_access_key"],
                region_name=self.region,
            )
        return boto3.Session(region_name=self.region)


@dataclass(frozen=True)
class Options:
    dry_run: bool = False
    wait: bool = False
    force_delete: bool = False
    workers: int | None = None  # None: the rules' value
    wait_timeout: float = 900.0
    poll_seconds: float = 5.0


@dataclass(frozen=True)
class Outcome:
    plan: Plan
    dry_run: bool
    seconds: float
    invalidation_id: str | None = None
    invalidation_skipped: str | None = None  # why no invalidation was made

    def summary(self) -> list[str]:
        plan = self.plan
        verb = "would upload" if self.dry_run else "uploaded"
        lines = [
            f"{verb} {len(plan.uploads)} file(s) ({format_bytes(plan.upload_bytes)}), "
            f"{len(plan.unchanged)} unchanged",
            f"{'would delete' if self.dry_run else 'deleted'} {len(plan.deletes)} stale file(s), "
            f"kept {len(plan.kept)} for the grace period"
            + (f", {len(plan.deferred)} over the deletion cap" if plan.deferred else ""),
        ]
        if self.invalidation_id:
            lines.append(
                f"invalidated {len(plan.invalidation_paths)} path(s): {self.invalidation_id}"
            )
        elif self.invalidation_skipped:
            lines.append(f"no invalidation: {self.invalidation_skipped}")
        elif self.dry_run:
            lines.append(f"would invalidate {len(plan.invalidation_paths)} path(s)")
        lines.append(f"release {plan.release}, {self.seconds:.1f} s")
        return lines


class Publisher:
    def __init__(
        self,
        target: Target,
        rules: Rules,
        session: boto3.Session | None = None,
        out: TextIO | None = None,
        progress_stream: TextIO | None = None,
    ) -> None:
        self.target = target
        self.rules = rules
        self._session = session or target.session()
        self._out = out or sys.stdout
        self._progress_stream = progress_stream

    def publish(self, build_dir: Path, options: Options | None = None) -> Outcome:
        with tempfile.TemporaryDirectory(prefix="frontend-deploy-") as scratch:
            return self._publish(build_dir, options or Options(), Path(scratch))

    def _publish(self, build_dir: Path, options: Options, scratch: Path) -> Outcome:
        started = time.perf_counter()
        workers = options.workers or self.rules.workers
        files = self._with_runtime_config(scan(build_dir, self.rules), scratch)
        with self._aws_errors():
            s3 = self._s3(workers)
            self._check_bucket(s3)
            manifest = load_manifest(s3, self.target.bucket)
            listing = self._listing(s3)
            inspected = self._inspect(s3, keys_to_inspect(files, listing, manifest), workers)
        plan = make_plan(
            files, listing, inspected, manifest, self.rules, force_delete=options.force_delete
        )
        self._print_plan(plan, verbose=options.dry_run)
        if options.dry_run:
            return Outcome(
                plan,
                dry_run=True,
                seconds=time.perf_counter() - started,
                invalidation_skipped=self._why_no_invalidation(plan),
            )

        with self._aws_errors():
            uploaded = self._upload(s3, plan, workers)
            self._delete(s3, plan.deletes)
            self._record(s3, manifest, plan, uploaded, files_in_build=len(files))
        invalidation_id = None
        skipped = self._why_no_invalidation(plan)
        if skipped is None:
            invalidation_id = self._invalidate(plan, options)
        return Outcome(
            plan,
            dry_run=False,
            seconds=time.perf_counter() - started,
            invalidation_id=invalidation_id,
            invalidation_skipped=skipped,
        )

    def _with_runtime_config(self, files: list[LocalFile], scratch: Path) -> list[LocalFile]:
        """The build's files plus config.json from the stack outputs (replacing the build's own)."""
        if self.target.runtime_config is None:
            print(
                f"note: the outputs of {self.target.environment!r} name no api_url: "
                f"no {CONFIG_KEY} is written",
                file=self._out,
            )
            return files
        if any(file.key == CONFIG_KEY for file in files):
            print(
                f"note: the build's own {CONFIG_KEY} is replaced by the one of "
                f"{self.target.environment!r}",
                file=self._out,
            )
        path = scratch / CONFIG_KEY
        path.write_text(json.dumps(self.target.runtime_config, indent=2) + "\n", encoding="utf-8")
        config = LocalFile(
            key=CONFIG_KEY,
            path=path,
            size=path.stat().st_size,
            sha256=file_sha256(path),
            content_type=self.rules.content_type(CONFIG_KEY),
            cache_control="no-cache",  # whatever the rules say: a stale config breaks the app
            hashed=False,
        )
        return sorted([*(f for f in files if f.key != CONFIG_KEY), config], key=lambda f: f.key)

    # --- reading ---------------------------------------------------------------------

    def _s3(self, workers: int) -> S3Client:
        if self._session.get_credentials() is None:
            raise PublishError(
                f"no AWS credentials for {self.target.environment!r}: set AWS_PROFILE (after "
                "`aws sso login`) or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY; in GitHub Actions "
                "use aws-actions/configure-aws-credentials. Nothing was published."
            )
        config = Config(
            max_pool_connections=workers,
            retries={"mode": "standard"},
            s3={"addressing_style": "path"} if self.target.endpoint_url else None,
        )
        return self._session.client("s3", endpoint_url=self.target.endpoint_url, config=config)

    def _check_bucket(self, s3: S3Client) -> None:
        bucket = self.target.bucket
        try:
            s3.head_bucket(Bucket=bucket)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in ("404", "NoSuchBucket"):
                raise PublishError(
                    f"bucket {bucket!r} of {self.target.environment!r} does not exist: deploy "
                    "the stack first (or start it: `nox -s dev`). Nothing was published."
                ) from None
            if code in ("403", "AccessDenied"):
                raise PublishError(
                    f"access to bucket {bucket!r} denied: the current AWS identity may not "
                    "publish the site. Nothing was published."
                ) from None
            raise

    def _listing(self, s3: S3Client) -> dict[str, str]:
        listing: dict[str, str] = {}
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=self.target.bucket):
            for item in page.get("Contents", []):
                listing[item["Key"]] = item["ETag"]
        return listing

    def _inspect(self, s3: S3Client, keys: list[str], workers: int) -> dict[str, ObjectState]:
        """HEAD the objects the manifest cannot vouch for (first run, hand uploads)."""
        if not keys:
            return {}
        print(f"checking {len(keys)} object(s) the release manifest does not know", file=self._out)

        def head(key: str) -> ObjectState:
            response = s3.head_object(Bucket=self.target.bucket, Key=key)
            return ObjectState(
                etag=response["ETag"],
                sha256=response.get("Metadata", {}).get("sha256"),
                content_type=response.get("ContentType"),
                cache_control=response.get("CacheControl"),
            )

        states = _run_parallel(head, keys, workers)
        return dict(zip(keys, states, strict=True))

    # --- writing ---------------------------------------------------------------------

    def _upload(self, s3: S3Client, plan: Plan, workers: int) -> dict[str, PublishedObject]:
        uploaded: dict[str, PublishedObject] = {}
        if not plan.uploads:
            return uploaded
        progress = Progress(
            "uploading", len(plan.uploads), plan.upload_bytes, self._progress_stream
        )

        def put(file: LocalFile) -> PublishedObject:
            body = file.path.read_bytes()
            if sha256(body).hexdigest() != file.sha256:
                raise PublishError(
                    f"{file.key} changed while publishing: let the build finish, then rerun"
                )
            response = s3.put_object(
                Bucket=self.target.bucket,
                Key=file.key,
                Body=body,
                ContentType=file.content_type,
                CacheControl=file.cache_control,
                Metadata={"sha256": file.sha256},
            )
            return PublishedObject(
                etag=response["ETag"],
                last_release=plan.release,
                sha256=file.sha256,
                content_type=file.content_type,
                cache_control=file.cache_control,
            )

        # Each phase finishes before the next starts: see LocalFile.upload_phase.
        for _phase, group in groupby(plan.uploads, key=lambda f: f.upload_phase):
            batch = list(group)
            try:
                records = _run_parallel(
                    put, batch, workers, on_done=lambda f: progress.advance(f.size)
                )
            except (BotoCoreError, ClientError, OSError) as exc:
                raise PublishError(
                    f"upload failed ({exc}); stopped before index.html, so the site still "
                    "serves the previous release. Rerun to finish."
                ) from exc
            uploaded.update({f.key: record for f, record in zip(batch, records, strict=True)})
        return uploaded

    def _delete(self, s3: S3Client, keys: list[str]) -> None:
        for start in range(0, len(keys), DELETE_BATCH):
            chunk = keys[start : start + DELETE_BATCH]
            response = s3.delete_objects(
                Bucket=self.target.bucket,
                Delete={"Objects": [{"Key": key} for key in chunk], "Quiet": True},
            )
            if errors := response.get("Errors"):
                first = errors[0]
                raise PublishError(
                    f"{len(errors)} stale file(s) could not be deleted, e.g. {first.get('Key')}: "
                    f"{first.get('Message')}. The new release is live; rerun to retry."
                )

    def _record(
        self,
        s3: S3Client,
        manifest: ReleaseManifest,
        plan: Plan,
        uploaded: dict[str, PublishedObject],
        files_in_build: int,
    ) -> None:
        objects = {**plan.carried, **uploaded}
        current = manifest.current
        if current and current.number == plan.release and objects == manifest.objects:
            return  # nothing changed: keep the release as it was recorded
        release = Release(
            number=plan.release,
            fingerprint=plan.fingerprint,
            published_at=datetime.now(UTC),
            files=files_in_build,
            uploaded=len(uploaded),
            deleted=len(plan.deletes),
        )
        save_manifest(s3, self.target.bucket, manifest.with_release(release, objects))

    # --- CloudFront ------------------------------------------------------------------

    def _why_no_invalidation(self, plan: Plan) -> str | None:
        if not self.target.distribution_id:
            return f"{self.target.environment!r} has no CloudFront distribution"
        if not plan.invalidation_paths:
            return "no unhashed file changed"
        return None

    def _invalidate(self, plan: Plan, options: Options) -> str:
        distribution = self.target.distribution_id
        assert distribution is not None  # checked by _why_no_invalidation
        cloudfront: CloudFrontClient = self._session.client(
            "cloudfront", endpoint_url=self.target.endpoint_url
        )
        paths = plan.invalidation_paths
        try:
            response = cloudfront.create_invalidation(
                DistributionId=distribution,
                InvalidationBatch={
                    "Paths": {"Quantity": len(paths), "Items": paths},
                    "CallerReference": f"frontend-deploy-{plan.fingerprint[:16]}-{time.time_ns()}",
                },
            )
            invalidation_id = response["Invalidation"]["Id"]
            print(f"invalidating {', '.join(paths)}: {invalidation_id}", file=self._out)
            if options.wait:
                self._wait(cloudfront, distribution, invalidation_id, options)
        except (BotoCoreError, ClientError) as exc:
            raise PublishError(
                f"the files are published but the CloudFront invalidation failed ({exc}); "
                f"run: aws cloudfront create-invalidation --distribution-id {distribution} "
                f"--paths {shlex.join(paths)}"  # quoted: a shell would expand /docs/*
            ) from exc
        return invalidation_id

    def _wait(
        self,
        cloudfront: CloudFrontClient,
        distribution: str,
        invalidation_id: str,
        options: Options,
    ) -> None:
        # Our own loop rather than boto3's waiter: it reports progress, honours our
        # timeout, and compares the status case-insensitively (emulators say COMPLETED).
        deadline = time.monotonic() + options.wait_timeout
        started = time.monotonic()
        while True:
            status = cloudfront.get_invalidation(DistributionId=distribution, Id=invalidation_id)[
                "Invalidation"
            ]["Status"]
            if status.lower() == "completed":
                print(f"invalidation {invalidation_id} completed", file=self._out)
                return
            if time.monotonic() >= deadline:
                raise PublishError(
                    f"invalidation {invalidation_id} still {status} after "
                    f"{options.wait_timeout:.0f} s; it continues on its own"
                )
            print(
                f"waiting for invalidation {invalidation_id} ({status}, "
                f"{time.monotonic() - started:.0f} s)",
                file=self._out,
                flush=True,
            )
            time.sleep(options.poll_seconds)

    # --- output ----------------------------------------------------------------------

    def _print_plan(self, plan: Plan, *, verbose: bool) -> None:
        out = self._out
        invalidations = plan.invalidation_paths if self.target.distribution_id else []
        print(
            f"{self.target.environment}: s3://{self.target.bucket} - "
            f"upload {len(plan.uploads)}, skip {len(plan.unchanged)} unchanged, "
            f"delete {len(plan.deletes)}, keep {len(plan.kept)} stale, "
            + (
                f"invalidate {len(invalidations)} path(s)"
                if self.target.distribution_id
                else "no CloudFront to invalidate"
            ),
            file=out,
        )
        if not verbose:
            return
        for file in plan.uploads:
            print(
                f"  upload      {file.key}  [{file.content_type} | {file.cache_control}]", file=out
            )
        for key in plan.deletes:
            print(f"  delete      {key}", file=out)
        for key in plan.deferred:
            print(f"  defer       {key}  (over the deletion cap; --force-delete)", file=out)
        for key in plan.kept:
            print(f"  keep        {key}  (grace period)", file=out)
        for path in invalidations:
            print(f"  invalidate  {path}", file=out)

    @contextmanager
    def _aws_errors(self) -> Iterator[None]:
        """Turn the AWS failures a user can fix into a clear PublishError."""
        try:
            yield
        except EndpointConnectionError as exc:
            hint = " is the local stack running? (`nox -s dev`)" if self.target.endpoint_url else ""
            raise PublishError(f"cannot reach {exc.kwargs.get('endpoint_url')}:{hint}") from None
        except ClientError as exc:
            error = exc.response.get("Error", {})
            raise PublishError(
                f"AWS refused {exc.operation_name} on s3://{self.target.bucket}: "
                f"{error.get('Code')} {error.get('Message')}"
            ) from exc


def _run_parallel(
    work: Callable[[T], R],
    items: Iterable[T],
    workers: int,
    on_done: Callable[[T], None] | None = None,
) -> list[R]:
    """Results in the order of `items`; the first failure cancels what has not started."""

    def run(item: T) -> R:
        result = work(item)
        if on_done is not None:
            on_done(item)
        return result

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures: list[Future[R]] = [pool.submit(run, item) for item in items]
        _, pending = wait(futures, return_when=FIRST_EXCEPTION)
        for future in pending:
            future.cancel()
    # The pool has drained: every future is done or cancelled.
    for future in futures:
        if not future.cancelled() and (error := future.exception()) is not None:
            raise error
    return [future.result() for future in futures]
