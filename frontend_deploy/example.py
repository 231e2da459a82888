"""The reference storefront (`examples/storefront-web/`): build it once per change, publish it.

`nox -s frontend -- <env>` without `--build-dir` and `nox -s dev` use it. The
build runs `npm ci` (only when the lock file changed) and `npm run build` into
`.woocom/frontend/dist-<digest>/`, where the digest covers the lock file and
every source file, so an unchanged example is never rebuilt.
"""

from __future__ import annotations

import atexit
import hashlib
import io
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import TextIO

from frontend_deploy.errors import PublishError
from woocom.paths import REPO_ROOT, STATE_DIR, display_path

EXAMPLE_DIR = REPO_ROOT / "examples" / "storefront-web"
BUILD_ROOT = STATE_DIR / "frontend"
# What the build reads; node_modules and dist are outputs, never inputs.
SOURCES = ("package.json", "package-lock.json", "index.html", "vite.config.ts", "tsconfig.json")
SOURCE_DIRS = ("src", "public")
INSTALL_STAMP = ".woocom-lock-sha256"
NODE_MISSING = (
    "Node.js is not installed, so the reference storefront is not built: install Node.js "
    "20.19+ (https://nodejs.org) to have it served at /"
)

_children: set[subprocess.Popen[bytes]] = set()
_children_lock = threading.Lock()


def source_digest(example_dir: Path = EXAMPLE_DIR) -> str:
    """sha256 over the names and contents of every input of the build."""
    digest = hashlib.sha256()
    paths = [example_dir / name for name in SOURCES]
    for folder in SOURCE_DIRS:
        paths += sorted(p for p in (example_dir / folder).rglob("*") if p.is_file())
    for path in paths:
        if path.is_file():
            digest.update(path.relative_to(example_dir).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def build_example(
    example_dir: Path = EXAMPLE_DIR, build_root: Path = BUILD_ROOT, out: TextIO | None = None
) -> Path:
    """The built example (a dist folder with index.html), building it when its sources changed."""
    out = out or sys.stdout
    npm = shutil.which("npm")
    if npm is None:
        raise PublishError(NODE_MISSING)
    dist = build_root / f"dist-{source_digest(example_dir)[:16]}"
    if (dist / "index.html").is_file():
        print(f"storefront build is current: {display_path(dist)}", file=out, flush=True)
        return dist
    lock_digest = hashlib.sha256((example_dir / "package-lock.json").read_bytes()).hexdigest()
    stamp = example_dir / "node_modules" / INSTALL_STAMP
    if not stamp.is_file() or stamp.read_text() != lock_digest:
        print(
            f"installing the storefront's dependencies: npm ci in {display_path(example_dir)}",
            file=out,
        )
        _run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"], example_dir, "npm ci")
        stamp.parent.mkdir(exist_ok=True)  # npm makes no node_modules for a project without deps
        stamp.write_text(lock_digest)
    print(f"building the storefront into {display_path(dist)}", file=out, flush=True)
    partial = dist.with_name(dist.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    _run(
        [npm, "run", "build", "--", "--outDir", str(partial), "--emptyOutDir"],
        example_dir,
        "npm run build",
    )
    partial.rename(dist)  # a half-written build is never taken for a finished one
    for old in build_root.glob("dist-*"):
        if old != dist:
            shutil.rmtree(old, ignore_errors=True)
    return dist


def _run(argv: list[str], cwd: Path, what: str) -> None:
    # The tool's own output goes to stderr (fd 2): stdout stays the summary of the run.
    process = subprocess.Popen(argv, cwd=cwd, stdout=2)
    with _children_lock:
        _children.add(process)
    try:
        code = process.wait()
    finally:
        with _children_lock:
            _children.discard(process)
    if code != 0:
        raise PublishError(f"{what} failed with exit code {code} in {display_path(cwd)}")


@atexit.register
def _stop_children() -> None:
    """A build still running when the process leaves (Ctrl-C on `nox -s dev`) stops too."""
    with _children_lock:
        for process in _children:
            process.terminate()


def publish_to_local_stack(outputs_path: Path) -> threading.Thread:
    """`nox -s dev`'s hook: build (when needed) and publish the example in the background.

    The API is usable at once; the site follows when the build is published. Every
    outcome is one line on stderr; nothing here stops the stack.
    """

    def work() -> None:
        from frontend_deploy.publish import Publisher, Target
        from frontend_deploy.rules import load_rules

        try:
            if shutil.which("npm") is None:
                print(f"note: {NODE_MISSING}", file=sys.stderr, flush=True)
                return
            dist = build_example(out=sys.stderr)
            rules, _ = load_rules(None)
            target = Target.from_outputs("local", outputs_path)
            # The per-file plan lines would drown the dev log: keep the summary only.
            quiet = io.StringIO()
            outcome = Publisher(target, rules, out=quiet, progress_stream=quiet).publish(dist)
            summary = outcome.summary()[0]
            print(f"storefront published to the site ({summary})", file=sys.stderr, flush=True)
        except PublishError as exc:
            print(f"note: the storefront was not published: {exc}", file=sys.stderr, flush=True)
        except Exception as exc:  # the stack may be stopping under us; say it in one line
            print(
                f"note: the storefront was not published ({type(exc).__name__}: {exc})",
                file=sys.stderr,
                flush=True,
            )

    thread = threading.Thread(target=work, name="storefront-publisher", daemon=True)
    thread.start()
    return thread
