"""Packaging figures: full build, no-op re-run, zip sizes, two-clone reproducibility, nox venvs.

- full build: every zip of this checkout into an empty build directory (dependencies
  from uv's cache, import check included);
- no-op re-run: the same command again, everything reused (target: under 1 s);
- sizes: each zip, split into our code and the runtime dependencies (the layer question);
- reproducibility: `git clone` HEAD twice, package both, compare every zip's sha256;
- nox venv creation: `nox -s lint --install-only` into a fresh envdir with the uv
  backend and with virtualenv (pip), for the README.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from woocom.config import SHARED_PACKAGE, load_stack
from woocom.packaging import Manifest, Packager
from woocom.paths import REPO_ROOT


def _package(root: Path, build_dir: Path) -> tuple[Manifest, float]:
    started = time.perf_counter()
    manifest = Packager(root, build_dir, progress=lambda _: None).build(
        load_stack(root / "stack.yaml")
    )
    return manifest, time.perf_counter() - started


def _split_sizes(zip_path: Path, own_packages: set[str]) -> tuple[int, int]:
    """Compressed bytes of our code and of the dependencies inside one zip."""
    own = deps = 0
    with zipfile.ZipFile(zip_path) as archive:
        for info in archive.infolist():
            if info.filename.split("/")[0] in own_packages:
                own += info.compress_size
            else:
                deps += info.compress_size
    return own, deps


def _two_clones(work: Path) -> dict[str, object]:
    digests = []
    for name in ("clone-a", "clone-b"):
        clone = work / name
        subprocess.run(
            ["git", "clone", "--quiet", "--no-hardlinks", str(REPO_ROOT), str(clone)], check=True
        )
        manifest, _ = _package(clone, clone / ".woocom" / "build")
        digests.append({fn: a.sha256 for fn, a in manifest.functions.items()})
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True
    ).stdout.strip()
    return {"commit": head, "identical": digests[0] == digests[1], "sha256": digests[0]}


def _nox_venv(backend: str, work: Path) -> float | str:
    nox = shutil.which("nox")
    if nox is None:
        return "nox not on PATH"
    envdir = str(work / f"nox-{backend}")
    started = time.perf_counter()
    result = subprocess.run(
        [nox, "-s", "lint", "--install-only", "--force-venv-backend", backend, "--envdir", envdir],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        return f"failed: {result.stderr.strip().splitlines()[-1:]}"
    return round(time.perf_counter() - started, 1)


def run() -> dict[str, object]:
    stack = load_stack()
    with tempfile.TemporaryDirectory(prefix="bench-package-") as tmp:
        work = Path(tmp)
        manifest, full = _package(REPO_ROOT, work / "build")
        _, noop = _package(REPO_ROOT, work / "build")
        sizes: dict[str, dict[str, int]] = {}
        for name, artifact in manifest.functions.items():
            own, deps = _split_sizes(
                REPO_ROOT / artifact.zip,
                {stack.folder(name), SHARED_PACKAGE},
            )
            sizes[name] = {"zip": artifact.size, "own_code": own, "dependencies": deps}
        clones = _two_clones(work)
        venvs = {backend: _nox_venv(backend, work) for backend in ("uv", "virtualenv")}
    summary = [
        f"full build of {len(sizes)} functions: {full:.2f} s (import check included)",
        f"no-op re-run: {noop:.3f} s (target < 1 s)",
        *(
            f"{name:<16} {s['zip'] / 1e6:5.2f} MB  (own code {s['own_code'] / 1e3:6.1f} kB, "
            f"dependencies {s['dependencies'] / 1e6:4.2f} MB)"
            for name, s in sizes.items()
        ),
        f"two clones of {clones['commit']}: every zip identical = {clones['identical']}",
        f"nox venv (lint --install-only): uv {venvs['uv']} s, virtualenv {venvs['virtualenv']} s",
    ]
    return {
        "python": sys.version.split()[0],
        "full_build_seconds": round(full, 2),
        "noop_seconds": round(noop, 3),
        "zips": sizes,
        "two_clone_reproducibility": clones,
        "nox_venv_seconds": venvs,
        "summary": summary,
    }
