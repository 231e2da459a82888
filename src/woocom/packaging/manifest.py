"""`.woocom/build/manifest.json`: the zips Terraform deploys."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from woocom.paths import display_path


class Artifact(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    zip: str
    sha256: str
    base64_sha256: str
    size: int


class Manifest(BaseModel):
    """`.woocom/build/manifest.json`: what Terraform deploys (contract in the README)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    functions: dict[str, Artifact]


def read_manifest(path: Path) -> Manifest:
    return Manifest.model_validate_json(path.read_text(encoding="utf-8"))


def artifact_for(zip_path: Path, repo_root: Path) -> Artifact:
    digest = hashlib.sha256(zip_path.read_bytes()).digest()
    # Relative to the repository (the contract); absolute for a build directory outside it.
    return Artifact(
        zip=display_path(zip_path, repo_root),
        sha256=digest.hex(),
        base64_sha256=base64.b64encode(digest).decode(),
        size=zip_path.stat().st_size,
    )
