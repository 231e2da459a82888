"""Constants and the error shared by the packager's modules."""

from __future__ import annotations

from woocom.config import (
    FUNCTIONS_DIR,
)
from woocom.paths import REPO_ROOT

# Bump when the layout or the exclusion rules change: every cached zip is then rebuilt.
FORMAT_VERSION = 1
RUNTIME_LOCK = FUNCTIONS_DIR / "requirements.txt"
TOOLING_LOCK = REPO_ROOT / "requirements" / "dev.txt"
MANIFEST_NAME = "manifest.json"
# Zips kept per function, so switching branches back and forth reuses them.
KEEP_PER_FUNCTION = 5

# Modules the Lambda Python runtime provides; the import check supplies them from
# the version pinned for the tooling (requirements/dev.txt).
RUNTIME_PROVIDED = frozenset({"boto3", "botocore"})


class PackagingError(RuntimeError):
    """A build step failed; the message says which function, what happened and what to do."""
