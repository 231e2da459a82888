"""The canary's zip: `python/synthetics.py` + `python/render_check.py`, byte-for-byte reproducible.

`python -m woocom.canary.package` rewrites `terraform/modules/canary/render_check.zip`;
a unit test fails when the committed zip no longer matches these sources, so
Terraform always deploys the script `nox -s canary` runs.
"""

from __future__ import annotations

import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path

from woocom.paths import REPO_ROOT

HERE = Path(__file__).parent
SOURCES = ("synthetics.py", "render_check.py")
ZIP_FILE = REPO_ROOT / "terraform" / "modules" / "canary" / "render_check.zip"
_EPOCH = (1980, 1, 1, 0, 0, 0)  # fixed times: the same sources give the same bytes


def zip_bytes() -> bytes:
    """The zip as Synthetics expects a Python canary: the handler's module under python/."""
    from io import BytesIO

    buffer = BytesIO()
    # Stored, not deflated: zlib versions differ in their output, the bytes must not.
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name in SOURCES:
            info = zipfile.ZipInfo(f"python/{name}", date_time=_EPOCH)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_STORED
            archive.writestr(info, (HERE / name).read_bytes())
    return buffer.getvalue()


def main(argv: Sequence[str] | None = None) -> int:
    target = Path(argv[0]) if argv else ZIP_FILE
    target.write_bytes(zip_bytes())
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
